//! Lambda entry point of `scim-get-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_get_group::handler(&ctx, req).await })
}
