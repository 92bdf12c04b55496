//! Lambda entry point of `decline-invitation`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { decline_invitation::handler(&ctx, req).await })
}
