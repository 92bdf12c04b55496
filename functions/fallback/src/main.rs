//! Lambda entry point of `fallback`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { fallback::handler(&ctx, req).await })
}
