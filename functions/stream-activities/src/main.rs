//! Lambda entry point of `stream-activities`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { stream_activities::handler(&ctx, req).await })
}
