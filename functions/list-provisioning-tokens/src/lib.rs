//! `GET /v1/provisioning-tokens?limit=&cursor=`: the provisioning tokens, oldest
//! first, never their secrets (global admins).

use shared::http::{ok, Query};
use shared::model::ProvisioningTokenView;
use shared::paging::Cursors;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("provisioning:read"));
    }
    let cursors = Cursors::new(&ctx.config.cursor_secret, "provisioning-tokens", "all");
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.provisioning_tokens_page(&page).await?;
    let page = found.map(|t| ProvisioningTokenView::from(&t));
    Ok(ok(&cursors.body("provisioning_tokens", page)))
}
