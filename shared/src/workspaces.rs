//! Workspace rules shared by the workspace endpoints: who may see and manage one, and
//! how a workspace is shown to a caller.

use uuid::Uuid;

use crate::auth::{Also, Caller};
use crate::error::ApiError;
use crate::http::{path_uuid, Request};
use crate::model::{MemberRecord, WorkspaceRecord, WorkspaceView};
use crate::types::WsRole;
use crate::Ctx;

/// The member object of responses.
pub fn member_json(m: &MemberRecord) -> serde_json::Value {
    serde_json::json!({
        "workspace_id": m.workspace_id,
        "user_id": m.user_id,
        "role": m.role,
        "direct_role": m.direct,
        "via": m.sources(),
        "joined_at": m.joined_at,
    })
}

/// The workspace `{wid}` names, if the caller may see it (a member or a global
/// admin); otherwise 404.
pub async fn visible_workspace(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<WorkspaceRecord, ApiError> {
    visible_workspace_in(ctx, caller, req, None).await
}

/// What the path's `{wid}` names for reading with the caller ([`Also`]).
pub fn path_workspace(req: &Request) -> Also {
    match path_uuid(req, "wid", "workspace") {
        Ok(id) => Also::Workspace(id),
        Err(_) => Also::Nothing,
    }
}

/// Like [`visible_workspace`], taking the workspace from `prefetched` (read with the
/// caller) when it is the one the path names.
pub async fn visible_workspace_in(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
    prefetched: Option<WorkspaceRecord>,
) -> Result<WorkspaceRecord, ApiError> {
    let wid = path_uuid(req, "wid", "workspace")?;
    let visible = caller.is_admin() || caller.user.memberships.contains_key(&wid);
    if !visible {
        return Err(ApiError::not_found("workspace", &wid.to_string()));
    }
    let ws = match prefetched.filter(|w| w.workspace_id == wid) {
        Some(ws) => Some(ws),
        None => ctx.store.get_workspace(wid).await?,
    };
    ws.ok_or_else(|| ApiError::not_found("workspace", &wid.to_string()))
}

/// The workspace `{wid}` names, if the caller manages it (see [`manages`]): 404 when it
/// may not see it, 403 `permission` when it sees but does not manage it.
pub async fn managed_workspace(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
    permission: &str,
) -> Result<WorkspaceRecord, ApiError> {
    let ws = visible_workspace(ctx, caller, req).await?;
    if !manages(caller, ws.workspace_id) {
        return Err(ApiError::forbidden(permission));
    }
    Ok(ws)
}

/// The workspace `{wid}` names, for a change of its group grants (global admins only):
/// 404 when the caller may not see it, 403 `workspace:groups:write` when it sees it.
pub async fn granting_workspace(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<WorkspaceRecord, ApiError> {
    let ws = visible_workspace(ctx, caller, req).await?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("workspace:groups:write"));
    }
    Ok(ws)
}

/// The caller's own role in `workspace`, if it is a member.
pub fn role_of(caller: &Caller, workspace: Uuid) -> Option<WsRole> {
    caller.user.memberships.get(&workspace).copied()
}

/// The workspace object for the caller: with its own role there.
pub fn workspace_view(caller: &Caller, ws: &WorkspaceRecord) -> WorkspaceView {
    WorkspaceView::new(ws, role_of(caller, ws.workspace_id))
}

/// Whether the caller manages members of `workspace`: a global admin or its admin.
pub fn manages(caller: &Caller, workspace: Uuid) -> bool {
    caller.is_admin() || role_of(caller, workspace) == Some(WsRole::Admin)
}
