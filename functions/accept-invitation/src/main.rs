//! Lambda entry point of `accept-invitation`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { accept_invitation::handler(&ctx, req).await })
}
