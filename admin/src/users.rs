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

/// Creates an admin with this email and password unless an admin with this email
/// exists; an email (or a username equal to it) of a user who is not an admin is an
/// error, so the command can never hand out a token of someone else's account.
/// Returns the user, and whether it was created now.
pub async fn ensure_admin(
    ctx: &Ctx,
    email: &str,
    password: &str,
) -> Result<(UserRecord, bool), String> {
    if let Some(existing) = ctx.store.user_by_login(email).await.map_err(message)? {
        if !existing.is_admin() {
            return Err(format!(
                "{email} belongs to a user who is not an admin; choose another email"
            ));
        }
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

/// The password of `create-admin`: `ADMIN_PASSWORD` if set, else the first line of
/// standard input; never an argument, which other users of the machine can read.
pub fn admin_password() -> Result<String, String> {
    if let Some(p) = std::env::var("ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err("no password: set ADMIN_PASSWORD or pipe it on stdin".into());
    }
    Ok(line)
}
