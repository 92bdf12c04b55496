//! Groups, grants and effective roles: the routes and their errors, the effective-role
//! rules, work too large for one request, races, and the cost of a members page.

use std::collections::BTreeSet;

use integration::{TestApp, TestUser};
use serde_json::{json, Value};
use shared::types::{Email, Username};

/// The member entry of `user` in `GET /v1/users?workspace_id=ws`, as `token` sees it.
async fn listed(app: &TestApp, token: &str, ws: &str, user: &TestUser) -> Option<Value> {
    let users = app
        .pages(
            token,
            &format!("/v1/users?workspace_id={ws}&limit=200"),
            "users",
        )
        .await;
    users.into_iter().find(|u| u["user_id"] == user.id.as_str())
}

#[tokio::test]
async fn groups_are_managed_by_admins_and_seen_by_their_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let alice = app.user(&admin, "alice").await;
    let bob = app.user(&admin, "bob").await;

    // create: 201 with Location; names unique case-insensitively; bad bodies 422
    let r = app
        .create_group(
            &admin.token,
            json!({"name": "Engineering", "description": "builders"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let eng = r.body["group_id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/groups/{eng}").as_str())
    );
    assert_eq!(r.body["member_count"], 0);
    assert_eq!(r.body["description"], "builders");
    assert!(r.body["external_id"].is_null());
    let r = app
        .create_group(&admin.token, json!({"name": "ENGINEERING"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "name");
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "a\u{7}b"}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "ok", "extra": 1}),
        json!({"name": "ok", "description": "d".repeat(1001)}),
    ] {
        let r = app.create_group(&admin.token, bad.clone()).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let r = app
        .create_group(&alice.token, json!({"name": "Mine"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["details"]["required_permission"], "groups:write");
    let design = app.group(&admin, "Design").await;
    let _ops = app.group(&admin, "Operations").await;

    // members: add (idempotent), unknown user 404, non-empty body 422
    let r = app.put_group_member(&admin.token, &eng, &alice.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["user_id"], alice.id.as_str());
    let r = app.put_group_member(&admin.token, &eng, &alice.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put_group_member(&admin.token, &eng, "00000000-0000-4000-8000-00000000dead")
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let path = format!("/v1/groups/{eng}/members/{}", bob.id);
    let r = app
        .call("PUT", &path, Some(&admin.token), Some(json!({"role": "x"})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app.get_group(&admin.token, &eng).await;
    assert_eq!(r.body["member_count"], 1, "{}", r.text);

    // who sees what: admins everything, members their groups, others 404
    let r = app.list_groups(&admin.token, "").await;
    let names: Vec<&str> = r.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Design", "Engineering", "Operations"]);
    let r = app.list_groups(&admin.token, "q=eN").await;
    assert_eq!(r.body["groups"].as_array().unwrap().len(), 1, "{}", r.text);
    let all = app
        .pages(&admin.token, "/v1/groups?limit=1", "groups")
        .await;
    assert_eq!(all.len(), 3);
    let r = app.list_groups(&alice.token, "").await;
    let mine: Vec<&str> = r.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(mine, ["Engineering"]);
    let r = app.list_groups(&bob.token, "").await;
    assert_eq!(r.body["groups"], json!([]));
    assert_eq!(app.get_group(&alice.token, &eng).await.status, 200);
    assert_eq!(app.get_group(&bob.token, &eng).await.status, 404);
    assert_eq!(app.get_group(&alice.token, &design).await.status, 404);
    assert_eq!(app.get_group(&admin.token, "not-a-uuid").await.status, 404);
    let r = app.list_group_members(&alice.token, &eng, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["users"][0]["user_id"], alice.id.as_str());
    assert_eq!(
        app.list_group_members(&bob.token, &eng, "").await.status,
        404
    );
    let r = app.list_groups(&alice.token, "bogus=1").await;
    assert_eq!(r.status, 400);

    // update: admins only (a member 403, others 404); name taken 409; null name 422
    let r = app
        .update_group(
            &admin.token,
            &eng,
            json!({"name": "Eng", "description": null}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Eng");
    assert!(r.body["description"].is_null());
    let r = app
        .update_group(&admin.token, &eng, json!({"name": "design"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app
        .update_group(&admin.token, &eng, json!({"name": null}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .update_group(&alice.token, &eng, json!({"name": "Mine"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .update_group(&bob.token, &eng, json!({"name": "Mine"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // the old name is free again
    let r = app
        .create_group(&admin.token, json!({"name": "Engineering"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    // remove member: 204, then 404
    assert_eq!(
        app.remove_group_member(&alice.token, &eng, &alice.id)
            .await
            .status,
        403
    );
    assert_eq!(
        app.remove_group_member(&admin.token, &eng, &alice.id)
            .await
            .status,
        204
    );
    assert_eq!(
        app.remove_group_member(&admin.token, &eng, &alice.id)
            .await
            .status,
        404
    );
    assert_eq!(app.get_group(&alice.token, &eng).await.status, 404);

    // delete: 204, then 404, and the name is free
    assert_eq!(app.delete_group(&admin.token, &design).await.status, 204);
    assert_eq!(app.delete_group(&admin.token, &design).await.status, 404);
    assert_eq!(app.get_group(&admin.token, &design).await.status, 404);
    assert_eq!(
        app.create_group(&admin.token, json!({"name": "Design"}))
            .await
            .status,
        201
    );

    let mine = app.feed_types(&admin.token).await;
    for t in ["group.created", "group.updated", "group.deleted"] {
        assert!(mine.iter().any(|x| x == t), "{t} missing in {mine:?}");
    }
    let alices = app.feed_types(&alice.token).await;
    for t in ["group.member_added", "group.member_removed"] {
        assert!(alices.iter().any(|x| x == t), "{t} missing in {alices:?}");
    }
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn the_effective_role_is_the_highest_of_direct_and_granted_roles() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let gina = app.user(&admin, "gina").await; // only through the group
    let dora = app.user(&admin, "dora").await; // direct viewer, and in the group
    let ws = app.workspace(&owner, "studio").await;
    app.add_member(&admin, &ws, &dora, "viewer").await;
    let team = app.group(&admin, "team").await;
    for u in [&gina, &dora] {
        assert_eq!(
            app.put_group_member(&admin.token, &team, &u.id)
                .await
                .status,
            200
        );
    }
    // before a grant, gina cannot see the workspace nor its members
    assert_eq!(app.get_workspace(&gina.token, &ws).await.status, 404);
    assert_eq!(app.get_user(&gina.token, &owner.id).await.status, 404);

    // grant errors: a member 403, a stranger 404, unknown group 404, bad role 422
    let r = app.grant_group(&owner.token, &ws, &team, "editor").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.body["details"]["required_permission"],
        "workspace:groups:write"
    );
    assert_eq!(
        app.grant_group(&gina.token, &ws, &team, "editor")
            .await
            .status,
        404
    );
    let unknown = "00000000-0000-4000-8000-00000000beef";
    assert_eq!(
        app.grant_group(&admin.token, &ws, unknown, "editor")
            .await
            .status,
        404
    );
    assert_eq!(
        app.grant_group(&admin.token, &ws, &team, "owner")
            .await
            .status,
        422
    );

    let r = app.grant_group(&admin.token, &ws, &team, "editor").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["role"], "editor");
    assert_eq!(r.body["group_name"], "team");

    // gina is an editor through the group; dora's editor beats her direct viewer
    let r = app.get_workspace(&gina.token, &ws).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["role"], "editor");
    assert_eq!(r.body["member_count"], 3);
    assert_eq!(app.get_user(&gina.token, &owner.id).await.status, 200);
    let g = listed(&app, &owner.token, &ws, &gina)
        .await
        .expect("gina listed");
    assert_eq!(g["role"], "editor");
    assert_eq!(g["via"], json!([format!("group:{team}")]));
    let d = listed(&app, &owner.token, &ws, &dora)
        .await
        .expect("dora listed");
    assert_eq!(d["role"], "editor");
    assert_eq!(d["via"], json!(["direct", format!("group:{team}")]));
    let r = app
        .list_users(&owner.token, &format!("workspace_id={ws}&role=editor"))
        .await;
    let editors: BTreeSet<&str> = r.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        editors,
        BTreeSet::from([gina.id.as_str(), dora.id.as_str()])
    );
    assert_eq!(r.body["total"], 2);
    let r = app
        .studio_list_users(&gina.token, &format!("ids={}", gina.id))
        .await;
    assert_eq!(r.body[0]["editable_channels"], json!([ws]), "{}", r.text);
    let r = app.list_workspaces(&gina.token, "").await;
    assert_eq!(r.body["workspaces"][0]["role"], "editor", "{}", r.text);
    // the grant listing: members see it, strangers do not
    let r = app.list_workspace_groups(&gina.token, &ws, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["grants"][0]["group_id"], team.as_str());
    let stranger = app.user(&admin, "stranger").await;
    assert_eq!(
        app.list_workspace_groups(&stranger.token, &ws, "")
            .await
            .status,
        404
    );

    // the group's side: its members and global admins see the workspaces granted
    let r = app.list_group_workspaces(&gina.token, &team, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["grants"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(r.body["grants"][0]["workspace_id"], ws.as_str());
    assert_eq!(r.body["grants"][0]["workspace_name"], "studio");
    assert_eq!(r.body["grants"][0]["role"], "editor");
    assert_eq!(r.body["grants"][0]["status"], "active");
    assert_eq!(r.body["has_more"], false);
    // paging over two grants, one at a time: each once
    let second = app.workspace(&owner, "second").await;
    let r = app
        .grant_group(&admin.token, &second, &team, "viewer")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut seen = BTreeSet::new();
    let mut query = "limit=1".to_string();
    loop {
        let r = app.list_group_workspaces(&admin.token, &team, &query).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["grants"].as_array().unwrap().len(), 1, "{}", r.text);
        assert_eq!(r.body["grants"][0]["group_id"], team.as_str());
        seen.insert(
            r.body["grants"][0]["workspace_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        if r.body["has_more"] == false {
            break;
        }
        query = format!("limit=1&cursor={}", r.body["next_cursor"].as_str().unwrap());
    }
    assert_eq!(seen, BTreeSet::from([ws.clone(), second.clone()]));
    assert_eq!(
        app.revoke_group(&admin.token, &second, &team).await.status,
        204
    );
    let r = app.list_group_workspaces(&admin.token, &team, "").await;
    assert_eq!(r.body["grants"].as_array().unwrap().len(), 1, "{}", r.text);
    // the owner (not in the group) and a stranger: 404; bad limit and cursor: 400
    for t in [&owner.token, &stranger.token] {
        let r = app.list_group_workspaces(t, &team, "").await;
        assert_eq!(r.status, 404, "{}", r.text);
    }
    assert_eq!(
        app.list_group_workspaces(&admin.token, unknown, "")
            .await
            .status,
        404
    );
    assert_eq!(
        app.list_group_workspaces(&admin.token, &team, "limit=0")
            .await
            .status,
        400
    );
    assert_eq!(
        app.list_group_workspaces(&admin.token, &team, "cursor=forged")
            .await
            .status,
        400
    );
    assert_eq!(
        app.list_group_workspaces(&admin.token, &team, "other=1")
            .await
            .status,
        400
    );
    assert_eq!(
        app.list_group_workspaces("not-a-token", &team, "")
            .await
            .status,
        401
    );

    // a workspace admin cannot remove a membership that comes only from groups
    let r = app.remove_member(&owner.token, &ws, &gina.id).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "via");

    // lowering the grant lowers gina; dora keeps the higher of both
    let r = app.grant_group(&admin.token, &ws, &team, "viewer").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        listed(&app, &owner.token, &ws, &gina).await.unwrap()["role"],
        "viewer"
    );
    let r = app
        .studio_list_users(&gina.token, &format!("ids={}", gina.id))
        .await;
    assert_eq!(r.body[0]["view_only_channels"], json!([ws]), "{}", r.text);

    // revoking: gina loses access; dora's direct membership survives
    let r = app.revoke_group(&owner.token, &ws, &team).await;
    assert_eq!(r.status, 403);
    assert_eq!(app.revoke_group(&admin.token, &ws, &team).await.status, 204);
    assert_eq!(app.revoke_group(&admin.token, &ws, &team).await.status, 404);
    assert_eq!(app.get_workspace(&gina.token, &ws).await.status, 404);
    assert_eq!(app.get_user(&gina.token, &owner.id).await.status, 404);
    let d = listed(&app, &owner.token, &ws, &dora)
        .await
        .expect("dora stays");
    assert_eq!(d["role"], "viewer");
    assert_eq!(d["via"], json!(["direct"]));
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        2
    );

    // granting again, then leaving the group removes access
    assert_eq!(
        app.grant_group(&admin.token, &ws, &team, "admin")
            .await
            .status,
        200
    );
    assert_eq!(
        app.get_workspace(&gina.token, &ws).await.body["role"],
        "admin"
    );
    // a group admin manages the workspace (invites) but is not a direct admin
    let r = app
        .create_invitation(
            &gina.token,
            &ws,
            json!({"email": "x@example.com", "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        app.remove_group_member(&admin.token, &team, &gina.id)
            .await
            .status,
        204
    );
    assert_eq!(app.get_workspace(&gina.token, &ws).await.status, 404);
    assert_eq!(
        listed(&app, &owner.token, &ws, &dora).await.unwrap()["role"],
        "admin"
    );

    let admins = app.feed_types(&admin.token).await;
    for t in ["workspace.group_granted", "workspace.group_revoked"] {
        assert!(admins.iter().any(|x| x == t), "{t} missing in {admins:?}");
    }
    app.assert_audit_clean().await;

    // deleting the group takes its grants and what they gave
    assert_eq!(app.delete_group(&admin.token, &team).await.status, 204);
    assert_eq!(
        listed(&app, &owner.token, &ws, &dora).await.unwrap()["role"],
        "viewer"
    );
    let r = app.list_workspace_groups(&owner.token, &ws, "").await;
    assert_eq!(r.body["grants"], json!([]), "{}", r.text);
    // and each member's feed says it left the group, as a removal does
    let r = app.list_activities(&dora.token, "me", "limit=1").await;
    let last = &r.body["activities"][0];
    assert_eq!(last["type"], "group.member_removed", "{}", r.text);
    assert_eq!(last["data"]["group_id"], team.as_str(), "{}", r.text);
    assert_eq!(last["data"]["reason"], "group_deleted", "{}", r.text);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn deleting_users_and_workspaces_takes_their_group_side_along() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let gone = app.user(&admin, "gone").await;
    let ws = app.workspace(&owner, "ws").await;
    let other = app.workspace(&owner, "other").await;
    let team = app.group(&admin, "team").await;
    assert_eq!(
        app.put_group_member(&admin.token, &team, &gone.id)
            .await
            .status,
        200
    );
    assert_eq!(
        app.put_group_member(&admin.token, &team, &owner.id)
            .await
            .status,
        200
    );
    for w in [&ws, &other] {
        assert_eq!(
            app.grant_group(&admin.token, w, &team, "viewer")
                .await
                .status,
            200
        );
    }
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        2
    );
    assert_eq!(app.delete_user(&admin.token, &gone.id).await.status, 204);
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        1
    );
    assert_eq!(
        app.get_group(&admin.token, &team).await.body["member_count"],
        1
    );
    app.assert_audit_clean().await;
    assert_eq!(app.delete_workspace(&owner.token, &other).await.status, 204);
    let r = app.get_group(&admin.token, &team).await;
    assert_eq!(r.status, 200);
    app.assert_audit_clean().await;
}

/// A group of `n` fresh users (fixtures written directly), named `name`.
async fn big_group(app: &TestApp, admin: &TestUser, name: &str, n: usize) -> (String, Vec<String>) {
    let users: Vec<_> = (0..n)
        .map(|i| {
            let email = Email::parse_str(&format!("{name}{i}@example.com")).unwrap();
            let username = Username::parse_str(&format!("{name}{i}")).unwrap();
            shared::users::new_record(&app.ctx, email, username, "unused-hash".into())
        })
        .collect();
    app.ctx.store.import_users_unchecked(&users).await.unwrap();
    let gid = app.group(admin, name).await;
    let ids: Vec<_> = users.iter().map(|u| u.user_id).collect();
    app.ctx
        .store
        .import_group_members_unchecked(gid.parse().unwrap(), &ids)
        .await
        .unwrap();
    (gid, ids.iter().map(|u| u.to_string()).collect())
}

#[tokio::test]
async fn grants_to_more_than_100_users_apply_and_revoke_in_the_background() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let ws = app.workspace(&owner, "big").await;
    let (team, _) = big_group(&app, &admin, "crowd", 150).await;

    let r = app.grant_group(&admin.token, &ws, &team, "viewer").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "applying");
    let r = app.list_workspace_groups(&owner.token, &ws, "").await;
    assert_eq!(r.body["grants"][0]["status"], "applying");
    assert!(app.run_worker().await >= 1);
    let r = app.list_workspace_groups(&owner.token, &ws, "").await;
    assert_eq!(r.body["grants"][0]["status"], "active", "{}", r.text);
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        151
    );
    let listed = app
        .pages(
            &owner.token,
            &format!("/v1/users?workspace_id={ws}&limit=200"),
            "users",
        )
        .await;
    assert_eq!(listed.len(), 151);
    app.assert_audit_clean().await;

    // a member added meanwhile gets the role at once
    let late = app.user(&admin, "late").await;
    let r = app.put_group_member(&admin.token, &team, &late.id).await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    assert_eq!(
        app.get_workspace(&late.token, &ws).await.body["role"],
        "viewer"
    );

    assert_eq!(app.revoke_group(&admin.token, &ws, &team).await.status, 204);
    let r = app.list_workspace_groups(&owner.token, &ws, "").await;
    assert_eq!(r.body["grants"][0]["status"], "revoking", "{}", r.text);
    // no one gains a grant being revoked
    assert_eq!(app.get_workspace(&late.token, &ws).await.status, 200);
    app.run_worker().await;
    let r = app.list_workspace_groups(&owner.token, &ws, "").await;
    assert_eq!(r.body["grants"], json!([]), "{}", r.text);
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        1
    );
    assert_eq!(app.get_workspace(&late.token, &ws).await.status, 404);
    app.assert_audit_clean().await;

    // deleting a large group: 204 at once, the rest in the background
    assert_eq!(
        app.grant_group(&admin.token, &ws, &team, "editor")
            .await
            .status,
        200
    );
    assert_eq!(app.delete_group(&admin.token, &team).await.status, 204);
    assert_eq!(app.get_group(&admin.token, &team).await.status, 404);
    app.run_worker().await;
    assert_eq!(
        app.get_workspace(&owner.token, &ws).await.body["member_count"],
        1
    );
    app.assert_audit_clean().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_member_changes_during_a_grant_leave_a_clean_audit() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let ws = app.workspace(&owner, "raced").await;
    let (team, ids) = big_group(&app, &admin, "racer", 120).await;
    let mut joiners = Vec::new();
    for i in 0..15 {
        joiners.push(app.user(&admin, &format!("joiner{i}")).await);
    }
    // 15 users join and 15 members leave while the grant is applied in two places.
    let grant = app.grant_group(&admin.token, &ws, &team, "editor");
    let worker = app.run_worker();
    let adds = joiners
        .iter()
        .map(|u| app.put_group_member(&admin.token, &team, &u.id));
    let removes = ids[..15]
        .iter()
        .map(|u| app.remove_group_member(&admin.token, &team, u));
    let (g, _, added, removed) = tokio::join!(
        grant,
        worker,
        futures::future::join_all(adds),
        futures::future::join_all(removes)
    );
    assert_eq!(g.status, 200, "{}", g.text);
    for r in added.iter().chain(&removed) {
        assert!(r.status == 200 || r.status == 204, "{}", r.text);
    }
    app.run_worker().await;
    app.assert_audit_clean().await;
    let r = app.get_workspace(&owner.token, &ws).await;
    assert_eq!(r.body["member_count"], 1 + 120 - 15 + 15, "{}", r.text);
    for u in &joiners {
        assert_eq!(
            app.get_workspace(&u.token, &ws).await.body["role"],
            "editor"
        );
    }
}

#[tokio::test]
async fn a_members_page_costs_the_same_at_30_and_600_group_members() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let small_ws = app.workspace(&owner, "small").await;
    let big_ws = app.workspace(&owner, "big").await;
    let (small, _) = big_group(&app, &admin, "few", 30).await;
    let (big, _) = big_group(&app, &admin, "many", 600).await;
    assert_eq!(
        app.grant_group(&admin.token, &small_ws, &small, "viewer")
            .await
            .status,
        200
    );
    assert_eq!(
        app.grant_group(&admin.token, &big_ws, &big, "viewer")
            .await
            .status,
        200
    );
    app.run_worker().await;
    let mut costs = Vec::new();
    for ws in [&small_ws, &big_ws] {
        // (a filtered page reads at most LIST_SCAN_BUDGET entries, but its `total` is
        // counted up to 10,000: unfiltered pages are the ones bounded by the page)
        for query in [
            "limit=20&sort_by=email",
            "limit=20&sort_by=created_at&sort_order=desc",
        ] {
            let before = app.ctx.store.consumed();
            let r = app
                .list_users(&owner.token, &format!("workspace_id={ws}&{query}"))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["users"].as_array().unwrap().len(), 20);
            costs.push(app.ctx.store.consumed() - before);
        }
    }
    // the same page costs the same whatever the group's size
    assert!((costs[0] - costs[2]).abs() < 0.01, "{costs:?}");
    assert!((costs[1] - costs[3]).abs() < 0.01, "{costs:?}");
}

#[tokio::test]
async fn a_profile_change_reaches_more_memberships_than_one_transaction_holds() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let wide = app.user(&admin, "wide").await;
    let team = app.group(&admin, "everywhere").await;
    assert_eq!(
        app.put_group_member(&admin.token, &team, &wide.id)
            .await
            .status,
        200
    );
    // 63 workspaces (by three owners: 40 direct memberships each at most), all granted
    let mut workspaces = Vec::new();
    for o in 0..3 {
        let owner = app.user(&admin, &format!("owner{o}")).await;
        for i in 0..21 {
            let ws = app.workspace(&owner, &format!("ws-{o}-{i}")).await;
            let r = app.grant_group(&admin.token, &ws, &team, "viewer").await;
            assert_eq!(r.status, 200, "{}", r.text);
            workspaces.push((owner.clone(), ws));
        }
    }
    let r = app
        .patch_user(&wide.token, "me", json!({"first_name": "Renamed"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // every workspace's directory has the new name at once (the request ran the copy)
    assert_eq!(app.ctx.store.queued_jobs().await.unwrap(), 0);
    for (owner, ws) in [&workspaces[0], &workspaces[62]] {
        let r = app
            .list_users(&owner.token, &format!("workspace_id={ws}&search=renamed"))
            .await;
        assert_eq!(
            r.body["users"][0]["user_id"],
            wide.id.as_str(),
            "{}",
            r.text
        );
    }
    app.assert_audit_clean().await;
}
