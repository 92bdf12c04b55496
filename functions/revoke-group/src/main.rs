//! Lambda entry point of `revoke-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { revoke_group::handler(&ctx, req).await })
}
