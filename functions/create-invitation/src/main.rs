//! Lambda entry point of `create-invitation`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { create_invitation::handler(&ctx, req).await })
}
