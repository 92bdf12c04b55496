//! The per-request wrapper every function runs in (request id, error envelope,
//! `Cache-Control: no-store`, exactly one JSON log line per request) and the Lambda
//! runtime loop, for buffered and streamed responses alike.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use http::{header, HeaderValue};
use tracing_subscriber::filter::Targets;
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::{
    error_response, is_scim_path, request_id, route_label, scim_error_response, Request,
};
use crate::{ApiResult, Ctx};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

tokio::task_local! {
    static CALLER: Cell<Option<Uuid>>;
}

/// Notes who is calling, for the request's log line.
pub fn note_caller(id: Uuid) {
    let _ = CALLER.try_with(|c| c.set(Some(id)));
}

/// Runs one request through `handler` and turns its result into the response: the
/// error envelope for a failure, the service headers on every answer, and one log
/// line. Generic over the body, so the streaming function's responses (whose body
/// keeps flowing after this returns) go through it too. Tests call this as well, so
/// they see exactly what the runtime would return.
pub async fn dispatch<F, Fut, B>(ctx: &Ctx, req: Request, handler: F) -> http::Response<B>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<http::Response<B>, ApiError>>,
    B: From<Vec<u8>>,
{
    let started = Instant::now();
    let before = ctx.store.usage();
    let request_id = request_id(&req);
    let route = route_label(&req);
    let scim = is_scim_path(req.uri().path());
    let (result, caller) = CALLER
        .scope(Cell::new(None), async {
            let result = handler(req).await;
            (result, CALLER.with(Cell::get))
        })
        .await;
    let (mut resp, error_code, cause) = match result {
        Ok(resp) => (resp, None, None),
        Err(e) if scim => (scim_error_response(&e, &request_id), Some(e.code), e.cause),
        Err(e) => (
            error_response(&e, &request_id, &ctx.clock.now_rfc3339()),
            Some(e.code),
            e.cause,
        ),
    };
    service_headers(resp.headers_mut(), &request_id);
    let status = resp.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let caller_id = caller.map(|c| c.to_string());
    // Present only when the store is measured (benchmarks); absent in service.
    let used = ctx.store.usage().since(before);
    let read_units = (used.read_units > 0.0).then_some(used.read_units);
    let write_units = (used.write_units > 0.0).then_some(used.write_units);
    let db_calls = (used.calls > 0).then_some(used.calls);
    // One line; `cause` (5xx only) and the units are left out when absent.
    macro_rules! request_line {
        ($level:expr) => {
            tracing::event!(
                $level,
                request_id,
                route,
                status,
                latency_ms,
                caller_id,
                error = error_code,
                cause,
                read_units,
                write_units,
                db_calls,
                "request"
            )
        };
    }
    if status >= 500 {
        request_line!(tracing::Level::ERROR);
    } else {
        request_line!(tracing::Level::INFO);
    }
    resp
}

/// What every response carries: `Cache-Control: no-store` (unless the handler chose
/// otherwise) and the request id.
fn service_headers(headers: &mut http::HeaderMap, request_id: &str) {
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", v);
    }
}

/// SDK crates whose debug and trace events carry request and response bodies
/// (items, password hashes among them).
const SDK_CRATES: [&str; 5] = [
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_sdk_dynamodb",
    "aws_config",
    "hyper",
];

/// The log filter: `RUST_LOG` (default `info`; targets and levels, as
/// `info,shared=debug`), with the SDK crates held at `warn` unless `RUST_LOG` names
/// them itself. A plain target filter: no regex engine in every binary.
pub fn log_filter() -> Targets {
    let base = std::env::var("RUST_LOG").unwrap_or_default();
    let mut directives = if base.trim().is_empty() {
        "info".to_string()
    } else {
        base.clone()
    };
    for krate in SDK_CRATES {
        if !base.contains(krate) {
            directives.push_str(&format!(",{krate}=warn"));
        }
    }
    directives
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
}

/// JSON log lines, one object per event, filtered by [`log_filter`], written to `writer`.
pub fn init_tracing_to<W>(writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(log_filter())
        .try_init();
}

/// JSON log lines on stdout.
fn init_tracing() {
    init_tracing_to(std::io::stdout);
}

/// The whole life of a function: tracing, the context once per cold start, then the
/// runtime loop calling `handler` for each request.
async fn run<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult> + Send + 'static,
{
    let (ctx, handler) = prepare(handler).await?;
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        serve(ctx.clone(), handler.clone(), req)
    }))
    .await
}

/// [`run`] for a response-streaming function: `handler` answers the status and
/// headers, and its body keeps streaming after the log line is written.
async fn run_streaming<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<StreamBody>, ApiError>> + Send + 'static,
{
    let (ctx, handler) = prepare(handler).await?;
    lambda_http::run_with_streaming_response(lambda_http::service_fn(move |req: Request| {
        serve(ctx.clone(), handler.clone(), req)
    }))
    .await
}

/// The body of a streamed response.
pub type StreamBody = lambda_http::lambda_runtime::streaming::Body;

async fn prepare<H>(handler: H) -> Result<(Arc<Ctx>, Arc<H>), BoxError> {
    init_tracing();
    Ok((context().await?, Arc::new(handler)))
}

/// The context of a cold start; a configuration error fails it with one clear log line.
async fn context() -> Result<Arc<Ctx>, BoxError> {
    match Ctx::from_env().await {
        Ok(ctx) => Ok(Arc::new(ctx)),
        Err(e) => {
            tracing::error!(error = %e, "cold start failed: configuration");
            Err(BoxError::from(e))
        }
    }
}

async fn serve<H, Fut, B>(
    ctx: Arc<Ctx>,
    handler: Arc<H>,
    req: Request,
) -> Result<http::Response<B>, std::convert::Infallible>
where
    H: Fn(Arc<Ctx>, Request) -> Fut,
    Fut: Future<Output = Result<http::Response<B>, ApiError>>,
    B: From<Vec<u8>>,
{
    let for_handler = ctx.clone();
    Ok(dispatch(&ctx, req, |r| handler(for_handler, r)).await)
}

/// A single-threaded runtime (one request at a time per Lambda sandbox) running `main`.
fn block_on(main: impl Future<Output = Result<(), BoxError>>) -> Result<(), BoxError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(main)
}

/// Entry point for a function's `main`: [`run`] on a single-threaded runtime.
pub fn start<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult> + Send + 'static,
{
    block_on(run(handler))
}

/// Entry point for a streaming function's `main`: [`run_streaming`] on a
/// single-threaded runtime.
pub fn start_streaming<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<StreamBody>, ApiError>> + Send + 'static,
{
    block_on(run_streaming(handler))
}

/// Entry point of the background worker (`run-jobs`): whatever invokes it (the table's
/// stream when a job is queued, or the schedule that picks up lapsed leases), `handler`
/// is given the time left before the invocation's deadline.
pub fn start_worker<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, std::time::Duration) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<serde_json::Value, ApiError>> + Send + 'static,
{
    use lambda_http::lambda_runtime::{run, service_fn, LambdaEvent};
    block_on(async {
        init_tracing();
        let ctx = context().await?;
        let handler = Arc::new(handler);
        run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
            let (ctx, handler) = (ctx.clone(), handler.clone());
            async move {
                let now = chrono::Utc::now().timestamp_millis().max(0) as u64;
                let left = event.context.deadline.saturating_sub(now);
                let out = handler(ctx, std::time::Duration::from_millis(left)).await;
                out.map_err(|e| BoxError::from(format!("{e:?}")))
            }
        }))
        .await
    })
}
