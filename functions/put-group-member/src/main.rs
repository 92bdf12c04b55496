//! Lambda entry point of `put-group-member`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { put_group_member::handler(&ctx, req).await })
}
