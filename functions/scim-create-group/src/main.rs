//! Lambda entry point of `scim-create-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_create_group::handler(&ctx, req).await })
}
