//! Workspace rules shared by the workspace endpoints: who may see and manage one.

use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{path_uuid, Request};
use crate::model::{MemberRecord, WorkspaceRecord};
use crate::types::WsRole;
use crate::Ctx;

/// The member object of responses.
pub fn member_json(m: &MemberRecord) -> serde_json::Value {
    serde_json::json!({
        "workspace_id": m.workspace_id,
        "user_id": m.user_id,
        "role": m.role,
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
    let wid = path_uuid(req, "wid", "workspace")?;
    let visible = caller.is_admin() || caller.user.memberships.contains_key(&wid);
    match ctx.store.get_workspace(wid).await? {
        Some(ws) if visible => Ok(ws),
        _ => Err(ApiError::not_found("workspace", &wid.to_string())),
    }
}

/// Whether the caller manages members of `workspace`: a global admin or its admin.
pub fn manages(caller: &Caller, workspace: Uuid) -> bool {
    caller.is_admin() || caller.user.memberships.get(&workspace) == Some(&WsRole::Admin)
}
