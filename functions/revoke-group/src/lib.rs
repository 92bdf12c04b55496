//! `DELETE /v1/workspaces/{wid}/groups/{gid}`: revoke a group's grant (global admins).

use shared::http::{no_content, path_uuid, Query};
use shared::workspaces::granting_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = granting_workspace(ctx, &caller, &req).await?;
    let gid = path_uuid(&req, "gid", "group")?;
    ctx.store.revoke_group(&ws, gid, caller.id()).await?;
    Ok(no_content())
}
