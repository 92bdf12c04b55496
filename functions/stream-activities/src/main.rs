#![recursion_limit = "256"]
//! Lambda entry point of `stream-activities`: a response-streaming function.

use std::sync::Arc;

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::init_tracing();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let ctx = Arc::new(shared::Ctx::from_env().await?);
        lambda_http::run_with_streaming_response(lambda_http::service_fn(move |req| {
            let ctx = ctx.clone();
            async move {
                Ok::<_, std::convert::Infallible>(stream_activities::streaming(ctx, req).await)
            }
        }))
        .await
    })
}
