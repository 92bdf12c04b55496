//! `GET /v1/groups?q=&limit=&cursor=`: every group by name for global admins, the
//! groups the caller belongs to for anyone else; `q` is a name prefix.

use shared::http::{ok, Query};
use shared::model::GroupView;
use shared::paging::{Cursors, Page};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["q", "limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let prefix = query.get("q").unwrap_or("").trim().to_lowercase();
    if prefix.chars().count() > 100 {
        return Err(ApiError::bad_query(
            "q",
            "'q' may have at most 100 characters",
        ));
    }
    let cursors =
        Cursors::new(&ctx.config.cursor_secret, "groups", caller.id()).with_filters(&query);
    let page = cursors.request(&query, 50, 200)?;
    let found = if caller.is_admin() {
        ctx.store.groups_page(&prefix, &page).await?
    } else {
        let own = ctx.store.groups_of_page(caller.id(), &page).await?;
        Page {
            items: own
                .items
                .into_iter()
                .filter(|g| g.name.to_lowercase().starts_with(&prefix))
                .collect(),
            next: own.next,
        }
    };
    Ok(ok(
        &cursors.body("groups", found.map(|g| GroupView::from(&g)))
    ))
}
