//! Lambda entry point of `run-jobs`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start_worker(|ctx, left| async move { run_jobs::handler(&ctx, left).await })
}
