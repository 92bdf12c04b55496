//! Lambda entry point of `list-activities`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { list_activities::handler(&ctx, req).await })
}
