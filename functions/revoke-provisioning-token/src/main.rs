//! Lambda entry point of `revoke-provisioning-token`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(
        |ctx, req| async move { revoke_provisioning_token::handler(&ctx, req).await },
    )
}
