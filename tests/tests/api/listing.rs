//! `GET /v1/users`, search, and cursors.

use std::collections::BTreeSet;

use integration::{TestApp, TestUser};
use serde_json::{json, Value};

async fn team(app: &TestApp, admin: &TestUser, n: usize) -> (String, Vec<TestUser>) {
    let ws = app.workspace(admin, "team").await;
    let mut users = Vec::new();
    for i in 0..n {
        let u = app.user(admin, &format!("user{i:02}")).await;
        app.add_member(admin, &ws, &u, if i % 3 == 0 { "editor" } else { "viewer" })
            .await;
        users.push(u);
    }
    (ws, users)
}

async fn page_all(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    app.pages(token, &format!("/v1/users?{query}"), "users")
        .await
}

#[tokio::test]
async fn paging_returns_every_member_once_at_any_page_size() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (ws, users) = team(&app, &admin, 26).await;
    for limit in [1, 7, 10, 200] {
        for sort in ["created_at", "email", "username", "last_name", "updated_at"] {
            let got = page_all(
                &app,
                &admin.token,
                &format!("workspace_id={ws}&limit={limit}&sort_by={sort}"),
            )
            .await;
            let ids: BTreeSet<&str> = got.iter().map(|u| u["user_id"].as_str().unwrap()).collect();
            assert_eq!(got.len(), 27, "limit {limit} sort {sort}");
            assert_eq!(ids.len(), 27);
        }
    }
    let desc = page_all(
        &app,
        &users[0].token,
        &format!("workspace_id={ws}&sort_by=username&sort_order=desc&limit=5"),
    )
    .await;
    let names: Vec<&str> = desc
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn search_works_with_every_sort_and_pages_in_its_order() {
    // Sorted by a searched field, that field is the index's own key: the search must
    // still find the same users, in the order asked for, page after page.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (ws, users) = team(&app, &admin, 12).await;
    let want: BTreeSet<String> = users[..10].iter().map(|u| u.id.clone()).collect();
    for dir in [String::new(), format!("workspace_id={ws}&")] {
        for sort in ["created_at", "updated_at", "email", "username", "last_name"] {
            for order in ["asc", "desc"] {
                let query = format!("{dir}search=USER0&sort_by={sort}&sort_order={order}&limit=3");
                let got = page_all(&app, &admin.token, &query).await;
                let ids: BTreeSet<String> = got
                    .iter()
                    .map(|u| u["user_id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(got.len(), 10, "{query}");
                assert_eq!(ids, want, "{query}");
                if sort == "username" || sort == "email" {
                    let keys: Vec<String> = got
                        .iter()
                        .map(|u| u[sort].as_str().unwrap().to_lowercase())
                        .collect();
                    let mut sorted = keys.clone();
                    sorted.sort();
                    if order == "desc" {
                        sorted.reverse();
                    }
                    assert_eq!(keys, sorted, "{query}");
                }
                let r = app.list_users(&admin.token, &query).await;
                assert_eq!(r.status, 200, "{query}: {}", r.text);
                assert_eq!(r.body["total"], 10, "{query}");
            }
        }
    }
}

#[tokio::test]
async fn filters_and_totals() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (ws, users) = team(&app, &admin, 9).await;
    let r = app
        .list_users(&admin.token, &format!("workspace_id={ws}&role=editor"))
        .await;
    assert_eq!(r.body["total"], 3, "{}", r.text);
    let r = app
        .list_users(&users[1].token, &format!("workspace_id={ws}&search=USER0"))
        .await;
    assert_eq!(r.body["total"], 9);
    let r = app
        .list_users(
            &admin.token,
            &format!("workspace_id={ws}&ids={},{}", users[0].id, users[1].id),
        )
        .await;
    assert_eq!(r.body["users"].as_array().unwrap().len(), 2);
    app.patch_user(&admin.token, &users[2].id, json!({"status": "suspended"}))
        .await;
    let r = app.list_users(&admin.token, "status=suspended").await;
    assert_eq!(r.body["total"], 1);
    let r = app.list_users(&admin.token, "").await;
    assert_eq!(r.body["total"], 10);
}

#[tokio::test]
async fn bad_queries_and_cursors_are_400_and_non_members_403() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (ws, users) = team(&app, &admin, 3).await;
    let outsider = app.user(&admin, "outsider").await;
    let base = format!("workspace_id={ws}");
    for q in [
        "&limit=0",
        "&limit=201",
        "&sort_by=password",
        "&sort_order=up",
        "&status=x",
        "&role=owner",
        "&ids=1,2",
        "&limit=1&limit=2",
    ] {
        let r = app.list_users(&admin.token, &format!("{base}{q}")).await;
        assert_eq!(r.status, 400, "{q}");
    }
    assert_eq!(app.list_users(&users[0].token, "").await.status, 400);
    // Global roles are user, admin and operator; only the full view shows them, so only
    // global admins filter on them.
    assert_eq!(
        app.list_users(&admin.token, "role=superuser").await.status,
        400
    );
    assert_eq!(
        app.list_users(&admin.token, "role=operator").await.status,
        200
    );
    let r = app
        .list_users(&users[0].token, &format!("{base}&role=editor"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let viewer = app.user(&admin, "sees-all").await;
    app.patch_user(&admin.token, &viewer.id, json!({"view_all": true}))
        .await;
    let r = app.list_users(&viewer.token, "role=admin").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["details"]["parameter"], "role", "{}", r.text);
    assert_eq!(app.list_users(&outsider.token, &base).await.status, 403);
    let r = app
        .list_users(&admin.token, &format!("{base}&limit=1"))
        .await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    // Opaque: no table key shows through (SPEC: no internal keys in any response).
    for part in cursor.split('.') {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url");
        let text = String::from_utf8_lossy(&bytes);
        for key in ["WS#", "MEMBER#", "PK", "SK", &ws] {
            assert!(!text.contains(key), "{key} in the cursor: {text}");
        }
    }
    let r = app
        .list_users(
            &admin.token,
            &format!("{base}&limit=1&cursor={cursor}&sort_by=email"),
        )
        .await;
    assert_eq!(r.status, 400);
    let mut tampered = cursor.clone().into_bytes();
    tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
    let r = app
        .list_users(
            &admin.token,
            &format!(
                "{base}&limit=1&cursor={}",
                String::from_utf8(tampered).unwrap()
            ),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .list_users(&admin.token, &format!("{base}&limit=2&cursor={cursor}"))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn search_finds_prefixes_among_visible_users_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, users) = team(&app, &admin, 3).await;
    let hidden = app.user(&admin, "userzz").await;
    let r = app.search_users(&users[0].token, "q=USER").await;
    let names: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["user00", "user01", "user02"]);
    let r = app.search_users(&admin.token, "q=userz").await;
    assert_eq!(r.body["results"][0]["user_id"], hidden.id.as_str());
    assert_eq!(app.search_users(&admin.token, "").await.status, 400);
    let r = app.search_users(&admin.token, "q=user&limit=2").await;
    assert_eq!(r.body["results"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn paging_while_users_are_added_returns_each_existing_user_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (ws, _) = team(&app, &admin, 12).await;
    let before: BTreeSet<String> =
        page_all(&app, &admin.token, &format!("workspace_id={ws}&limit=200"))
            .await
            .iter()
            .map(|u| u["user_id"].as_str().unwrap().to_string())
            .collect();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut added = 0;
    loop {
        let q = cursor
            .as_ref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let r = app
            .list_users(&admin.token, &format!("workspace_id={ws}&limit=4{q}"))
            .await;
        seen.extend(
            r.body["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["user_id"].as_str().unwrap().to_string()),
        );
        let newcomer = app.user(&admin, &format!("late{added:02}")).await;
        app.add_member(&admin, &ws, &newcomer, "viewer").await;
        added += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no user twice");
    assert!(
        before.is_subset(&unique),
        "every user present before paging began is returned"
    );
}

#[tokio::test]
async fn users_page_by_number_beside_cursors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.user(&admin, &format!("paged{i}")).await;
    }
    let by_cursor: Vec<Value> = app.pages(&admin.token, "/v1/users?limit=4", "users").await;
    assert_eq!(by_cursor.len(), 6);
    let mut by_number = Vec::new();
    for page in 1..=3 {
        let r = app
            .list_users(&admin.token, &format!("page={page}&page_size=2"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["page"], page);
        assert_eq!(r.body["page_size"], 2);
        assert_eq!(r.body["total"], 6);
        let next = if page < 3 {
            json!(page + 1)
        } else {
            json!(null)
        };
        let prev = if page > 1 {
            json!(page - 1)
        } else {
            json!(null)
        };
        assert_eq!(
            (r.body["next_page"].clone(), r.body["prev_page"].clone()),
            (next, prev)
        );
        by_number.extend(r.body["users"].as_array().unwrap().iter().cloned());
    }
    let ids = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|u| u["user_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&by_number), ids(&by_cursor));
    for bad in [
        "page=0",
        "page=x",
        "page=51&page_size=200",
        "page=1&cursor=abc",
        "page=1&limit=5",
        "page_size=5",
        "page=1&page_size=201",
    ] {
        let r = app.list_users(&admin.token, bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.body["details"]["parameter"].is_string(), "{bad}");
    }
}
