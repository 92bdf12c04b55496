//! Lambda entry point of `list-invitations`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_invitations::handler(&ctx, req).await })
}
