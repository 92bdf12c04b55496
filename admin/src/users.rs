//! Creating an administrator outside the API: the first admin of a deployed table, or
//! the dev admin of `make dev`.

use shared::activity::{kind, NewActivity};
use shared::model::{Status, UserRecord, ADMIN_ROLE};
use shared::store::TxError;
use shared::validate::{Email, Password, Username};
use shared::{auth, time, Ctx};
use uuid::Uuid;

/// Creates an admin with this email and password unless the email is taken.
/// Returns the user, and whether it was created now.
pub async fn ensure_admin(
    ctx: &Ctx,
    email: &str,
    password: &str,
) -> Result<(UserRecord, bool), String> {
    if let Some(existing) = ctx
        .store
        .user_by_login(email)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok((existing, false));
    }
    let email = Email::parse_str(email).map_err(|(_, m)| format!("email: {m}"))?;
    let password = Password::parse(&serde_json::Value::from(password))
        .map_err(|(_, m)| format!("password: {m}"))?;
    let local = email.as_str().split('@').next().unwrap_or("admin");
    let mut name: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(40)
        .collect();
    if name.len() < 3 {
        name = format!("admin-{name}");
    }
    let username = Username::parse_str(&name).map_err(|(_, m)| format!("username: {m}"))?;
    let now = time::now_rfc3339();
    let id = Uuid::new_v4();
    let user = UserRecord {
        user_id: id,
        email: email.as_str().to_string(),
        username: username.as_str().to_string(),
        first_name: None,
        last_name: None,
        avatar_url: None,
        bio: None,
        timezone: None,
        locale: None,
        preferences: Default::default(),
        settings: Default::default(),
        status: Status::Active,
        roles: vec![ADMIN_ROLE.to_string()],
        is_verified: true,
        created_at: now.clone(),
        updated_at: now,
        last_login: None,
        default_workspace_id: None,
        disk_space: ctx.config.default_disk_space,
        disk_space_used: 0,
        last_read_notification_date: None,
        version: 1,
        mrev: 0,
        session_epoch: 0,
        password_hash: auth::hash_password(&password)
            .await
            .map_err(|e| e.to_string())?,
        memberships: Default::default(),
    };
    let activity = NewActivity::new(kind::USER_CREATED, id, id);
    match ctx
        .store
        .create_user(&user, activity, ctx.config.activity_retention_days)
        .await
    {
        Ok(()) => Ok((user, true)),
        Err(TxError::Failed(f)) => Err(format!("{} already taken", f.join(", "))),
        Err(TxError::Api(e)) => Err(format!("{e}: {}", e.cause.clone().unwrap_or_default())),
    }
}

/// Issues a login token for `user` the way `POST /v1/auth/token` does.
pub async fn issue_token(ctx: &Ctx, user: &UserRecord) -> Result<String, String> {
    auth::issue_token(ctx, user)
        .await
        .map(|issued| issued.token)
        .map_err(|e| format!("{e}: {}", e.cause.clone().unwrap_or_default()))
}
