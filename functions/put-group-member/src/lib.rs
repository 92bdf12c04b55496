//! `PUT /v1/groups/{gid}/members/{uid}`: add a user to a group (global admins;
//! idempotent). The body, if any, is an empty JSON object.

use shared::groups::managed_group;
use shared::http::{body_fields, ok, path_uuid, Query};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = managed_group(ctx, &caller, &req).await?;
    let uid = path_uuid(&req, "uid", "user")?;
    if req.body().iter().any(|b| !b.is_ascii_whitespace()) {
        body_fields(&req)?.finish(())?;
    }
    let (member, applied) = ctx.store.add_group_member(&group, uid, caller.id()).await?;
    Ok(ok(&serde_json::json!({
        "group_id": member.group_id,
        "user_id": member.user_id,
        "added_at": member.added_at,
        "status": applied.as_str(),
    })))
}
