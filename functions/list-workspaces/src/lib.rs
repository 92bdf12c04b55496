//! `GET /v1/workspaces?limit=&cursor=`: the caller's workspaces with its role in each;
//! global admins page every workspace.

use shared::http::{ok, Query};
use shared::paging::Cursors;
use shared::workspaces::workspace_view;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "workspaces", caller.id());
    let page = cursors.request(&query, 50, 200)?;
    let member = (!caller.is_admin()).then(|| caller.id());
    let found = ctx.store.workspaces_page(member, &page).await?;
    let page = found.map(|ws| workspace_view(&caller, &ws));
    Ok(ok(&cursors.body("workspaces", page)))
}
