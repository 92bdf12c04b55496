//! `POST /api/user/mark_notifications_read/` `{"timestamp"}`: move the caller's
//! notification marker forward (never back), atomically. Studio-style: every invalid
//! input is 400.

use chrono::Duration;
use shared::http::{json_body, no_content};
use shared::{auth, time, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let body = json_body(&req).map_err(|e| match e.status.as_u16() {
        413 | 415 => e,
        _ => ApiError::bad_request("Body must be a JSON object with a 'timestamp'"),
    })?;
    let raw = body
        .get("timestamp")
        .and_then(|v| v.as_str())
        .ok_or_else(|| ApiError::bad_request("'timestamp' is required (ISO 8601)"))?;
    let at = time::parse(raw)
        .ok_or_else(|| ApiError::bad_request("'timestamp' must be an ISO 8601 date-time"))?;
    if at > ctx.clock.now() + Duration::days(1) {
        return Err(ApiError::bad_request(
            "'timestamp' may not be in the future",
        ));
    }
    ctx.store
        .mark_notifications_read(caller.id(), &time::format(at))
        .await?;
    Ok(no_content())
}
