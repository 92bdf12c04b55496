//! `DELETE /v1/workspaces/{wid}/members/{uid}`: remove a member. Global admins, the
//! workspace's admins, and members leaving by themselves; never the last admin of a
//! workspace that keeps other members.

use shared::http::{no_content, path_uuid};
use shared::store::Authority;
use shared::workspaces::{manages, visible_workspace};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    let uid = path_uuid(&req, "uid", "member")?;
    if !manages(&caller, ws.workspace_id) && uid != caller.id() {
        return Err(ApiError::forbidden("workspace:members:write"));
    }
    let authority = if caller.is_admin() {
        Authority::GlobalAdmin
    } else if uid == caller.id() {
        Authority::Itself
    } else {
        Authority::WorkspaceAdmin(caller.id())
    };
    ctx.store
        .remove_member(&ws, uid, caller.id(), authority)
        .await?;
    Ok(no_content())
}
