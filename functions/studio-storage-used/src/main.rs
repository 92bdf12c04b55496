//! Lambda entry point of `studio-storage-used`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { studio_storage_used::handler(&ctx, req).await })
}
