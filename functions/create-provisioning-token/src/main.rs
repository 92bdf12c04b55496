//! Lambda entry point of `create-provisioning-token`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(
        |ctx, req| async move { create_provisioning_token::handler(&ctx, req).await },
    )
}
