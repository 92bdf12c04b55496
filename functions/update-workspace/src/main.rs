//! Lambda entry point of `update-workspace`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { update_workspace::handler(&ctx, req).await })
}
