//! Lambda entry point of `patch-user`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { patch_user::handler(&ctx, req).await })
}
