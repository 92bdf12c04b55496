//! Lambda entry point of `scim-service-provider-config`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(
        |ctx, req| async move { scim_service_provider_config::handler(&ctx, req).await },
    )
}
