//! Lambda entry point of `delete-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { delete_user::handler(&ctx, req).await })
}
