//! `DELETE /v1/groups/{gid}/members/{uid}`: remove a user from a group (global admins).

use shared::groups::managed_group;
use shared::http::{no_content, path_uuid, Query};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = managed_group(ctx, &caller, &req).await?;
    let uid = path_uuid(&req, "uid", "user")?;
    ctx.store
        .remove_group_member(&group, uid, caller.id())
        .await?;
    Ok(no_content())
}
