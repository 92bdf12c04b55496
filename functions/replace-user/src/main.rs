//! Lambda entry point of `replace-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { replace_user::handler(&ctx, req).await })
}
