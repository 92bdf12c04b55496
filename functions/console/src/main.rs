//! Lambda entry point of `console`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { console::handler(&ctx, req).await })
}
