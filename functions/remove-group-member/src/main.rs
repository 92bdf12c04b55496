//! Lambda entry point of `remove-group-member`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { remove_group_member::handler(&ctx, req).await })
}
