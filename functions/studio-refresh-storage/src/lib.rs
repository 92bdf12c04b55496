//! `GET|POST /api/user/refresh_storage_used/`: recompute the caller's usage from its
//! files, store it, and return it as a bare number.

use shared::http::ok;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let total = ctx.store.refresh_usage(caller.id(), caller.id()).await?;
    Ok(ok(&total))
}
