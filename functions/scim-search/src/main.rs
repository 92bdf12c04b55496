//! Lambda entry point of `scim-search`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_search::handler(&ctx, req).await })
}
