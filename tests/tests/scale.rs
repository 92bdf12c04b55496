//! A page costs in proportion to its size, not to the table: the capacity consumed by
//! a workspace page, a search and a get stays the same as other users are added.

use integration::TestApp;
use shared::types::{Email, Username};

async fn consumed(app: &TestApp, path: &str, token: &str) -> f64 {
    let before = app.ctx.store.consumed();
    let r = app.call("GET", path, Some(token), None).await;
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
    let page = format!("/v1/users?workspace_id={ws}&limit=10&sort_by=username");
    let get = format!("/v1/users/{}", members[3].id);
    let search = "/v1/users/search?q=member&limit=10";
    let mut costs = Vec::new();
    for (from, to) in [(0, 100), (100, 5000)] {
        add_others(&app, from, to).await;
        costs.push([
            consumed(&app, &page, &members[0].token).await,
            consumed(&app, search, &members[0].token).await,
            consumed(&app, &get, &members[0].token).await,
            consumed(&app, &page, &admin.token).await,
        ]);
    }
    assert!(
        costs[0].iter().all(|c| *c > 0.0),
        "DynamoDB reports capacity: {costs:?}"
    );
    assert_eq!(costs[0], costs[1], "capacity at 100 vs 5,000 other users");
    let total = app
        .call("GET", "/v1/users?limit=1", Some(&admin.token), None)
        .await;
    assert_eq!(total.body["total"], 5011);
}
