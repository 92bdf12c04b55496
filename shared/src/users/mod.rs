//! The user rules the user endpoints share: which user a path names and whether the
//! caller may see, read or change it; the single-user response; a new user's
//! defaults; and a change of a user (`PUT` and `PATCH`) as one domain operation.

mod input;

pub(crate) use input::changed_fields;
pub use input::{without_unchanged, Mode, NewUser, UserInput};

use serde::Serialize;
use serde_json::{json, Map};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::activity::{kind, NewActivity};
use crate::auth::{Also, Caller, View};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Request, Response};
use crate::model::{Device, MemberRecord, PublicUserView, UserRecord, UserView};
use crate::passwords;
use crate::ratelimit::LoginLimiter;
use crate::store::UserChange;
use crate::types::{self, Email, Status, Username};
use crate::Ctx;

/// The `{id}` of the path (`/v1/users/{id}...`): a UUID, or `me` for the caller. Read
/// from the path itself when the router passed no parameter (locally, a literal path
/// such as `/v1/users/me` that API Gateway would route to an `{id}` route).
pub fn target_id(req: &Request, caller: &Caller) -> Result<Uuid, ApiError> {
    let raw = raw_id(req);
    if raw == "me" {
        return Ok(caller.id());
    }
    types::parse_uuid(&raw).ok_or_else(|| ApiError::not_found("user", &raw))
}

/// The `{id}` segment as given (see [`target_id`]).
fn raw_id(req: &Request) -> String {
    match http::path_param(req, "id") {
        id if id.is_empty() => req.uri().path().split('/').nth(3).unwrap_or("").to_string(),
        id => id,
    }
}

/// What the path's `{id}` names for reading with the caller ([`Also`]): the user, when
/// it is a UUID other than `me`.
pub fn path_user(req: &Request) -> Also {
    match types::parse_uuid(&raw_id(req)) {
        Some(id) => Also::User(id),
        None => Also::Nothing,
    }
}

/// The user `id`, if it exists and the caller may see it; otherwise 404.
pub async fn visible_user(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<UserRecord, ApiError> {
    visible_user_in(ctx, caller, id, None).await
}

/// Like [`visible_user`], taking the user from `prefetched` (read with the caller)
/// when it is the one asked for. The caller itself is the user as authenticated.
pub async fn visible_user_in(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    prefetched: Option<UserRecord>,
) -> Result<UserRecord, ApiError> {
    let user = if id == caller.id() {
        Some(caller.user.clone())
    } else {
        match prefetched.filter(|u| u.user_id == id) {
            Some(u) => Some(u),
            None => ctx.store.get_user(id).await?,
        }
    };
    match user {
        Some(u) if caller.can_see(&u) => Ok(u),
        _ => Err(ApiError::not_found("user", &id.to_string())),
    }
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

/// The user a path names, for reading its private data (`permission`: its feed): the
/// user itself or a global admin. A user the caller sees otherwise is 403, one it does
/// not see 404.
pub async fn private_user(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
    permission: &str,
) -> Result<UserRecord, ApiError> {
    let id = target_id(req, caller)?;
    let user = visible_user(ctx, caller, id).await?;
    if caller.view_of(&user) != View::Full {
        return Err(ApiError::forbidden(permission));
    }
    Ok(user)
}

/// A user as the caller may see it: the full user object or the public profile.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum UserBody {
    Full(Box<UserView>),
    Public(PublicUserView),
}

impl UserBody {
    /// `user` as `caller` may see it.
    pub fn of(caller: &Caller, user: &UserRecord) -> UserBody {
        UserBody::new(user, caller.view_of(user))
    }

    pub fn new(user: &UserRecord, view: View) -> UserBody {
        match view {
            View::Full => UserBody::Full(Box::new(UserView::from(user))),
            View::Public => UserBody::Public(PublicUserView::from(user)),
        }
    }
}

/// A user listed among a workspace's members: as the caller may see it, with its
/// effective role there and where the role comes from (`direct`, `group:<id>`).
#[derive(Debug, Serialize)]
pub struct MemberBody {
    #[serde(flatten)]
    pub user: UserBody,
    pub role: Option<crate::types::WsRole>,
    pub via: Vec<String>,
}

impl MemberBody {
    pub fn of(caller: &Caller, user: &UserRecord, member: Option<&MemberRecord>) -> MemberBody {
        MemberBody {
            user: UserBody::of(caller, user),
            role: member.map(|m| m.role),
            via: member.map(MemberRecord::sources).unwrap_or_default(),
        }
    }
}

/// `status` with `view` of the user (see [`Caller::view_of`]) and the ETag of that
/// view: the version for the full view, a digest of the public profile for that one
/// (it does not move when only private fields change, and does not reveal the version).
pub fn user_response(status: http::StatusCode, user: &UserRecord, view: View) -> Response {
    let body = UserBody::new(user, view);
    let response = http::json_response(status, &body);
    match body {
        UserBody::Full(_) => http::with_etag(response, user.version),
        UserBody::Public(p) => {
            let json = serde_json::to_vec(&p).unwrap_or_default();
            let digest = hex::encode(&Sha256::digest(&json)[..8]);
            http::with_etag(response, format!("p-{digest}"))
        }
    }
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
        display_name: None,
        external_id: None,
        scim: Map::new(),
        avatar_url: None,
        bio: None,
        timezone: None,
        locale: None,
        preferences: Map::new(),
        settings: Map::new(),
        status: Status::Active,
        roles: vec!["user".to_string()],
        view_all: false,
        device: None,
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
        srev: 0,
        session_epoch: 0,
        sessions: Default::default(),
        spilled_tokens: false,
        password_hash,
        memberships: Default::default(),
        direct_memberships: Default::default(),
        file_count: 0,
    }
}

/// Changes `target` (as the caller read it) by `input` on behalf of `caller`:
///
/// - a user changing its own password, admins included, must give the current one
///   (missing is 422, wrong 403 and counted as a failed login of the account from the
///   request's address); a global admin resetting another user's password need not;
/// - a non-admin changing the email address loses `is_verified`;
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
    req: &Request,
) -> Result<UserRecord, ApiError> {
    let if_match = IfMatch::of(req);
    if input.password.is_some() && target.user_id == caller.id() {
        check_current_password(ctx, req, &target, input.current_password.as_deref()).await?;
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
            if !caller.is_admin() && user.email.lower() != current.email.lower() {
                user.is_verified = false;
            }
            if let Some(hash) = &password_hash {
                user.password_hash = hash.clone();
            }
            if password_hash.is_some() || (current.is_active() && !user.is_active()) {
                user.session_epoch += 1;
            }
            let activities = change_activities(
                current,
                &user,
                actor,
                input.touches_profile() || password_hash.is_none(),
                password_hash.is_some(),
            );
            Ok(UserChange {
                user,
                activities,
                keep_token: keep_token.clone(),
            })
        })
        .await
}

/// What a change of `current` to `user` by `actor` records: `user.updated` naming the
/// fields changed (when `updated`), and `password.changed` (when `password`).
pub(crate) fn change_activities(
    current: &UserRecord,
    user: &UserRecord,
    actor: impl Into<crate::activity::Actor>,
    updated: bool,
    password: bool,
) -> Vec<NewActivity> {
    let actor = actor.into();
    let mut activities = Vec::new();
    if updated {
        activities.push(
            NewActivity::new(kind::USER_UPDATED, current.user_id, &actor)
                .with_data(json!({ "fields": changed_fields(current, user) })),
        );
    }
    if password {
        activities.push(NewActivity::new(
            kind::PASSWORD_CHANGED,
            current.user_id,
            &actor,
        ));
    }
    activities
}

/// Checks the current password a user must give to change its own password: missing
/// is 422, wrong is 403 and a failed login (429 while the login limit holds).
async fn check_current_password(
    ctx: &Ctx,
    req: &Request,
    user: &UserRecord,
    given: Option<&str>,
) -> Result<(), ApiError> {
    let Some(given) = given else {
        return Err(ApiError::validation(vec![crate::FieldError::body(
            "current_password",
            "missing",
            "current_password is required to change the password",
        )]));
    };
    let limiter = LoginLimiter::new(ctx, &user.user_id.to_string(), req);
    limiter.reserve().await?;
    if passwords::verify_password(given, Some(&user.password_hash)).await {
        limiter.release().await
    } else {
        Err(ApiError::wrong_current_password())
    }
}

/// Registers `device` as `target`'s signing device (replacing one it had), or removes
/// it (`None`; a user without one is 404), on behalf of `caller`, recording
/// `device.registered` or `device.removed`. A public key another user's device has is
/// 409 (`pub_key`). Answers the user as written.
pub async fn set_device(
    ctx: &Ctx,
    caller: &Caller,
    target: UserRecord,
    device: Option<Device>,
) -> Result<UserRecord, ApiError> {
    let actor = caller.id();
    ctx.store
        .update_user(target, |current| {
            let kind = match (&device, &current.device) {
                (Some(_), _) => kind::DEVICE_REGISTERED,
                (None, Some(_)) => kind::DEVICE_REMOVED,
                (None, None) => {
                    return Err(ApiError::not_found("device", &current.user_id.to_string()))
                }
            };
            let mut user = current.clone();
            user.device = device.clone();
            let data = match &device {
                Some(d) => {
                    json!({ "device_type": d.device_type, "device_user_id": d.device_user_id })
                }
                None => json!({}),
            };
            Ok(UserChange {
                user,
                activities: vec![NewActivity::new(kind, current.user_id, actor).with_data(data)],
                keep_token: None,
            })
        })
        .await
}
