//! The user rules the user endpoints share: which user a path names and whether the
//! caller may see, read or change it; the single-user response; a new user's
//! defaults; and a change of a user (`PUT` and `PATCH`) as one domain operation.

mod input;

use input::changed_fields;
pub use input::{Mode, NewUser, UserInput};

use serde_json::{json, Map};
use uuid::Uuid;

use crate::activity::{kind, NewActivity};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Request, Response};
use crate::model::{UserRecord, UserView};
use crate::passwords;
use crate::store::UserChange;
use crate::types::{self, Email, Status, Username};
use crate::Ctx;

/// The `{id}` of the path: a UUID, or `me` for the caller.
pub fn target_id(req: &Request, caller: &Caller) -> Result<Uuid, ApiError> {
    let raw = http::path_param(req, "id");
    if raw == "me" {
        return Ok(caller.id());
    }
    types::parse_uuid(&raw).ok_or_else(|| ApiError::not_found("user", &raw))
}

/// The user `id`: the caller itself as authenticated, else the stored user if it passes
/// `allowed`; otherwise 404.
async fn user_if(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    allowed: impl FnOnce(&UserRecord) -> bool,
) -> Result<UserRecord, ApiError> {
    if id == caller.id() {
        return Ok(caller.user.clone());
    }
    match ctx.store.get_user(id).await? {
        Some(u) if allowed(&u) => Ok(u),
        _ => Err(ApiError::not_found("user", &id.to_string())),
    }
}

/// The user `id`, if it exists and the caller may see it; otherwise 404.
pub async fn visible_user(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<UserRecord, ApiError> {
    user_if(ctx, caller, id, |u| caller.can_see(u)).await
}

/// The user a path names, for a change: 404 when invisible, 403 when visible but
/// neither the caller nor a user an admin may change.
pub async fn changeable_user(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<UserRecord, ApiError> {
    let id = target_id(req, caller)?;
    let user = visible_user(ctx, caller, id).await?;
    if !caller.is_admin() && user.user_id != caller.id() {
        return Err(ApiError::forbidden("users:write"));
    }
    Ok(user)
}

/// The user a path names, for reading private data (activity): the user itself or a
/// global admin; anyone else gets 404.
pub async fn private_user(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<UserRecord, ApiError> {
    let id = target_id(req, caller)?;
    if id != caller.id() && !caller.is_admin() {
        return Err(ApiError::not_found("user", &id.to_string()));
    }
    user_if(ctx, caller, id, |_| true).await
}

/// `status` with the v1 user object and its ETag.
pub fn user_response(status: http::StatusCode, user: &UserRecord) -> Response {
    http::with_etag(
        http::json_response(status, &UserView::from(user)),
        user.version,
    )
}

/// A new user with the service's defaults (active, role `user`, unverified, the
/// default quota), before a create body is applied to it.
pub fn new_record(
    ctx: &Ctx,
    email: Email,
    username: Username,
    password_hash: String,
) -> UserRecord {
    let now = ctx.clock.now_rfc3339();
    UserRecord {
        user_id: Uuid::new_v4(),
        email,
        username,
        first_name: None,
        last_name: None,
        avatar_url: None,
        bio: None,
        timezone: None,
        locale: None,
        preferences: Map::new(),
        settings: Map::new(),
        status: Status::Active,
        roles: vec!["user".to_string()],
        is_verified: false,
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
        password_hash,
        memberships: Default::default(),
    }
}

/// Changes `target` (as the caller read it) by `input` on behalf of `caller`:
///
/// - a non-admin changing a password must give the current one (missing is 422,
///   wrong 403);
/// - a new password, or the account leaving `active`, revokes the user's tokens but
///   the one the user itself called with;
/// - `If-Match` must name the version current when the change is written (412);
/// - `user.updated` (naming the changed fields) and `password.changed` are recorded.
///
/// Answers the user as written.
pub async fn change(
    ctx: &Ctx,
    caller: &Caller,
    target: UserRecord,
    input: UserInput,
    if_match: IfMatch,
) -> Result<UserRecord, ApiError> {
    if input.password.is_some() && !caller.is_admin() {
        check_current_password(&target, input.current_password.as_deref()).await?;
    }
    let password_hash = match &input.password {
        Some(p) => Some(passwords::hash_password(p).await?),
        None => None,
    };
    let keep_token = (target.user_id == caller.id()).then(|| caller.token_hash().to_string());
    let actor = caller.id();
    ctx.store
        .update_user(target, |current| {
            if_match.check(current.version)?;
            let mut user = current.clone();
            input.apply_to(&mut user)?;
            if let Some(hash) = &password_hash {
                user.password_hash = hash.clone();
            }
            if password_hash.is_some() || (current.is_active() && !user.is_active()) {
                user.session_epoch += 1;
            }
            let mut activities = Vec::new();
            if input.touches_profile() || password_hash.is_none() {
                activities.push(
                    NewActivity::new(kind::USER_UPDATED, current.user_id, actor)
                        .with_data(json!({ "fields": changed_fields(current, &user) })),
                );
            }
            if password_hash.is_some() {
                activities.push(NewActivity::new(
                    kind::PASSWORD_CHANGED,
                    current.user_id,
                    actor,
                ));
            }
            Ok(UserChange {
                user,
                activities,
                keep_token: keep_token.clone(),
            })
        })
        .await
}

/// Checks the current password a non-admin must give to change its password:
/// missing is 422, wrong is 403.
async fn check_current_password(user: &UserRecord, given: Option<&str>) -> Result<(), ApiError> {
    let Some(given) = given else {
        return Err(ApiError::validation(vec![crate::FieldError::body(
            "current_password",
            "missing",
            "current_password is required to change the password",
        )]));
    };
    if passwords::verify_password(given, Some(&user.password_hash)).await {
        Ok(())
    } else {
        Err(ApiError::forbidden_field("current_password"))
    }
}
