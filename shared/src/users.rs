//! The user rules the user endpoints share: which user a path names and whether the
//! caller may see it, parsing a user body (create, replace, merge patch) and applying
//! it to a record, and the single-user response.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::http::{self, Request, Response};
use crate::model::{Status, UserRecord, UserView};
use crate::store::{label, TxError};
use crate::validate::{self, Email, Fields, Password, Username};
use crate::{time, Ctx};

/// The `{id}` of the path: a UUID, or `me` for the caller.
pub fn target_id(req: &Request, caller: &Caller) -> Result<Uuid, ApiError> {
    let raw = http::path_param(req, "id");
    if raw == "me" {
        return Ok(caller.id());
    }
    validate::parse_uuid(&raw).ok_or_else(|| ApiError::not_found("user", &raw))
}

/// The user `id`, if it exists and the caller may see it; otherwise 404.
pub async fn visible_user(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<UserRecord, ApiError> {
    if id == caller.id() {
        return Ok(caller.user.clone());
    }
    match ctx.store.get_user(id).await? {
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

/// 200 (or `status`) with the v1 user object and its ETag.
pub fn user_response(status: http::StatusCode, user: &UserRecord) -> Response {
    http::with_etag(
        http::json_response(status, &UserView::from(user)),
        user.version,
    )
}

/// How a body relates to the stored user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `POST /v1/users`: email, username and password required.
    Create,
    /// `PUT`: email and username required; omitted profile fields are cleared.
    Replace,
    /// `PATCH`: RFC 7396 merge patch.
    Merge,
}

/// Fields only global admins may set.
pub const ADMIN_FIELDS: [&str; 6] = [
    "roles",
    "status",
    "is_active",
    "is_verified",
    "disk_space",
    "disk_space_used",
];

/// Optional profile fields: (name, max length) for text, handled alike.
const TEXT_FIELDS: [(&str, usize); 3] = [("first_name", 100), ("last_name", 100), ("bio", 1000)];

/// A parsed user body. `Some(None)` means "clear".
#[derive(Debug, Default)]
pub struct UserInput {
    pub email: Option<Email>,
    pub username: Option<Username>,
    pub password: Option<Password>,
    pub current_password: Option<String>,
    pub text: Vec<(&'static str, Option<Option<String>>)>,
    pub avatar_url: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub default_workspace_id: Option<Option<Uuid>>,
    pub preferences: Option<Value>,
    pub settings: Option<Value>,
    pub roles: Option<Vec<String>>,
    pub status: Option<Status>,
    pub is_active: Option<bool>,
    pub is_verified: Option<bool>,
    pub disk_space: Option<i64>,
}

impl UserInput {
    /// Whether anything other than the password changes.
    pub fn touches_profile(&self) -> bool {
        self.email.is_some()
            || self.username.is_some()
            || self.text.iter().any(|(_, v)| v.is_some())
            || self.avatar_url.is_some()
            || self.timezone.is_some()
            || self.locale.is_some()
            || self.default_workspace_id.is_some()
            || self.preferences.is_some()
            || self.settings.is_some()
            || self.roles.is_some()
            || self.status.is_some()
            || self.is_active.is_some()
            || self.is_verified.is_some()
            || self.disk_space.is_some()
    }
}

fn object_or_null(v: &Value) -> Result<Value, validate::Invalid> {
    match v {
        Value::Object(m) => validate::check_object(m).map(|_| v.clone()),
        _ => Err(("dict_type", "Input should be a JSON object".into())),
    }
}

/// Parses a user body. A non-admin naming an admin-only field is 403 before anything
/// else is looked at; every other problem is gathered into one 422.
pub fn parse_user_input(
    body: Value,
    mode: Mode,
    caller_is_admin: bool,
) -> Result<UserInput, ApiError> {
    let mut f = Fields::new(body)?;
    if !caller_is_admin {
        if let Some(field) = f.first_present(&ADMIN_FIELDS) {
            return Err(ApiError::forbidden_field(field));
        }
    }
    let mut input = UserInput::default();
    let required = mode != Mode::Merge;
    if required {
        input.email = f.required("email", Email::parse);
        input.username = f.required("username", Username::parse);
    } else {
        input.email = f.optional_value("email", Email::parse);
        input.username = f.optional_value("username", Username::parse);
    }
    input.password = if mode == Mode::Create {
        f.required("password", Password::parse)
    } else {
        f.optional_value("password", Password::parse)
    };
    if mode != Mode::Create {
        input.current_password = f.optional_value("current_password", |v| {
            v.as_str()
                .map(str::to_string)
                .ok_or(("string_type", "Input should be a string".into()))
        });
    }
    for (name, max) in TEXT_FIELDS {
        let v = f.optional(name, validate::text(max)).map(Option::flatten);
        input.text.push((name, v));
    }
    input.avatar_url = f.optional("avatar_url", validate::url).map(Option::flatten);
    input.timezone = f
        .optional("timezone", validate::timezone)
        .map(Option::flatten);
    input.locale = f.optional("locale", validate::locale).map(Option::flatten);
    input.default_workspace_id = f.optional("default_workspace_id", validate::uuid);
    input.preferences = f
        .optional("preferences", object_or_null)
        .map(|v| v.unwrap_or(Value::Null));
    input.settings = f
        .optional("settings", object_or_null)
        .map(|v| v.unwrap_or(Value::Null));
    input.roles = f.optional_value("roles", validate::roles);
    input.status = f.optional_value("status", validate::status);
    input.is_active = f.optional_value("is_active", validate::boolean);
    input.is_verified = f.optional_value("is_verified", validate::boolean);
    input.disk_space = f.optional_value("disk_space", validate::integer(0, 1 << 50));
    if f.has("disk_space_used") {
        f.optional("disk_space_used", |_| Ok(()));
        f.reject(
            "disk_space_used",
            "read_only",
            "disk_space_used is computed from the user's files; use refresh_storage_used",
        );
    }
    if let (Some(st), Some(active)) = (input.status, input.is_active) {
        if (st == Status::Active) != active {
            f.reject("is_active", "value_error", "is_active contradicts status");
        }
    }
    f.finish()?;
    Ok(input)
}

/// A new user record with SPEC's defaults, before `apply`.
pub fn new_record(
    ctx: &Ctx,
    email: &Email,
    username: &Username,
    password_hash: String,
) -> UserRecord {
    let now = time::now_rfc3339();
    UserRecord {
        user_id: Uuid::new_v4(),
        email: email.as_str().to_string(),
        username: username.as_str().to_string(),
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

fn object_of(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Applies `input` to `user` by `mode`. Returns 422 when a merged object grows past
/// its limit. The password is not handled here (it needs hashing and checks).
pub fn apply(user: &mut UserRecord, input: &UserInput, mode: Mode) -> Result<(), ApiError> {
    if let Some(e) = &input.email {
        user.email = e.as_str().to_string();
    }
    if let Some(u) = &input.username {
        user.username = u.as_str().to_string();
    }
    let replace = mode != Mode::Merge;
    let pick = |current: &mut Option<String>, given: &Option<Option<String>>| match given {
        Some(v) => *current = v.clone(),
        None if replace => *current = None,
        None => {}
    };
    for (name, value) in &input.text {
        match *name {
            "first_name" => pick(&mut user.first_name, value),
            "last_name" => pick(&mut user.last_name, value),
            _ => pick(&mut user.bio, value),
        }
    }
    pick(&mut user.avatar_url, &input.avatar_url);
    pick(&mut user.timezone, &input.timezone);
    pick(&mut user.locale, &input.locale);
    match input.default_workspace_id {
        Some(v) => user.default_workspace_id = v,
        None if replace => user.default_workspace_id = None,
        None => {}
    }
    for (name, given, current) in [
        ("preferences", &input.preferences, &mut user.preferences),
        ("settings", &input.settings, &mut user.settings),
    ] {
        match given {
            Some(patch) if mode == Mode::Merge => {
                let mut target = Value::Object(std::mem::take(current));
                validate::merge_patch(&mut target, patch);
                let merged = object_of(target);
                validate::check_object(&merged).map_err(|(kind, msg)| {
                    ApiError::validation(vec![crate::FieldError::body(name, kind, msg)])
                })?;
                *current = merged;
            }
            Some(v) => *current = object_of(v.clone()),
            None if replace => current.clear(),
            None => {}
        }
    }
    if let Some(roles) = &input.roles {
        user.roles = roles.clone();
    }
    if let Some(st) = input.status {
        user.status = st;
    } else if let Some(active) = input.is_active {
        if active {
            user.status = Status::Active;
        } else if user.status == Status::Active {
            user.status = Status::Deactivated;
        }
    }
    if let Some(v) = input.is_verified {
        user.is_verified = v;
    }
    if let Some(d) = input.disk_space {
        user.disk_space = d;
    }
    Ok(())
}

/// Checks the current password a non-admin must give to change its password:
/// missing is 422, wrong is 403.
pub async fn check_current_password(
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
    if auth::verify_password(given, Some(&user.password_hash)).await {
        Ok(())
    } else {
        Err(ApiError::forbidden_field("current_password"))
    }
}

/// Maps a failed user write: guard clashes are 409 naming the field.
pub fn conflict_error(e: TxError) -> ApiError {
    match e {
        TxError::Failed(f) if f.contains(&label::EMAIL) => {
            ApiError::conflict("email", "A user with this email already exists")
        }
        TxError::Failed(f) if f.contains(&label::USERNAME) => {
            ApiError::conflict("username", "A user with this username already exists")
        }
        TxError::Failed(f) if f.contains(&label::LAST_ADMIN) => {
            ApiError::conflict("role", "A workspace must keep at least one admin")
        }
        TxError::Failed(_) => ApiError::busy(),
        TxError::Api(e) => e,
    }
}

/// How many times a change is re-read and re-applied when a concurrent write to the
/// same profile won the race (optimistic concurrency).
pub const RACE_RETRIES: usize = 8;

/// The user a path names, for reading private data (storage, activity): the user
/// itself or a global admin; anyone else gets 404.
pub async fn private_user(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<UserRecord, ApiError> {
    let id = target_id(req, caller)?;
    if id == caller.id() {
        return Ok(caller.user.clone());
    }
    if caller.is_admin() {
        if let Some(u) = ctx.store.get_user(id).await? {
            return Ok(u);
        }
    }
    Err(ApiError::not_found("user", &id.to_string()))
}

/// `PUT` and `PATCH /v1/users/{id}`: parse, authorise, apply, write with optimistic
/// concurrency (`If-Match` → 412; an unrelated concurrent write → re-read and retry).
pub async fn change_user(ctx: &Ctx, req: Request, mode: Mode) -> Result<Response, ApiError> {
    use crate::activity::{kind, NewActivity};
    let caller = auth::authenticate(ctx, &req).await?;
    let mut target = changeable_user(ctx, &caller, &req).await?;
    let input = parse_user_input(http::json_body(&req)?, mode, caller.is_admin())?;
    if input.password.is_some() && !caller.is_admin() {
        check_current_password(&target, input.current_password.as_deref()).await?;
    }
    let password_hash = match &input.password {
        Some(p) => Some(auth::hash_password(p).await?),
        None => None,
    };
    let expected = http::if_match(&req);
    for _ in 0..RACE_RETRIES {
        if let Some(tags) = &expected {
            if !tags.contains(&target.version) {
                return Err(ApiError::precondition_failed(target.version));
            }
        }
        let mut updated = target.clone();
        apply(&mut updated, &input, mode)?;
        if let Some(hash) = &password_hash {
            updated.password_hash = hash.clone();
        }
        let revoke = password_hash.is_some()
            || (target.status == Status::Active && updated.status != Status::Active);
        if revoke {
            updated.session_epoch += 1;
        }
        updated.version = target.version + 1;
        updated.updated_at = time::now_rfc3339();
        let mut activities = Vec::new();
        if input.touches_profile() || password_hash.is_none() {
            activities.push(
                NewActivity::new(kind::USER_UPDATED, target.user_id, caller.id())
                    .with_data(serde_json::json!({ "fields": changed_fields(&target, &updated) })),
            );
        }
        if password_hash.is_some() {
            activities.push(NewActivity::new(
                kind::PASSWORD_CHANGED,
                target.user_id,
                caller.id(),
            ));
        }
        let keep = (target.user_id == caller.id()).then(|| caller.token_hash());
        match ctx
            .store
            .save_user(
                &target,
                &updated,
                keep,
                activities,
                ctx.config.activity_retention_days,
            )
            .await
        {
            Ok(()) => return Ok(user_response(http::StatusCode::OK, &updated)),
            Err(e)
                if e.failed(label::PROFILE)
                    && !e.failed(label::EMAIL)
                    && !e.failed(label::USERNAME) =>
            {
                target = ctx
                    .store
                    .get_user(target.user_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("user", &target.user_id.to_string()))?;
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}

/// The names of the public fields that differ between two versions of a user.
pub fn changed_fields(before: &UserRecord, after: &UserRecord) -> Vec<String> {
    let (a, b) = (
        serde_json::to_value(UserView::from(before)).unwrap_or_default(),
        serde_json::to_value(UserView::from(after)).unwrap_or_default(),
    );
    let skip = ["version", "updated_at", "full_name", "is_active"];
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => b
            .iter()
            .filter(|(k, v)| !skip.contains(&k.as_str()) && a.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    }
}
