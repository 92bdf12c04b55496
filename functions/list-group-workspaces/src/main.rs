//! Lambda entry point of `list-group-workspaces`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_group_workspaces::handler(&ctx, req).await })
}
