//! Lambda entry point of `scim-search-users`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_search_users::handler(&ctx, req).await })
}
