//! Lambda entry point of `scim-patch-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_patch_group::handler(&ctx, req).await })
}
