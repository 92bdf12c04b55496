//! Lambda entry point of `scim-list-resource-types`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_list_resource_types::handler(&ctx, req).await })
}
