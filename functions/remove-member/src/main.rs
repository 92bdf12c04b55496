//! Lambda entry point of `remove-member`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { remove_member::handler(&ctx, req).await })
}
