//! Lambda entry point of `active-workspaces`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { active_workspaces::handler(&ctx, req).await })
}
