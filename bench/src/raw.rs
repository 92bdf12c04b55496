//! The DynamoDB calls each measured endpoint makes, issued directly with the SDK: the
//! yardstick for the functions' own overhead. Also the bulk users of the scale runs.

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde_json::{json, Value};
use shared::validate::{Email, Username};
use shared::Ctx;

type Item = HashMap<String, AttributeValue>;

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([
        ("PK".to_string(), AttributeValue::S(pk.into())),
        ("SK".to_string(), AttributeValue::S(sk.into())),
    ])
}

async fn get(ctx: &Ctx, pk: &str, sk: &str) {
    let _ = ctx
        .store
        .client()
        .get_item()
        .table_name(ctx.store.table())
        .set_key(Some(key(pk, sk)))
        .consistent_read(true)
        .send()
        .await;
}

/// Token and caller profile: what every authenticated request reads first.
async fn auth(ctx: &Ctx) {
    let hash = shared::auth::hash_token(admin::samples::ADMIN_TOKEN);
    get(ctx, &format!("TOKEN#{hash}"), "TOKEN").await;
    get(
        ctx,
        &format!("USER#{}", admin::samples::ADMIN_ID),
        "PROFILE",
    )
    .await;
}

async fn list_page(ctx: &Ctx) {
    auth(ctx).await;
    let ws = admin::samples::WORKSPACE_ID;
    get(ctx, &format!("WS#{ws}"), "META").await;
    let out = ctx
        .store
        .client()
        .query()
        .table_name(ctx.store.table())
        .index_name("by_email")
        .key_condition_expression("#d = :d")
        .expression_attribute_names("#d", "dir")
        .expression_attribute_values(":d", AttributeValue::S(format!("WS#{ws}")))
        .limit(11)
        .send()
        .await;
    let keys: Vec<Item> = out
        .ok()
        .and_then(|o| o.items)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("user_id").and_then(|v| v.as_s().ok()))
        .map(|id| key(&format!("USER#{id}"), "PROFILE"))
        .collect();
    if let Ok(ka) = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .consistent_read(true)
        .build()
    {
        let _ = ctx
            .store
            .client()
            .batch_get_item()
            .request_items(ctx.store.table(), ka)
            .send()
            .await;
    }
}

async fn time<F, Fut>(runs: usize, mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    json!({ "n": v.len(), "p50": p(0.5), "p90": p(0.9), "p99": p(0.99) })
}

/// p50/p90/p99 of the raw call sequence behind each compared endpoint.
pub async fn measure(ctx: &Ctx, runs: usize) -> Value {
    let member = format!("USER#{}", admin::samples::MEMBER_ID);
    let ws = format!("WS#{}", admin::samples::WORKSPACE_ID);
    json!({
        "get-me": time(runs, || auth(ctx)).await,
        "studio-storage-used": time(runs, || auth(ctx)).await,
        "get-user": time(runs, || async { auth(ctx).await; get(ctx, &member, "PROFILE").await }).await,
        "get-workspace": time(runs, || async { auth(ctx).await; get(ctx, &ws, "META").await }).await,
        "list-users": time(runs, || list_page(ctx)).await,
    })
}

/// Adds users `from..to` (bulk, no password hashing) for the scale runs.
pub async fn add_users(ctx: &Ctx, from: usize, to: usize) -> Result<(), String> {
    for start in (from..to).step_by(1000) {
        let users: Vec<_> = (start..to.min(start + 1000))
            .map(|i| {
                let email = Email::parse_str(&format!("other{i}@example.com")).map_err(|e| e.1)?;
                let name = Username::parse_str(&format!("other{i}")).map_err(|e| e.1)?;
                Ok(shared::users::new_record(
                    ctx,
                    &email,
                    &name,
                    "unused".into(),
                ))
            })
            .collect::<Result<_, String>>()?;
        ctx.store
            .import_users_unchecked(&users)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
