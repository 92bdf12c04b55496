//! Lambda entry point of `list-workspace-groups`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_workspace_groups::handler(&ctx, req).await })
}
