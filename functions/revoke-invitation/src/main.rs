//! Lambda entry point of `revoke-invitation`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { revoke_invitation::handler(&ctx, req).await })
}
