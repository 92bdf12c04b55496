//! The single-table key layout, in one place. Nothing else spells a key or a prefix.

use uuid::Uuid;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
/// The owner index: items a user owns (memberships, tokens), by user.
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
    format!("{USER_PREFIX}{id}")
}
/// A user's partition key starts with this.
pub const USER_PREFIX: &str = "USER#";
pub fn email_guard(lower: &str) -> String {
    format!("EMAIL#{lower}")
}
pub fn username_guard(lower: &str) -> String {
    format!("USERNAME#{lower}")
}
/// The guard that keeps a device public key (lower-case hex) to one user.
pub fn pub_key_guard(lower: &str) -> String {
    format!("PUBKEY#{lower}")
}
pub fn token(hash: &str) -> String {
    format!("{TOKEN_PREFIX}{hash}")
}
/// The owner-index sort keys of a user's tokens start with this.
pub const TOKEN_PREFIX: &str = "TOKEN#";
pub fn workspace(id: Uuid) -> String {
    format!("{WORKSPACE_PREFIX}{id}")
}
pub fn member(user: Uuid) -> String {
    format!("{MEMBER_PREFIX}{user}")
}
pub const MEMBER_PREFIX: &str = "MEMBER#";
/// A workspace's invitation: `INV#<id>` in the workspace's partition.
pub fn invitation(id: Uuid) -> String {
    format!("{INVITATION_PREFIX}{id}")
}
pub const INVITATION_PREFIX: &str = "INV#";
/// The one pending invitation of an email address in a workspace: a guard naming it.
pub fn invited_email(lower: &str) -> String {
    format!("{INVITED_EMAIL_PREFIX}{lower}")
}
pub const INVITED_EMAIL_PREFIX: &str = "INVEMAIL#";
/// Owner-index partition of the invitations addressed to an email (sort key:
/// [`invitation`]).
pub fn invitee(lower: &str) -> String {
    format!("INVITEE#{lower}")
}
/// Owner-index partition of every workspace's `META` (sort key: [`workspace`]), as a
/// user's memberships are under [`user`].
pub const ALL_WORKSPACES: &str = "WORKSPACES";
/// The owner-index sort keys of workspaces start with this.
pub const WORKSPACE_PREFIX: &str = "WS#";
pub fn file(checksum: &str) -> String {
    format!("{FILE_PREFIX}{checksum}")
}
pub const FILE_PREFIX: &str = "FILE#";
pub fn activity(id: Uuid) -> String {
    format!("{ACTIVITY_PREFIX}{id}")
}
pub const ACTIVITY_PREFIX: &str = "ACT#";
/// Sorts after every activity key of a partition (and before the counters).
pub fn activity_end() -> String {
    format!("{ACTIVITY_PREFIX}~")
}
/// Per-day activity counter of a user's feed.
pub fn activity_day(date: &str) -> String {
    format!("{ACTIVITY_DAY_PREFIX}{date}")
}
const ACTIVITY_DAY_PREFIX: &str = "ACTDAY#";
/// The day counters from `from` to `to` (`YYYY-MM-DD`, both included; open when absent).
pub fn activity_day_range(from: Option<&str>, to: Option<&str>) -> (String, String) {
    (
        activity_day(from.unwrap_or("")),
        activity_day(&format!("{}~", to.unwrap_or("9999-12-31"))),
    )
}
/// The date a day counter's sort key names.
pub fn day_of(sk: &str) -> &str {
    sk.strip_prefix(ACTIVITY_DAY_PREFIX).unwrap_or(sk)
}
/// Every activity ever recorded in a user's feed: a counter kept past the retention.
pub const ACTIVITY_LIFETIME: &str = "ACTLIFE";
/// Per-day, per-workspace activity counter; sorts by date so a window is one range read.
pub fn activity_day_workspace(date: &str, workspace: Uuid) -> String {
    format!("{ACTIVITY_DAY_WORKSPACE_PREFIX}{date}#{workspace}")
}
const ACTIVITY_DAY_WORKSPACE_PREFIX: &str = "ACTDW#";
/// The per-workspace day counters from `from` (`YYYY-MM-DD`) on.
pub fn activity_day_workspace_range(from: &str) -> (String, String) {
    (
        format!("{ACTIVITY_DAY_WORKSPACE_PREFIX}{from}"),
        format!("{ACTIVITY_DAY_WORKSPACE_PREFIX}~"),
    )
}
/// How a name (first or last) is kept in the directory's sort keys: lower-cased behind a
/// `#`, so an empty name is still a non-empty key. A prefix search of names uses the
/// same form.
pub fn name_key(lower: &str) -> String {
    format!("#{lower}")
}
/// How a time is kept in the directory's sort keys: the time, then the user, so equal
/// times still sort (and page) exactly.
pub fn time_key(at: &str, user: Uuid) -> String {
    format!("{at}#{user}")
}
/// A group's partition: its `META`, its members (`MEMBER#<user>`, entered in the
/// owner index under the user) and the mirrors of its grants (`GRANT#<workspace>`).
pub fn group(id: Uuid) -> String {
    format!("{GROUP_PREFIX}{id}")
}
/// The owner-index sort keys of a user's group memberships start with this.
pub const GROUP_PREFIX: &str = "GROUP#";
/// The guard that keeps a group name (lower case) to one group.
pub fn group_name_guard(lower: &str) -> String {
    format!("GROUPNAME#{lower}")
}
/// The guard that keeps a group's external id (SCIM `externalId`, case-exact) to one
/// group; entered in the owner index under [`ALL_GROUP_EXTERNAL_IDS`].
pub fn group_external_guard(external_id: &str) -> String {
    format!("GROUPEXTID#{external_id}")
}
/// Owner-index partition of every group external id guard (sort key: [`group`]).
pub const ALL_GROUP_EXTERNAL_IDS: &str = "GROUPEXTIDS";
/// The guard that keeps a user's external id (SCIM `externalId`, case-exact) to one
/// user.
pub fn external_id_guard(external_id: &str) -> String {
    format!("EXTID#{external_id}")
}
/// Owner-index partition of every group's `META`, sorted by lower-case name.
pub const ALL_GROUPS: &str = "GROUPS";
/// A grant: `GRANT#<group>` in the workspace's partition, `GRANT#<workspace>` in the
/// group's.
pub fn grant(other: Uuid) -> String {
    format!("{GRANT_PREFIX}{other}")
}
pub const GRANT_PREFIX: &str = "GRANT#";
/// A job of background work (`JOB#<uuid v7>` / `JOB`), entered in the owner index
/// under [`JOBS`].
pub fn job(id: Uuid) -> String {
    format!("JOB#{id}")
}
pub const JOB: &str = "JOB";
/// Owner-index partition of the pending jobs, oldest first.
pub const JOBS: &str = "JOBS";
/// One of a user's concurrent-stream slots (`USER#<id>` / `STREAM#<n>`), a lease.
pub fn stream_slot(n: u32) -> String {
    format!("STREAM#{n}")
}
/// A provisioning token (SCIM): `PTOKEN#<token id>` / [`PTOKEN`], entered in the owner
/// index under [`ALL_PTOKENS`].
pub fn provisioning_token(id: Uuid) -> String {
    format!("{PTOKEN}#{id}")
}
pub const PTOKEN: &str = "PTOKEN";
/// Owner-index partition of every provisioning token, oldest first.
pub const ALL_PTOKENS: &str = "PTOKENS";
/// The shown name (lower case) of a profile, the sort key of `by_display_name`.
pub const K_DISPLAY: &str = "k_display";
/// The external id of a profile, the sort key of `by_external_id`.
pub const K_EXTERNAL: &str = "k_external";
/// Global directory partition: every user.
pub const DIR_ALL: &str = "ALL";
/// A workspace's directory partition: its members.
pub fn dir_workspace(id: Uuid) -> String {
    format!("WS#{id}")
}
/// The item holding global counters.
pub const STATS: &str = "STATS";
pub const USERS_COUNTER: &str = "USERS";
pub const GROUPS_COUNTER: &str = "GROUPS";
/// A login-attempt counter (TTL): `name` says what it counts and in which window.
pub fn login_limit_counter(name: &str) -> String {
    format!("RATE#{name}")
}
pub const RATE: &str = "RATE";
/// Marks a user whose delete has begun, so a retried DELETE can finish it.
pub const TOMBSTONE: &str = "DELETING";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_cover_their_ends_and_nothing_else() {
        let (lo, hi) = activity_day_range(Some("2026-03-01"), Some("2026-03-02"));
        let inside = |sk: &str| lo.as_str() <= sk && sk <= hi.as_str();
        assert!(inside(&activity_day("2026-03-01")));
        assert!(inside(&activity_day("2026-03-02")));
        assert!(!inside(&activity_day("2026-03-03")));
        assert!(!inside(&activity_day_workspace("2026-03-01", Uuid::nil())));
        assert_eq!(day_of(&activity_day("2026-03-02")), "2026-03-02");
        let everything = activity_end();
        assert!(activity(Uuid::max()) < everything);
        assert!(everything < activity_day("1970-01-01"));
    }
}
