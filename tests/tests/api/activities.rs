//! Activity recording, feed, counts, active workspaces and the stream.

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn each_change_records_one_activity_and_counts_agree() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "doer").await;
    let ws = app.workspace(&admin, "place").await;
    app.add_member(&admin, &ws, &u, "viewer").await;
    app.add_member(&admin, &ws, &u, "editor").await;
    app.patch_user(&u.token, "me", json!({"bio": "hi"})).await;
    app.update_preferences(&u.token, json!({"preferences": {"a": 1}}))
        .await;
    app.record_file(&u.token, "me", json!({"checksum": "f", "size": 5}))
        .await;
    app.delete_file(&u.token, "me", "f").await;
    app.studio_refresh_storage(&u.token).await;
    app.studio_mark_read(&u.token, json!({"timestamp": "2026-01-01T00:00:00Z"}))
        .await;
    app.remove_member(&admin.token, &ws, &u.id).await;
    let r = app.list_activities(&u.token, "me", "limit=100").await;
    assert_eq!(r.status, 200);
    let kinds: Vec<&str> = r.body["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "workspace.member_removed",
            "notifications.read",
            "storage.refreshed",
            "storage.file_removed",
            "storage.file_added",
            "preferences.updated",
            "user.updated",
            "workspace.role_changed",
            "workspace.member_added",
            "user.login",
            "user.created",
        ]
    );
    let added = &r.body["activities"][8];
    assert_eq!(added["actor_id"], admin.id.as_str());
    assert_eq!(added["user_id"], u.id.as_str());
    assert_eq!(added["workspace_id"], ws.as_str());
    let c = app.count_activities(&u.token, "me", "").await;
    assert_eq!(c.body["total"], 11);
    let sum: i64 = c.body["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 11);
    assert_eq!(c.body["lifetime"], 11);
    // The lifetime counter does not depend on the range (nor on the retention).
    let c = app
        .count_activities(&u.token, "me", "from=2000-01-01&to=2000-01-02")
        .await;
    assert_eq!(
        (c.body["total"].clone(), c.body["lifetime"].clone()),
        (json!(0), json!(11))
    );
    let a = app.active_workspaces(&u.token, "me", "").await;
    assert_eq!(a.body[0]["workspace_id"], ws.as_str());
    assert_eq!(a.body[0]["activity_count"], 3);
    // Renamed later, it is listed under its name of now.
    let r = app
        .update_workspace(&admin.token, &ws, json!({"name": "Renamed"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = app.active_workspaces(&u.token, "me", "").await;
    assert_eq!(a.body[0]["name"], "Renamed", "{}", a.text);
    assert_eq!(a.body[0]["activity_count"], 3);
    let r = app.list_activities(&admin.token, &u.id, "").await;
    assert_eq!(r.status, 200);
    let other = app.user(&admin, "other").await;
    let r = app.list_activities(&other.token, &u.id, "").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn feed_pages_with_cursors_and_stream_resumes_after_last_event_id() {
    let app = TestApp::spawn_with(|c| c.stream_max_seconds = 2).await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.patch_user(&admin.token, "me", json!({"bio": format!("v{i}")}))
            .await;
    }
    let ids: Vec<String> = app
        .pages(
            &admin.token,
            "/v1/users/me/activities?limit=2",
            "activities",
        )
        .await
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 7);
    app.advance_clock(shared::feed::SETTLE * 2);
    // Without a resume point the stream is live: nothing of the past is replayed.
    let live = app.stream_activities(&admin.token, "me", "").await;
    assert_eq!(live.header("content-type"), Some("text/event-stream"));
    assert!(!live.text.contains("id: "), "{}", live.text);
    let all = app
        .stream_activities(&admin.token, "me", "since=1970-01-01T00:00:00Z")
        .await;
    let streamed: Vec<&str> = all
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    let mut oldest_first = ids.clone();
    oldest_first.reverse();
    assert_eq!(streamed, oldest_first);
    let headers = [
        (
            "authorization".to_string(),
            format!("Bearer {}", admin.token),
        ),
        ("last-event-id".to_string(), oldest_first[4].clone()),
    ];
    let rest = app
        .raw("GET", "/v1/users/me/activities/stream", &headers, None)
        .await;
    let resumed: Vec<&str> = rest
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    assert_eq!(resumed, &oldest_first[5..]);
    let r = app
        .stream_activities(&admin.token, "me", "since=garbage")
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn stream_delivers_a_change_made_while_connected() {
    let app = TestApp::spawn_with(|c| c.stream_max_seconds = 3).await;
    let admin = app.admin().await;
    app.advance_clock(shared::feed::SETTLE * 2);
    let first = app.stream_activities(&admin.token, "me", "");
    let change = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.patch_user(&admin.token, "me", json!({"bio": "live"}))
            .await
    };
    let (stream, changed) = futures::join!(first, change);
    assert_eq!(changed.status, 200);
    let events: Vec<&str> = stream
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(events, vec!["user.updated"]);
}

#[tokio::test]
async fn workspace_creation_and_password_changes_are_recorded_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "creator").await;
    let ws = app.workspace(&u, "mine").await;
    let r = app
        .change_password(&u.token, "password-123", "brand-new-pass")
        .await;
    assert_eq!(r.status, 200);
    let r = app.list_activities(&u.token, "me", "").await;
    let acts = r.body["activities"].as_array().unwrap();
    let of = |t: &str| {
        acts.iter()
            .filter(|a| a["type"] == t)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(of("password.changed").len(), 1);
    assert_eq!(of("user.updated").len(), 0);
    let created = of("workspace.created");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["workspace_id"], ws.as_str());
    assert_eq!(created[0]["actor_id"], u.id.as_str());
}

#[tokio::test]
async fn resuming_after_an_activity_reads_a_full_batch_after_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..6 {
        let r = app
            .patch_user(&admin.token, "me", json!({"bio": format!("v{i}")}))
            .await;
        assert_eq!(r.status, 200);
    }
    let id = uuid::Uuid::parse_str(&admin.id).unwrap();
    let all = app.ctx.store.activities_after(id, None, 100).await.unwrap();
    assert!(all.len() >= 7, "{}", all.len());
    let after_first = app
        .ctx
        .store
        .activities_after(id, Some(all[0].id), 3)
        .await
        .unwrap();
    assert_eq!(after_first, all[1..4].to_vec());
}

#[tokio::test]
async fn a_caller_holds_at_most_stream_max_per_user_streams() {
    let app = TestApp::spawn_with(|c| {
        c.stream_max_seconds = 1;
        c.stream_max_per_user = 2;
    })
    .await;
    let admin = app.admin().await;
    let u = app.user(&admin, "watcher").await;
    let id: uuid::Uuid = u.id.parse().unwrap();
    // two streams open elsewhere hold both slots
    let a = app
        .ctx
        .store
        .acquire_stream(id, 2, 60)
        .await
        .unwrap()
        .unwrap();
    let _b = app
        .ctx
        .store
        .acquire_stream(id, 2, 60)
        .await
        .unwrap()
        .unwrap();
    let r = app.stream_activities(&u.token, "me", "").await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
    // another caller is not affected
    assert_eq!(
        app.stream_activities(&admin.token, "me", "").await.status,
        200
    );
    // a slot given back is free again, and a finished stream gives its slot back
    app.ctx.store.release_stream(&a).await.unwrap();
    assert_eq!(app.stream_activities(&u.token, "me", "").await.status, 200);
    assert_eq!(app.stream_activities(&u.token, "me", "").await.status, 200);
    // a lease that ran out (a stream that died without giving it back) frees its slot
    app.advance_clock(std::time::Duration::from_secs(120));
    let c = app.ctx.store.acquire_stream(id, 2, 60).await.unwrap();
    let d = app.ctx.store.acquire_stream(id, 2, 60).await.unwrap();
    assert!(c.is_some() && d.is_some());
}

#[tokio::test]
async fn a_stream_closes_when_its_token_is_revoked() {
    let app = TestApp::spawn_with(|c| c.stream_max_seconds = 8).await;
    let admin = app.admin().await;
    let u = app.user(&admin, "leaver").await;
    let stream = app.stream_activities(&u.token, "me", "");
    let logout = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.call("DELETE", "/v1/auth/token", Some(&u.token), None)
            .await
    };
    let (r, out) = tokio::join!(stream, logout);
    assert_eq!(out.status, 204);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.contains(": closed: authentication no longer valid"),
        "{}",
        r.text
    );
}
