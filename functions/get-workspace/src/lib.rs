//! `GET /v1/workspaces/{wid}`: a workspace, for its members and global admins, with the
//! caller's own role there; read in the same round trip as the caller.

use shared::http::ok;
use shared::workspaces::{path_workspace, visible_workspace_in, workspace_view};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let (caller, prefetched) = auth::authenticate_with(ctx, &req, path_workspace(&req)).await?;
    let ws = visible_workspace_in(ctx, &caller, &req, prefetched.workspace).await?;
    Ok(ok(&workspace_view(&caller, &ws)))
}
