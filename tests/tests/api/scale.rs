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
