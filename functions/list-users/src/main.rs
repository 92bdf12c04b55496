//! Lambda entry point of `list-users`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_users::handler(&ctx, req).await })
}
