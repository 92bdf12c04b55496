//! Lambda entry point of `get-workspace`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { get_workspace::handler(&ctx, req).await })
}
