//! Lambda entry point of `record-file`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { record_file::handler(&ctx, req).await })
}
