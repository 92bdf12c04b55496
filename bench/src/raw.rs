//! The DynamoDB calls each measured endpoint makes, issued directly with the SDK: the
//! yardstick for the functions' own overhead. Also the bulk users of the scale runs.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
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

/// Issues the raw call sequence behind `function`, if it is one of the compared
/// endpoints; false otherwise. The warm runs time it between the function's own
/// invocations, so both meet DynamoDB Local in the same state.
pub async fn calls_for(ctx: &Ctx, function: &str) -> bool {
    let member = format!("USER#{}", admin::samples::MEMBER_ID);
    let ws = format!("WS#{}", admin::samples::WORKSPACE_ID);
    match function {
        "get-me" | "studio-storage-used" => auth(ctx).await,
        "get-user" => {
            auth(ctx).await;
            get(ctx, &member, "PROFILE").await;
        }
        "get-workspace" => {
            auth(ctx).await;
            get(ctx, &ws, "META").await;
        }
        "list-users" => list_page(ctx).await,
        _ => return false,
    }
    true
}

/// Adds users `from..to` (bulk, no password hashing) for the scale runs. Names are
/// zero-padded (`other00042`), so a search for `other000` finds the same first page,
/// item for item, at every table size: what it reads is the same, only the table grows.
pub async fn add_users(ctx: &Ctx, from: usize, to: usize) -> Result<(), String> {
    for start in (from..to).step_by(1000) {
        let users: Vec<_> = (start..to.min(start + 1000))
            .map(|i| {
                let email =
                    Email::parse_str(&format!("other{i:05}@example.com")).map_err(|e| e.1)?;
                let name = Username::parse_str(&format!("other{i:05}")).map_err(|e| e.1)?;
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
