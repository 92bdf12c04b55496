//! Lambda entry point of `scim-replace-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_replace_user::handler(&ctx, req).await })
}
