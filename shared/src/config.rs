//! Configuration from the environment, read once per cold start. Every variable has a
//! default that works against the local stack (`make dev`).

use std::env;

/// The settings every function reads.
#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    /// `AWS_ENDPOINT_URL_DYNAMODB`: set only locally (DynamoDB Local).
    pub endpoint_url: Option<String>,
    pub signup_enabled: bool,
    pub token_ttl_seconds: i64,
    pub default_disk_space: i64,
    pub activity_retention_days: i64,
    pub stream_max_seconds: u64,
    /// Key that signs list cursors (`CURSOR_SECRET`); deployed stacks take it from a
    /// NoEcho template parameter.
    pub cursor_secret: Vec<u8>,
    /// Failed logins allowed per login name and per source address in one window.
    pub login_max_failures: i64,
    /// Failed logins allowed per source address in one window.
    pub ip_max_failures: i64,
    pub login_window_seconds: i64,
    /// The shared secret the optional CloudFront edge sends (`EDGE_ORIGIN_SECRET`): only
    /// with it is the viewer address CloudFront reports trusted.
    pub edge_secret: Option<String>,
    /// The most index entries a filtered list page reads (`LIST_SCAN_BUDGET`).
    pub list_scan_budget: usize,
    /// The most activity streams one caller may hold open at once (`STREAM_MAX_PER_USER`).
    pub stream_max_per_user: u32,
    /// The most files one user may hold (`MAX_FILES_PER_USER`).
    pub max_files_per_user: i64,
    /// The most users an unfiltered Studio list returns (`STUDIO_MAX_USERS`).
    pub studio_max_users: usize,
    /// How long an invitation stays pending (`INVITATION_TTL_DAYS`).
    pub invitation_ttl_days: i64,
    /// `MEASURE_CAPACITY=true`: ask DynamoDB for consumed capacity and add it up
    /// (benchmarks and tests; off in service).
    pub measure_capacity: bool,
}

/// The local-only default cursor key; `template.yaml` always sets a real one.
const DEV_CURSOR_SECRET: &str = "local-dev-cursor-secret-not-for-production";

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a number, got {v:?}")),
    }
}

fn boolean(name: &str, default: bool) -> Result<bool, String> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" || v == "1" || v == "yes" => Ok(true),
        Some(v) if v == "false" || v == "0" || v == "no" => Ok(false),
        Some(v) => Err(format!("{name} must be true or false, got {v:?}")),
    }
}

/// Whether `endpoint` is a DynamoDB on this machine (DynamoDB Local), where the dev
/// defaults are allowed.
pub fn is_local_endpoint(endpoint: Option<&str>) -> bool {
    endpoint.is_some_and(|u| {
        let rest = u.strip_prefix("http://").unwrap_or("");
        let host = rest.split(['/', ':']).next().unwrap_or("");
        matches!(host, "127.0.0.1" | "localhost" | "[::1]")
    })
}

/// The cursor key: `CURSOR_SECRET`, or the public dev key against a local endpoint
/// only. Anywhere else a missing key, or the dev key itself, fails the cold start: a
/// known key would let anyone forge cursors.
fn cursor_secret(secret: Option<String>, endpoint: Option<&str>) -> Result<Vec<u8>, String> {
    let local = is_local_endpoint(endpoint);
    match secret {
        Some(s) if s == DEV_CURSOR_SECRET && !local => {
            Err("CURSOR_SECRET is the public dev key; set a secret of your own".into())
        }
        Some(s) => Ok(s.into_bytes()),
        None if local => Ok(DEV_CURSOR_SECRET.as_bytes().to_vec()),
        None => Err("CURSOR_SECRET is required outside a local DynamoDB endpoint".into()),
    }
}

/// A random 32-byte key, hex.
fn random_key() -> Vec<u8> {
    let mut b = [0u8; 32];
    let _ = getrandom::getrandom(&mut b);
    hex::encode(b).into_bytes()
}

impl Config {
    /// Reads the service's variables; a malformed value fails the cold start with its name.
    pub fn from_env() -> Result<Config, String> {
        Self::read_env(true)
    }

    /// [`Config::from_env`] for the operator CLI, which signs no cursors: without
    /// `CURSOR_SECRET` it takes a random key of its own.
    pub fn from_env_for_cli() -> Result<Config, String> {
        Self::read_env(false)
    }

    fn read_env(cursors: bool) -> Result<Config, String> {
        let config = Config {
            table_name: var("TABLE_NAME").unwrap_or_else(|| "users".into()),
            endpoint_url: var("AWS_ENDPOINT_URL_DYNAMODB"),
            signup_enabled: boolean("SIGNUP_ENABLED", false)?,
            token_ttl_seconds: number("TOKEN_TTL_SECONDS", 30 * 24 * 3600)?,
            default_disk_space: number("DEFAULT_DISK_SPACE", 524_288_000)?,
            activity_retention_days: number("ACTIVITY_RETENTION_DAYS", 90)?,
            stream_max_seconds: number("STREAM_MAX_SECONDS", 25)?,
            cursor_secret: cursor_secret(
                var("CURSOR_SECRET"),
                var("AWS_ENDPOINT_URL_DYNAMODB").as_deref(),
            )
            .or_else(|e| if cursors { Err(e) } else { Ok(random_key()) })?,
            login_max_failures: number("LOGIN_MAX_FAILURES", 10)?,
            ip_max_failures: number("LOGIN_MAX_FAILURES_PER_IP", 200)?,
            login_window_seconds: number("LOGIN_WINDOW_SECONDS", 900)?,
            invitation_ttl_days: number("INVITATION_TTL_DAYS", 7)?,
            studio_max_users: number("STUDIO_MAX_USERS", 1000)?,
            max_files_per_user: number("MAX_FILES_PER_USER", 100_000)?,
            stream_max_per_user: number("STREAM_MAX_PER_USER", 3)?,
            list_scan_budget: number("LIST_SCAN_BUDGET", 2000)?,
            edge_secret: var("EDGE_ORIGIN_SECRET"),
            measure_capacity: boolean("MEASURE_CAPACITY", false)?,
        };
        if config.token_ttl_seconds <= 0 {
            return Err("TOKEN_TTL_SECONDS must be positive".into());
        }
        if config.default_disk_space < 0 {
            return Err("DEFAULT_DISK_SPACE must not be negative".into());
        }
        if config.activity_retention_days <= 0 {
            return Err("ACTIVITY_RETENTION_DAYS must be positive".into());
        }
        if !(1..=100_000).contains(&config.studio_max_users) {
            return Err("STUDIO_MAX_USERS must be from 1 to 100000".into());
        }
        if !(1..=3650).contains(&config.invitation_ttl_days) {
            return Err("INVITATION_TTL_DAYS must be from 1 to 3650".into());
        }
        if !(100..=100_000).contains(&config.list_scan_budget) {
            return Err("LIST_SCAN_BUDGET must be from 100 to 100000".into());
        }
        if config.stream_max_per_user < 1 {
            return Err("STREAM_MAX_PER_USER must be at least 1".into());
        }
        if config.max_files_per_user < 1 {
            return Err("MAX_FILES_PER_USER must be at least 1".into());
        }
        if config.cursor_secret.len() < 16 {
            return Err("CURSOR_SECRET must be at least 16 bytes".into());
        }
        Ok(config)
    }

    /// A config for tests: local defaults with the given table.
    pub fn for_table(table_name: &str, endpoint_url: &str) -> Config {
        Config {
            table_name: table_name.into(),
            endpoint_url: Some(endpoint_url.into()),
            signup_enabled: false,
            token_ttl_seconds: 30 * 24 * 3600,
            default_disk_space: 524_288_000,
            activity_retention_days: 90,
            stream_max_seconds: 25,
            cursor_secret: DEV_CURSOR_SECRET.as_bytes().to_vec(),
            login_max_failures: 10,
            ip_max_failures: 200,
            login_window_seconds: 900,
            invitation_ttl_days: 7,
            studio_max_users: 1000,
            max_files_per_user: 100_000,
            stream_max_per_user: 3,
            list_scan_budget: 2000,
            edge_secret: None,
            measure_capacity: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_cursor_key_serves_only_a_local_endpoint() {
        let local = Some("http://127.0.0.1:8000");
        assert_eq!(
            cursor_secret(None, local).unwrap(),
            DEV_CURSOR_SECRET.as_bytes()
        );
        assert!(cursor_secret(None, Some("http://localhost:8000/")).is_ok());
        assert!(cursor_secret(None, None).is_err());
        assert!(cursor_secret(None, Some("https://dynamodb.eu-west-1.amazonaws.com")).is_err());
        assert!(cursor_secret(None, Some("http://127.0.0.1.evil.example")).is_err());
        assert!(cursor_secret(Some(DEV_CURSOR_SECRET.into()), None).is_err());
        let own = "a-secret-of-our-own-32-bytes-long".to_string();
        assert_eq!(
            cursor_secret(Some(own.clone()), None).unwrap(),
            own.as_bytes()
        );
    }
}
