//! `GET /v1/users/me/invitations?limit=&cursor=`: the pending invitations addressed to
//! the caller's current email, oldest first.

use shared::http::{ok, Query};
use shared::invitations::invitation_views;
use shared::paging::Cursors;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let email = &caller.user.email;
    let subject = format!("{}:{}", caller.id(), email.lower());
    let cursors = Cursors::new(&ctx.config.cursor_secret, "my-invitations", subject);
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.invitations_page_to(email, &page).await?;
    Ok(ok(
        &cursors.body("invitations", invitation_views(ctx, found).await?)
    ))
}
