//! Workspaces, membership and Studio's user list.

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn workspace_admins_manage_members_and_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let ed = app.user(&admin, "editor1").await;
    let stranger = app.user(&admin, "stranger").await;
    let ws = app.workspace(&owner, "docs").await;
    let r = app.get_workspace(&owner.token, &ws).await;
    assert_eq!((r.status, r.body["member_count"].clone()), (200, json!(1)));
    assert_eq!(app.get_workspace(&stranger.token, &ws).await.status, 404);
    app.add_member(&owner, &ws, &ed, "editor").await;
    let r = app.put_member(&ed.token, &ws, &stranger.id, "viewer").await;
    assert_eq!(r.status, 403);
    let r = app.put_member(&owner.token, &ws, &owner.id, "viewer").await;
    assert_eq!(r.status, 409);
    let r = app.put_member(&owner.token, &ws, &ed.id, "boss").await;
    assert_eq!(r.status, 422);
    let r = app.remove_member(&owner.token, &ws, &owner.id).await;
    assert_eq!(r.status, 409);
    let r = app.remove_member(&owner.token, &ws, &ed.id).await;
    assert_eq!(r.status, 204);
    let r = app.remove_member(&owner.token, &ws, &ed.id).await;
    assert_eq!(r.status, 404);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn racing_member_adds_and_removes_keep_member_count_exact() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ws = app.workspace(&admin, "busy").await;
    let mut users = Vec::new();
    for i in 0..15 {
        users.push(app.user(&admin, &format!("member{i}")).await);
    }
    for u in &users[..8] {
        app.add_member(&admin, &ws, u, "viewer").await;
    }
    let calls = users.iter().enumerate().flat_map(|(i, u)| {
        let role = if i % 2 == 0 { "editor" } else { "viewer" };
        let add = app.put_member(&admin.token, &ws, &u.id, role);
        let remove = app.remove_member(&admin.token, &ws, &u.id);
        [
            futures::future::Either::Left(add),
            futures::future::Either::Right(remove),
        ]
    });
    let results = futures::future::join_all(calls).await;
    assert!(
        results.iter().all(|r| r.status < 500),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    app.assert_audit_clean().await;
    let members = app
        .list_users(&admin.token, &format!("workspace_id={ws}&limit=200"))
        .await;
    let count = app.get_workspace(&admin.token, &ws).await;
    assert_eq!(
        count.body["member_count"].as_u64().unwrap() as usize,
        members.body["users"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn studio_list_filters_by_channel_ids_and_visibility() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.user(&admin, "ada").await;
    let e = app.user(&admin, "eve").await;
    let v = app.user(&admin, "vic").await;
    let outsider = app.user(&admin, "out").await;
    let ws = app.workspace(&a, "chan").await;
    app.add_member(&a, &ws, &e, "editor").await;
    app.add_member(&a, &ws, &v, "viewer").await;
    let ids = |r: &integration::TestResponse| {
        let mut v: Vec<String> = r
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let mut editors = vec![a.id.clone(), e.id.clone()];
    editors.sort();
    let r = app
        .studio_list_users(&a.token, &format!("channel={ws}"))
        .await;
    assert_eq!(ids(&r), editors);
    let r = app
        .call(
            "GET",
            &format!("/api/user?channel={ws}&include_viewonly=true"),
            Some(&a.token),
            None,
        )
        .await;
    assert_eq!(ids(&r).len(), 3);
    let me = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == a.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(me["editable_channels"], json!([ws]));
    let r = app
        .studio_list_users(&a.token, &format!("channel={ws}&include_viewonly=yes"))
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .studio_list_users(&outsider.token, &format!("channel={ws}"))
        .await;
    assert_eq!(r.body, json!([]));
    let r = app
        .studio_list_users(&a.token, &format!("ids={},{}", e.id, outsider.id))
        .await;
    assert_eq!(ids(&r), vec![e.id.clone()]);
    let many: Vec<String> = (0..51).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let r = app
        .studio_list_users(&a.token, &format!("ids={}", many.join(",")))
        .await;
    assert_eq!(r.status, 400);
    // 50 in all: repeats count (SPEC).
    let same = vec![e.id.clone(); 51].join(",");
    let r = app
        .studio_list_users(&a.token, &format!("ids={same}"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app.studio_list_users(&a.token, "ids=nope").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_user_belongs_to_at_most_max_memberships_workspaces() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let busy = app.user(&admin, "busy").await;
    let other = app.user(&admin, "other").await;
    let elsewhere = app.workspace(&other, "elsewhere").await;
    let max = shared::store::MAX_MEMBERSHIPS;
    let mut first = None;
    for i in 0..max {
        let ws = app.workspace(&busy, &format!("ws-{i}")).await;
        first.get_or_insert(ws);
    }
    // The next create, a direct add and accepting an invitation are all refused.
    let r = app
        .create_workspace(&busy.token, json!({"name": "one-too-many"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["error"], "CONFLICT");
    assert_eq!(r.body["details"]["field"], "memberships");
    assert_eq!(r.body["details"]["limit"], max);
    let r = app
        .put_member(&admin.token, &elsewhere, &busy.id, "viewer")
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "memberships");
    let iid = app.invite(&other, &elsewhere, &busy, "viewer").await;
    let r = app.accept_invitation(&busy.token, &iid).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["limit"], max);
    // A role change in a workspace the user is already in is not a new membership.
    let first = first.unwrap();
    app.add_member(&busy, &first, &other, "admin").await;
    let r = app
        .put_member(&other.token, &first, &busy.id, "editor")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Leaving one makes room for one.
    assert_eq!(
        app.remove_member(&other.token, &first, &busy.id)
            .await
            .status,
        204
    );
    app.add_member(&other, &elsewhere, &busy, "viewer").await;
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn workspaces_are_renamed_and_deleted_with_their_members_and_invitations() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let member = app.user(&admin, "member").await;
    let invitee = app.user(&admin, "invitee").await;
    let ws = app.workspace(&owner, "before").await;
    let kept = app.workspace(&member, "kept").await;
    app.add_member(&owner, &ws, &member, "editor").await;
    let iid = app.invite(&owner, &ws, &invitee, "viewer").await;

    // Rename: the workspace's admins and global admins; members 403.
    let r = app
        .update_workspace(&member.token, &ws, json!({"name": "nope"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .update_workspace(&owner.token, &ws, json!({"name": "  after  "}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["name"].clone(), r.body["role"].clone()),
        (json!("after"), json!("admin"))
    );
    let r = app
        .update_workspace(&owner.token, &ws, json!({"name": ""}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app.get_workspace(&member.token, &ws).await;
    assert_eq!(
        (r.body["name"].clone(), r.body["role"].clone()),
        (json!("after"), json!("editor"))
    );
    let r = app.my_invitations(&invitee.token, "").await;
    assert_eq!(r.body["invitations"][0]["workspace_name"], "after");

    // Delete: members may not; the admin may, and everything of it goes.
    assert_eq!(app.delete_workspace(&member.token, &ws).await.status, 403);
    let r = app.delete_workspace(&owner.token, &ws).await;
    assert_eq!(r.status, 204, "{}", r.text);
    for token in [&owner.token, &member.token, &admin.token] {
        assert_eq!(app.get_workspace(token, &ws).await.status, 404);
    }
    assert_eq!(app.delete_workspace(&admin.token, &ws).await.status, 404);
    assert_eq!(
        app.accept_invitation(&invitee.token, &iid).await.status,
        404
    );
    let r = app.list_workspaces(&member.token, "").await;
    let ids: Vec<&str> = r.body["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["workspace_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![kept.as_str()]);
    let r = app
        .studio_list_users(&member.token, &format!("ids={}", member.id))
        .await;
    assert_eq!(r.body[0]["editable_channels"], json!([kept]));
    let r = app.list_activities(&member.token, "me", "").await;
    assert_eq!(r.body["activities"][0]["type"], "workspace.member_removed");
    assert_eq!(
        r.body["activities"][0]["data"]["reason"],
        "workspace_deleted"
    );
    let r = app.list_activities(&owner.token, "me", "").await;
    assert_eq!(r.body["activities"][0]["type"], "workspace.deleted");
    assert!(!app.table_mentions(&ws).await || only_activities_mention(&app, &ws).await);
    app.assert_audit_clean().await;
}

/// Whether every item that still names the workspace is an activity or its counter.
async fn only_activities_mention(app: &TestApp, ws: &str) -> bool {
    app.scan().await.iter().all(|item| {
        let sk = item
            .get("SK")
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default();
        !format!("{item:?}").contains(ws) || sk.starts_with("ACT")
    })
}

#[tokio::test]
async fn an_unfiltered_studio_list_is_bounded_and_says_so() {
    let app = TestApp::spawn_with(|c| c.studio_max_users = 2).await;
    let admin = app.admin().await;
    for name in ["one", "two", "three"] {
        app.user(&admin, name).await;
    }
    let r = app.studio_list_users(&admin.token, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    assert_eq!(r.header("x-result-truncated"), Some("true"));
    // A filtered list is not cut, and says nothing.
    let r = app
        .studio_list_users(&admin.token, &format!("ids={}", admin.id))
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.header("x-result-truncated"), None);
    // A channel the caller is not in shows no one.
    let outsider = app.user(&admin, "outsider").await;
    let ws = app.workspace(&admin, "closed").await;
    let r = app
        .studio_list_users(&outsider.token, &format!("channel={ws}"))
        .await;
    assert_eq!((r.status, r.body.clone()), (200, json!([])));
}

/// A workspace admin's change is checked against its own role when it commits: one
/// authorised while it was an admin, but demoted before its write lands, changes nothing.
#[tokio::test]
async fn a_workspace_admin_demoted_while_its_change_is_in_flight_changes_nothing() {
    use shared::store::Authority;
    use shared::types::WsRole;
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let deputy = app.user(&admin, "deputy").await;
    let member = app.user(&admin, "member").await;
    let ws = app.workspace(&owner, "raced").await;
    app.add_member(&admin, &ws, &deputy, "admin").await;
    app.add_member(&admin, &ws, &member, "viewer").await;
    let record = app
        .ctx
        .store
        .get_workspace(ws.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let (deputy_id, member_id) = (deputy.id.parse().unwrap(), member.id.parse().unwrap());
    // the deputy's requests passed authorization; the owner demotes it meanwhile
    let r = app
        .put_member(&owner.token, &ws, &deputy.id, "viewer")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let as_deputy = Authority::WorkspaceAdmin(deputy_id);
    let e = app
        .ctx
        .store
        .set_member(&record, member_id, WsRole::Admin, deputy_id, as_deputy)
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 403, "{e:?}");
    let e = app
        .ctx
        .store
        .remove_member(&record, member_id, deputy_id, as_deputy)
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 403, "{e:?}");
    let r = app
        .list_users(&owner.token, &format!("workspace_id={ws}&role=viewer"))
        .await;
    let viewers: Vec<&str> = r.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert!(viewers.contains(&member.id.as_str()), "{}", r.text);
    app.assert_audit_clean().await;
    // while it was an admin, the same call went through
    let r = app.put_member(&owner.token, &ws, &deputy.id, "admin").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let record = app
        .ctx
        .store
        .get_workspace(record.workspace_id)
        .await
        .unwrap()
        .unwrap();
    let m = app
        .ctx
        .store
        .set_member(&record, member_id, WsRole::Editor, deputy_id, as_deputy)
        .await
        .unwrap();
    assert_eq!(m.role, WsRole::Editor);
}
