//! Lambda entry point of `scim-list-groups`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_list_groups::handler(&ctx, req).await })
}
