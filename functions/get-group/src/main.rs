//! Lambda entry point of `get-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { get_group::handler(&ctx, req).await })
}
