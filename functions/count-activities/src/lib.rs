//! Activity counts per day.

use shared::{ApiError, ApiResult, Ctx, Request};

pub async fn handler(_ctx: &Ctx, _req: Request) -> ApiResult {
    Err(ApiError::internal("not built yet"))
}
