//! Membership with consent (invitations), the two views of a user, operators and
//! `view_all`.

use std::collections::BTreeSet;
use std::time::Duration;

use integration::{TestApp, TestResponse, TestUser};
use serde_json::{json, Value};

/// The fields of the public profile, exactly.
const PUBLIC: [&str; 8] = [
    "user_id",
    "username",
    "email",
    "first_name",
    "last_name",
    "full_name",
    "status",
    "created_at",
];

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn is_public(v: &Value) -> bool {
    keys(v) == PUBLIC.iter().map(|s| s.to_string()).collect()
}

fn is_full(v: &Value) -> bool {
    let k = keys(v);
    PUBLIC.iter().all(|f| k.contains(*f))
        && [
            "roles",
            "view_all",
            "preferences",
            "last_login",
            "disk_space",
            "version",
        ]
        .iter()
        .all(|f| k.contains(*f))
}

/// The types of a user's feed, newest first.
async fn feed(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let r = app.list_activities(token, id, "limit=200").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|a| a["type"].as_str().expect("type").to_string())
        .collect()
}

fn ids_of(r: &TestResponse, field: &str, id: &str) -> Vec<String> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body[field]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[id].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn the_four_request_escalation_ends_in_403_and_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let fresh = app.user(&admin, "fresh").await;
    // 1. The feed names the admin who created the account.
    let r = app.list_activities(&fresh.token, "me", "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let created = r.body["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "user.created")
        .expect("user.created")
        .clone();
    assert_eq!(created["actor_id"], admin.id.as_str());
    // 2. Anyone may create a workspace.
    let ws = app.workspace(&fresh, "x").await;
    // 3. Adding the admin directly is refused, the same as for an unknown id.
    let r = app.put_member(&fresh.token, &ws, &admin.id, "viewer").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.body["details"]["required_permission"],
        "workspace:members:invite"
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    let r2 = app.put_member(&fresh.token, &ws, &unknown, "viewer").await;
    assert_eq!(r2.status, 403, "{}", r2.text);
    assert_eq!(r2.body["details"], r.body["details"]);
    assert_eq!(r2.body["message"], r.body["message"]);
    // 4. The admin stays invisible, and its feed and memberships are untouched.
    assert_eq!(app.get_user(&fresh.token, &admin.id).await.status, 404);
    let r = app.get_workspace(&fresh.token, &ws).await;
    assert_eq!(r.body["member_count"], 1);
    assert!(!feed(&app, &admin.token, "me")
        .await
        .iter()
        .any(|t| t.starts_with("workspace.")));
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn invite_accept_makes_a_visible_member() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let ws = app.workspace(&owner, "docs").await;
    assert_eq!(app.get_user(&owner.token, &bob.id).await.status, 404);

    let r = app
        .create_invitation(
            &owner.token,
            &ws,
            json!({"email": "Bob@Example.com", "role": "editor"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let inv = r.body.clone();
    let iid = inv["invitation_id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/workspaces/{ws}/invitations/{iid}").as_str())
    );
    assert_eq!(inv["workspace_id"], ws.as_str());
    assert_eq!(inv["workspace_name"], "docs");
    assert_eq!(inv["email"], "Bob@Example.com");
    assert_eq!(inv["role"], "editor");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["invited_by"], owner.id.as_str());
    let created = shared::time::parse(inv["created_at"].as_str().unwrap());
    let expires = shared::time::parse(inv["expires_at"].as_str().unwrap());
    let days = (expires.unwrap() - created.unwrap()).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "{days} hours");
    assert!(inv["expires_at"].as_str().unwrap().ends_with('Z'));

    // Both sides see it pending; the addressee finds it by its current email.
    let r = app.list_invitations(&owner.token, &ws, "").await;
    assert_eq!(
        ids_of(&r, "invitations", "invitation_id"),
        vec![iid.clone()]
    );
    assert_eq!(r.body["invitations"][0], inv);
    let r = app.my_invitations(&bob.token, "").await;
    assert_eq!(
        ids_of(&r, "invitations", "invitation_id"),
        vec![iid.clone()]
    );
    assert_eq!(r.body["has_more"], false);

    let r = app.accept_invitation(&bob.token, &iid).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["workspace_id"], ws.as_str());
    assert_eq!(r.body["user_id"], bob.id.as_str());
    assert_eq!(r.body["role"], "editor");
    assert!(r.body["joined_at"].is_string());

    // Gone from both listings; a second accept or decline is 404.
    let r = app.list_invitations(&owner.token, &ws, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    let r = app.my_invitations(&bob.token, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    assert_eq!(app.accept_invitation(&bob.token, &iid).await.status, 404);
    assert_eq!(app.decline_invitation(&bob.token, &iid).await.status, 404);

    // The invitee finds what it joined, with its role; the two now see each other.
    let r = app.list_workspaces(&bob.token, "").await;
    assert_eq!(ids_of(&r, "workspaces", "workspace_id"), vec![ws.clone()]);
    assert_eq!(r.body["workspaces"][0]["role"], "editor");
    assert_eq!(r.body["workspaces"][0]["name"], "docs");
    assert_eq!(r.body["workspaces"][0]["member_count"], 2);
    let r = app.get_workspace(&bob.token, &ws).await;
    assert_eq!((r.status, r.body["role"].clone()), (200, json!("editor")));
    let r = app.get_user(&owner.token, &bob.id).await;
    assert_eq!(r.status, 200);
    assert!(is_public(&r.body), "{}", r.text);

    // Each step wrote its activity, in the feed the contract names.
    let owner_feed = feed(&app, &owner.token, "me").await;
    assert!(owner_feed.contains(&"workspace.invitation_sent".to_string()));
    let bob_feed = feed(&app, &bob.token, "me").await;
    assert_eq!(
        bob_feed[..2],
        [
            "workspace.invitation_accepted".to_string(),
            "workspace.member_added".to_string()
        ]
    );
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn decline_revoke_and_reinvite() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let ws = app.workspace(&owner, "docs").await;

    let first = app.invite(&owner, &ws, &bob, "viewer").await;
    let r = app.decline_invitation(&bob.token, &first).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(app.accept_invitation(&bob.token, &first).await.status, 404);
    assert_eq!(
        feed(&app, &bob.token, "me").await[0],
        "workspace.invitation_declined"
    );
    assert_eq!(app.get_workspace(&bob.token, &ws).await.status, 404);

    // A new invitation after a decline is a new one; inviting a pending address again
    // renews it (same id, new role).
    let r = app
        .create_invitation(
            &owner.token,
            &ws,
            json!({"email": bob.email, "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let second = r.body["invitation_id"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    let r = app
        .create_invitation(
            &admin.token,
            &ws,
            json!({"email": bob.email, "role": "admin"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["invitation_id"], second.as_str());
    assert_eq!(r.body["role"], "admin");
    let r = app.list_invitations(&owner.token, &ws, "").await;
    assert_eq!(
        ids_of(&r, "invitations", "invitation_id"),
        vec![second.clone()]
    );

    // Revoked: gone for everyone, and in the sender's feed.
    let r = app.revoke_invitation(&owner.token, &ws, &second).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        app.revoke_invitation(&owner.token, &ws, &second)
            .await
            .status,
        404
    );
    assert_eq!(app.accept_invitation(&bob.token, &second).await.status, 404);
    let r = app.my_invitations(&bob.token, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    assert_eq!(
        feed(&app, &owner.token, "me").await[0],
        "workspace.invitation_revoked"
    );
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn invitation_accepted_by_someone_else_is_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let eve = app.user(&admin, "eve").await;
    let ws = app.workspace(&owner, "docs").await;
    let iid = app.invite(&owner, &ws, &bob, "admin").await;
    for token in [&eve.token, &owner.token, &admin.token] {
        assert_eq!(app.accept_invitation(token, &iid).await.status, 404);
        assert_eq!(app.decline_invitation(token, &iid).await.status, 404);
    }
    let r = app.accept_invitation(&eve.token, &iid).await;
    assert_eq!(r.body["error"], "RESOURCE_NOT_FOUND");
    assert_eq!(r.body["details"]["resource_type"], "invitation");
    // Unknown and malformed ids look the same.
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        app.accept_invitation(&bob.token, &unknown).await.status,
        404
    );
    assert_eq!(app.accept_invitation(&bob.token, "nope").await.status, 404);
    assert_eq!(app.get_workspace(&eve.token, &ws).await.status, 404);
    // The addressee still can.
    assert_eq!(app.accept_invitation(&bob.token, &iid).await.status, 200);
    // Invitations are the same whether or not the address has an account.
    let r = app
        .create_invitation(
            &owner.token,
            &ws,
            json!({"email": "nobody@example.com", "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(keys(&r.body).len(), 9);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn expired_invitations_are_gone() {
    let app = TestApp::spawn_with(|c| c.invitation_ttl_days = 2).await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let ws = app.workspace(&owner, "docs").await;
    let iid = app.invite(&owner, &ws, &bob, "viewer").await;
    app.advance_clock(Duration::from_secs(2 * 86_400 + 1));
    assert_eq!(app.accept_invitation(&bob.token, &iid).await.status, 404);
    assert_eq!(app.decline_invitation(&bob.token, &iid).await.status, 404);
    assert_eq!(
        app.revoke_invitation(&owner.token, &ws, &iid).await.status,
        404
    );
    let r = app.my_invitations(&bob.token, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    let r = app.list_invitations(&owner.token, &ws, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    // Expiry writes nothing to the feeds.
    assert!(!feed(&app, &bob.token, "me")
        .await
        .iter()
        .any(|t| t.starts_with("workspace.")));
    // A new invitation replaces the expired one, and works.
    let r = app
        .create_invitation(
            &owner.token,
            &ws,
            json!({"email": bob.email, "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let fresh = r.body["invitation_id"].as_str().unwrap().to_string();
    assert_ne!(fresh, iid);
    assert_eq!(app.accept_invitation(&bob.token, &fresh).await.status, 200);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn accepting_keeps_the_higher_role() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let ws = app.workspace(&owner, "docs").await;
    app.add_member(&admin, &ws, &bob, "editor").await;
    let lower = app.invite(&owner, &ws, &bob, "viewer").await;
    let r = app.accept_invitation(&bob.token, &lower).await;
    assert_eq!((r.status, r.body["role"].clone()), (200, json!("editor")));
    let higher = app.invite(&owner, &ws, &bob, "admin").await;
    let r = app.accept_invitation(&bob.token, &higher).await;
    assert_eq!((r.status, r.body["role"].clone()), (200, json!("admin")));
    assert_eq!(
        feed(&app, &bob.token, "me").await[1],
        "workspace.role_changed"
    );
    let r = app.get_workspace(&owner.token, &ws).await;
    assert_eq!(r.body["member_count"], 2);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn who_may_invite_and_what_a_bad_invitation_is() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let ed = app.user(&admin, "editor").await;
    let stranger = app.user(&admin, "stranger").await;
    let ws = app.workspace(&owner, "docs").await;
    app.add_member(&owner, &ws, &ed, "editor").await;
    let body = json!({"email": "new@example.com", "role": "viewer"});
    let r = app.create_invitation(&ed.token, &ws, body.clone()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.body["details"]["required_permission"],
        "workspace:members:invite"
    );
    assert_eq!(app.list_invitations(&ed.token, &ws, "").await.status, 403);
    let r = app.create_invitation(&stranger.token, &ws, body).await;
    assert_eq!(r.status, 404, "{}", r.text);
    for (bad, field) in [
        (json!({"email": "not-an-email", "role": "viewer"}), "email"),
        (json!({"email": "a@example.com", "role": "boss"}), "role"),
        (json!({"email": "a@example.com"}), "role"),
        (
            json!({"email": "a@example.com", "role": "viewer", "x": 1}),
            "x",
        ),
    ] {
        let r = app.create_invitation(&owner.token, &ws, bad).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(
            r.body["details"]["errors"][0]["loc"][1], field,
            "{}",
            r.text
        );
    }
    let r = app
        .list_invitations(&owner.token, &ws, "cursor=forged")
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn workspaces_list_pages_every_workspace_for_admins_and_its_own_for_others() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.user(&admin, "ann").await;
    let b = app.user(&admin, "ben").await;
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(app.workspace(&a, &format!("a{i}")).await);
    }
    let other = app.workspace(&b, "b0").await;
    let listed: Vec<String> = app
        .pages(&a.token, "/v1/workspaces?limit=2", "workspaces")
        .await
        .iter()
        .map(|w| {
            assert_eq!(w["role"], "admin");
            w["workspace_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(listed, mine);
    let all = app
        .pages(&admin.token, "/v1/workspaces?limit=3", "workspaces")
        .await;
    let mut expected = mine.clone();
    expected.push(other);
    assert_eq!(
        all.iter()
            .map(|w| w["workspace_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(all.iter().all(|w| w["role"].is_null()));
    let r = app.list_workspaces(&b.token, "limit=0").await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app.list_workspaces(&b.token, "limit=1").await;
    let cursor = r.body["next_cursor"].as_str().map(str::to_string);
    assert_eq!(cursor, None, "{}", r.text);
    let r = app.list_workspaces(&a.token, "limit=1").await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    let r = app
        .list_workspaces(&b.token, &format!("limit=1&cursor={cursor}"))
        .await;
    assert_eq!(r.status, 400, "another caller's cursor: {}", r.text);
}

/// A workspace of `owner` with `member` in it as a viewer, and a stranger.
async fn pair(app: &TestApp) -> (TestUser, TestUser, TestUser, TestUser, String) {
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let member = app.user(&admin, "member").await;
    let stranger = app.user(&admin, "stranger").await;
    let ws = app.workspace(&owner, "shared").await;
    app.add_member(&owner, &ws, &member, "viewer").await;
    (admin, owner, member, stranger, ws)
}

#[tokio::test]
async fn co_members_see_public_profiles_self_and_admin_full() {
    let app = TestApp::spawn().await;
    let (admin, owner, member, _stranger, ws) = pair(&app).await;
    let elsewhere = app.workspace(&member, "member-only").await;

    // get
    let r = app.get_user(&owner.token, &member.id).await;
    assert!(is_public(&r.body), "{}", r.text);
    let public_tag = r.header("etag").unwrap().to_string();
    assert!(public_tag.starts_with("W/\"p-"), "{public_tag}");
    for token in [&member.token, &admin.token] {
        let r = app.get_user(token, &member.id).await;
        assert!(is_full(&r.body), "{}", r.text);
        let version = r.body["version"].as_i64().unwrap();
        assert_eq!(r.header("etag"), Some(format!("W/\"{version}\"").as_str()));
    }
    // The public ETag follows the public fields only.
    let r = app
        .update_preferences(&member.token, json!({"preferences": {"theme": "dark"}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_user(&owner.token, &member.id).await;
    assert_eq!(r.header("etag"), Some(public_tag.as_str()));
    let r = app
        .patch_user(&member.token, "me", json!({"first_name": "Renamed"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_user(&owner.token, &member.id).await;
    assert_ne!(r.header("etag"), Some(public_tag.as_str()));
    assert_eq!(r.body["first_name"], "Renamed");

    // list (a workspace's members) and search
    let listing = format!("workspace_id={ws}");
    for (token, me) in [(&owner.token, &owner.id), (&member.token, &member.id)] {
        let r = app.list_users(token, &listing).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for u in r.body["users"].as_array().unwrap() {
            // A workspace listing adds the effective role and its sources to either view.
            assert!(
                u["role"].is_string() && u["via"] == json!(["direct"]),
                "{u}"
            );
            let mut u = u.clone();
            u.as_object_mut()
                .unwrap()
                .retain(|k, _| k != "role" && k != "via");
            let own = u["user_id"] == me.as_str();
            assert_eq!(is_full(&u), own, "{u}");
            assert_eq!(is_public(&u), !own, "{u}");
        }
        let r = app.search_users(token, "q=member").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let found = &r.body["results"][0];
        assert_eq!(is_full(found), found["user_id"] == me.as_str(), "{found}");
    }
    let r = app.list_users(&admin.token, &listing).await;
    assert!(r.body["users"].as_array().unwrap().iter().all(is_full));
    let r = app.search_users(&admin.token, "q=member").await;
    assert!(is_full(&r.body["results"][0]), "{}", r.text);

    // Studio: the owner sees only the channel it shares with the member.
    let r = app
        .studio_list_users(&owner.token, &format!("ids={}", member.id))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let seen = &r.body[0];
    assert_eq!(seen["view_only_channels"], json!([ws]));
    assert_eq!(seen["editable_channels"], json!([]));
    assert!(seen.get("disk_space").is_none(), "{seen}");
    let r = app
        .studio_list_users(&member.token, &format!("ids={}", member.id))
        .await;
    let own = &r.body[0];
    assert_eq!(own["editable_channels"], json!([elsewhere]));
    assert!(own["disk_space"].is_number() && own["disk_space_used"].is_number());

    // A co-member's private data is 403 (visible), a stranger's 404.
    let r = app.list_activities(&owner.token, &member.id, "").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.body["details"]["required_permission"].is_string());
    assert_eq!(app.get_storage(&owner.token, &member.id).await.status, 403);
}

#[tokio::test]
async fn operators_see_only_themselves_and_view_all_sees_everyone_public() {
    let app = TestApp::spawn().await;
    let (admin, owner, member, stranger, ws) = pair(&app).await;
    // A non-admin may not grant itself view_all.
    let r = app
        .patch_user(&member.token, "me", json!({"view_all": true}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "view_all");

    let r = app
        .patch_user(
            &admin.token,
            &member.id,
            json!({"roles": ["user", "operator"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get_user(&member.token, &owner.id).await.status, 404);
    let r = app
        .list_users(&member.token, &format!("workspace_id={ws}"))
        .await;
    assert_eq!(ids_of(&r, "users", "user_id"), vec![member.id.clone()]);
    assert_eq!(r.body["total"], 1);
    let r = app.search_users(&member.token, "q=o").await;
    assert!(ids_of(&r, "results", "user_id").is_empty());
    let r = app.studio_list_users(&member.token, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["id"], member.id.as_str());
    // The operator is still visible to its co-members.
    assert_eq!(app.get_user(&owner.token, &member.id).await.status, 200);

    // With view_all the operator sees everyone, as public profiles.
    let r = app
        .patch_user(&admin.token, &member.id, json!({"view_all": true}))
        .await;
    assert_eq!((r.status, r.body["view_all"].clone()), (200, json!(true)));
    let r = app.get_user(&member.token, &stranger.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(is_public(&r.body));
    let r = app.list_users(&member.token, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let everyone = ids_of(&r, "users", "user_id");
    for u in [&admin, &owner, &member, &stranger] {
        assert!(everyone.contains(&u.id));
    }
    assert_eq!(r.body["total"], 4);
    let r = app.search_users(&member.token, "q=stranger").await;
    assert_eq!(ids_of(&r, "results", "user_id"), vec![stranger.id.clone()]);
    assert!(is_public(&r.body["results"][0]));
    // Still only a public profile: no private data, no changes.
    assert_eq!(
        app.list_activities(&member.token, &stranger.id, "")
            .await
            .status,
        403
    );
    let r = app
        .patch_user(&member.token, &stranger.id, json!({"bio": "x"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

#[tokio::test]
async fn email_change_by_the_user_drops_verification() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "verified").await;
    let r = app
        .patch_user(&admin.token, &u.id, json!({"is_verified": true}))
        .await;
    assert_eq!(r.body["is_verified"], true, "{}", r.text);
    // Changing only the case keeps the address, and the verification.
    let r = app
        .patch_user(&u.token, "me", json!({"email": "VERIFIED@example.com"}))
        .await;
    assert_eq!(
        (r.status, r.body["is_verified"].clone()),
        (200, json!(true))
    );
    let r = app
        .patch_user(&u.token, "me", json!({"email": "other@example.com"}))
        .await;
    assert_eq!(
        (r.status, r.body["is_verified"].clone()),
        (200, json!(false))
    );
    let r = app
        .patch_user(&admin.token, &u.id, json!({"is_verified": true}))
        .await;
    assert_eq!(r.body["is_verified"], true);
    let r = app
        .patch_user(&admin.token, &u.id, json!({"email": "third@example.com"}))
        .await;
    assert_eq!(
        (r.status, r.body["is_verified"].clone()),
        (200, json!(true))
    );
}

#[tokio::test]
async fn deleting_a_workspaces_only_member_takes_its_invitations() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let bob = app.user(&admin, "bob").await;
    let ws = app.workspace(&owner, "solo").await;
    let iid = app.invite(&owner, &ws, &bob, "viewer").await;
    let r = app.delete_user(&owner.token, "me").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(app.accept_invitation(&bob.token, &iid).await.status, 404);
    let r = app.my_invitations(&bob.token, "").await;
    assert!(ids_of(&r, "invitations", "invitation_id").is_empty());
    assert!(!app.table_mentions(&iid).await);
    app.assert_audit_clean().await;
}
