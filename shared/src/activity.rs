//! Activity types and the description of a new activity. Activities are written by
//! the store in the same transaction as the change they describe.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The activity types of the API contract (one per kind of change).
pub mod kind {
    pub const USER_CREATED: &str = "user.created";
    pub const USER_UPDATED: &str = "user.updated";
    pub const USER_LOGIN: &str = "user.login";
    pub const PREFERENCES_UPDATED: &str = "preferences.updated";
    pub const PASSWORD_CHANGED: &str = "password.changed";
    pub const WORKSPACE_CREATED: &str = "workspace.created";
    pub const WORKSPACE_RENAMED: &str = "workspace.renamed";
    pub const WORKSPACE_DELETED: &str = "workspace.deleted";
    pub const MEMBER_ADDED: &str = "workspace.member_added";
    pub const MEMBER_REMOVED: &str = "workspace.member_removed";
    pub const ROLE_CHANGED: &str = "workspace.role_changed";
    pub const INVITATION_SENT: &str = "workspace.invitation_sent";
    pub const INVITATION_ACCEPTED: &str = "workspace.invitation_accepted";
    pub const INVITATION_DECLINED: &str = "workspace.invitation_declined";
    pub const INVITATION_REVOKED: &str = "workspace.invitation_revoked";
    pub const FILE_ADDED: &str = "storage.file_added";
    pub const FILE_REMOVED: &str = "storage.file_removed";
    pub const STORAGE_REFRESHED: &str = "storage.refreshed";
    pub const NOTIFICATIONS_READ: &str = "notifications.read";
    pub const DEVICE_REGISTERED: &str = "device.registered";
    pub const DEVICE_REMOVED: &str = "device.removed";
    pub const GROUP_CREATED: &str = "group.created";
    pub const GROUP_UPDATED: &str = "group.updated";
    pub const GROUP_DELETED: &str = "group.deleted";
    pub const GROUP_MEMBER_ADDED: &str = "group.member_added";
    pub const GROUP_MEMBER_REMOVED: &str = "group.member_removed";
    pub const GROUP_GRANTED: &str = "workspace.group_granted";
    pub const GROUP_REVOKED: &str = "workspace.group_revoked";
    pub const PROVISIONING_TOKEN_CREATED: &str = "provisioning_token.created";
    pub const PROVISIONING_TOKEN_REVOKED: &str = "provisioning_token.revoked";
}

/// Who made a change: a user (its id), or an identity provider through a provisioning
/// token (the token's id and name), whose activities say so in their `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Uuid,
    /// The provisioning token's name, when the actor is one (SCIM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_by: Option<String>,
}

impl Actor {
    /// The identity provider holding provisioning token `token_id` named `name`.
    pub fn provisioner(token_id: Uuid, name: &str) -> Actor {
        Actor {
            id: token_id,
            provisioned_by: Some(name.to_string()),
        }
    }
}

impl From<Uuid> for Actor {
    fn from(id: Uuid) -> Actor {
        Actor {
            id,
            provisioned_by: None,
        }
    }
}

impl From<&Actor> for Actor {
    fn from(a: &Actor) -> Actor {
        a.clone()
    }
}

/// An activity about to be recorded: whose feed it joins, who acted, where, and what.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub kind: &'static str,
    pub user_id: Uuid,
    pub actor: Actor,
    pub workspace: Option<(Uuid, String)>,
    pub data: Value,
}

impl NewActivity {
    pub fn new(kind: &'static str, user_id: Uuid, actor: impl Into<Actor>) -> NewActivity {
        NewActivity {
            kind,
            user_id,
            actor: actor.into(),
            workspace: None,
            data: Value::Object(Default::default()),
        }
    }

    /// The activity's `data` as recorded: what the change said, and, for a change by a
    /// provisioning token, `actor_type: "provisioning_token"` and `provisioned_by`.
    pub fn recorded_data(&self) -> Value {
        let mut data = self.data.clone();
        if let (Some(name), Value::Object(map)) = (&self.actor.provisioned_by, &mut data) {
            map.insert("actor_type".into(), Value::from("provisioning_token"));
            map.insert("provisioned_by".into(), Value::from(name.as_str()));
        }
        data
    }
    /// Names the workspace the activity happened in (and its name for the counters).
    pub fn in_workspace(mut self, id: Uuid, name: &str) -> NewActivity {
        self.workspace = Some((id, name.to_string()));
        self
    }
    pub fn with_data(mut self, data: Value) -> NewActivity {
        self.data = data;
        self
    }
}
