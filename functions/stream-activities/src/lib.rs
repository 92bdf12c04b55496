//! `GET /v1/users/{id}/activities/stream`: the user's activities as Server-Sent Events,
//! resuming after `Last-Event-ID` or `?since=` (an activity id or a timestamp), with a
//! comment heartbeat, closed after `STREAM_MAX_SECONDS` so the client reconnects. The
//! user itself and global admins may follow it; a caller holds at most
//! `STREAM_MAX_PER_USER` streams at once (429 beyond), and a stream closes when the
//! caller's token or account stops holding. The event stream itself is `shared::feed`.

use std::sync::Arc;
use std::time::Duration;

use lambda_http::RequestExt;
use shared::feed::{self, Subscription};
use shared::http::{path_param, request_id, Query, Request};
use shared::run::StreamBody;
use shared::users::private_user;
use shared::{auth, ApiError, ApiResult, Ctx};

/// Authenticates, authorises and reads where to resume (`Last-Event-ID` wins over
/// `since`).
async fn subscribe(ctx: &Ctx, req: &Request) -> Result<Subscription, ApiError> {
    let query = Query::parse(req, &["since"])?;
    let caller = auth::authenticate(ctx, req).await?;
    let user = private_user(ctx, &caller, req, "activities:read").await?;
    let header_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let after = match header_id.or_else(|| query.get("since").map(str::to_string)) {
        Some(raw) => Some(feed::resume_point(&raw).ok_or_else(|| {
            ApiError::bad_query(
                "since",
                "Last-Event-ID / since must be an activity id, a timestamp or a date",
            )
        })?),
        // Live: only what happens from now on (less the settle window, so an activity
        // committing just after the connection with an id from just before it is sent).
        None => Some(feed::live_from(ctx.clock.now())),
    };
    // At most STREAM_MAX_PER_USER streams per caller at once, each holding a lease.
    let seconds = ctx.config.stream_max_seconds;
    let lease = ctx
        .store
        .acquire_stream(caller.id(), ctx.config.stream_max_per_user, seconds)
        .await?
        .ok_or_else(|| ApiError::too_many_streams(seconds.max(1)))?;
    Ok(Subscription {
        user: user.user_id,
        after,
        max: Duration::from_secs(seconds),
        caller,
        lease,
    })
}

/// The buffered form (tests, `cargo lambda invoke`): the whole stream as one response.
pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let sub = subscribe(ctx, &req).await?;
    feed::buffered(ctx, sub).await
}

/// The streaming form the function runs (through a function URL, live).
pub async fn streaming(
    ctx: Arc<Ctx>,
    req: Request,
) -> Result<http::Response<StreamBody>, ApiError> {
    let request_id = request_id(&req);
    let sub = subscribe(&ctx, &with_id_from_path(req)).await?;
    Ok(feed::streamed(ctx, sub, request_id))
}

/// A function URL passes the raw path without API Gateway's path parameters; the
/// `{id}` of `/v1/users/{id}/activities/stream` is then read from the path itself.
fn with_id_from_path(req: Request) -> Request {
    if !path_param(&req, "id").is_empty() {
        return req;
    }
    let segments: Vec<&str> = req.uri().path().trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "users", id, "activities", "stream"] => {
            let params = std::collections::HashMap::from([("id".to_string(), id.to_string())]);
            req.with_path_parameters(params)
        }
        _ => req,
    }
}
