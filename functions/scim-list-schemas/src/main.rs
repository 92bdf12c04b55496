//! Lambda entry point of `scim-list-schemas`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_list_schemas::handler(&ctx, req).await })
}
