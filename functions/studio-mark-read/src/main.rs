//! Lambda entry point of `studio-mark-read`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { studio_mark_read::handler(&ctx, req).await })
}
