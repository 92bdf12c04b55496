//! SCIM Users over the service's users. `userName` is the username, `name.givenName`
//! and `name.familyName` the first and last name, `displayName` the display name (the
//! full name shown when there is none), the primary email the login email, `active`
//! the status (`false` deactivates and revokes the user's tokens), `externalId` a
//! unique, case-exact id of the identity provider's, `locale` and `timezone` the
//! profile's, `password` the login password (write-only). Every other attribute of the
//! core schema and the enterprise extension is kept as given, in the user's `scim`
//! document, and returned as stored.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::doc::{self, Projection};
use super::schema::{ENTERPRISE_USER, USER, USER_TYPE};
use super::{meta, patch, version_tag};
use crate::activity::Actor;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::model::{GroupRecord, UserRecord};
use crate::passwords;
use crate::store::UserChange;
use crate::types::{self, Email, Password, Status, Username};
use crate::users::{change_activities, changed_fields};
use crate::Ctx;

/// The attributes stored in the user record itself, not in its `scim` document.
const MAPPED: [&str; 12] = [
    "schemas",
    "id",
    "externalId",
    "userName",
    "displayName",
    "active",
    "locale",
    "timezone",
    "password",
    "groups",
    "meta",
    "emails",
];

/// The most bytes the `scim` document of one user may take.
pub const MAX_EXTRA_BYTES: usize = 16 * 1024;

/// `meta.location` of a user.
pub fn location(base: &str, id: Uuid) -> String {
    format!("{base}/scim/v2/Users/{id}")
}

/// The emails of `user`: those stored, with the login email primary (added first when
/// it was changed elsewhere).
fn emails(user: &UserRecord) -> Vec<Value> {
    let mut list: Vec<Value> = user
        .scim
        .get("emails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let login = user.email.lower();
    let at = list.iter().position(|e| {
        e.get("value")
            .and_then(Value::as_str)
            .is_some_and(|v| v.to_lowercase() == login)
    });
    for (i, e) in list.iter_mut().enumerate() {
        if let Some(o) = e.as_object_mut() {
            if Some(i) == at {
                o.insert("value".into(), json!(user.email.to_string()));
                o.insert("primary".into(), json!(true));
            } else {
                o.remove("primary");
            }
        }
    }
    if at.is_none() {
        list.insert(
            0,
            json!({"value": user.email.to_string(), "type": "work", "primary": true}),
        );
    }
    list
}

/// The full SCIM document of `user` (before any projection), with its groups when
/// they were read.
pub fn document(user: &UserRecord, groups: Option<&[GroupRecord]>, base: &str) -> Value {
    let mut d = Map::new();
    let mut schemas = vec![json!(USER)];
    if user.scim.contains_key(ENTERPRISE_USER) {
        schemas.push(json!(ENTERPRISE_USER));
    }
    d.insert("schemas".into(), Value::Array(schemas));
    d.insert("id".into(), json!(user.user_id));
    if let Some(e) = &user.external_id {
        d.insert("externalId".into(), json!(e));
    }
    d.insert("userName".into(), json!(user.username.to_string()));
    let mut name = user
        .scim
        .get("name")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(f) = &user.first_name {
        name.insert("givenName".into(), json!(f));
    }
    if let Some(l) = &user.last_name {
        name.insert("familyName".into(), json!(l));
    }
    if !name.is_empty() {
        d.insert("name".into(), Value::Object(name));
    }
    if let Some(n) = user.shown_name().filter(|n| !n.is_empty()) {
        d.insert("displayName".into(), json!(n));
    }
    d.insert("emails".into(), Value::Array(emails(user)));
    d.insert("active".into(), json!(user.status == Status::Active));
    if let Some(l) = &user.locale {
        d.insert("locale".into(), json!(l));
    }
    if let Some(t) = &user.timezone {
        d.insert("timezone".into(), json!(t));
    }
    for (k, v) in &user.scim {
        if k != "name" && k != "emails" {
            d.insert(k.clone(), v.clone());
        }
    }
    if let Some(groups) = groups {
        let list: Vec<Value> = groups
            .iter()
            .map(|g| {
                json!({
                    "value": g.group_id,
                    "$ref": super::groups::location(base, g.group_id),
                    "display": g.name,
                    "type": "direct",
                })
            })
            .collect();
        if !list.is_empty() {
            d.insert("groups".into(), Value::Array(list));
        }
    }
    d.insert(
        "meta".into(),
        meta(
            "User",
            &user.created_at,
            &user.updated_at,
            &location(base, user.user_id),
            &tag(user, groups),
        ),
    );
    Value::Object(d)
}

/// The entity tag of `user` as shown with `groups` (when they were read): its version,
/// and then a digest of the groups, which change without it (a membership, a group's
/// rename), so a cached copy with other groups is not taken as current. `If-Match`
/// compares the version alone: a user's writes do not touch its groups.
pub fn tag(user: &UserRecord, groups: Option<&[GroupRecord]>) -> String {
    use sha2::{Digest, Sha256};
    let Some(groups) = groups else {
        return version_tag(user.version);
    };
    let mut h = Sha256::new();
    for g in groups {
        h.update(g.group_id.as_bytes());
        h.update(g.name.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    format!("W/\"{}-{}\"", user.version, hex::encode(&digest[..6]))
}

/// `user` as a response shows it: its document cut to `projection`, with its groups
/// read only when they are asked for (`groups` is returned on request), and its
/// entity tag ([`tag`]).
pub async fn render(
    ctx: &Ctx,
    user: &UserRecord,
    projection: &Projection,
    base: &str,
) -> Result<(Value, String), ApiError> {
    let groups = if projection.returns(&USER_TYPE, "groups") {
        Some(ctx.store.all_groups_of(user.user_id).await?)
    } else {
        None
    };
    let doc = projection.apply(&USER_TYPE, document(user, groups.as_deref(), base));
    Ok((doc, tag(user, groups.as_deref())))
}

fn text(doc: &Map<String, Value>, name: &str) -> Option<String> {
    doc.get(name).and_then(Value::as_str).map(str::to_string)
}

fn limited(what: &str, v: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.chars().count() > max => Err(ApiError::invalid_value(format!(
            "'{what}' may be at most {max} characters"
        ))),
        other => Ok(other),
    }
}

/// Sets `user` from `d`, a normalized document holding every attribute the user is
/// to have (a POST or PUT body, or the document a PATCH produced). Answers the new
/// password, if one is given.
fn apply(d: &Map<String, Value>, user: &mut UserRecord) -> Result<Option<Password>, ApiError> {
    let user_name =
        text(d, "userName").ok_or_else(|| ApiError::invalid_value("'userName' is required"))?;
    user.username = Username::parse_str(&user_name)
        .map_err(|e| ApiError::invalid_value(format!("userName: {}", e.msg)))?;
    let mut list = d
        .get("emails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.retain(|e| e.get("value").is_some());
    if list.is_empty() {
        return Err(ApiError::invalid_value(
            "'emails' is required: a user has an email address",
        ));
    }
    let addresses = list
        .iter()
        .map(|e| Email::parse_str(e["value"].as_str().unwrap_or("")))
        .collect::<Result<Vec<Email>, _>>()
        .map_err(|err| ApiError::invalid_value(format!("emails: {}", err.msg)))?;
    let primary = list
        .iter()
        .position(|e| e.get("primary") == Some(&Value::Bool(true)))
        .unwrap_or(0);
    if let Some(o) = list[primary].as_object_mut() {
        o.insert("primary".into(), json!(true));
    }
    user.email = addresses[primary].clone();
    let mut name = d
        .get("name")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let given = name
        .remove("givenName")
        .and_then(|v| v.as_str().map(str::to_string));
    let family = name
        .remove("familyName")
        .and_then(|v| v.as_str().map(str::to_string));
    user.first_name = limited("name.givenName", given, 100)?;
    user.last_name = limited("name.familyName", family, 100)?;
    // Stored as given (SPEC), even when it equals the full name; a PATCH starts from a
    // document without the full name shown in place of an unset one (see `patch`).
    user.display_name = limited("displayName", text(d, "displayName"), 200)?;
    user.external_id = limited("externalId", text(d, "externalId"), 255)?;
    user.locale = text(d, "locale");
    user.timezone = text(d, "timezone");
    match d.get("active").and_then(Value::as_bool) {
        Some(true) => user.status = Status::Active,
        Some(false) if user.status == Status::Active => user.status = Status::Deactivated,
        _ => {}
    }
    let mut extra = Map::new();
    for (k, v) in d {
        if !MAPPED.contains(&k.as_str()) && k != "name" {
            extra.insert(k.clone(), v.clone());
        }
    }
    if !name.is_empty() {
        extra.insert("name".into(), Value::Object(name));
    }
    extra.insert("emails".into(), Value::Array(list));
    if serde_json::to_vec(&extra).map_or(0, |b| b.len()) > MAX_EXTRA_BYTES {
        return Err(ApiError::invalid_value(format!(
            "The user's other attributes may take at most {MAX_EXTRA_BYTES} bytes"
        )));
    }
    user.scim = extra;
    match d.get("password") {
        Some(Value::String(p)) => Password::parse(&json!(p))
            .map(Some)
            .map_err(|e| ApiError::invalid_value(format!("password: {}", e.msg))),
        _ => Ok(None),
    }
}

/// The user `raw` names, or the SCIM 404.
pub async fn get(ctx: &Ctx, raw: &str) -> Result<UserRecord, ApiError> {
    let gone = || ApiError::not_found("user", raw);
    let id = types::parse_uuid(raw).ok_or_else(gone)?;
    ctx.store.get_user(id).await?.ok_or_else(gone)
}

/// `POST /Users`: a new user from `body`, created by `actor`. Without a password the
/// user cannot log in with one (the identity provider signs it in).
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    body: &Map<String, Value>,
) -> Result<UserRecord, ApiError> {
    doc::check_schemas(&USER_TYPE, body)?;
    let d = doc::resource(&USER_TYPE, body)?;
    // Placeholders, replaced by `apply` (which requires both).
    let email =
        Email::parse_str("placeholder@example.com").map_err(|e| ApiError::internal(e.msg))?;
    let username = Username::parse_str("placeholder").map_err(|e| ApiError::internal(e.msg))?;
    let mut user =
        crate::users::new_record(ctx, email, username, passwords::NO_PASSWORD.to_string());
    let password = apply(&d, &mut user)?;
    if let Some(p) = password {
        user.password_hash = passwords::hash_password(&p).await?;
    }
    ctx.store.create_user(&user, actor).await?;
    Ok(user)
}

/// Changes user `raw` to the document `decide` makes of it (all its attributes), by
/// `actor`, if `If-Match` agrees: `user.updated` naming the fields changed, and
/// `password.changed`; a new password or the account leaving `active` revokes its
/// tokens.
async fn change(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    if_match: &IfMatch,
    decide: impl Fn(&UserRecord) -> Result<Map<String, Value>, ApiError>,
) -> Result<UserRecord, ApiError> {
    let current = get(ctx, raw).await?;
    // The password is hashed once, outside the retried decision.
    let mut probe = current.clone();
    let password = apply(&decide(&current)?, &mut probe)?;
    let clear = password.as_ref().map(|p| p.expose().to_string());
    let hash = match &password {
        Some(p) => Some(passwords::hash_password(p).await?),
        None => None,
    };
    ctx.store
        .update_user(current, |current| {
            if_match.check(current.version)?;
            let mut user = current.clone();
            let given = apply(&decide(current)?, &mut user)?;
            if given.as_ref().map(|p| p.expose()) != clear.as_deref() {
                return Err(ApiError::busy());
            }
            if let Some(h) = &hash {
                user.password_hash = h.clone();
            }
            if hash.is_some() || (current.is_active() && !user.is_active()) {
                user.session_epoch += 1;
            }
            let updated = !changed_fields(current, &user).is_empty()
                || user.scim != current.scim
                || hash.is_none();
            let activities = change_activities(current, &user, actor, updated, hash.is_some());
            Ok(UserChange {
                user,
                activities,
                keep_token: None,
            })
        })
        .await
}

/// `PUT /Users/{id}`: the user becomes `body` (read-only attributes ignored).
pub async fn replace(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    body: &Map<String, Value>,
    if_match: &IfMatch,
) -> Result<UserRecord, ApiError> {
    doc::check_schemas(&USER_TYPE, body)?;
    let d = doc::resource(&USER_TYPE, body)?;
    change(ctx, actor, raw, if_match, |_| Ok(d.clone())).await
}

/// `PATCH /Users/{id}`: the operations of `body`, applied to the user's document as
/// one change.
pub async fn patch(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    body: &Map<String, Value>,
    if_match: &IfMatch,
) -> Result<UserRecord, ApiError> {
    let ops = patch::parse(&USER_TYPE, body)?;
    change(ctx, actor, raw, if_match, |current| {
        let Value::Object(mut d) = document(current, None, "") else {
            return Err(ApiError::internal("user document"));
        };
        if current.display_name.is_none() {
            // The full name shown in its place is not a display name: left in, a PATCH
            // of the name parts would store the old one as the user's own.
            d.remove("displayName");
        }
        patch::apply_all(&USER_TYPE, &mut d, &ops)?;
        Ok(d)
    })
    .await
}

/// `DELETE /Users/{id}`: the full delete of the user, if `If-Match` agrees.
pub async fn delete(ctx: &Ctx, raw: &str, if_match: &IfMatch) -> Result<(), ApiError> {
    let id = get(ctx, raw).await?.user_id;
    ctx.store
        .delete_user(id, |user| if_match.check(user.version))
        .await
}
