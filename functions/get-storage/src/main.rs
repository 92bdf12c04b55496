//! Lambda entry point of `get-storage`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { get_storage::handler(&ctx, req).await })
}
