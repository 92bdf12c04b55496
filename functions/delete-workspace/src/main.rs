//! Lambda entry point of `delete-workspace`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { delete_workspace::handler(&ctx, req).await })
}
