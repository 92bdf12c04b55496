//! Lambda entry point of `studio-list-users`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { studio_list_users::handler(&ctx, req).await })
}
