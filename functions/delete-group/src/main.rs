//! Lambda entry point of `delete-group`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { delete_group::handler(&ctx, req).await })
}
