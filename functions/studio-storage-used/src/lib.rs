//! `GET /api/user/get_storage_used/`: the caller's `disk_space_used`, a bare number.

use shared::http::ok;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    Ok(ok(&caller.user.disk_space_used))
}
