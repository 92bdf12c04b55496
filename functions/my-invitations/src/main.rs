//! Lambda entry point of `my-invitations`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { my_invitations::handler(&ctx, req).await })
}
