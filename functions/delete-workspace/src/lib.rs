//! `DELETE /v1/workspaces/{wid}`: delete a workspace with its memberships and
//! invitations (its admins, global admins). A retried DELETE finishes an interrupted
//! one.

use shared::http::no_content;
use shared::workspaces::managed_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:delete").await?;
    ctx.store.delete_workspace(&ws, caller.id()).await?;
    Ok(no_content())
}
