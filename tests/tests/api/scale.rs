//! A page costs in proportion to its size, not to the table: the capacity consumed by
//! a workspace page, a search and a get stays the same as other users are added.

use std::future::Future;

use integration::{TestApp, TestResponse};
use shared::types::{Email, Username};

/// The capacity `request` consumes; it is not sent until awaited here.
async fn consumed(app: &TestApp, request: impl Future<Output = TestResponse>) -> f64 {
    let before = app.ctx.store.consumed();
    let r = request.await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.ctx.store.consumed() - before
}

async fn add_others(app: &TestApp, from: usize, to: usize) {
    let users: Vec<_> = (from..to)
        .map(|i| {
            let email = Email::parse_str(&format!("other{i}@example.com")).unwrap();
            let name = Username::parse_str(&format!("other{i}")).unwrap();
            shared::users::new_record(&app.ctx, email, name, "unused-hash".into())
        })
        .collect();
    app.ctx.store.import_users_unchecked(&users).await.unwrap();
}

#[tokio::test]
async fn page_search_and_get_cost_the_same_at_100_and_5000_other_users() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    let ws = app.workspace(&admin, "measured").await;
    let mut members = Vec::new();
    for i in 0..10 {
        let u = app.user(&admin, &format!("member{i:02}")).await;
        app.add_member(&admin, &ws, &u, "viewer").await;
        members.push(u);
    }
    let page = format!("workspace_id={ws}&limit=10&sort_by=username");
    let search = "q=member&limit=10";
    let mut costs = Vec::new();
    for (from, to) in [(0, 100), (100, 5000)] {
        add_others(&app, from, to).await;
        costs.push([
            consumed(&app, app.list_users(&members[0].token, &page)).await,
            consumed(&app, app.search_users(&members[0].token, search)).await,
            consumed(&app, app.get_user(&members[0].token, &members[3].id)).await,
            consumed(&app, app.list_users(&admin.token, &page)).await,
        ]);
    }
    assert!(
        costs[0].iter().all(|c| *c > 0.0),
        "DynamoDB reports capacity: {costs:?}"
    );
    assert_eq!(costs[0], costs[1], "capacity at 100 vs 5,000 other users");
    let total = app.list_users(&admin.token, "limit=1").await;
    assert_eq!(total.body["total"], 5011);
    assert!(total.body.get("total_is_lower_bound").is_none());
    let filtered = app.list_users(&admin.token, "limit=1&status=active").await;
    assert_eq!(filtered.body["total"], 5011);
    assert!(filtered.body.get("total_is_lower_bound").is_none());
    // Past 10,000 a filtered total stops counting and says so; an unfiltered one is
    // still exact (a counter).
    add_others(&app, 5000, 10_100).await;
    let total = app.list_users(&admin.token, "limit=1").await;
    assert_eq!(total.body["total"], 10_111);
    let filtered = app.list_users(&admin.token, "limit=1&status=active").await;
    assert_eq!(filtered.body["total"], 10_000, "{}", filtered.text);
    assert_eq!(filtered.body["total_is_lower_bound"], true);
}

/// Imports `n` users named `<prefix><i>`, the ones `suspended` picks suspended.
async fn import_with_status(
    app: &TestApp,
    prefix: &str,
    n: usize,
    suspended: impl Fn(usize) -> bool,
) {
    let users: Vec<_> = (0..n)
        .map(|i| {
            let email = Email::parse_str(&format!("{prefix}{i}@example.com")).unwrap();
            let name = Username::parse_str(&format!("{prefix}{i:05}")).unwrap();
            let mut u = shared::users::new_record(&app.ctx, email, name, "unused-hash".into());
            if suspended(i) {
                u.status = shared::types::Status::Suspended;
            }
            u
        })
        .collect();
    app.ctx.store.import_users_unchecked(&users).await.unwrap();
}

/// A filtered page reads at most LIST_SCAN_BUDGET index entries: rare matches come a
/// budget at a time (pages may be short, even empty, with `has_more`), the cost of a
/// page does not grow with the users it skips, and paging finds every match once.
#[tokio::test]
async fn a_filtered_page_reads_at_most_the_scan_budget() {
    let app = TestApp::spawn_with(|c| {
        c.measure_capacity = true;
        c.list_scan_budget = 100;
    })
    .await;
    let admin = app.admin().await;
    // 2 suspended users among 1,500, at the end in username order
    import_with_status(&app, "u", 1500, |i| i >= 1490 && i % 4 == 0).await;
    let query = "/v1/users?status=suspended&sort_by=username&limit=10";
    // the first page spends its budget on the first 100 entries and finds nothing yet
    let r = app.call("GET", query, Some(&admin.token), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["has_more"], true, "{}", r.text);
    assert_eq!(r.body["users"], serde_json::json!([]), "{}", r.text);
    assert_eq!(r.body["total"], 2, "{}", r.text);
    // paging on finds every match exactly once
    let found = app.pages(&admin.token, query, "users").await;
    let names: Vec<&str> = found
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["u01492", "u01496"], "{names:?}");
}

/// Search reads at most 20 workspace directories (four index reads each), however many
/// workspaces the caller is in, and says when it stopped there.
#[tokio::test]
async fn search_fans_out_to_a_bounded_number_of_directories() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    let busy = app.user(&admin, "busy").await;
    let mut calls = Vec::new();
    for n in 1..=30 {
        let owner = app.user(&admin, &format!("owner{n:02}")).await;
        let ws = app.workspace(&owner, "w").await;
        app.add_member(&admin, &ws, &busy, "viewer").await;
        if n == 10 || n == 25 || n == 30 {
            let before = app.ctx.store.usage();
            let r = app.search_users(&busy.token, "q=owner&limit=5").await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.header("x-result-truncated").is_some(), n > 20, "{n}");
            calls.push(app.ctx.store.usage().since(before).calls);
        }
    }
    // 10 directories: 40 index reads; 25 or 30: 80, the bound, and no more
    assert!(calls[0] < calls[1], "{calls:?}");
    assert_eq!(calls[1], calls[2], "{calls:?}");
    assert!(calls[2] <= 4 * 20 + 3, "{calls:?}");
}

/// `GET /api/user/?channel=` for a non-admin outside the channel reads no member: one
/// request (the caller's), whatever the channel's size.
#[tokio::test]
async fn a_channel_the_caller_is_not_in_costs_no_member_read() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "owner").await;
    let outsider = app.user(&admin, "outsider").await;
    let ws = app.workspace(&owner, "closed").await;
    for i in 0..5 {
        let u = app.user(&admin, &format!("inside{i}")).await;
        app.add_member(&admin, &ws, &u, "editor").await;
    }
    let before = app.ctx.store.usage();
    let r = app
        .studio_list_users(
            &outsider.token,
            &format!("channel={ws}&include_viewonly=true"),
        )
        .await;
    let used = app.ctx.store.usage().since(before);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, serde_json::json!([]));
    assert_eq!(used.calls, 1, "{used:?}");
}
