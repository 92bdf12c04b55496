//! Replace, merge patch, preferences, If-Match, password changes, delete.

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn patch_merges_and_if_match_prevents_lost_updates() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "pat").await;
    let path = format!("/v1/users/{}", u.id);
    let v = app.get_user(&u.token, &u.id).await.body["version"]
        .as_i64()
        .unwrap();
    let tag = format!("W/\"{v}\"");
    let hdr = |tok: &str| {
        vec![
            ("authorization".to_string(), format!("Bearer {tok}")),
            (
                "content-type".to_string(),
                "application/merge-patch+json".to_string(),
            ),
            ("if-match".to_string(), tag.clone()),
        ]
    };
    let (h1, h2) = (hdr(&u.token), hdr(&u.token));
    let (a, b) = futures::join!(
        app.raw("PATCH", &path, &h1, Some(br#"{"bio":"one"}"#.to_vec())),
        app.raw("PATCH", &path, &h2, Some(br#"{"bio":"two"}"#.to_vec()))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let r = app
        .patch_user(
            &u.token,
            &u.id,
            json!({"bio": null, "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["bio"], serde_json::Value::Null);
    assert_eq!(r.body["timezone"], "Europe/Berlin");
    assert_eq!(
        r.header("etag"),
        Some(format!("W/\"{}\"", r.body["version"]).as_str())
    );
}

#[tokio::test]
async fn non_admin_cannot_change_admin_fields_on_itself_or_others() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "mallory").await;
    for (field, value) in [
        ("roles", json!(["admin"])),
        ("view_all", json!(true)),
        ("status", json!("suspended")),
        ("is_active", json!(false)),
        ("is_verified", json!(true)),
        ("disk_space", json!(1)),
        ("disk_space_used", json!(5)),
    ] {
        let r = app
            .patch_user(&u.token, "me", json!({ field: value }))
            .await;
        assert_eq!(r.status, 403, "{field}");
        assert_eq!(r.body["details"]["field"], field);
    }
    let r = app
        .patch_user(&u.token, &admin.id, json!({"bio": "x"}))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn put_clears_omitted_fields_and_moves_guards() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "putter").await;
    let r = app
        .replace_user(
            &u.token,
            &u.id,
            json!({"email": "new@example.com", "username": "renamed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["first_name"], serde_json::Value::Null);
    app.create_user(
        Some(&admin.token),
        json!({"email": "putter@example.com", "username": "putter", "password": "password-123"}),
    )
    .await;
    app.assert_audit_clean().await;
    let r = app
        .patch_user(&u.token, &u.id, json!({"username": "putter"}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["details"]["field"], "username");
}

#[tokio::test]
async fn password_change_needs_current_password_and_revokes_other_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "pwuser").await;
    let other = app.login("pwuser", "password-123").await;
    let r = app
        .patch_user(&u.token, "me", json!({"password": "new-password-1"}))
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .change_password(&u.token, "nope-nope", "new-password-1")
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["message"], "The current password is wrong");
    assert_eq!(r.body["details"]["field"], "current_password");
    let r = app
        .change_password(&u.token, "password-123", "new-password-1")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get_me(&u.token).await.status, 200);
    assert_eq!(app.get_me(&other).await.status, 401);
    app.login("pwuser", "new-password-1").await;
}

#[tokio::test]
async fn preferences_merge_and_null_removes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "prefs").await;
    let r = app
        .update_preferences(&u.token, json!({"preferences": {"a": 1, "b": {"c": 2}}}))
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .update_preferences(&u.token, json!({"preferences": {"a": null, "b": {"d": 3}}}))
        .await;
    assert_eq!(r.body["preferences"], json!({"b": {"c": 2, "d": 3}}));
    let big = "x".repeat(17 * 1024);
    let r = app
        .update_preferences(&u.token, json!({"preferences": {"big": big}}))
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn preferences_honour_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "prefmatch").await;
    let version = app.get_me(&u.token).await.body["version"].as_i64().unwrap();
    let app = &app;
    let patch = |tag: String, value: i64| {
        let headers = vec![
            ("authorization".to_string(), format!("Bearer {}", u.token)),
            ("content-type".to_string(), "application/json".to_string()),
            ("if-match".to_string(), tag),
        ];
        let body = json!({"preferences": {"v": value}})
            .to_string()
            .into_bytes();
        async move {
            app.raw("PATCH", "/v1/users/me/preferences", &headers, Some(body))
                .await
        }
    };
    let r = patch(format!("W/\"{}\"", version - 1), 1).await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert_eq!(r.body["error"], "PRECONDITION_FAILED");
    let r = patch(format!("W/\"{version}\""), 2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["preferences"], json!({"v": 2}));
    assert_eq!(
        r.header("etag"),
        Some(format!("W/\"{}\"", version + 1).as_str())
    );
}

#[tokio::test]
async fn delete_removes_everything_and_frees_email_and_username() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "gone").await;
    let ws = app.workspace(&admin, "w").await;
    app.add_member(&admin, &ws, &u, "editor").await;
    app.record_file(&u.token, "me", json!({"checksum": "abc", "size": 10}))
        .await;
    let r = app.delete_user(&u.token, &u.id).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let leftovers: Vec<_> = app
        .scan()
        .await
        .into_iter()
        .filter(|i| format!("{i:?}").contains(&u.id) || format!("{i:?}").contains("gone"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(app.delete_user(&admin.token, &u.id).await.status, 404);
    let r = app.get_workspace(&admin.token, &ws).await;
    assert_eq!(r.body["member_count"], 1);
    app.user(&admin, "gone").await;
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn put_accepts_what_get_returned() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "roundtrip").await;
    for (token, id) in [(&u.token, "me"), (&admin.token, u.id.as_str())] {
        let got = app.get_user(token, id).await;
        assert_eq!(got.status, 200, "{}", got.text);
        let mut body = got.body.clone();
        body["bio"] = json!(format!("sent back by {id}"));
        let r = app.replace_user(token, id, body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["bio"], body["bio"]);
        assert_eq!(r.body["roles"], got.body["roles"]);
        // The same body through PATCH is a no-op on the fixed fields too.
        let r = app.patch_user(token, id, r.body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // A fixed field that would change something is still refused.
    let got = app.get_user(&u.token, "me").await.body;
    let mut body = got.clone();
    body["roles"] = json!(["admin"]);
    let r = app.replace_user(&u.token, "me", body).await;
    assert_eq!(
        (r.status, r.body["details"]["field"].clone()),
        (403, json!("roles"))
    );
    let mut body = got.clone();
    body["created_at"] = json!("2000-01-01T00:00:00.000Z");
    let r = app.replace_user(&u.token, "me", body).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"]["errors"][0]["loc"][1], "created_at");
    let mut body = got;
    body["version"] = json!(999);
    let r = app.replace_user(&admin.token, &u.id, body).await;
    assert_eq!(r.status, 422, "{}", r.text);
}

#[tokio::test]
async fn own_password_changes_need_the_current_one_and_admin_resets_revoke_everything() {
    let app = TestApp::spawn_with(|c| c.login_max_failures = 3).await;
    app.start_login_window();
    let admin = app.admin().await;
    let u = app.user(&admin, "resetme").await;
    let second = app.login("resetme", "password-123").await;
    // An admin changing its own password needs the current one too.
    let r = app
        .patch_user(&admin.token, "me", json!({"password": "admin-password-2"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"]["errors"][0]["loc"][1], "current_password");
    // An admin resetting another user's password does not, and every token of that
    // user stops working.
    let r = app
        .patch_user(&admin.token, &u.id, json!({"password": "reset-password-1"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get_me(&u.token).await.status, 401);
    assert_eq!(app.get_me(&second).await.status, 401);
    assert_eq!(app.get_me(&admin.token).await.status, 200);
    // Wrong current passwords count as failed logins of the account: at the limit the
    // login itself is 429, even with the right password.
    let token = app.login("resetme@example.com", "reset-password-1").await;
    for _ in 0..3 {
        let r = app
            .change_password(&token, "guess-guess", "new-password-9")
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let r = app
        .auth_login(json!({"login": "resetme@example.com", "password": "reset-password-1"}))
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    let r = app
        .change_password(&token, "reset-password-1", "new-password-9")
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
}

#[tokio::test]
async fn devices_register_replace_filter_stay_unique_and_go() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "ledger").await;
    let other = app.user(&admin, "ledger2").await;
    let ws = app.workspace(&admin, "devices").await;
    app.add_member(&admin, &ws, &u, "viewer").await;
    app.add_member(&admin, &ws, &other, "viewer").await;
    let key = format!("02{}", "AB".repeat(32));
    let body = json!({"device_type": "nano_x", "device_user_id": "ledger-1", "pub_key": key});
    let r = app.set_device(&u.token, "me", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["device"]["device_type"], "nano_x");
    assert_eq!(r.body["device"]["pub_key"], key.to_lowercase());
    assert!(r.body["device"]["registered_at"].is_string());
    // Public profiles do not show it.
    let r = app.get_user(&other.token, &u.id).await;
    assert!(r.body.get("device").is_none(), "{}", r.text);
    // Unique across users, whatever the case of the hex.
    let same = json!({"device_type": "stax", "device_user_id": "x", "pub_key": key.to_lowercase()});
    let r = app.set_device(&other.token, "me", same).await;
    assert_eq!(
        (r.status, r.body["details"]["field"].clone()),
        (409, json!("pub_key"))
    );
    // Validation: the list of types, the key's form and length.
    for (bad, field) in [
        (
            json!({"device_type": "trezor", "device_user_id": "x", "pub_key": format!("02{}", "ab".repeat(32))}),
            "device_type",
        ),
        (
            json!({"device_type": "stax", "device_user_id": "x", "pub_key": format!("05{}", "ab".repeat(32))}),
            "pub_key",
        ),
        (
            json!({"device_type": "stax", "device_user_id": "x", "pub_key": format!("04{}", "ab".repeat(32))}),
            "pub_key",
        ),
        (
            json!({"device_type": "stax", "device_user_id": "x", "pub_key": format!("02{}", "zz".repeat(32))}),
            "pub_key",
        ),
        (
            json!({"device_type": "stax", "pub_key": format!("02{}", "ab".repeat(32))}),
            "device_user_id",
        ),
    ] {
        let r = app.set_device(&other.token, "me", bad).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(
            r.body["details"]["errors"][0]["loc"][1], field,
            "{}",
            r.text
        );
    }
    // The filter, over everyone and within a workspace.
    let uncompressed = format!("04{}", "cd".repeat(64));
    let r = app
        .set_device(
            &other.token,
            "me",
            json!({"device_type": "stax", "device_user_id": "y", "pub_key": uncompressed}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for query in [
        "device_type=nano_x".to_string(),
        format!("device_type=nano_x&workspace_id={ws}"),
    ] {
        let r = app.list_users(&admin.token, &query).await;
        let ids: Vec<&str> = r.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["user_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![u.id.as_str()], "{query}");
    }
    assert_eq!(
        app.list_users(&admin.token, "device_type=nokia")
            .await
            .status,
        400
    );
    // A co-member sees public profiles, which hold no device: it may not filter on one
    // (the matches would tell it who holds what).
    let r = app
        .list_users(
            &other.token,
            &format!("device_type=nano_x&workspace_id={ws}"),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["details"]["parameter"], "device_type", "{}", r.text);
    // Others may not; an admin may; removing twice is 404.
    let r = app.remove_device(&other.token, &u.id).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(app.remove_device(&admin.token, &u.id).await.status, 204);
    assert_eq!(app.remove_device(&u.token, "me").await.status, 404);
    let r = app
        .list_users(
            &admin.token,
            &format!("device_type=nano_x&workspace_id={ws}"),
        )
        .await;
    assert_eq!(r.body["users"].as_array().unwrap().len(), 0, "{}", r.text);
    // The key is free again.
    let again = json!({"device_type": "flex", "device_user_id": "z", "pub_key": key});
    assert_eq!(app.set_device(&admin.token, "me", again).await.status, 200);
    let r = app.list_activities(&u.token, "me", "").await;
    assert_eq!(r.body["activities"][0]["type"], "device.removed");
    assert_eq!(r.body["activities"][1]["type"], "device.registered");
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn names_are_one_line_and_the_bio_takes_only_line_breaks() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "hygiene").await;
    for bad in [
        json!({"first_name": "a\tb"}),
        json!({"first_name": "a\nb"}),
        json!({"last_name": "a\u{1b}[31m"}),
        json!({"bio": "tab\there"}),
        json!({"bio": "bell\u{7}"}),
        json!({"bio": "nul\u{0}"}),
    ] {
        let r = app.patch_user(&u.token, "me", bad.clone()).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let r = app
        .patch_user(&u.token, "me", json!({"bio": "two\nlines\r\nthree"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .create_workspace(&u.token, json!({"name": "a\tb"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
}

#[tokio::test]
async fn the_default_workspace_is_one_of_the_users_own_and_goes_when_it_is_left() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let u = app.user(&admin, "member").await;
    let theirs = app.workspace(&owner, "theirs").await;
    let r = app
        .patch_user(&u.token, "me", json!({"default_workspace_id": theirs}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.body["details"]["errors"][0]["loc"][1], "default_workspace_id",
        "{}",
        r.text
    );
    app.add_member(&admin, &theirs, &u, "viewer").await;
    let r = app
        .patch_user(&u.token, "me", json!({"default_workspace_id": theirs}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // leaving (directly, through a group, or with the workspace) clears it
    assert_eq!(
        app.remove_member(&u.token, &theirs, &u.id).await.status,
        204
    );
    let r = app.get_user(&u.token, "me").await;
    assert!(r.body["default_workspace_id"].is_null(), "{}", r.text);
    let team = app.group(&admin, "team").await;
    assert_eq!(
        app.put_group_member(&admin.token, &team, &u.id)
            .await
            .status,
        200
    );
    assert_eq!(
        app.grant_group(&admin.token, &theirs, &team, "viewer")
            .await
            .status,
        200
    );
    let r = app
        .patch_user(&u.token, "me", json!({"default_workspace_id": theirs}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.revoke_group(&admin.token, &theirs, &team).await.status,
        204
    );
    let r = app.get_user(&u.token, "me").await;
    assert!(r.body["default_workspace_id"].is_null(), "{}", r.text);
    let own = app.workspace(&u, "own").await;
    let r = app
        .patch_user(&u.token, "me", json!({"default_workspace_id": own}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.add_member(&admin, &own, &owner, "viewer").await;
    assert_eq!(app.delete_workspace(&u.token, &own).await.status, 204);
    let r = app.get_user(&u.token, "me").await;
    assert!(r.body["default_workspace_id"].is_null(), "{}", r.text);
    app.assert_audit_clean().await;
}
