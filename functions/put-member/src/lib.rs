//! `PUT /v1/workspaces/{wid}/members/{uid}` `{"role"}`: add a member (global admins)
//! or change a member's role (and the workspace's admins, who add members only by
//! invitation); the last admin cannot be demoted.

use shared::http::{body_fields, ok, path_uuid};
use shared::store::Authority;
use shared::types::WsRole;
use shared::workspaces::{managed_workspace, member_json};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:members:write").await?;
    let uid = path_uuid(&req, "uid", "user")?;
    let f = body_fields(&req)?;
    let role = f.required("role", WsRole::parse);
    let role = f.finish(role)?;
    let authority = if caller.is_admin() {
        Authority::GlobalAdmin
    } else {
        Authority::WorkspaceAdmin(caller.id())
    };
    let member = ctx
        .store
        .set_member(&ws, uid, role, caller.id(), authority)
        .await?;
    Ok(ok(&member_json(&member)))
}
