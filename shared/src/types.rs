//! Domain value types, parsed once at the edge ("parse, don't validate"): a value of
//! one of these types is valid by construction, so the core never checks it again.
//! Stored records hold these types too; reading them back from the table trusts what
//! was written (it was parsed before it was stored).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::fields::{string, Invalid};

fn length_between(s: &str, min: usize, max: usize) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n < min {
        return Err(Invalid::new(
            "string_too_short",
            format!("String should have at least {min} characters"),
        ));
    }
    if n > max {
        return Err(Invalid::new(
            "string_too_long",
            format!("String should have at most {max} characters"),
        ));
    }
    Ok(())
}

/// One line of text: no control characters at all (no line breaks, no tabs).
fn no_control_chars(s: &str) -> Result<(), Invalid> {
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "value_error",
            "Control characters are not allowed",
        ));
    }
    Ok(())
}

/// Text of several lines: line breaks (`\n`, or `\r\n`) are the only control
/// characters taken.
fn only_line_breaks(s: &str) -> Result<(), Invalid> {
    if s.replace("\r\n", "\n")
        .chars()
        .any(|c| c.is_control() && c != '\n')
    {
        return Err(Invalid::new(
            "value_error",
            "Control characters other than line breaks are not allowed",
        ));
    }
    Ok(())
}

/// An email address: `local@domain.tld`, at most 100 characters, kept as given;
/// unique and compared lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(v: &Value) -> Result<Email, Invalid> {
        Self::parse_str(string(v)?.trim())
    }

    pub fn parse_str(s: &str) -> Result<Email, Invalid> {
        length_between(s, 3, 100)?;
        let bad = || Invalid::new("value_error", "value is not a valid email address");
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

    /// The form uniqueness and sorting use.
    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A username: 3–100 ASCII letters (either case), digits and `._-@+`, kept as given so
/// that an identity provider's email-shaped user names fit; unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(v: &Value) -> Result<Username, Invalid> {
        Self::parse_str(string(v)?)
    }

    pub fn parse_str(s: &str) -> Result<Username, Invalid> {
        length_between(s, 3, 100)?;
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@+".contains(c))
        {
            return Err(Invalid::new(
                "string_pattern_mismatch",
                "Username may contain only letters, digits, '.', '_', '-', '@' and '+'",
            ));
        }
        Ok(Username(s.to_string()))
    }

    /// The form uniqueness and sorting use.
    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A login name (email or username) as uniqueness compares it: trimmed, lower-cased.
pub fn normal_login(login: &str) -> String {
    login.trim().to_lowercase()
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

/// A file checksum: 1–128 of letters, digits, `-` and `_` (hex digests, Studio's md5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Checksum(String);

impl Checksum {
    pub fn parse(v: &Value) -> Result<Checksum, Invalid> {
        Self::parse_str(string(v)?)
    }

    pub fn parse_str(s: &str) -> Result<Checksum, Invalid> {
        let ok = (1..=128).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Checksum(s.to_string()))
        } else {
            Err(Invalid::new(
                "string_pattern_mismatch",
                "Checksum should be 1-128 of letters, digits, '-' and '_'",
            ))
        }
    }
}

/// The string a parsed value holds, as given.
macro_rules! holds_a_string {
    ($($t:ident),+) => {$(
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}

holds_a_string!(Email, Username, Checksum);

/// Account status; `is_active` is `status == Active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
    Deactivated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Deactivated => "deactivated",
        }
    }

    pub fn parse_str(s: &str) -> Option<Status> {
        match s {
            "active" => Some(Status::Active),
            "suspended" => Some(Status::Suspended),
            "deactivated" => Some(Status::Deactivated),
            _ => None,
        }
    }

    pub fn parse(v: &Value) -> Result<Status, Invalid> {
        Status::parse_str(string(v)?).ok_or_else(|| {
            Invalid::new(
                "enum",
                "Input should be 'active', 'suspended' or 'deactivated'",
            )
        })
    }
}

/// A member's role in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum WsRole {
    Admin,
    Editor,
    Viewer,
}

impl WsRole {
    pub fn as_str(self) -> &'static str {
        match self {
            WsRole::Admin => "admin",
            WsRole::Editor => "editor",
            WsRole::Viewer => "viewer",
        }
    }

    pub fn parse_str(s: &str) -> Option<WsRole> {
        match s {
            "admin" => Some(WsRole::Admin),
            "editor" => Some(WsRole::Editor),
            "viewer" => Some(WsRole::Viewer),
            _ => None,
        }
    }

    pub fn parse(v: &Value) -> Result<WsRole, Invalid> {
        WsRole::parse_str(string(v)?)
            .ok_or_else(|| Invalid::new("enum", "Input should be 'admin', 'editor' or 'viewer'"))
    }

    /// The more powerful of two roles (`admin > editor > viewer`).
    pub fn higher(self, other: WsRole) -> WsRole {
        let rank = |r: WsRole| match r {
            WsRole::Admin => 3,
            WsRole::Editor => 2,
            WsRole::Viewer => 1,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// Studio's `editable_channels` are the workspaces where the user is admin or editor.
    pub fn can_edit(self) -> bool {
        matches!(self, WsRole::Admin | WsRole::Editor)
    }
}

/// Ledger's signing-device types.
pub const DEVICE_TYPES: [&str; 7] = [
    "nano_s",
    "nano_s_plus",
    "nano_x",
    "stax",
    "flex",
    "blue",
    "software",
];

/// `s` if it is one of [`DEVICE_TYPES`].
pub fn known_device_type(s: &str) -> Option<String> {
    DEVICE_TYPES.contains(&s).then(|| s.to_string())
}

/// A device type of [`DEVICE_TYPES`].
pub fn device_type(v: &Value) -> Result<String, Invalid> {
    known_device_type(string(v)?).ok_or_else(|| {
        Invalid::new(
            "enum",
            format!("Input should be one of {}", DEVICE_TYPES.join(", ")),
        )
    })
}

/// A public key in the form of a secp256k1 key: hex, `02`/`03` and 64 digits
/// (compressed) or `04` and 128 (uncompressed); kept lower-case. Form and length only,
/// not a curve point.
pub fn pub_key(v: &Value) -> Result<String, Invalid> {
    let s = string(v)?.to_ascii_lowercase();
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    let form = matches!(
        (s.get(..2), s.len()),
        (Some("02" | "03"), 66) | (Some("04"), 130)
    );
    if hex && form {
        Ok(s)
    } else {
        Err(Invalid::new(
            "string_pattern_mismatch",
            "pub_key must be hex: 02 or 03 and 64 digits, or 04 and 128 digits",
        ))
    }
}

/// The global role that makes a user an administrator.
pub const ADMIN_ROLE: &str = "admin";
/// The global role of Ledger's operators, who see only themselves.
pub const OPERATOR_ROLE: &str = "operator";

/// The global roles there are (SPEC: `roles` is `user`, `admin`, `operator`).
pub const GLOBAL_ROLES: [&str; 3] = ["user", ADMIN_ROLE, OPERATOR_ROLE];

/// A global role name: one of [`GLOBAL_ROLES`]; any other (a typo such as `opertor`
/// would silently leave a user unrestricted) is refused.
pub fn role_name(s: &str) -> Result<String, Invalid> {
    if GLOBAL_ROLES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(Invalid::new(
            "enum",
            "Input should be 'user', 'admin' or 'operator'",
        ))
    }
}

/// Global roles: distinct names among [`GLOBAL_ROLES`].
pub fn roles(v: &Value) -> Result<Vec<String>, Invalid> {
    let items = v
        .as_array()
        .ok_or_else(|| Invalid::new("list_type", "Input should be a list"))?;
    if items.len() > 10 {
        return Err(Invalid::new("too_long", "At most 10 roles"));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let r = role_name(string(item)?)?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// A free-text field of at most `max` characters, one line unless `multiline`; empty
/// means "not set".
pub fn text(max: usize, multiline: bool) -> impl Fn(&Value) -> Result<Option<String>, Invalid> {
    move |v| {
        let s = string(v)?;
        length_between(s, 0, max)?;
        if multiline {
            only_line_breaks(s)?;
        } else {
            no_control_chars(s)?;
        }
        Ok((!s.trim().is_empty()).then(|| s.to_string()))
    }
}

/// A string of 1 to `max` characters, as given (login names and passwords to check).
pub fn bounded_string(max: usize) -> impl Fn(&Value) -> Result<String, Invalid> {
    move |v| match string(v)? {
        s if !s.is_empty() && s.chars().count() <= max => Ok(s.to_string()),
        _ => Err(Invalid::new(
            "string_length",
            format!("String should have 1 to {max} characters"),
        )),
    }
}

/// A workspace name: 1–100 characters, trimmed.
pub fn workspace_name(v: &Value) -> Result<String, Invalid> {
    let s = string(v)?.trim();
    length_between(s, 1, 100)?;
    no_control_chars(s)?;
    Ok(s.to_string())
}

/// A group's name: like a workspace's, 1–100 characters without control characters.
pub fn group_name(v: &Value) -> Result<String, Invalid> {
    workspace_name(v)
}

/// A group's description: at most 1000 characters; line breaks are the only control
/// characters taken.
pub fn group_description(v: &Value) -> Result<String, Invalid> {
    let s = string(v)?;
    length_between(s, 0, 1000)?;
    only_line_breaks(s)?;
    Ok(s.to_string())
}

/// An `http(s)` URL of at most 2048 characters; empty means "not set".
pub fn url(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    length_between(s, 0, 2048)?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| Invalid::new("url_scheme", "URL scheme should be 'http' or 'https'"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid::new("url_parsing", "Input should be a valid URL"));
    }
    Ok(Some(s.to_string()))
}

/// An IANA time zone name (`Europe/Berlin`, `UTC`); empty means "not set".
pub fn timezone(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<chrono_tz::Tz>()
        .map(|tz| Some(tz.name().to_string()))
        .map_err(|_| Invalid::new("value_error", "Unknown IANA time zone"))
}

/// A locale the service knows (`en`, `pt-BR`, `zh-Hant-TW`), in its canonical BCP 47
/// spelling; empty means "not set". The same list is SCIM's `canonicalValues`, so what
/// one API stores the other accepts.
pub fn locale(v: &Value) -> Result<Option<String>, Invalid> {
    let s = string(v)?;
    if s.is_empty() {
        return Ok(None);
    }
    canonical_locale(s)
        .map(|l| Some(l.to_string()))
        .ok_or_else(|| {
            Invalid::new(
                "value_error",
                "Input should be a known BCP 47 locale such as 'en', 'en-US' or 'pt-BR'",
            )
        })
}

/// The locale `given` names (case-insensitively; `_` may stand for `-`), in its
/// canonical spelling, if the service knows it.
pub fn canonical_locale(given: &str) -> Option<&'static str> {
    let given = given.replace('_', "-");
    LOCALES
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(&given))
}

/// Every locale the service accepts.
pub fn locales() -> &'static [&'static str] {
    &LOCALES
}

/// Every IANA time zone name the service accepts.
pub fn timezones() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// The languages (ISO 639-1, and Filipino) and the language-region and script forms in
/// common use (CLDR's locales with a region or script).
const LOCALES: [&str; 281] = [
    "af",
    "am",
    "ar",
    "as",
    "az",
    "be",
    "bg",
    "bn",
    "bo",
    "bs",
    "ca",
    "cs",
    "cy",
    "da",
    "de",
    "el",
    "en",
    "eo",
    "es",
    "et",
    "eu",
    "fa",
    "ff",
    "fi",
    "fil",
    "fo",
    "fr",
    "fy",
    "ga",
    "gd",
    "gl",
    "gu",
    "ha",
    "he",
    "hi",
    "hr",
    "hu",
    "hy",
    "id",
    "ig",
    "is",
    "it",
    "ja",
    "jv",
    "ka",
    "kk",
    "km",
    "kn",
    "ko",
    "ku",
    "ky",
    "la",
    "lb",
    "lo",
    "lt",
    "lv",
    "mg",
    "mi",
    "mk",
    "ml",
    "mn",
    "mr",
    "ms",
    "mt",
    "my",
    "nb",
    "ne",
    "nl",
    "nn",
    "no",
    "ny",
    "om",
    "or",
    "pa",
    "pl",
    "ps",
    "pt",
    "qu",
    "rm",
    "ro",
    "ru",
    "rw",
    "sa",
    "sd",
    "si",
    "sk",
    "sl",
    "sm",
    "sn",
    "so",
    "sq",
    "sr",
    "st",
    "su",
    "sv",
    "sw",
    "ta",
    "te",
    "tg",
    "th",
    "ti",
    "tk",
    "tl",
    "tn",
    "to",
    "tr",
    "tt",
    "ug",
    "uk",
    "ur",
    "uz",
    "vi",
    "wo",
    "xh",
    "yi",
    "yo",
    "zh",
    "zu",
    "af-ZA",
    "am-ET",
    "ar-AE",
    "ar-BH",
    "ar-DZ",
    "ar-EG",
    "ar-IQ",
    "ar-JO",
    "ar-KW",
    "ar-LB",
    "ar-MA",
    "ar-OM",
    "ar-QA",
    "ar-SA",
    "ar-TN",
    "az-AZ",
    "be-BY",
    "bg-BG",
    "bn-BD",
    "bn-IN",
    "bs-BA",
    "ca-ES",
    "cs-CZ",
    "cy-GB",
    "da-DK",
    "de-AT",
    "de-BE",
    "de-CH",
    "de-DE",
    "de-LI",
    "de-LU",
    "el-CY",
    "el-GR",
    "en-AU",
    "en-BE",
    "en-BZ",
    "en-CA",
    "en-GB",
    "en-GH",
    "en-HK",
    "en-IE",
    "en-IN",
    "en-JM",
    "en-KE",
    "en-MT",
    "en-MY",
    "en-NG",
    "en-NZ",
    "en-PH",
    "en-PK",
    "en-SG",
    "en-TT",
    "en-US",
    "en-ZA",
    "es-419",
    "es-AR",
    "es-BO",
    "es-CL",
    "es-CO",
    "es-CR",
    "es-DO",
    "es-EC",
    "es-ES",
    "es-GT",
    "es-HN",
    "es-MX",
    "es-NI",
    "es-PA",
    "es-PE",
    "es-PR",
    "es-PY",
    "es-SV",
    "es-US",
    "es-UY",
    "es-VE",
    "et-EE",
    "eu-ES",
    "fa-IR",
    "fi-FI",
    "fil-PH",
    "fr-BE",
    "fr-CA",
    "fr-CH",
    "fr-FR",
    "fr-LU",
    "fr-MA",
    "fr-SN",
    "ga-IE",
    "gl-ES",
    "gu-IN",
    "he-IL",
    "hi-IN",
    "hr-HR",
    "hu-HU",
    "hy-AM",
    "id-ID",
    "is-IS",
    "it-CH",
    "it-IT",
    "ja-JP",
    "ka-GE",
    "kk-KZ",
    "km-KH",
    "kn-IN",
    "ko-KR",
    "lt-LT",
    "lv-LV",
    "mk-MK",
    "ml-IN",
    "mn-MN",
    "mr-IN",
    "ms-MY",
    "mt-MT",
    "nb-NO",
    "ne-NP",
    "nl-BE",
    "nl-NL",
    "nn-NO",
    "pa-IN",
    "pl-PL",
    "pt-AO",
    "pt-BR",
    "pt-MZ",
    "pt-PT",
    "ro-MD",
    "ro-RO",
    "ru-BY",
    "ru-KZ",
    "ru-RU",
    "ru-UA",
    "si-LK",
    "sk-SK",
    "sl-SI",
    "sq-AL",
    "sr-Cyrl",
    "sr-Latn",
    "sr-Cyrl-RS",
    "sr-Latn-RS",
    "sr-RS",
    "sv-FI",
    "sv-SE",
    "sw-KE",
    "sw-TZ",
    "ta-IN",
    "ta-LK",
    "te-IN",
    "th-TH",
    "tr-TR",
    "uk-UA",
    "ur-PK",
    "uz-UZ",
    "vi-VN",
    "zh-CN",
    "zh-HK",
    "zh-Hans",
    "zh-Hans-CN",
    "zh-Hant",
    "zh-Hant-HK",
    "zh-Hant-TW",
    "zh-MO",
    "zh-SG",
    "zh-TW",
    "zu-ZA",
];

/// Parses a UUID in its hyphenated or simple form (no braces, no URN).
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    if s.len() != 36 && s.len() != 32 {
        return None;
    }
    Uuid::parse_str(s).ok()
}

/// A UUID string.
pub fn uuid(v: &Value) -> Result<Uuid, Invalid> {
    parse_uuid(string(v)?)
        .ok_or_else(|| Invalid::new("uuid_parsing", "Input should be a valid UUID"))
}

/// A strict JSON boolean.
pub fn boolean(v: &Value) -> Result<bool, Invalid> {
    v.as_bool()
        .ok_or_else(|| Invalid::new("bool_type", "Input should be a valid boolean"))
}

/// A whole number in `min..=max`.
pub fn integer(min: i64, max: i64) -> impl Fn(&Value) -> Result<i64, Invalid> {
    move |v| {
        let n = v
            .as_i64()
            .filter(|_| v.is_i64() || v.is_u64())
            .ok_or_else(|| Invalid::new("int_type", "Input should be a valid integer"))?;
        if n < min || n > max {
            return Err(Invalid::new(
                "value_error",
                format!("Input should be between {min} and {max}"),
            ));
        }
        Ok(n)
    }
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
        assert_eq!(
            Email::parse(&json!(" A@Example.com ")).unwrap().lower(),
            "a@example.com"
        );
    }

    #[test]
    fn usernames() {
        assert!(Username::parse(&json!("jane.doe-1_x")).is_ok());
        assert!(Username::parse(&json!("ab")).is_err());
        assert!(Username::parse(&json!("a b c")).is_err());
        assert!(Username::parse(&json!("Jane.Doe+it@corp.example")).is_ok());
        assert!(Username::parse(&json!("x".repeat(100))).is_ok());
        assert!(Username::parse(&json!("x".repeat(101))).is_err());
        assert!(Username::parse(&json!("jane/doe")).is_err());
    }

    #[test]
    fn stored_values_round_trip_as_plain_strings() {
        let e = Email::parse_str("Ann@example.com").unwrap();
        assert_eq!(serde_json::to_value(&e).unwrap(), json!("Ann@example.com"));
        let back: Email = serde_json::from_value(json!("Ann@example.com")).unwrap();
        assert_eq!(back, e);
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

    #[test]
    fn checksums_and_roles() {
        assert!(Checksum::parse_str("d41d8cd98f00b204e9800998ecf8427e").is_ok());
        assert!(Checksum::parse_str("bad checksum!").is_err());
        assert_eq!(
            roles(&json!(["user", "operator", "user"])).unwrap(),
            ["user", "operator"]
        );
        assert!(roles(&json!(["Admin"])).is_err());
        assert!(roles(&json!(["superuser"])).is_err());
    }
}
