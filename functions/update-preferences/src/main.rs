//! Lambda entry point of `update-preferences`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { update_preferences::handler(&ctx, req).await })
}
