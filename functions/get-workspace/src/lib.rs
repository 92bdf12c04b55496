//! `GET /v1/workspaces/{wid}`: a workspace, for its members and global admins, with the
//! caller's own role there.

use shared::http::ok;
use shared::workspaces::{visible_workspace, workspace_view};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    Ok(ok(&workspace_view(&caller, &ws)))
}
