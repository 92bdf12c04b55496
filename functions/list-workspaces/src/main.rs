//! Lambda entry point of `list-workspaces`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_workspaces::handler(&ctx, req).await })
}
