//! Lambda entry point of `search-users`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { search_users::handler(&ctx, req).await })
}
