//! Lambda entry point of `list-provisioning-tokens`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_provisioning_tokens::handler(&ctx, req).await })
}
