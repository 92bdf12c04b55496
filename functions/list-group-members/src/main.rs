//! Lambda entry point of `list-group-members`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_group_members::handler(&ctx, req).await })
}
