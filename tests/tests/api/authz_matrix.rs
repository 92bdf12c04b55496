//! The authorization matrix: every route × every kind of caller → the status it gets.
//! A route of template.yaml without a row fails the test, so the table stays complete.

use admin::routes::{routes, TEMPLATE};
use integration::{TestApp, TestUser};
use serde_json::{json, Value};

/// The callers, in the column order of [`MATRIX`].
const CALLERS: [&str; 12] = [
    "anonymous",
    "self",
    "co-member viewer",
    "co-member editor",
    "workspace admin",
    "stranger",
    "global admin",
    "suspended",
    "operator",
    "operator with view_all",
    "invitee",
    "provisioning token",
];

/// (method, route, expected status per caller). `{id}` and `{uid}` are the subject
/// user (a viewer of the workspace), `{wid}` the workspace, `{checksum}` a file the
/// subject recorded, `{iid}` the pending invitation of the invitee, `{gid}` a group of
/// the subject and the co-member viewer, granted viewer on the workspace. The operator is a
/// viewer of the workspace; the operator with `view_all` and the invitee are not
/// members. The provisioning token is an identity provider's: it works under
/// `/scim/v2` only, where every login token is 401. There `{id}` is the subject (the
/// group for `/Groups/{id}`), `{name}` the User resource type and `{urn}` its schema.
const MATRIX: &[(&str, &str, [u16; 12])] = &[
    (
        "POST",
        "/v1/auth/token",
        [401, 201, 201, 201, 201, 201, 201, 403, 201, 201, 201, 401],
    ),
    (
        "DELETE",
        "/v1/auth/token",
        [401, 204, 204, 204, 204, 204, 204, 401, 204, 204, 204, 401],
    ),
    (
        "POST",
        "/v1/users",
        [401, 403, 403, 403, 403, 403, 201, 401, 403, 403, 403, 401],
    ),
    (
        "GET",
        "/v1/users",
        [401, 200, 200, 200, 200, 403, 200, 401, 200, 403, 403, 401],
    ),
    (
        "GET",
        "/v1/users/me",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/v1/users/search",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "PATCH",
        "/v1/users/me/preferences",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/v1/users/{id}",
        [401, 200, 200, 200, 200, 404, 200, 401, 404, 200, 404, 401],
    ),
    (
        "PUT",
        "/v1/users/{id}",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "PATCH",
        "/v1/users/{id}",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "DELETE",
        "/v1/users/{id}",
        [401, 204, 403, 403, 403, 404, 204, 401, 404, 403, 404, 401],
    ),
    (
        "PUT",
        "/v1/users/{id}/device",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "DELETE",
        "/v1/users/{id}/device",
        [401, 204, 403, 403, 403, 404, 204, 401, 404, 403, 404, 401],
    ),
    (
        "POST",
        "/v1/users/{id}/files",
        [401, 201, 403, 403, 403, 404, 201, 401, 404, 403, 404, 401],
    ),
    (
        "DELETE",
        "/v1/users/{id}/files/{checksum}",
        [401, 204, 403, 403, 403, 404, 204, 401, 404, 403, 404, 401],
    ),
    (
        "GET",
        "/v1/users/{id}/storage",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "GET",
        "/v1/users/{id}/activities",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "GET",
        "/v1/users/{id}/activities/count",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "GET",
        "/v1/users/{id}/activities/stream",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "GET",
        "/v1/users/{id}/workspaces/active",
        [401, 200, 403, 403, 403, 404, 200, 401, 404, 403, 404, 401],
    ),
    (
        "POST",
        "/v1/workspaces",
        [401, 201, 201, 201, 201, 201, 201, 401, 201, 201, 201, 401],
    ),
    (
        "GET",
        "/v1/workspaces/{wid}",
        [401, 200, 200, 200, 200, 404, 200, 401, 200, 404, 404, 401],
    ),
    (
        "PUT",
        "/v1/workspaces/{wid}/members/{uid}",
        [401, 403, 403, 403, 200, 404, 200, 401, 403, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/workspaces/{wid}/members/{uid}",
        [401, 204, 403, 403, 204, 404, 204, 401, 403, 404, 404, 401],
    ),
    (
        "PATCH",
        "/v1/workspaces/{wid}",
        [401, 403, 403, 403, 200, 404, 200, 401, 403, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/workspaces/{wid}",
        [401, 403, 403, 403, 204, 404, 204, 401, 403, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/workspaces",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "POST",
        "/v1/workspaces/{wid}/invitations",
        [401, 403, 403, 403, 201, 404, 201, 401, 403, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/workspaces/{wid}/invitations",
        [401, 403, 403, 403, 200, 404, 200, 401, 403, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/workspaces/{wid}/invitations/{iid}",
        [401, 403, 403, 403, 204, 404, 204, 401, 403, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/users/me/invitations",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "POST",
        "/v1/invitations/{iid}/accept",
        [401, 404, 404, 404, 404, 404, 404, 401, 404, 404, 200, 401],
    ),
    (
        "POST",
        "/v1/invitations/{iid}/decline",
        [401, 404, 404, 404, 404, 404, 404, 401, 404, 404, 204, 401],
    ),
    (
        "POST",
        "/v1/groups",
        [401, 403, 403, 403, 403, 403, 201, 401, 403, 403, 403, 401],
    ),
    (
        "GET",
        "/v1/groups",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/v1/groups/{gid}",
        [401, 200, 200, 404, 404, 404, 200, 401, 404, 404, 404, 401],
    ),
    (
        "PATCH",
        "/v1/groups/{gid}",
        [401, 403, 403, 404, 404, 404, 200, 401, 404, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/groups/{gid}",
        [401, 403, 403, 404, 404, 404, 204, 401, 404, 404, 404, 401],
    ),
    (
        "PUT",
        "/v1/groups/{gid}/members/{uid}",
        [401, 403, 403, 404, 404, 404, 200, 401, 404, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/groups/{gid}/members/{uid}",
        [401, 403, 403, 404, 404, 404, 204, 401, 404, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/groups/{gid}/members",
        [401, 200, 200, 404, 404, 404, 200, 401, 404, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/groups/{gid}/workspaces",
        [401, 200, 200, 404, 404, 404, 200, 401, 404, 404, 404, 401],
    ),
    // The console is public; the data it shows comes from the routes above.
    (
        "GET",
        "/console",
        [308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308],
    ),
    (
        "GET",
        "/console/",
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/console/{asset}",
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "PUT",
        "/v1/workspaces/{wid}/groups/{gid}",
        [401, 403, 403, 403, 403, 404, 200, 401, 403, 404, 404, 401],
    ),
    (
        "DELETE",
        "/v1/workspaces/{wid}/groups/{gid}",
        [401, 403, 403, 403, 403, 404, 204, 401, 403, 404, 404, 401],
    ),
    (
        "GET",
        "/v1/workspaces/{wid}/groups",
        [401, 200, 200, 200, 200, 404, 200, 401, 200, 404, 404, 401],
    ),
    (
        "POST",
        "/v1/provisioning-tokens",
        [401, 403, 403, 403, 403, 403, 201, 401, 403, 403, 403, 401],
    ),
    (
        "GET",
        "/v1/provisioning-tokens",
        [401, 403, 403, 403, 403, 403, 200, 401, 403, 403, 403, 401],
    ),
    (
        "DELETE",
        "/v1/provisioning-tokens/{tid}",
        [401, 403, 403, 403, 403, 403, 204, 401, 403, 403, 403, 401],
    ),
    (
        "GET",
        "/api/user/",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/api/user",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/api/user/get_storage_used/",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/api/user/get_storage_used",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/api/user/refresh_storage_used/",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "GET",
        "/api/user/refresh_storage_used",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "POST",
        "/api/user/refresh_storage_used/",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "POST",
        "/api/user/refresh_storage_used",
        [401, 200, 200, 200, 200, 200, 200, 401, 200, 200, 200, 401],
    ),
    (
        "POST",
        "/api/user/mark_notifications_read/",
        [401, 204, 204, 204, 204, 204, 204, 401, 204, 204, 204, 401],
    ),
    (
        "POST",
        "/api/user/mark_notifications_read",
        [401, 204, 204, 204, 204, 204, 204, 401, 204, 204, 204, 401],
    ),
    (
        "GET",
        "/scim/v2/ServiceProviderConfig",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "GET",
        "/scim/v2/ResourceTypes",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "GET",
        "/scim/v2/ResourceTypes/{name}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "GET",
        "/scim/v2/Schemas",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "GET",
        "/scim/v2/Schemas/{urn}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "POST",
        "/scim/v2/.search",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "GET",
        "/scim/v2/Users",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "POST",
        "/scim/v2/Users/.search",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "POST",
        "/scim/v2/Users",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 201],
    ),
    (
        "GET",
        "/scim/v2/Users/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "PUT",
        "/scim/v2/Users/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "PATCH",
        "/scim/v2/Users/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "DELETE",
        "/scim/v2/Users/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 204],
    ),
    (
        "GET",
        "/scim/v2/Groups",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "POST",
        "/scim/v2/Groups/.search",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "POST",
        "/scim/v2/Groups",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 201],
    ),
    (
        "GET",
        "/scim/v2/Groups/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "PUT",
        "/scim/v2/Groups/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "PATCH",
        "/scim/v2/Groups/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200],
    ),
    (
        "DELETE",
        "/scim/v2/Groups/{id}",
        [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 204],
    ),
];

/// Users in every relation to the subject, and the workspace they share.
struct World {
    app: TestApp,
    callers: Vec<Option<TestUser>>,
    subject: TestUser,
    ws: String,
    invitation: String,
    group: String,
    provisioning_token: String,
}

async fn world() -> World {
    let app = TestApp::spawn_with(|c| c.stream_max_seconds = 0).await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let subject = app.user(&admin, "subject").await;
    let viewer = app.user(&admin, "viewer").await;
    let editor = app.user(&admin, "editor").await;
    let stranger = app.user(&admin, "stranger").await;
    let suspended = app.user(&admin, "suspended").await;
    let operator = app.user(&admin, "operator").await;
    let seer = app.user(&admin, "seer").await;
    let invitee = app.user(&admin, "invitee").await;
    for (who, fields) in [
        (&operator, json!({"roles": ["user", "operator"]})),
        (
            &seer,
            json!({"roles": ["user", "operator"], "view_all": true}),
        ),
    ] {
        let r = app.patch_user(&admin.token, &who.id, fields).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let ws = app.workspace(&owner, "shared").await;
    for (who, role) in [
        (&subject, "viewer"),
        (&viewer, "viewer"),
        (&editor, "editor"),
        (&suspended, "viewer"),
        (&operator, "viewer"),
    ] {
        let r = app.put_member(&admin.token, &ws, &who.id, role).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let invitation = app.invite(&owner, &ws, &invitee, "editor").await;
    let group = app.group(&admin, "team").await;
    for who in [&subject, &viewer] {
        let r = app.put_group_member(&admin.token, &group, &who.id).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = app.grant_group(&admin.token, &ws, &group, "viewer").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (record, _) = shared::auth::issue_provisioning_token(&app.ctx, "idp", None)
        .await
        .expect("provisioning token");
    let provisioning_token = record.token_id.to_string();
    let (idp, idp_secret) = shared::auth::issue_provisioning_token(&app.ctx, "scim-idp", None)
        .await
        .expect("provisioning token");
    let idp = TestUser {
        id: idp.token_id.to_string(),
        token: idp_secret,
        username: "provisioning-token".into(),
        email: String::new(),
    };
    let r = app
        .set_device(
            &subject.token,
            "me",
            json!({"device_type": "stax", "device_user_id": "s1", "pub_key": format!("03{}", "cd".repeat(32))}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .record_file(&subject.token, "me", json!({"checksum": "f1", "size": 10}))
        .await;
    assert_eq!(r.status, 201);
    let r = app
        .patch_user(&admin.token, &suspended.id, json!({"status": "suspended"}))
        .await;
    assert_eq!(r.status, 200);
    let callers = vec![
        None,
        Some(subject.clone()),
        Some(viewer),
        Some(editor),
        Some(owner),
        Some(stranger),
        Some(admin),
        Some(suspended),
        Some(operator),
        Some(seer),
        Some(invitee),
        Some(idp),
    ];
    World {
        app,
        callers,
        subject,
        ws,
        invitation,
        group,
        provisioning_token,
    }
}

const SCIM_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const SCIM_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn body_for(
    method: &str,
    route: &str,
    caller: Option<&TestUser>,
    subject: &TestUser,
) -> Option<Value> {
    match (method, route) {
        ("POST", "/v1/auth/token") => Some(match caller {
            Some(u) if u.username.starts_with("admin-") => {
                json!({"login": u.username, "password": "admin-password"})
            }
            Some(u) => json!({"login": u.username, "password": "password-123"}),
            None => json!({"login": "nobody", "password": "password-123"}),
        }),
        ("POST", "/v1/users") => Some(
            json!({"email": "fresh@example.com", "username": "fresh", "password": "password-123"}),
        ),
        ("PATCH", "/v1/users/me/preferences") => Some(json!({"preferences": {"k": 1}})),
        ("PUT", "/v1/users/{id}") => {
            Some(json!({"email": "subject@example.com", "username": "subject"}))
        }
        ("PATCH", "/v1/users/{id}") => Some(json!({"bio": "hello"})),
        ("PUT", "/v1/users/{id}/device") => Some(
            json!({"device_type": "nano_x", "device_user_id": "u1", "pub_key": format!("02{}", "ab".repeat(32))}),
        ),
        ("POST", "/v1/users/{id}/files") => {
            let name = caller.map_or("anonymous", |c| c.username.as_str());
            Some(json!({"checksum": format!("new-{name}"), "size": 10}))
        }
        ("POST", "/v1/workspaces") => Some(json!({"name": "another"})),
        ("PUT", "/v1/workspaces/{wid}/members/{uid}") => Some(json!({"role": "editor"})),
        ("PATCH", "/v1/workspaces/{wid}") => Some(json!({"name": "renamed"})),
        ("POST", "/v1/workspaces/{wid}/invitations") => {
            let name = caller.map_or("anonymous", |c| c.username.as_str());
            Some(json!({"email": format!("new-{name}@example.com"), "role": "viewer"}))
        }
        ("POST", "/v1/groups") => {
            let name = caller.map_or("anonymous", |c| c.username.as_str());
            Some(json!({ "name": format!("new-{name}") }))
        }
        ("PATCH", "/v1/groups/{gid}") => Some(json!({"description": "described"})),
        ("POST", "/v1/provisioning-tokens") => Some(json!({"name": "idp"})),
        ("PUT", "/v1/workspaces/{wid}/groups/{gid}") => Some(json!({"role": "editor"})),
        ("POST", "/scim/v2/Users") => Some(json!({
            "schemas": [SCIM_USER],
            "userName": "scim-new",
            "emails": [{"value": "scim-new@example.com"}],
        })),
        ("PUT", "/scim/v2/Users/{id}") => Some(json!({
            "schemas": [SCIM_USER],
            "userName": subject.username,
            "emails": [{"value": subject.email}],
            "active": true,
        })),
        ("POST", "/scim/v2/Groups") => Some(json!({
            "schemas": [SCIM_GROUP],
            "displayName": "scim-new",
        })),
        ("PUT", "/scim/v2/Groups/{id}") => Some(json!({
            "schemas": [SCIM_GROUP],
            "displayName": "team",
        })),
        ("PATCH", p) if p.starts_with("/scim/v2/") => Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "externalId", "value": "ext-1"}],
        })),
        ("POST", p) if p.ends_with(".search") => Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        })),
        ("POST", p) if p.starts_with("/api/user/mark_notifications_read") => {
            Some(json!({"timestamp": "2026-01-01T00:00:00Z"}))
        }
        _ => None,
    }
}

fn path_for(method: &str, route: &str, w: &World) -> String {
    let subject = if route.starts_with("/scim/v2/Groups/") {
        &w.group
    } else {
        &w.subject.id
    };
    let path = route
        .replace("{id}", subject)
        .replace("{name}", "User")
        .replace("{urn}", SCIM_USER)
        .replace("{uid}", &w.subject.id)
        .replace("{wid}", &w.ws)
        .replace("{checksum}", "f1")
        .replace("{iid}", &w.invitation)
        .replace("{gid}", &w.group)
        .replace("{tid}", &w.provisioning_token)
        .replace("{asset}", console::ASSETS[0].name);
    match (method, route) {
        ("GET", "/v1/users") => format!("{path}?workspace_id={}", w.ws),
        ("GET", "/v1/users/search") => format!("{path}?q=s"),
        _ => path,
    }
}

async fn check(w: &World, method: &str, route: &str, col: usize, expected: u16) -> Option<String> {
    let caller = w.callers[col].as_ref();
    let r = w
        .app
        .call(
            method,
            &path_for(method, route, w),
            caller.map(|c| c.token.as_str()),
            body_for(method, route, caller, &w.subject),
        )
        .await;
    (r.status != expected).then(|| {
        format!(
            "{method} {route} as {}: {} (expected {expected}) {}",
            CALLERS[col], r.status, r.text
        )
    })
}

#[test]
fn every_route_has_a_row() {
    for r in routes(TEMPLATE).unwrap() {
        assert!(
            MATRIX
                .iter()
                .any(|(m, p, _)| *m == r.method && *p == r.path),
            "no authorization row for {} {}",
            r.method,
            r.path
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let mut failures = Vec::new();
    for (method, route, expected) in MATRIX {
        // A DELETE that succeeded leaves nothing for the next caller to delete: the
        // caller after it gets a fresh world. Refusals change nothing, so they share.
        let mut w = world().await;
        for (col, status) in expected.iter().enumerate() {
            failures.extend(check(&w, method, route, col, *status).await);
            let deleted = *method == "DELETE" && (200..300).contains(status);
            if deleted && col + 1 < expected.len() {
                w = world().await;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
