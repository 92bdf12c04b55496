//! Lambda entry point of `scim-get-resource-type`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_get_resource_type::handler(&ctx, req).await })
}
