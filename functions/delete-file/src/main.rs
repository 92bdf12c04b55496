//! Lambda entry point of `delete-file`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { delete_file::handler(&ctx, req).await })
}
