//! Fixtures behind `events/`: the users, workspace, file and token the sample events
//! name, so `cargo lambda invoke` of every sample succeeds against a fresh table.
//! `make test` seeds them into a throwaway table; never run this against real data.

use shared::activity::{kind, NewActivity};
use shared::auth;
use shared::model::{FileRecord, MemberRecord, UserRecord, WorkspaceRecord, WsRole};
use shared::users::new_record;
use shared::validate::{Email, Password, Username};
use shared::{time, Ctx};
use uuid::Uuid;

pub const ADMIN_ID: &str = "00000000-0000-4000-8000-000000000001";
pub const MEMBER_ID: &str = "00000000-0000-4000-8000-000000000002";
pub const VICTIM_ID: &str = "00000000-0000-4000-8000-000000000003";
pub const WORKSPACE_ID: &str = "00000000-0000-4000-8000-0000000000a1";
/// The bearer token every sample event carries.
pub const ADMIN_TOKEN: &str = "ust_sample-admin-token-for-events-only-00000000";
pub const PASSWORD: &str = "sample-password";

fn err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

async fn user(
    ctx: &Ctx,
    id: &str,
    email: &str,
    username: &str,
    admin: bool,
) -> Result<UserRecord, String> {
    let email = Email::parse_str(email).map_err(err)?;
    let username = Username::parse_str(username).map_err(err)?;
    let password = Password::parse(&serde_json::Value::from(PASSWORD)).map_err(err)?;
    let mut u = new_record(
        ctx,
        &email,
        &username,
        auth::hash_password(&password).await.map_err(err)?,
    );
    u.user_id = Uuid::parse_str(id).map_err(err)?;
    if admin {
        u.roles = vec!["admin".into()];
    }
    let activity = NewActivity::new(kind::USER_CREATED, u.user_id, u.user_id);
    ctx.store
        .create_user(&u, activity, ctx.config.activity_retention_days)
        .await
        .map_err(err)?;
    Ok(u)
}

/// The user as stored now (each fixture step moves its version).
async fn reload(ctx: &Ctx, id: Uuid) -> Result<UserRecord, String> {
    ctx.store
        .get_user(id)
        .await
        .map_err(err)?
        .ok_or_else(|| format!("user {id} vanished"))
}

/// Seeds the fixtures; fails if they exist already.
pub async fn seed(ctx: &Ctx) -> Result<(), String> {
    let retention = ctx.config.activity_retention_days;
    let admin = user(
        ctx,
        ADMIN_ID,
        "sample-admin@example.com",
        "sample-admin",
        true,
    )
    .await?;
    let member = user(
        ctx,
        MEMBER_ID,
        "sample-member@example.com",
        "sample-member",
        false,
    )
    .await?;
    user(
        ctx,
        VICTIM_ID,
        "sample-victim@example.com",
        "sample-victim",
        false,
    )
    .await?;
    let ws = WorkspaceRecord {
        workspace_id: Uuid::parse_str(WORKSPACE_ID).map_err(err)?,
        name: "Sample workspace".into(),
        created_at: time::now_rfc3339(),
        created_by: admin.user_id,
        member_count: 1,
        admin_count: 1,
    };
    let created = NewActivity::new(kind::WORKSPACE_CREATED, admin.user_id, admin.user_id)
        .in_workspace(ws.workspace_id, &ws.name);
    ctx.store
        .create_workspace(&ws, &admin, created, retention)
        .await
        .map_err(err)?;
    let m = MemberRecord {
        workspace_id: ws.workspace_id,
        user_id: member.user_id,
        role: WsRole::Editor,
        joined_at: time::now_rfc3339(),
    };
    let added = NewActivity::new(kind::MEMBER_ADDED, member.user_id, admin.user_id)
        .in_workspace(ws.workspace_id, &ws.name);
    ctx.store
        .add_member(&ws, &member, &m, added, retention)
        .await
        .map_err(err)?;
    let admin = reload(ctx, admin.user_id).await?;
    let file = FileRecord {
        checksum: "samplefile".into(),
        size: 1000,
        created_at: time::now_rfc3339(),
    };
    let added = NewActivity::new(kind::FILE_ADDED, admin.user_id, admin.user_id);
    ctx.store
        .record_file(&admin, &file, true, added, retention)
        .await
        .map_err(err)?;
    let admin = reload(ctx, admin.user_id).await?;
    auth::store_token(ctx, &admin, ADMIN_TOKEN.to_string())
        .await
        .map_err(err)?;
    Ok(())
}
