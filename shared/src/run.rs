//! The per-request wrapper every function runs in: request id, error envelope,
//! `Cache-Control: no-store`, and exactly one JSON log line per request.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use http::{header, HeaderValue};
use tracing_subscriber::filter::Targets;
use uuid::Uuid;

use crate::http::{request_id, route_label, Request, Response};
use crate::store::Store;
use crate::{ApiResult, Ctx};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

tokio::task_local! {
    static CALLER: Cell<Option<Uuid>>;
}

/// Notes who is calling, for the request's log line.
pub fn note_caller(id: Uuid) {
    let _ = CALLER.try_with(|c| c.set(Some(id)));
}

/// Runs one request through `handler` and turns its result into the response.
/// Tests call this too, so they see exactly what the runtime would return.
pub async fn dispatch<F, Fut>(store: &Store, req: Request, handler: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = ApiResult>,
{
    let started = Instant::now();
    let (read_before, write_before) = store.consumed_split();
    let request_id = request_id(&req);
    let route = route_label(&req);
    let (result, caller) = CALLER
        .scope(Cell::new(None), async {
            let result = handler(req).await;
            (result, CALLER.with(Cell::get))
        })
        .await;
    let (mut resp, error_code, cause) = match result {
        Ok(resp) => (resp, None, None),
        Err(e) => {
            let code = e.code;
            let cause = e.cause.clone();
            (e.into_response(&request_id), Some(code), cause)
        }
    };
    service_headers(resp.headers_mut(), &request_id);
    let status = resp.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let caller_id = caller.map(|c| c.to_string());
    let (read_after, write_after) = store.consumed_split();
    // Present only when the store is measured (benchmarks); absent in service.
    let read_units = (read_after > read_before).then_some(read_after - read_before);
    let write_units = (write_after > write_before).then_some(write_after - write_before);
    if status >= 500 {
        tracing::error!(
            request_id,
            route,
            status,
            latency_ms,
            caller_id,
            error = error_code,
            cause,
            read_units,
            write_units,
            "request"
        );
    } else {
        tracing::info!(
            request_id,
            route,
            status,
            latency_ms,
            caller_id,
            error = error_code,
            read_units,
            write_units,
            "request"
        );
    }
    resp
}

/// What every response carries: `Cache-Control: no-store` (unless the handler chose
/// otherwise) and the request id.
pub fn service_headers(headers: &mut http::HeaderMap, request_id: &str) {
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
pub fn init_tracing() {
    init_tracing_to(std::io::stdout);
}

/// The whole life of a function: tracing, the context once per cold start, then the
/// runtime loop calling `handler` for each request.
pub async fn run<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult> + Send + 'static,
{
    init_tracing();
    let ctx = Arc::new(Ctx::from_env().await.map_err(BoxError::from)?);
    let handler = Arc::new(handler);
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        let ctx = ctx.clone();
        let handler = handler.clone();
        async move {
            let for_log = ctx.clone();
            Ok::<Response, std::convert::Infallible>(
                dispatch(&for_log.store, req, |r| handler(ctx, r)).await,
            )
        }
    }))
    .await
}

/// Entry point for a function's `main`: a single-threaded runtime (one request at a
/// time per Lambda sandbox) running [`run`].
pub fn start<H, Fut>(handler: H) -> Result<(), BoxError>
where
    H: Fn(Arc<Ctx>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult> + Send + 'static,
{
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(handler))
}
