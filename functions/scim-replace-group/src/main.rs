//! Lambda entry point of `scim-replace-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_replace_group::handler(&ctx, req).await })
}
