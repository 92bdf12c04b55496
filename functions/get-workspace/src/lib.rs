//! `GET /v1/workspaces/{wid}`: a workspace, for its members and global admins.

use shared::http::ok;
use shared::model::WorkspaceView;
use shared::workspaces::visible_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    Ok(ok(&WorkspaceView::from(&ws)))
}
