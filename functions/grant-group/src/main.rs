//! Lambda entry point of `grant-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { grant_group::handler(&ctx, req).await })
}
