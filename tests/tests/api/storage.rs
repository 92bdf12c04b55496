//! Storage quota and Studio's storage endpoints, including races.

use integration::{TestApp, TestUser};
use serde_json::json;

async fn with_quota(app: &TestApp, admin: &TestUser, name: &str, bytes: i64) -> TestUser {
    let u = app.user(admin, name).await;
    let r = app
        .patch_user(&admin.token, &u.id, json!({"disk_space": bytes}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    u
}

#[tokio::test]
async fn thirty_racing_files_never_pass_the_quota() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = with_quota(&app, &admin, "racer", 9000).await;
    let calls = (0..30).map(|i| {
        app.record_file(
            &u.token,
            "me",
            json!({"checksum": format!("c{i}"), "size": 1000}),
        )
    });
    let results = futures::future::join_all(calls).await;
    let accepted = results.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = results.iter().filter(|r| r.status == 403).collect();
    assert_eq!(
        (accepted, refused.len()),
        (9, 21),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused[0].body["error"], "STORAGE_QUOTA_EXCEEDED");
    assert_eq!(refused[0].body["details"]["requested"], 1000);
    let used = app.studio_storage_used(&u.token).await;
    assert_eq!(used.body, json!(9000));
    let refreshed = app
        .call(
            "GET",
            "/api/user/refresh_storage_used",
            Some(&u.token),
            None,
        )
        .await;
    assert_eq!(refreshed.body, json!(9000));
    // Nor does lowering the quota: below the usage is 409, down to it is fine.
    let r = app
        .patch_user(&admin.token, &u.id, json!({"disk_space": 8999}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "disk_space", "{}", r.text);
    let r = app
        .patch_user(&admin.token, &u.id, json!({"disk_space": 9000}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // `is_active` contradicting `status` is 422 even when `status` is the stored one.
    let r = app
        .patch_user(
            &admin.token,
            &u.id,
            json!({"is_active": false, "status": "active"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn a_checksum_is_counted_once_even_when_racing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = with_quota(&app, &admin, "dupes", 5000).await;
    let calls =
        (0..10).map(|_| app.record_file(&u.token, "me", json!({"checksum": "same", "size": 1000})));
    let results = futures::future::join_all(calls).await;
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 9);
    let s = app.get_storage(&u.token, "me").await;
    assert_eq!(s.body["disk_space_used"], 1000);
    assert_eq!(s.body["files"].as_array().unwrap().len(), 1);
    let r = app.delete_file(&u.token, "me", "same").await;
    assert_eq!(r.status, 204);
    let r = app.delete_file(&u.token, "me", "same").await;
    assert_eq!(r.status, 404);
    let used = app
        .call(
            "POST",
            "/api/user/refresh_storage_used/",
            Some(&u.token),
            None,
        )
        .await;
    assert_eq!(used.body, json!(0));
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn admins_have_no_quota_and_others_cannot_record_for_someone_else() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let r = app
        .record_file(
            &admin.token,
            "me",
            json!({"checksum": "huge", "size": 1_000_000_000_000i64}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let u = app.user(&admin, "nosy").await;
    let r = app
        .record_file(&u.token, &admin.id, json!({"checksum": "x", "size": 1}))
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .record_file(
            &u.token,
            "me",
            json!({"checksum": "bad checksum!", "size": -1}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["details"]["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn notification_marker_only_moves_forward() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "reader").await;
    let mark = |ts: &str| app.studio_mark_read(&u.token, json!({"timestamp": ts}));
    assert_eq!(mark("2026-03-15T10:30:00Z").await.status, 204);
    assert_eq!(mark("2026-01-01T00:00:00Z").await.status, 204);
    let me = app.get_me(&u.token).await;
    assert_eq!(
        me.body["last_read_notification_date"],
        "2026-03-15T10:30:00.000Z"
    );
    let stamps: Vec<String> = (1..=9).map(|d| format!("2026-04-0{d}T00:00:00Z")).collect();
    let results = futures::future::join_all(stamps.iter().map(|s| mark(s))).await;
    assert!(results.iter().all(|r| r.status == 204));
    let me = app.get_me(&u.token).await;
    assert_eq!(
        me.body["last_read_notification_date"],
        "2026-04-09T00:00:00.000Z"
    );
    for bad in [
        json!({}),
        json!({"timestamp": "yesterday"}),
        json!({"timestamp": 5}),
    ] {
        let r = app
            .call(
                "POST",
                "/api/user/mark_notifications_read",
                Some(&u.token),
                Some(bad),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], "BAD_REQUEST");
    }
}

#[tokio::test]
async fn storage_pages_its_files_and_a_file_has_a_size() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "pager").await;
    let r = app
        .record_file(&u.token, "me", json!({"checksum": "zero", "size": 0}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    for c in ["c1", "c2", "c3"] {
        let r = app
            .record_file(&u.token, "me", json!({"checksum": c, "size": 10}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = app.get_storage(&u.token, "me").await;
    assert_eq!(r.body["disk_space_used"], 30);
    assert_eq!(r.body["has_more"], false);
    let files = app
        .pages(&u.token, "/v1/users/me/storage?limit=2", "files")
        .await;
    let sums: Vec<&str> = files
        .iter()
        .map(|f| f["checksum"].as_str().unwrap())
        .collect();
    assert_eq!(sums, vec!["c1", "c2", "c3"]);
    let r = app
        .call("GET", "/v1/users/me/storage?limit=0", Some(&u.token), None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn a_user_holds_at_most_max_files_per_user_files() {
    let app = TestApp::spawn_with(|c| c.max_files_per_user = 3).await;
    let admin = app.admin().await;
    let u = app.user(&admin, "filer").await;
    for who in [&u, &admin] {
        for i in 0..3 {
            let body = json!({"checksum": format!("f{i}"), "size": 10});
            assert_eq!(app.record_file(&who.token, "me", body).await.status, 201);
        }
        let r = app
            .record_file(&who.token, "me", json!({"checksum": "f3", "size": 10}))
            .await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.body["details"]["limit"], 3, "{}", r.text);
        // a checksum already counted is still free
        let r = app
            .record_file(&who.token, "me", json!({"checksum": "f0", "size": 10}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = app
        .call("DELETE", "/v1/users/me/files/f1", Some(&u.token), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app
        .record_file(&u.token, "me", json!({"checksum": "f3", "size": 10}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    app.assert_audit_clean().await;
}
