//! A user body (create, replace, merge patch) parsed into [`UserInput`], and applied to
//! a record.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::document;
use crate::error::ApiError;
use crate::fields::{Fields, Invalid};
use crate::model::{UserRecord, UserView};
use crate::types::{self, Email, Password, Status, Username};

/// How a body relates to the stored user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// `POST /v1/users`: email, username and password required.
    Create,
    /// `PUT`: email and username required; omitted profile fields are cleared.
    Replace,
    /// `PATCH`: RFC 7396 merge patch; an empty one changes nothing.
    #[default]
    Merge,
}

/// Fields only global admins may set.
const ADMIN_FIELDS: [&str; 7] = [
    "roles",
    "view_all",
    "status",
    "is_active",
    "is_verified",
    "disk_space",
    "disk_space_used",
];

/// Fields of the user object that no body sets (`disk_space_used` is among
/// [`ADMIN_FIELDS`] and refused on its own terms).
const READ_ONLY_FIELDS: [&str; 9] = [
    "user_id",
    "device",
    "full_name",
    "auth_provider",
    "created_at",
    "updated_at",
    "last_login",
    "last_read_notification_date",
    "version",
];

/// Read-only stamps that the user's own use moves (a login elsewhere, notifications
/// read), not an edit of the profile: a body read before they moved is still sent back.
const MOVED_BY_USE: [&str; 2] = ["last_login", "last_read_notification_date"];

/// `body` without the read-only and admin-only fields whose values equal `stored`'s
/// (as the full view shows them), and without [`MOVED_BY_USE`], so a body `GET`
/// returned can be sent back: only a field that would change something is refused
/// (403 admin-only, 422 read-only).
pub fn without_unchanged(body: Value, stored: &UserRecord) -> Value {
    let Value::Object(mut fields) = body else {
        return body;
    };
    let Ok(Value::Object(view)) = serde_json::to_value(UserView::from(stored)) else {
        return Value::Object(fields);
    };
    // `status` and `is_active` say one thing twice: when they contradict each other,
    // both are kept, so the contradiction is refused (422) even when one of them equals
    // the stored value.
    let both = match (fields.get("status"), fields.get("is_active")) {
        (Some(Value::String(st)), Some(Value::Bool(active))) => (st == "active") != *active,
        _ => false,
    };
    fields.retain(|name, value| {
        if both && (name == "status" || name == "is_active") {
            return true;
        }
        let fixed =
            READ_ONLY_FIELDS.contains(&name.as_str()) || ADMIN_FIELDS.contains(&name.as_str());
        !(fixed && (view.get(name) == Some(value) || MOVED_BY_USE.contains(&name.as_str())))
    });
    Value::Object(fields)
}

/// Optional profile fields: (name, max length) for text, handled alike; names are one
/// line, the bio may hold line breaks.
const TEXT_FIELDS: [(&str, usize); 4] = [
    ("first_name", 100),
    ("last_name", 100),
    ("display_name", 200),
    ("bio", 1000),
];

/// A parsed user body. For optional fields `None` means "not given" and `Some(None)`
/// "clear"; a `preferences` or `settings` of `Some(Value::Null)` clears the document.
#[derive(Debug, Default)]
pub struct UserInput {
    pub mode: Mode,
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
    pub view_all: Option<bool>,
    pub status: Option<Status>,
    pub is_active: Option<bool>,
    pub is_verified: Option<bool>,
    pub disk_space: Option<i64>,
}

/// A create body: what every new user must have, and the rest.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub username: Username,
    pub password: Password,
    pub input: UserInput,
}

fn document_value(v: &Value) -> Result<Value, Invalid> {
    document::storable_object(v).map(Value::Object)
}

/// An optional text field where `null` and `""` both mean "clear".
fn clearable(
    f: &Fields,
    name: &str,
    parse: impl FnOnce(&Value) -> Result<Option<String>, Invalid>,
) -> Option<Option<String>> {
    f.optional(name, parse)
        .unwrap_or_default()
        .map(Option::flatten)
}

fn any_string(v: &Value) -> Result<String, Invalid> {
    crate::fields::string(v).map(str::to_string)
}

impl UserInput {
    /// Parses a create body. A non-admin naming an admin-only field is 403 before
    /// anything else is looked at; every other problem is gathered into one 422.
    pub fn parse_new(body: Value, caller_is_admin: bool) -> Result<NewUser, ApiError> {
        let f = Self::fields(body, caller_is_admin)?;
        let email = f.required("email", Email::parse);
        let username = f.required("username", Username::parse);
        let password = f.required("password", Password::parse);
        let input = Self::read(&f, Mode::Create);
        let (email, username, password) = f.finish((email, username, password))?;
        Ok(NewUser {
            email,
            username,
            password,
            input,
        })
    }

    /// Parses a replace (`PUT`) or merge-patch (`PATCH`) body, as [`UserInput::parse_new`].
    pub fn parse(body: Value, mode: Mode, caller_is_admin: bool) -> Result<UserInput, ApiError> {
        let f = Self::fields(body, caller_is_admin)?;
        if mode == Mode::Merge {
            let email = f.optional_value("email", Email::parse);
            let username = f.optional_value("username", Username::parse);
            let mut input = Self::read(&f, mode);
            (input.email, input.username) = f.finish((email, username))?;
            Ok(input)
        } else {
            let email = f.required("email", Email::parse);
            let username = f.required("username", Username::parse);
            let mut input = Self::read(&f, mode);
            let (email, username) = f.finish((email, username))?;
            (input.email, input.username) = (Some(email), Some(username));
            Ok(input)
        }
    }

    /// The body, refusing admin-only fields from anyone but a global admin (403).
    fn fields(body: Value, caller_is_admin: bool) -> Result<Fields, ApiError> {
        let f = Fields::new(body)?;
        if !caller_is_admin {
            if let Some(field) = f.first_present(&ADMIN_FIELDS) {
                return Err(ApiError::forbidden_field(field));
            }
        }
        Ok(f)
    }

    /// Every field but email and username, which each mode reads its own way.
    fn read(f: &Fields, mode: Mode) -> UserInput {
        let mut input = UserInput {
            mode,
            ..UserInput::default()
        };
        if mode != Mode::Create {
            input.password = f
                .optional_value("password", Password::parse)
                .unwrap_or_default();
            input.current_password = f
                .optional_value("current_password", any_string)
                .unwrap_or_default();
        }
        for (name, max) in TEXT_FIELDS {
            input
                .text
                .push((name, clearable(f, name, types::text(max, name == "bio"))));
        }
        input.avatar_url = clearable(f, "avatar_url", types::url);
        input.timezone = clearable(f, "timezone", types::timezone);
        input.locale = clearable(f, "locale", types::locale);
        input.default_workspace_id = f
            .optional("default_workspace_id", types::uuid)
            .unwrap_or_default();
        input.preferences = f
            .optional("preferences", document_value)
            .unwrap_or_default()
            .map(|v| v.unwrap_or(Value::Null));
        input.settings = f
            .optional("settings", document_value)
            .unwrap_or_default()
            .map(|v| v.unwrap_or(Value::Null));
        input.roles = f.optional_value("roles", types::roles).unwrap_or_default();
        input.view_all = f
            .optional_value("view_all", types::boolean)
            .unwrap_or_default();
        input.status = f
            .optional_value("status", Status::parse)
            .unwrap_or_default();
        input.is_active = f
            .optional_value("is_active", types::boolean)
            .unwrap_or_default();
        input.is_verified = f
            .optional_value("is_verified", types::boolean)
            .unwrap_or_default();
        input.disk_space = f
            .optional_value("disk_space", types::integer(0, 1 << 50))
            .unwrap_or_default();
        if f.has("disk_space_used") {
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
        input
    }

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
            || self.view_all.is_some()
            || self.status.is_some()
            || self.is_active.is_some()
            || self.is_verified.is_some()
            || self.disk_space.is_some()
    }

    /// Applies this input to `user`; a merged document that grows past its limit is
    /// 422. The password is not handled here (it needs hashing and checks).
    pub fn apply_to(&self, user: &mut UserRecord) -> Result<(), ApiError> {
        let merge = self.mode == Mode::Merge;
        if let Some(e) = &self.email {
            user.email = e.clone();
        }
        if let Some(u) = &self.username {
            user.username = u.clone();
        }
        let pick = |current: &mut Option<String>, given: &Option<Option<String>>| match given {
            Some(v) => *current = v.clone(),
            None if !merge => *current = None,
            None => {}
        };
        for (name, value) in &self.text {
            match *name {
                "first_name" => pick(&mut user.first_name, value),
                "last_name" => pick(&mut user.last_name, value),
                "display_name" => pick(&mut user.display_name, value),
                _ => pick(&mut user.bio, value),
            }
        }
        pick(&mut user.avatar_url, &self.avatar_url);
        pick(&mut user.timezone, &self.timezone);
        pick(&mut user.locale, &self.locale);
        match self.default_workspace_id {
            // Only one of the user's own (effective) workspaces.
            Some(Some(w)) if !user.memberships.contains_key(&w) => {
                return Err(crate::fields::Invalid::new(
                    "value_error",
                    "Must be one of the user's workspaces",
                )
                .refuses("default_workspace_id"));
            }
            Some(v) => user.default_workspace_id = v,
            None if !merge => user.default_workspace_id = None,
            None => {}
        }
        for (name, given, current) in [
            ("preferences", &self.preferences, &mut user.preferences),
            ("settings", &self.settings, &mut user.settings),
        ] {
            match given {
                Some(patch) if merge => {
                    *current = document::merged(std::mem::take(current), patch)
                        .map_err(|e| e.refuses(name))?;
                }
                Some(Value::Object(v)) => *current = v.clone(),
                Some(_) => *current = Map::new(),
                None if !merge => current.clear(),
                None => {}
            }
        }
        if let Some(roles) = &self.roles {
            user.roles = roles.clone();
        }
        if let Some(v) = self.view_all {
            user.view_all = v;
        }
        if let Some(st) = self.status {
            user.status = st;
        } else if let Some(active) = self.is_active {
            if active {
                user.status = Status::Active;
            } else if user.status == Status::Active {
                user.status = Status::Deactivated;
            }
        }
        if let Some(v) = self.is_verified {
            user.is_verified = v;
        }
        if let Some(d) = self.disk_space {
            // Usage never exceeds the quota (SPEC): a quota below what the user already
            // uses is refused, not stored beneath it. Global admins have no quota.
            if d != user.disk_space && d < user.disk_space_used && !user.is_admin() {
                return Err(ApiError::conflict(
                    "disk_space",
                    format!(
                        "disk_space may not be below the {} bytes the user already uses: delete files first",
                        user.disk_space_used
                    ),
                ));
            }
            user.disk_space = d;
        }
        Ok(())
    }
}

/// The names of the public fields that differ between two versions of a user.
pub(crate) fn changed_fields(before: &UserRecord, after: &UserRecord) -> Vec<String> {
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
