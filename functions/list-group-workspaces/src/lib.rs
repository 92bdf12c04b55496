//! `GET /v1/groups/{gid}/workspaces?limit=&cursor=`: the workspaces a group is granted a
//! role on, in workspace id order (its members and global admins; the group's side of
//! `GET /v1/workspaces/{wid}/groups`).

use shared::groups::visible_group;
use shared::http::{ok, Query};
use shared::model::GroupGrantView;
use shared::paging::Cursors;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = visible_group(ctx, &caller, &req).await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "group-grants", group.group_id);
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.group_grants_page(group.group_id, &page).await?;
    let ids: Vec<_> = found.items.iter().map(|g| g.workspace_id).collect();
    let workspaces = ctx.store.get_workspaces(&ids).await?;
    let name = |wid| {
        workspaces
            .iter()
            .find(|w| w.workspace_id == wid)
            .map_or("", |w| w.name.as_str())
    };
    let page = found.map(|g| GroupGrantView::new(&g, name(g.workspace_id)));
    Ok(ok(&cursors.body("grants", page)))
}
