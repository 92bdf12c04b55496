//! Answers 405 for known paths with other methods, 404 elsewhere.

use shared::{ApiError, ApiResult, Ctx, Request};

pub async fn handler(_ctx: &Ctx, _req: Request) -> ApiResult {
    Err(ApiError::internal("not built yet"))
}
