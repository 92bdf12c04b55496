//! `PUT /v1/workspaces/{wid}/members/{uid}` `{"role"}`: add a member or change its
//! role. Global admins and the workspace's admins only; the last admin cannot be
//! demoted.

use shared::http::{body_fields, ok, path_uuid};
use shared::types::WsRole;
use shared::workspaces::{manages, member_json, visible_workspace};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    if !manages(&caller, ws.workspace_id) {
        return Err(ApiError::forbidden("workspace:members:write"));
    }
    let uid = path_uuid(&req, "uid", "user")?;
    let f = body_fields(&req)?;
    let role = f.required("role", WsRole::parse);
    let role = f.finish(role)?;
    let member = ctx.store.set_member(&ws, uid, role, caller.id()).await?;
    Ok(ok(&member_json(&member)))
}
