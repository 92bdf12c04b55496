//! Stored records (what an item holds) and views (what a response shows). Records never
//! leave the service as they are: responses are built from the views below, which hold
//! no password hash, token hash or key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::keys;
use crate::types::{Checksum, Email, Status, Username, WsRole, ADMIN_ROLE, OPERATOR_ROLE};

/// The profile item (`USER#<id>` / `PROFILE`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub user_id: Uuid,
    pub email: Email,
    pub username: Username,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// How the user is shown (SCIM's `displayName`), as given; else the full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The identity provider's id of the user (SCIM `externalId`, case-exact, unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The SCIM attributes stored beyond the fields above (`name.middleName`, `title`,
    /// every `emails` value, `phoneNumbers`, the enterprise extension, ...), as the
    /// provisioning client sent them: the mapped fields are never repeated here.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub scim: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default)]
    pub preferences: Map<String, Value>,
    #[serde(default)]
    pub settings: Map<String, Value>,
    pub status: Status,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Ledger's `legacyViewAll`: sees every user (as a public profile).
    #[serde(default)]
    pub view_all: bool,
    pub is_verified: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_workspace_id: Option<Uuid>,
    pub disk_space: i64,
    pub disk_space_used: i64,
    /// How many files count against the quota (bounded by `MAX_FILES_PER_USER`).
    #[serde(default)]
    pub file_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_read_notification_date: Option<String>,
    /// Moves on every change of the representation; the ETag.
    pub version: i64,
    /// Moves on every membership change, so profile writes that copy directory fields
    /// into membership items know they saw every membership.
    #[serde(default)]
    pub mrev: i64,
    /// Moves with every change of `sessions` (a login, a logout), so a profile write
    /// decided from an older read cannot drop a new token or bring back a revoked one.
    /// Not part of the representation: a login moves neither `version` nor the ETag.
    #[serde(default)]
    pub srev: i64,
    /// Tokens carry the epoch they were issued in; bumping it revokes them all at once.
    #[serde(default)]
    pub session_epoch: i64,
    /// The user's first [`MAX_PROFILE_SESSIONS`] live login tokens, by the SHA-256 of
    /// the whole token: read with the profile, so authenticating costs no item of its
    /// own. Always written, even empty, so a login can add one entry by its path.
    #[serde(default)]
    pub sessions: BTreeMap<String, Session>,
    /// Whether tokens of this user may live in items of their own (`TOKEN#<hash>`):
    /// logins past [`MAX_PROFILE_SESSIONS`] live sessions. While false, a token not in
    /// `sessions` is unknown without another read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spilled_tokens: bool,
    pub password_hash: String,
    /// Ledger's signing device, if the user registered one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// Workspace id → effective role (the highest of the direct role and the roles
    /// granted to the user's groups there): the source of visibility, authorization and
    /// Studio's channel lists.
    #[serde(default)]
    pub memberships: BTreeMap<Uuid, WsRole>,
    /// Workspace id → direct role: the memberships `MAX_WORKSPACES_PER_USER` counts and
    /// the last-admin rule is about.
    #[serde(default)]
    pub direct_memberships: BTreeMap<Uuid, WsRole>,
}

/// How many live login tokens a profile holds in `sessions` (about 100 bytes each);
/// further logins get a token item of their own, one more read to authenticate.
pub const MAX_PROFILE_SESSIONS: usize = 8;

/// A login token held in its user's profile: its expiry and the epoch it was issued in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Epoch seconds.
    pub expires_at: i64,
    pub epoch: i64,
}

impl UserRecord {
    /// After a change that moved `session_epoch` (revoking every token): the sessions
    /// held in the profile are dropped but `keep` (the caller's own, when it changed its
    /// own password), which moves to the new epoch. Token items are revoked by the epoch
    /// alone; `spilled_tokens` stays set only if `keep` is one of them.
    pub fn forget_sessions(&mut self, keep: Option<&str>) {
        let epoch = self.session_epoch;
        let kept = keep.and_then(|h| self.sessions.get(h).map(|s| (h.to_string(), *s)));
        self.spilled_tokens = keep.is_some() && kept.is_none() && self.spilled_tokens;
        self.sessions = kept
            .into_iter()
            .map(|(h, s)| (h, Session { epoch, ..s }))
            .collect();
    }

    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == ADMIN_ROLE)
    }
    /// Ledger's operator: sees only itself.
    pub fn is_operator(&self) -> bool {
        self.roles.iter().any(|r| r == OPERATOR_ROLE)
    }
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
    /// The name to show: `display_name`, else the full name.
    pub fn shown_name(&self) -> Option<String> {
        self.display_name.clone().or_else(|| self.full_name())
    }
    /// Whether the two users share a workspace.
    pub fn shares_workspace_with(&self, other: &UserRecord) -> bool {
        self.memberships
            .keys()
            .any(|w| other.memberships.contains_key(w))
    }
    /// The sort and filter fields of this user in a directory partition.
    pub fn dir_keys(&self, dir: String, ws_role: Option<WsRole>) -> DirKeys {
        let lower = |s: &Option<String>| keys::name_key(&s.as_deref().unwrap_or("").to_lowercase());
        DirKeys {
            dir,
            k_created: keys::time_key(&self.created_at, self.user_id),
            k_updated: keys::time_key(&self.updated_at, self.user_id),
            k_email: self.email.lower(),
            k_username: self.username.lower(),
            k_first: lower(&self.first_name),
            k_last: lower(&self.last_name),
            status: self.status,
            roles: self.roles.clone(),
            ws_role,
            device_type: self.device.as_ref().map(|d| d.device_type.clone()),
        }
    }
}

/// A user's signing device (Ledger's `deviceType`, `deviceUserId`, `pubKey`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub device_type: String,
    pub device_user_id: String,
    /// Lower-case hex; unique across users.
    pub pub_key: String,
    pub registered_at: String,
}

/// The directory attributes an item carries to appear in the sort indexes: one set on
/// the profile (partition `ALL`) and one on each membership (partition `WS#<id>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirKeys {
    pub dir: String,
    pub k_created: String,
    pub k_updated: String,
    pub k_email: String,
    pub k_username: String,
    pub k_first: String,
    pub k_last: String,
    pub status: Status,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ws_role: Option<WsRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
}

/// The v1 user object.
#[derive(Debug, Serialize)]
pub struct UserView {
    pub user_id: Uuid,
    pub email: Email,
    pub username: Username,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub display_name: Option<String>,
    pub auth_provider: &'static str,
    pub is_active: bool,
    pub is_verified: bool,
    pub status: Status,
    pub roles: Vec<String>,
    pub view_all: bool,
    pub device: Option<Device>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub preferences: Map<String, Value>,
    pub settings: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub last_login: Option<String>,
    pub default_workspace_id: Option<Uuid>,
    pub disk_space: i64,
    pub disk_space_used: i64,
    pub last_read_notification_date: Option<String>,
    pub version: i64,
}

impl From<&UserRecord> for UserView {
    fn from(u: &UserRecord) -> Self {
        UserView {
            user_id: u.user_id,
            email: u.email.clone(),
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            full_name: u.full_name(),
            display_name: u.display_name.clone(),
            auth_provider: "password",
            is_active: u.is_active(),
            is_verified: u.is_verified,
            status: u.status,
            roles: u.roles.clone(),
            view_all: u.view_all,
            device: u.device.clone(),
            avatar_url: u.avatar_url.clone(),
            bio: u.bio.clone(),
            timezone: u.timezone.clone(),
            locale: u.locale.clone(),
            preferences: u.preferences.clone(),
            settings: u.settings.clone(),
            created_at: u.created_at.clone(),
            updated_at: u.updated_at.clone(),
            last_login: u.last_login.clone(),
            default_workspace_id: u.default_workspace_id,
            disk_space: u.disk_space,
            disk_space_used: u.disk_space_used,
            last_read_notification_date: u.last_read_notification_date.clone(),
            version: u.version,
        }
    }
}

/// The public profile: what a caller that may see a user, but is neither that user nor
/// a global admin, is shown.
#[derive(Debug, Serialize)]
pub struct PublicUserView {
    pub user_id: Uuid,
    pub username: Username,
    pub email: Email,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub status: Status,
    pub created_at: String,
}

impl From<&UserRecord> for PublicUserView {
    fn from(u: &UserRecord) -> Self {
        PublicUserView {
            user_id: u.user_id,
            username: u.username.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            full_name: u.full_name(),
            status: u.status,
            created_at: u.created_at.clone(),
        }
    }
}

/// Studio's user object (`/api/user/`). The full view adds the storage figures; the
/// public one lists only the channels the caller shares with the user.
#[derive(Debug, Serialize)]
pub struct StudioUserView {
    pub id: Uuid,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub editable_channels: Vec<Uuid>,
    pub view_only_channels: Vec<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_space: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_space_used: Option<i64>,
}

impl StudioUserView {
    /// The full view of `u`.
    pub fn full(u: &UserRecord) -> Self {
        StudioUserView {
            disk_space: Some(u.disk_space),
            disk_space_used: Some(u.disk_space_used),
            ..Self::public(u, |_| true)
        }
    }

    /// The public view of `u`, listing only the channels `shared` admits.
    pub fn public(u: &UserRecord, shared: impl Fn(&Uuid) -> bool) -> Self {
        let channels = |edit: bool| {
            u.memberships
                .iter()
                .filter(|(w, r)| r.can_edit() == edit && shared(w))
                .map(|(w, _)| *w)
                .collect()
        };
        StudioUserView {
            id: u.user_id,
            email: u.email.clone(),
            first_name: u.first_name.clone().unwrap_or_default(),
            last_name: u.last_name.clone().unwrap_or_default(),
            is_active: u.is_active(),
            editable_channels: channels(true),
            view_only_channels: channels(false),
            disk_space: None,
            disk_space_used: None,
        }
    }
}

/// A login token item (`TOKEN#<sha256>` / `TOKEN`): the hash only, never the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub user_id: Uuid,
    pub created_at: String,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
    pub epoch: i64,
}

impl TokenRecord {
    /// What the token holds for authentication, wherever it is kept.
    pub fn session(&self) -> Session {
        Session {
            expires_at: self.expires_at,
            epoch: self.epoch,
        }
    }
}

/// A workspace (`WS#<id>` / `META`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkspaceRecord {
    pub workspace_id: Uuid,
    pub name: String,
    pub created_at: String,
    pub created_by: Uuid,
    pub member_count: i64,
    pub admin_count: i64,
    /// Set when a delete has begun: no member joins any more, and a retried DELETE
    /// finishes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleting: bool,
}

/// The workspace object of responses, with the caller's role in it (`null` for a
/// global admin who is not a member).
#[derive(Debug, Serialize)]
pub struct WorkspaceView {
    pub workspace_id: Uuid,
    pub name: String,
    pub created_at: String,
    pub member_count: i64,
    pub role: Option<WsRole>,
}

impl WorkspaceView {
    pub fn new(w: &WorkspaceRecord, role: Option<WsRole>) -> Self {
        WorkspaceView {
            workspace_id: w.workspace_id,
            name: w.name.clone(),
            created_at: w.created_at.clone(),
            member_count: w.member_count,
            role,
        }
    }
}

/// A pending invitation (`WS#<id>` / `INV#<id>`) of an email address to a workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvitationRecord {
    pub invitation_id: Uuid,
    pub workspace_id: Uuid,
    pub email: Email,
    pub role: WsRole,
    pub invited_by: Uuid,
    pub created_at: String,
    /// Epoch seconds; also the table's TTL attribute. TTL deletes late, so readers
    /// check it too.
    pub expires_at: i64,
}

impl InvitationRecord {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at <= now
    }
}

/// The invitation object of responses.
#[derive(Debug, Serialize)]
pub struct InvitationView {
    pub invitation_id: Uuid,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub email: Email,
    pub role: WsRole,
    pub status: &'static str,
    pub invited_by: Uuid,
    pub created_at: String,
    pub expires_at: String,
}

impl InvitationView {
    pub fn new(i: &InvitationRecord, workspace_name: &str) -> Self {
        InvitationView {
            invitation_id: i.invitation_id,
            workspace_id: i.workspace_id,
            workspace_name: workspace_name.to_string(),
            email: i.email.clone(),
            role: i.role,
            status: "pending",
            invited_by: i.invited_by,
            created_at: i.created_at.clone(),
            expires_at: chrono::DateTime::from_timestamp(i.expires_at, 0)
                .map(crate::time::format)
                .unwrap_or_default(),
        }
    }
}

/// An effective membership (`WS#<id>` / `MEMBER#<user>`): the user's direct role and
/// the roles granted to its groups there; doubles as the workspace's directory entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberRecord {
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    /// The effective role: the highest of `direct` and every role of `via`.
    pub role: WsRole,
    /// The direct role, if the user is a member in its own right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<WsRole>,
    /// Group id → the role granted to that group here, for each of the user's groups
    /// with a grant on the workspace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub via: BTreeMap<Uuid, WsRole>,
    pub joined_at: String,
    /// Moves on every change of the item, so a change knows it saw the latest.
    #[serde(default)]
    pub mver: i64,
}

impl MemberRecord {
    /// The effective role of a direct role and group roles; `None` when neither holds.
    pub fn effective(direct: Option<WsRole>, via: &BTreeMap<Uuid, WsRole>) -> Option<WsRole> {
        via.values().copied().chain(direct).reduce(WsRole::higher)
    }

    /// Where the effective membership comes from: `direct` and `group:<id>`.
    pub fn sources(&self) -> Vec<String> {
        self.direct
            .map(|_| "direct".to_string())
            .into_iter()
            .chain(self.via.keys().map(|g| format!("group:{g}")))
            .collect()
    }
}

/// A group (`GROUP#<id>` / `META`): service-wide, managed by global admins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRecord {
    pub group_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub member_count: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub external_id: Option<String>,
    pub version: i64,
    /// Set while a delete of the group runs: it takes no new members or grants.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleting: bool,
}

/// The group object of responses.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub group_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub member_count: i64,
    pub created_at: String,
    pub updated_at: String,
    pub external_id: Option<String>,
}

impl From<&GroupRecord> for GroupView {
    fn from(g: &GroupRecord) -> GroupView {
        GroupView {
            group_id: g.group_id,
            name: g.name.clone(),
            description: g.description.clone(),
            member_count: g.member_count,
            created_at: g.created_at.clone(),
            updated_at: g.updated_at.clone(),
            external_id: g.external_id.clone(),
        }
    }
}

/// A user's membership of a group (`GROUP#<id>` / `MEMBER#<user>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupMemberRecord {
    pub group_id: Uuid,
    pub user_id: Uuid,
    pub added_at: String,
}

/// Where a grant's effects stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    /// Its effective memberships are still being written.
    Applying,
    /// Every member of the group holds it.
    Active,
    /// Revoked; its effective memberships are still being removed.
    Revoking,
}

/// A grant of a role on a workspace to a group (`WS#<wid>` / `GRANT#<gid>`, mirrored
/// as `GROUP#<gid>` / `GRANT#<wid>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRecord {
    pub workspace_id: Uuid,
    pub group_id: Uuid,
    pub role: WsRole,
    pub status: GrantStatus,
    pub granted_at: String,
    /// Moves on every change of role, so work applying an older role stops.
    pub gen: i64,
}

/// The grant object of responses.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView {
    pub workspace_id: Uuid,
    pub group_id: Uuid,
    pub group_name: String,
    pub role: WsRole,
    pub status: GrantStatus,
    pub granted_at: String,
}

impl GrantView {
    pub fn new(g: &GrantRecord, group_name: &str) -> GrantView {
        GrantView {
            workspace_id: g.workspace_id,
            group_id: g.group_id,
            group_name: group_name.to_string(),
            role: g.role,
            status: g.status,
            granted_at: g.granted_at.clone(),
        }
    }
}

/// A grant as the group's side lists it: the workspace it gives a role on, by name.
#[derive(Debug, Clone, Serialize)]
pub struct GroupGrantView {
    pub group_id: Uuid,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub role: WsRole,
    pub status: GrantStatus,
    pub granted_at: String,
}

impl GroupGrantView {
    pub fn new(g: &GrantRecord, workspace_name: &str) -> GroupGrantView {
        GroupGrantView {
            group_id: g.group_id,
            workspace_id: g.workspace_id,
            workspace_name: workspace_name.to_string(),
            role: g.role,
            status: g.status,
            granted_at: g.granted_at.clone(),
        }
    }
}

/// A counted file (`USER#<id>` / `FILE#<checksum>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    pub checksum: Checksum,
    pub size: i64,
    pub created_at: String,
}

/// An activity (`USER#<id>` / `ACT#<uuid v7>`), in its response shape too.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActivityRecord {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub user_id: Uuid,
    pub actor_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<Uuid>,
    pub created_at: String,
    #[serde(default)]
    pub data: Value,
}

/// A provisioning token (`PTOKEN#<id>` / `PTOKEN`): only its hash is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvisioningTokenRecord {
    pub token_id: Uuid,
    pub name: String,
    pub created_at: String,
    /// The admin who made it (`None`: the operator CLI).
    pub created_by: Option<Uuid>,
    /// SHA-256 of the whole token, hex.
    pub hash: String,
}

/// A provisioning token as listed: never its secret or hash.
#[derive(Debug, Clone, Serialize)]
pub struct ProvisioningTokenView {
    pub token_id: Uuid,
    pub name: String,
    pub created_at: String,
    pub created_by: Option<Uuid>,
}

impl From<&ProvisioningTokenRecord> for ProvisioningTokenView {
    fn from(t: &ProvisioningTokenRecord) -> Self {
        ProvisioningTokenView {
            token_id: t.token_id,
            name: t.name.clone(),
            created_at: t.created_at.clone(),
            created_by: t.created_by,
        }
    }
}
