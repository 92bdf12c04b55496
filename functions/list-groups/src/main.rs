//! Lambda entry point of `list-groups`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_groups::handler(&ctx, req).await })
}
