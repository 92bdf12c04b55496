//! Lambda entry point of `create-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { create_user::handler(&ctx, req).await })
}
