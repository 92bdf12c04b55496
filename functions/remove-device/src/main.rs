//! Lambda entry point of `remove-device`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { remove_device::handler(&ctx, req).await })
}
