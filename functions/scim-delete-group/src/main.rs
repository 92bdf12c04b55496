//! Lambda entry point of `scim-delete-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_delete_group::handler(&ctx, req).await })
}
