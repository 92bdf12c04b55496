//! `GET|POST /api/user/refresh_storage_used/`: recompute the caller's usage from its
//! files, store it, and return it as a bare number.

use shared::http::ok;
use shared::{auth, storage, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let total = storage::refresh(ctx, &caller).await?;
    Ok(ok(&total))
}
