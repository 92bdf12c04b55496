//! Lambda entry point of `get-me`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { get_me::handler(&ctx, req).await })
}
