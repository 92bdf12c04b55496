//! Lambda entry point of `count-activities`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { count_activities::handler(&ctx, req).await })
}
