//! Creating an administrator outside the API: the first admin of a deployed table, or
//! the dev admin of `make dev`.

use shared::model::UserRecord;
use shared::passwords::hash_password;
use shared::types::{Email, Password, Username, ADMIN_ROLE};
use shared::users::new_record;
use shared::{auth, ApiError, Ctx};

/// An error of the API as the CLI prints it: its message, and the cause when it has one.
fn message(e: ApiError) -> String {
    match e.cause {
        Some(cause) => format!("{}: {cause}", e.message),
        None => e.message,
    }
}

/// Creates an admin with this email and password unless the email is taken.
/// Returns the user, and whether it was created now.
pub async fn ensure_admin(
    ctx: &Ctx,
    email: &str,
    password: &str,
) -> Result<(UserRecord, bool), String> {
    if let Some(existing) = ctx.store.user_by_login(email).await.map_err(message)? {
        return Ok((existing, false));
    }
    let email = Email::parse_str(email).map_err(|e| format!("email: {}", e.msg))?;
    let password = Password::parse(&serde_json::Value::from(password))
        .map_err(|e| format!("password: {}", e.msg))?;
    let local = email.as_str().split('@').next().unwrap_or("admin");
    let mut name: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(40)
        .collect();
    if name.len() < 3 {
        name = format!("admin-{name}");
    }
    let username = Username::parse_str(&name).map_err(|e| format!("username: {}", e.msg))?;
    let hash = hash_password(&password).await.map_err(message)?;
    let mut user = new_record(ctx, email, username, hash);
    user.roles = vec![ADMIN_ROLE.to_string()];
    user.is_verified = true;
    ctx.store
        .create_user(&user, user.user_id)
        .await
        .map_err(message)?;
    Ok((user, true))
}

/// Issues a login token for `user` the way `POST /v1/auth/token` does.
pub async fn issue_token(ctx: &Ctx, user: &UserRecord) -> Result<String, String> {
    auth::issue_token(ctx, user)
        .await
        .map(|issued| issued.token)
        .map_err(message)
}
