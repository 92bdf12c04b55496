//! The single-table key layout, in one place. Nothing else spells a key.

use uuid::Uuid;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "gsi1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
/// Partition attribute of the directory indexes (`ALL` or `WS#<id>`).
pub const DIR: &str = "dir";

pub const PROFILE: &str = "PROFILE";
pub const GUARD: &str = "GUARD";
pub const TOKEN: &str = "TOKEN";
pub const META: &str = "META";

pub fn user(id: Uuid) -> String {
    format!("USER#{id}")
}
pub fn email_guard(lower: &str) -> String {
    format!("EMAIL#{lower}")
}
pub fn username_guard(lower: &str) -> String {
    format!("USERNAME#{lower}")
}
pub fn token(hash: &str) -> String {
    format!("TOKEN#{hash}")
}
pub fn workspace(id: Uuid) -> String {
    format!("WS#{id}")
}
pub fn member(user: Uuid) -> String {
    format!("MEMBER#{user}")
}
pub const MEMBER_PREFIX: &str = "MEMBER#";
pub fn file(checksum: &str) -> String {
    format!("FILE#{checksum}")
}
pub const FILE_PREFIX: &str = "FILE#";
pub fn activity(id: Uuid) -> String {
    format!("ACT#{id}")
}
pub const ACTIVITY_PREFIX: &str = "ACT#";
/// Per-day activity counter of a user's feed.
pub fn activity_day(date: &str) -> String {
    format!("ACTDAY#{date}")
}
pub const ACTIVITY_DAY_PREFIX: &str = "ACTDAY#";
/// Per-day, per-workspace activity counter; sorts by date so a window is one range read.
pub fn activity_day_workspace(date: &str, workspace: Uuid) -> String {
    format!("ACTDW#{date}#{workspace}")
}
pub const ACTIVITY_DAY_WORKSPACE_PREFIX: &str = "ACTDW#";
/// Global directory partition: every user.
pub const DIR_ALL: &str = "ALL";
/// A workspace's directory partition: its members.
pub fn dir_workspace(id: Uuid) -> String {
    format!("WS#{id}")
}
/// The item holding global counters.
pub const STATS: &str = "STATS";
pub const USERS_COUNTER: &str = "USERS";
/// Failed-login counters (TTL) per login name and per source address.
pub fn login_limit(kind: &str, key: &str) -> String {
    format!("RATE#{kind}#{key}")
}
pub const RATE: &str = "RATE";
/// Marks a user whose delete has begun, so a retried DELETE can finish it.
pub const TOMBSTONE: &str = "DELETING";
