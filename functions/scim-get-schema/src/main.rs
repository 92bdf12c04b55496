//! Lambda entry point of `scim-get-schema`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { scim_get_schema::handler(&ctx, req).await })
}
