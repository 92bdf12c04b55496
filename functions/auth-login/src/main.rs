//! Lambda entry point of `auth-login`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { auth_login::handler(&ctx, req).await })
}
