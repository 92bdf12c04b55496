//! `DELETE /v1/workspaces/{wid}/invitations/{iid}`: revoke a pending invitation (the
//! workspace's admins, global admins); gone, used or expired is 404.

use shared::http::{no_content, path_uuid};
use shared::workspaces::managed_workspace;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:members:invite").await?;
    let iid = path_uuid(&req, "iid", "invitation")?;
    let inv = ctx
        .store
        .pending_invitation(ws.workspace_id, iid)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation", &iid.to_string()))?;
    ctx.store.revoke_invitation(&ws, &inv, caller.id()).await?;
    Ok(no_content())
}
