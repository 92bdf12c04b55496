//! `GET /v1/users/{id}/activities/stream`: the user's activities as Server-Sent Events
//! (`id:` the activity id, `event:` its type, `data:` the activity JSON), resuming after
//! `Last-Event-ID` or `?since=` (an activity id or a timestamp), with a comment
//! heartbeat, closed after `STREAM_MAX_SECONDS` so the client reconnects.
//!
//! Activity ids sort by time, but transactions commit in any order within their short
//! life; an activity is sent only once it is older than [`SETTLE`], so a later-committing
//! activity with an earlier id cannot slip behind a client's `Last-Event-ID`.

use std::sync::Arc;
use std::time::Duration;

use http::{header, HeaderValue, StatusCode};
use shared::http::{Query, Request, Response};
use shared::run::StreamBody;
use shared::types::parse_uuid;
use shared::users::private_user;
use shared::{auth, time, ApiError, ApiResult, Ctx};
use uuid::Uuid;

/// How old an activity must be before it is sent.
pub const SETTLE: Duration = Duration::from_millis(1500);
/// How often the store is polled for new activities.
const POLL: Duration = Duration::from_millis(500);
/// How often a comment keeps idle connections open.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// What one connection streams.
pub struct Subscription {
    pub user: Uuid,
    pub after: Option<Uuid>,
    pub max: Duration,
}

/// The smallest v7 UUID of a millisecond: activities at or after `t` sort after it.
fn uuid_floor(t: chrono::DateTime<chrono::Utc>) -> Uuid {
    let ms = t.timestamp_millis().max(0) as u64;
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70;
    b[8] = 0x80;
    Uuid::from_bytes(b)
}

fn resume_point(raw: &str) -> Option<Uuid> {
    parse_uuid(raw.trim()).or_else(|| time::parse(raw.trim()).map(uuid_floor))
}

/// Authenticates, authorises (the user itself or an admin) and reads where to resume.
pub async fn subscribe(ctx: &Ctx, req: &Request) -> Result<Subscription, ApiError> {
    let caller = auth::authenticate(ctx, req).await?;
    let user = private_user(ctx, &caller, req).await?;
    let query = Query::parse(req)?;
    let header_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let after = match header_id.or_else(|| query.get("since").map(str::to_string)) {
        Some(raw) => Some(resume_point(&raw).ok_or_else(|| {
            ApiError::bad_query(
                "since",
                "Last-Event-ID / since must be an activity id or a timestamp",
            )
        })?),
        None => None,
    };
    Ok(Subscription {
        user: user.user_id,
        after,
        max: Duration::from_secs(ctx.config.stream_max_seconds),
    })
}

/// One activity as an SSE event.
pub fn event(a: &shared::model::ActivityRecord) -> String {
    let data = serde_json::to_string(a).unwrap_or_default();
    format!("id: {}\nevent: {}\ndata: {}\n\n", a.id, a.kind, data)
}

/// Sends every settled activity after the resume point, then new ones as they
/// settle, until the time is up or `send` reports the client gone.
pub async fn pump<F>(ctx: &Ctx, sub: Subscription, mut send: F) -> Result<(), ApiError>
where
    F: AsyncSend,
{
    let started = tokio::time::Instant::now();
    let deadline = started + sub.max;
    let mut after = sub.after;
    let mut last_beat = started;
    if !send.send("retry: 1000\n\n".into()).await {
        return Ok(());
    }
    loop {
        let settled =
            time::format(ctx.clock.now() - chrono::Duration::from_std(SETTLE).unwrap_or_default());
        let batch = ctx.store.activities_after(sub.user, after, 100).await?;
        let mut sent = 0;
        for a in batch.iter().take_while(|a| a.created_at <= settled) {
            if !send.send(event(a)).await {
                return Ok(());
            }
            after = Some(a.id);
            sent += 1;
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(());
        }
        if sent == 100 {
            continue;
        }
        if now.duration_since(last_beat) >= HEARTBEAT {
            if !send.send(": heartbeat\n\n".into()).await {
                return Ok(());
            }
            last_beat = now;
        }
        tokio::time::sleep(POLL.min(deadline - now)).await;
    }
}

/// Where events go: a buffer, or a streaming response body.
#[allow(async_fn_in_trait)]
pub trait AsyncSend {
    /// Sends one chunk; `false` when the receiver is gone.
    async fn send(&mut self, chunk: String) -> bool;
}

impl AsyncSend for &mut String {
    async fn send(&mut self, chunk: String) -> bool {
        self.push_str(&chunk);
        true
    }
}

impl AsyncSend for lambda_http::lambda_runtime::streaming::Sender {
    async fn send(&mut self, chunk: String) -> bool {
        self.send_data(bytes::Bytes::from(chunk)).await.is_ok()
    }
}

fn sse_headers<B>(resp: &mut http::Response<B>) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
}

/// The buffered form: the whole stream, until it closes, as one response. Used where
/// the integration cannot stream (tests, a buffering gateway).
pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let sub = subscribe(ctx, &req).await?;
    let mut body = String::new();
    pump(ctx, sub, &mut body).await?;
    let mut resp: Response = http::Response::new(body.into());
    *resp.status_mut() = StatusCode::OK;
    sse_headers(&mut resp);
    Ok(resp)
}

/// A function URL passes the raw path without API Gateway's path parameters; the
/// `{id}` of `/v1/users/{id}/activities/stream` is then read from the path itself.
fn with_id_from_path(req: Request) -> Request {
    use lambda_http::RequestExt;
    if !shared::http::path_param(&req, "id").is_empty() {
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

/// The streaming form the function runs: the status and headers answer at once, and
/// events are written to the body as they settle, after the per-request wrapper has
/// logged the request.
pub async fn streaming(
    ctx: Arc<Ctx>,
    req: Request,
) -> Result<http::Response<StreamBody>, ApiError> {
    let request_id = shared::http::request_id(&req);
    let sub = subscribe(&ctx, &with_id_from_path(req)).await?;
    let (tx, body) = StreamBody::channel();
    tokio::spawn(async move {
        if let Err(e) = pump(&ctx, sub, tx).await {
            tracing::error!(request_id, error = e.code, cause = e.cause, "stream failed");
        }
    });
    let mut resp = http::Response::new(body);
    sse_headers(&mut resp);
    Ok(resp)
}
