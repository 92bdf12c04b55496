//! `GET /v1/workspaces/{wid}/groups?limit=&cursor=`: a workspace's group grants, in
//! group id order (its members and global admins).

use shared::http::{ok, Query};
use shared::model::GrantView;
use shared::paging::Cursors;
use shared::workspaces::visible_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "grants", ws.workspace_id);
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.grants_page(ws.workspace_id, &page).await?;
    let ids: Vec<_> = found.items.iter().map(|g| g.group_id).collect();
    let groups = ctx.store.get_groups(&ids).await?;
    let name = |gid| {
        groups
            .iter()
            .find(|g| g.group_id == gid)
            .map_or("", |g| g.name.as_str())
    };
    let page = found.map(|g| GrantView::new(&g, name(g.group_id)));
    Ok(ok(&cursors.body("grants", page)))
}
