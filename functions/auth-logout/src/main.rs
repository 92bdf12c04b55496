//! Lambda entry point of `auth-logout`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { auth_logout::handler(&ctx, req).await })
}
