//! `DELETE /v1/groups/{gid}`: delete a group with its memberships and grants (global
//! admins).

use shared::groups::managed_group;
use shared::http::{no_content, Query};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = managed_group(ctx, &caller, &req).await?;
    ctx.store.delete_group(&group, caller.id()).await?;
    Ok(no_content())
}
