//! Parsing input into domain types at the edge. A body is read field by field through
//! [`Fields`], which gathers every problem so one 422 names them all, and refuses
//! fields nobody asked for.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use crate::model::{Status, WsRole};

/// Why one value was refused: the pydantic-style `type` and a message.
pub type Invalid = (&'static str, String);

fn invalid(kind: &'static str, msg: impl Into<String>) -> Invalid {
    (kind, msg.into())
}

/// A JSON object body being parsed.
pub struct Fields {
    map: Map<String, Value>,
    taken: BTreeSet<String>,
    errors: Vec<FieldError>,
}

impl Fields {
    /// Takes a parsed body; anything but an object is a 422 on the whole body.
    pub fn new(body: Value) -> Result<Fields, ApiError> {
        match body {
            Value::Object(map) => Ok(Fields {
                map,
                taken: BTreeSet::new(),
                errors: Vec::new(),
            }),
            _ => Err(ApiError::validation(vec![FieldError {
                loc: vec!["body".into()],
                msg: "Input should be a JSON object".into(),
                kind: "model_type".into(),
            }])),
        }
    }

    /// Whether the body names `name` (even as `null`).
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// The first of `names` present in the body.
    pub fn first_present<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.has(n))
    }

    /// Records an error against `name`.
    pub fn reject(&mut self, name: &str, kind: &'static str, msg: impl Into<String>) {
        self.errors.push(FieldError::body(name, kind, msg));
    }

    /// A field that must be present and valid.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Option<T> {
        self.taken.insert(name.to_string());
        match self.map.get(name) {
            None | Some(Value::Null) => {
                self.reject(name, "missing", "Field required");
                None
            }
            Some(v) => self.check(name, parse(v)),
        }
    }

    /// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        self.taken.insert(name.to_string());
        match self.map.get(name) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(v) => self.check(name, parse(v)).map(Some),
        }
    }

    /// A field that may be absent but, when present, must not be `null`.
    pub fn optional_value<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.optional(name, parse) {
            Some(Some(v)) => Some(v),
            Some(None) => {
                self.reject(name, "null_not_allowed", "Field may not be null");
                None
            }
            None => None,
        }
    }

    fn check<T>(&mut self, name: &str, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err((kind, msg)) => {
                self.reject(name, kind, msg);
                None
            }
        }
    }

    /// Ends parsing: unknown fields and every gathered problem become one 422.
    pub fn finish(mut self) -> Result<(), ApiError> {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !self.taken.contains(*k))
            .cloned()
            .collect();
        for k in unknown {
            self.errors
                .push(FieldError::body(&k, "extra_forbidden", "Unknown field"));
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

fn string(v: &Value) -> Result<&str, Invalid> {
    v.as_str()
        .ok_or_else(|| invalid("string_type", "Input should be a string"))
}

fn length_between(s: &str, min: usize, max: usize) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n < min {
        return Err(invalid(
            "string_too_short",
            format!("String should have at least {min} characters"),
        ));
    }
    if n > max {
        return Err(invalid(
            "string_too_long",
            format!("String should have at most {max} characters"),
        ));
    }
    Ok(())
}

fn no_control_chars(s: &str) -> Result<(), Invalid> {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(invalid("value_error", "Control characters are not allowed"));
    }
    Ok(())
}

/// An email address: `local@domain.tld`, at most 100 characters; compared lower-cased.
#[derive(Debug, Clone, PartialEq)]
pub struct Email(String);

impl Email {
    pub fn parse(v: &Value) -> Result<Email, Invalid> {
        Self::parse_str(string(v)?.trim())
    }
    pub fn parse_str(s: &str) -> Result<Email, Invalid> {
        length_between(s, 3, 100)?;
        let bad = || invalid("value_error", "value is not a valid email address");
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok {
            Ok(Email(s.to_string()))
        } else {
            Err(bad())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A username: 3–50 of `a-z0-9._-` (letters in either case; unique case-insensitively).
#[derive(Debug, Clone, PartialEq)]
pub struct Username(String);

impl Username {
    pub fn parse(v: &Value) -> Result<Username, Invalid> {
        Self::parse_str(string(v)?)
    }
    pub fn parse_str(s: &str) -> Result<Username, Invalid> {
        length_between(s, 3, 50)?;
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
        {
            return Err(invalid(
                "string_pattern_mismatch",
                "Username may contain only letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(Username(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A password in the clear, 8–128 characters; never printed.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(v: &Value) -> Result<Password, Invalid> {
        let s = string(v)?;
        length_between(s, 8, 128)?;
        Ok(Password(s.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A free-text field of at most `max` characters; empty means "not set".
pub fn text(max: usize) -> impl Fn(&Value) -> Result<Option<String>, Invalid> {
    move |v| {
        let s = string(v)?;
        length_between(s, 0, max)?;
        if max <= 100 {
            no_control_chars(s)?;
        }
        Ok((!s.trim().is_empty()).then(|| s.to_string()))
    }
}

/// An `http(s)` URL of at most 2048 characters.
pub fn url(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    length_between(s, 0, 2048)?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| invalid("url_scheme", "URL scheme should be 'http' or 'https'"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("url_parsing", "Input should be a valid URL"));
    }
    Ok(Some(s.to_string()))
}

/// An IANA time zone name (`Europe/Berlin`, `UTC`).
pub fn timezone(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<chrono_tz::Tz>()
        .map(|tz| Some(tz.name().to_string()))
        .map_err(|_| invalid("value_error", "Unknown IANA time zone"))
}

/// A BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`).
pub fn locale(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    let lang_ok = (2..=8).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if lang_ok && rest_ok && s.len() <= 35 {
        Ok(Some(s.to_string()))
    } else {
        Err(invalid(
            "value_error",
            "Input should be a BCP 47 language tag",
        ))
    }
}

/// The most a `preferences` or `settings` object may hold, serialised.
pub const MAX_OBJECT_BYTES: usize = 16 * 1024;

/// A JSON object of at most 16 KiB.
pub fn json_object(v: &Value) -> Result<Map<String, Value>, Invalid> {
    let map = v
        .as_object()
        .ok_or_else(|| invalid("dict_type", "Input should be a JSON object"))?;
    check_object(map)?;
    Ok(map.clone())
}

/// Refuses an object over 16 KiB once serialised, or one DynamoDB cannot store.
pub fn check_object(map: &Map<String, Value>) -> Result<(), Invalid> {
    let size = serde_json::to_vec(map)
        .map(|b| b.len())
        .unwrap_or(usize::MAX);
    if size > MAX_OBJECT_BYTES {
        return Err(invalid(
            "too_long",
            format!("Object should be at most {MAX_OBJECT_BYTES} bytes"),
        ));
    }
    for v in map.values() {
        storable(v, 1)?;
    }
    map.keys().try_for_each(|k| key_ok(k))
}

/// How deep a stored JSON document may nest (DynamoDB allows 32 levels in all).
pub const MAX_OBJECT_DEPTH: usize = 16;

fn key_ok(k: &str) -> Result<(), Invalid> {
    if k.is_empty() {
        return Err(invalid("value_error", "Object keys may not be empty"));
    }
    Ok(())
}

/// Whether DynamoDB can hold `v`: not too deep, no empty keys, numbers within its
/// range (magnitudes from 1e-130 to 1e125).
fn storable(v: &Value, depth: usize) -> Result<(), Invalid> {
    if depth > MAX_OBJECT_DEPTH {
        return Err(invalid(
            "too_deep",
            format!("Objects may nest at most {MAX_OBJECT_DEPTH} levels"),
        ));
    }
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::INFINITY).abs();
            if !x.is_finite() || x >= 1e125 || (x != 0.0 && x < 1e-129) {
                return Err(invalid("value_error", "Number out of the storable range"));
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|i| storable(i, depth + 1)),
        Value::Object(m) => {
            m.keys().try_for_each(|k| key_ok(k))?;
            m.values().try_for_each(|i| storable(i, depth + 1))
        }
        _ => Ok(()),
    }
}

/// A UUID string.
pub fn uuid(v: &Value) -> Result<Uuid, Invalid> {
    parse_uuid(string(v)?).ok_or_else(|| invalid("uuid_parsing", "Input should be a valid UUID"))
}

/// Parses a UUID in its hyphenated or simple form.
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    if s.len() != 36 && s.len() != 32 {
        return None;
    }
    Uuid::parse_str(s).ok()
}

/// A strict JSON boolean.
pub fn boolean(v: &Value) -> Result<bool, Invalid> {
    v.as_bool()
        .ok_or_else(|| invalid("bool_type", "Input should be a valid boolean"))
}

/// A whole number in `min..=max`.
pub fn integer(min: i64, max: i64) -> impl Fn(&Value) -> Result<i64, Invalid> {
    move |v| {
        let n = v
            .as_i64()
            .filter(|_| v.is_i64() || v.is_u64())
            .ok_or_else(|| invalid("int_type", "Input should be a valid integer"))?;
        if n < min || n > max {
            return Err(invalid(
                "value_error",
                format!("Input should be between {min} and {max}"),
            ));
        }
        Ok(n)
    }
}

/// An account status.
pub fn status(v: &Value) -> Result<Status, Invalid> {
    Status::parse(string(v)?).ok_or_else(|| {
        invalid(
            "enum",
            "Input should be 'active', 'suspended' or 'deactivated'",
        )
    })
}

/// A workspace role.
pub fn ws_role(v: &Value) -> Result<WsRole, Invalid> {
    WsRole::parse(string(v)?)
        .ok_or_else(|| invalid("enum", "Input should be 'admin', 'editor' or 'viewer'"))
}

/// Global roles: up to 10 distinct lower-case names.
pub fn roles(v: &Value) -> Result<Vec<String>, Invalid> {
    let items = v
        .as_array()
        .ok_or_else(|| invalid("list_type", "Input should be a list"))?;
    if items.len() > 10 {
        return Err(invalid("too_long", "At most 10 roles"));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let r = string(item)?;
        let ok = (1..=32).contains(&r.len())
            && r.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !ok {
            return Err(invalid(
                "string_pattern_mismatch",
                "Roles are 1-32 of a-z, 0-9, '_' and '-'",
            ));
        }
        if !out.iter().any(|o| o == r) {
            out.push(r.to_string());
        }
    }
    Ok(out)
}

/// A file checksum: 1–128 of letters, digits, `-` and `_` (hex digests, Studio's md5).
pub fn checksum_str(s: &str) -> Result<String, Invalid> {
    let ok = (1..=128).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(invalid(
            "string_pattern_mismatch",
            "Checksum should be 1-128 of letters, digits, '-' and '_'",
        ))
    }
}

/// [`checksum_str`] on a JSON value.
pub fn checksum(v: &Value) -> Result<String, Invalid> {
    checksum_str(string(v)?)
}

/// A workspace name: 1–100 characters, trimmed.
pub fn workspace_name(v: &Value) -> Result<String, Invalid> {
    let s = string(v)?.trim();
    length_between(s, 1, 100)?;
    no_control_chars(s)?;
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails() {
        assert!(Email::parse(&json!("a.b+c@example.com")).is_ok());
        assert!(Email::parse(&json!("no-at-sign")).is_err());
        assert!(Email::parse(&json!("a@b")).is_err());
        assert!(Email::parse(&json!("a@@b.com")).is_err());
        assert!(Email::parse(&json!(format!("{}@example.com", "a".repeat(95)))).is_err());
        assert!(Email::parse(&json!(5)).is_err());
    }

    #[test]
    fn usernames() {
        assert!(Username::parse(&json!("jane.doe-1_x")).is_ok());
        assert!(Username::parse(&json!("ab")).is_err());
        assert!(Username::parse(&json!("a b c")).is_err());
        assert!(Username::parse(&json!("x".repeat(51))).is_err());
    }

    #[test]
    fn fields_collects_every_problem_and_unknown_keys() {
        let mut f = Fields::new(json!({"email": "bad", "extra": 1})).unwrap();
        let _ = f.required("email", Email::parse);
        let _ = f.required("password", Password::parse);
        let err = f.finish().unwrap_err();
        let errors = err.details["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[2]["type"], "extra_forbidden");
    }

    #[test]
    fn timezones_and_locales() {
        assert_eq!(
            timezone(&json!("Europe/Berlin")).unwrap().unwrap(),
            "Europe/Berlin"
        );
        assert!(timezone(&json!("Mars/Olympus")).is_err());
        assert!(locale(&json!("pt-BR")).is_ok());
        assert!(locale(&json!("not a locale")).is_err());
    }
}

/// RFC 7396 JSON merge patch of `patch` onto `target`: objects merge key by key,
/// `null` removes a key, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch_map {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod merge_tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn rfc7396_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1]});
        merge_patch(&mut t, &json!({"a": {"b": "c"}}));
        assert_eq!(t, json!({"a": {"b": "c"}}));
        let mut t = json!({"a": "b"});
        merge_patch(&mut t, &json!({"b": null}));
        assert_eq!(t, json!({"a": "b"}));
    }
}
