//! Lambda entry point of `update-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { update_group::handler(&ctx, req).await })
}
