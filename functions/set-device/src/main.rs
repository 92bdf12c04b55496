//! Lambda entry point of `set-device`: hands the handler to the runtime.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start(|ctx, req| async move { set_device::handler(&ctx, req).await })
}
