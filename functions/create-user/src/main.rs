//! Lambda entry point of `create-user`: hands the handler to the runtime. Every request
//! hashes a password, so argon2's working memory is made ready while the runtime starts.

fn main() -> Result<(), shared::run::BoxError> {
    shared::passwords::prepare();
    shared::run::start(|ctx, req| async move { create_user::handler(&ctx, req).await })
}
