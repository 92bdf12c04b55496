//! The DynamoDB calls each measured endpoint makes, issued directly with the SDK: the
//! yardstick for the functions' own overhead. Also the bulk users of the scale runs.

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use shared::keys;
use shared::store::{key, Item};
use shared::types::{Email, Username};
use shared::Ctx;
use uuid::Uuid;

fn sample(id: &str) -> Uuid {
    Uuid::parse_str(id).unwrap_or_default()
}

async fn get(ctx: &Ctx, pk: String, sk: &str) {
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

/// One consistent `BatchGetItem` of `wanted` (one round trip).
async fn batch_get(ctx: &Ctx, wanted: Vec<Item>) {
    if let Ok(ka) = KeysAndAttributes::builder()
        .set_keys(Some(wanted))
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

/// The caller's profile (which holds its first sessions), with `also` (a read that
/// depends only on the path) in one `BatchGetItem`, or alone in a `GetItem`: what every
/// authenticated request reads first (issue 18).
async fn auth_with(ctx: &Ctx, also: Option<Item>) {
    let admin = keys::user(sample(admin::samples::ADMIN_ID));
    match also {
        Some(also) => batch_get(ctx, vec![key(admin, keys::PROFILE), also]).await,
        None => get(ctx, admin, keys::PROFILE).await,
    }
}

async fn auth(ctx: &Ctx) {
    auth_with(ctx, None).await;
}

async fn list_page(ctx: &Ctx) {
    auth(ctx).await;
    let ws = sample(admin::samples::WORKSPACE_ID);
    get(ctx, keys::workspace(ws), keys::META).await;
    let out = ctx
        .store
        .client()
        .query()
        .table_name(ctx.store.table())
        .index_name(shared::store::SortField::Email.index())
        .key_condition_expression("#d = :d")
        .expression_attribute_names("#d", keys::DIR)
        .expression_attribute_values(":d", AttributeValue::S(keys::dir_workspace(ws)))
        .limit(11)
        .send()
        .await;
    let profiles: Vec<Item> = out
        .ok()
        .and_then(|o| o.items)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("user_id").and_then(|v| v.as_s().ok()))
        .map(|id| key(keys::user(sample(id)), keys::PROFILE))
        .collect();
    batch_get(ctx, profiles).await;
}

/// Issues the raw call sequence behind `function`, if it is one of the compared
/// endpoints; false otherwise. The warm runs time it between the function's own
/// invocations, so both meet DynamoDB Local in the same state.
pub async fn calls_for(ctx: &Ctx, function: &str) -> bool {
    let member = keys::user(sample(admin::samples::MEMBER_ID));
    let ws = keys::workspace(sample(admin::samples::WORKSPACE_ID));
    match function {
        "get-me" | "studio-storage-used" => auth(ctx).await,
        "get-user" => auth_with(ctx, Some(key(member, keys::PROFILE))).await,
        "get-workspace" => auth_with(ctx, Some(key(ws, keys::META))).await,
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
                    Email::parse_str(&format!("other{i:05}@example.com")).map_err(|e| e.msg)?;
                let name = Username::parse_str(&format!("other{i:05}")).map_err(|e| e.msg)?;
                Ok(shared::users::new_record(ctx, email, name, "unused".into()))
            })
            .collect::<Result<_, String>>()?;
        ctx.store
            .import_users_unchecked(&users)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
