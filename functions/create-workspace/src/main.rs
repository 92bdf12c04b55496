//! Lambda entry point of `create-workspace`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { create_workspace::handler(&ctx, req).await })
}
