//! Lambda entry point of `studio-refresh-storage`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { studio_refresh_storage::handler(&ctx, req).await })
}
