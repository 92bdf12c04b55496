//! `GET /v1/workspaces/{wid}/invitations?limit=&cursor=`: a workspace's pending
//! invitations, oldest first (its admins, global admins).

use shared::http::{ok, Query};
use shared::model::InvitationView;
use shared::paging::Cursors;
use shared::workspaces::managed_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:members:invite").await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "invitations", ws.workspace_id);
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.invitations_page(ws.workspace_id, &page).await?;
    let page = found.map(|i| InvitationView::new(&i, &ws.name));
    Ok(ok(&cursors.body("invitations", page)))
}
