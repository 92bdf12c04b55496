//! `GET /v1/users/{id}/activities?limit=&cursor=`: a user's feed, newest first.

use shared::http::{ok, Query};
use shared::paging::Cursors;
use shared::users::private_user;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req, "activities:read").await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "activities", user.user_id);
    let page = cursors.request(&query, 50, 200)?;
    let feed = ctx.store.activities_page(user.user_id, &page).await?;
    Ok(ok(&cursors.body("activities", feed)))
}
