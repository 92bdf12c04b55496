//! Lambda entry point of `get-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { get_user::handler(&ctx, req).await })
}
