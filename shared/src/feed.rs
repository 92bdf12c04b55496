//! A user's feed as Server-Sent Events (`id:` the activity id, `event:` its type,
//! `data:` the activity JSON): where a client resumes, the pump that polls the feed
//! and sends what has settled, with heartbeats, until the stream's time is up, and the
//! two forms of the response (buffered, streamed).
//!
//! Activity ids sort by time, but transactions commit in any order within their short
//! life; an activity is sent only once it is older than [`SETTLE`], so a later-committing
//! activity with an earlier id cannot slip behind a client's `Last-Event-ID`.

use std::sync::Arc;
use std::time::Duration;

use http::{header, HeaderValue, StatusCode};
use uuid::Uuid;

use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::http::Response;
use crate::model::ActivityRecord;
use crate::run::StreamBody;
use crate::store::StreamLease;
use crate::types::parse_uuid;
use crate::{time, ApiResult, Ctx};

/// How old an activity must be before it is sent.
pub const SETTLE: Duration = Duration::from_millis(1500);
/// How often the store is polled for new activities.
const POLL: Duration = Duration::from_millis(500);
/// How often a comment keeps idle connections open.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// The most activities read (and sent before polling again) at once.
const BATCH: usize = 100;

/// How many polls go by between two checks that the caller's token and account still
/// hold (a revoked token or a suspended account closes the stream within this).
const RECHECK_EVERY: u32 = 4;

/// What one connection streams: a user's feed after a point, for a time, to a caller
/// who holds one of its stream slots.
pub struct Subscription {
    pub user: Uuid,
    pub after: Option<Uuid>,
    pub max: Duration,
    pub caller: Caller,
    pub lease: StreamLease,
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

/// Where a client resumes: after an activity id, or from a timestamp on (a bare date
/// is its midnight UTC, as the activity counts read one).
pub fn resume_point(raw: &str) -> Option<Uuid> {
    let raw = raw.trim();
    let date = || {
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| time::parse(&format!("{d}T00:00:00Z")))
    };
    parse_uuid(raw).or_else(|| time::parse(raw).or_else(date).map(uuid_floor))
}

/// Where a stream without a resume point starts: activities from `now` on, and those
/// of the last [`SETTLE`] before it, which may still be committing.
pub fn live_from(now: chrono::DateTime<chrono::Utc>) -> Uuid {
    uuid_floor(now - chrono::Duration::from_std(SETTLE).unwrap_or_default())
}

/// One activity as an SSE event.
fn event(a: &ActivityRecord) -> String {
    let data = serde_json::to_string(a).unwrap_or_default();
    format!("id: {}\nevent: {}\ndata: {}\n\n", a.id, a.kind, data)
}

/// Where events go: a buffer, or a streaming response body.
#[allow(async_fn_in_trait)]
pub trait Sink {
    /// Sends one chunk; `false` when the receiver is gone.
    async fn send(&mut self, chunk: String) -> bool;
}

impl Sink for &mut String {
    async fn send(&mut self, chunk: String) -> bool {
        self.push_str(&chunk);
        true
    }
}

impl Sink for lambda_http::lambda_runtime::streaming::Sender {
    async fn send(&mut self, chunk: String) -> bool {
        self.send_data(bytes::Bytes::from(chunk)).await.is_ok()
    }
}

/// A client that closes its stream is how every stream ends sooner or later: noted at
/// INFO, not as an error.
fn client_gone() -> Result<(), ApiError> {
    tracing::info!("stream client disconnected");
    Ok(())
}

/// Sends every settled activity after the resume point, then new ones as they
/// settle, until the time is up or the sink reports the client gone.
pub async fn pump(ctx: &Ctx, sub: Subscription, sink: impl Sink) -> Result<(), ApiError> {
    let lease = sub.lease.clone();
    let result = stream(ctx, sub, sink).await;
    ctx.store.release_stream(&lease).await?;
    result
}

async fn stream(ctx: &Ctx, sub: Subscription, mut sink: impl Sink) -> Result<(), ApiError> {
    let started = tokio::time::Instant::now();
    let mut polls: u32 = 0;
    let deadline = started + sub.max;
    let mut after = sub.after;
    let mut last_beat = started;
    if !sink.send("retry: 1000\n\n".into()).await {
        return client_gone();
    }
    loop {
        let settled =
            time::format(ctx.clock.now() - chrono::Duration::from_std(SETTLE).unwrap_or_default());
        let batch = ctx.store.activities_after(sub.user, after, BATCH).await?;
        let mut sent = 0;
        for a in batch.iter().take_while(|a| a.created_at <= settled) {
            if !sink.send(event(a)).await {
                return client_gone();
            }
            after = Some(a.id);
            sent += 1;
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(());
        }
        if sent == BATCH {
            continue;
        }
        if now.duration_since(last_beat) >= HEARTBEAT {
            if !sink.send(": heartbeat\n\n".into()).await {
                return client_gone();
            }
            last_beat = now;
        }
        tokio::time::sleep(POLL.min(deadline - now)).await;
        polls += 1;
        if polls.is_multiple_of(RECHECK_EVERY) {
            if let Err(e) = auth::recheck(ctx, &sub.caller).await {
                tracing::info!(
                    reason = e.code,
                    "stream closed: the caller's token or account no longer holds"
                );
                sink.send(": closed: authentication no longer valid\n\n".into())
                    .await;
                return Ok(());
            }
        }
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

/// The whole stream, until it closes, as one response: for where the integration
/// cannot stream (tests, a buffering gateway).
pub async fn buffered(ctx: &Ctx, sub: Subscription) -> ApiResult {
    let mut body = String::new();
    pump(ctx, sub, &mut body).await?;
    let mut resp: Response = http::Response::new(body.into());
    *resp.status_mut() = StatusCode::OK;
    sse_headers(&mut resp);
    Ok(resp)
}

/// The stream as it happens: the status and headers answer at once, and events are
/// written to the body as they settle. A failure after the answer can only be logged.
pub fn streamed(
    ctx: Arc<Ctx>,
    sub: Subscription,
    request_id: String,
) -> http::Response<StreamBody> {
    let (tx, body) = StreamBody::channel();
    tokio::spawn(async move {
        if let Err(e) = pump(&ctx, sub, tx).await {
            tracing::error!(request_id, error = e.code, cause = e.cause, "stream failed");
        }
    });
    let mut resp = http::Response::new(body);
    sse_headers(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_point_is_an_id_a_timestamp_or_a_date() {
        let id = Uuid::now_v7();
        assert_eq!(resume_point(&format!(" {id} ")), Some(id));
        let midnight = resume_point("2026-12-07T00:00:00Z");
        assert!(midnight.is_some());
        assert_eq!(resume_point("2026-12-07"), midnight);
        assert_eq!(resume_point("2026-13-07"), None);
        assert_eq!(resume_point("yesterday"), None);
    }
}
