//! Fixtures behind `events/`: the users, workspace, file and token the sample events
//! name, so `cargo lambda invoke` of every sample succeeds against a fresh table.
//! `make test` seeds them into a throwaway table; never run this against real data.

use shared::auth;
use shared::model::UserRecord;
use shared::passwords::hash_password;
use shared::store::Authority;
use shared::types::{Checksum, Email, Password, Username, WsRole};
use shared::users::new_record;
use shared::Ctx;
use uuid::Uuid;

pub const ADMIN_ID: &str = "00000000-0000-4000-8000-000000000001";
pub const MEMBER_ID: &str = "00000000-0000-4000-8000-000000000002";
pub const VICTIM_ID: &str = "00000000-0000-4000-8000-000000000003";
pub const WORKSPACE_ID: &str = "00000000-0000-4000-8000-0000000000a1";
/// Workspaces of the member that invite the admin (one to accept, one to decline).
pub const INVITING_WORKSPACE_IDS: [&str; 2] = [
    "00000000-0000-4000-8000-0000000000a2",
    "00000000-0000-4000-8000-0000000000a3",
];
/// The invitations to the admin: the first to accept, the second to decline.
pub const ADMIN_INVITATION_IDS: [&str; 2] = [
    "00000000-0000-4000-8000-0000000000b1",
    "00000000-0000-4000-8000-0000000000b2",
];
/// An invitation of the admin's workspace, to revoke.
pub const REVOCABLE_INVITATION_ID: &str = "00000000-0000-4000-8000-0000000000b3";
/// The sample group (the member in it, granted viewer on the sample workspace), and a
/// second one to delete.
pub const GROUP_IDS: [&str; 2] = [
    "00000000-0000-4000-8000-0000000000c1",
    "00000000-0000-4000-8000-0000000000c2",
];
/// A provisioning token to revoke.
pub const PROVISIONING_TOKEN_ID: &str = "00000000-0000-4000-8000-0000000000d1";
/// The provisioning token the SCIM sample events carry.
pub const SCIM_TOKEN_ID: &str = "00000000-0000-4000-8000-0000000000d2";
pub const SCIM_TOKEN: &str =
    "scim_000000000000400080000000000000d2_sample-scim-token-for-events-only-000000000";
/// Users the SCIM samples read and change (the first) and delete (the second).
pub const SCIM_USER_IDS: [&str; 2] = [
    "00000000-0000-4000-8000-0000000000e1",
    "00000000-0000-4000-8000-0000000000e2",
];
/// Groups the SCIM samples read and change (the first) and delete (the second).
pub const SCIM_GROUP_IDS: [&str; 2] = [
    "00000000-0000-4000-8000-0000000000f1",
    "00000000-0000-4000-8000-0000000000f2",
];
/// The bearer token every sample event carries.
pub const ADMIN_TOKEN: &str =
    "ust_00000000000040008000000000000001_sample-admin-token-for-events-only-00000000";
pub const PASSWORD: &str = "sample-password";

fn err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

/// The sample group `gid` named `name`, made by `by`, with `member` in it.
async fn group_with_member(
    ctx: &Ctx,
    gid: &str,
    name: &str,
    member: Uuid,
    by: Uuid,
) -> Result<Uuid, String> {
    let gid = Uuid::parse_str(gid).map_err(err)?;
    let group = ctx
        .store
        .create_group(gid, shared::store::GroupFields::named(name), by)
        .await
        .map_err(err)?;
    ctx.store
        .add_group_member(&group, member, by)
        .await
        .map_err(err)?;
    Ok(gid)
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
        email,
        username,
        hash_password(&password).await.map_err(err)?,
    );
    u.user_id = Uuid::parse_str(id).map_err(err)?;
    if admin {
        u.roles = vec!["admin".into()];
    }
    ctx.store.create_user(&u, u.user_id).await.map_err(err)?;
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

/// Whether the fixtures, with their known token and passwords, may go into this table:
/// only on a local endpoint (`local`) or into an empty table.
pub async fn check_seedable(ctx: &Ctx, local: bool) -> Result<(), String> {
    if local {
        return Ok(());
    }
    let empty = ctx.store.is_empty().await.map_err(err)?;
    if !empty {
        return Err(format!(
            "refusing to seed sample fixtures (a known admin token) into {}: not a local \
             endpoint and not an empty table",
            ctx.store.table()
        ));
    }
    Ok(())
}

/// Seeds the fixtures; fails if they exist already.
pub async fn seed(ctx: &Ctx) -> Result<(), String> {
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
    let ws = ctx
        .store
        .create_workspace(
            Uuid::parse_str(WORKSPACE_ID).map_err(err)?,
            &admin,
            "Sample workspace",
        )
        .await
        .map_err(err)?;
    ctx.store
        .set_member(
            &ws,
            member.user_id,
            WsRole::Editor,
            admin.user_id,
            Authority::GlobalAdmin,
        )
        .await
        .map_err(err)?;
    for (gid, name) in GROUP_IDS
        .iter()
        .zip(["Sample group", "Sample group to delete"])
    {
        let gid = group_with_member(ctx, gid, name, member.user_id, admin.user_id).await?;
        let group = ctx
            .store
            .live_group(gid)
            .await
            .map_err(err)?
            .ok_or("group vanished")?;
        ctx.store
            .grant_group(&ws, &group, WsRole::Viewer, admin.user_id)
            .await
            .map_err(err)?;
    }
    let tid = Uuid::parse_str(PROVISIONING_TOKEN_ID).map_err(err)?;
    let (_, hash) = auth::new_provisioning_token(tid).map_err(err)?;
    ctx.store
        .create_provisioning_token(tid, "Sample IdP", hash, Some(admin.user_id))
        .await
        .map_err(err)?;
    let scim = Uuid::parse_str(SCIM_TOKEN_ID).map_err(err)?;
    ctx.store
        .create_provisioning_token(
            scim,
            "Sample SCIM client",
            auth::hash_token(SCIM_TOKEN),
            Some(admin.user_id),
        )
        .await
        .map_err(err)?;
    let mut scim_users = Vec::new();
    for (id, name) in SCIM_USER_IDS
        .iter()
        .zip(["sample-scim-user", "sample-scim-leaver"])
    {
        let u = user(ctx, id, &format!("{name}@example.com"), name, false).await?;
        scim_users.push(u.user_id);
    }
    for (gid, name) in SCIM_GROUP_IDS
        .iter()
        .zip(["Sample SCIM group", "Sample SCIM group to delete"])
    {
        group_with_member(ctx, gid, name, scim_users[0], admin.user_id).await?;
    }
    let admin_email = admin.email.clone();
    let ttl = ctx.config.invitation_ttl_days;
    let invitee = Email::parse_str("sample-invitee@example.com").map_err(err)?;
    let revocable = Uuid::parse_str(REVOCABLE_INVITATION_ID).map_err(err)?;
    ctx.store
        .invite(&ws, &invitee, WsRole::Viewer, admin.user_id, revocable, ttl)
        .await
        .map_err(err)?;
    let member = reload(ctx, member.user_id).await?;
    for (wid, iid) in INVITING_WORKSPACE_IDS.iter().zip(ADMIN_INVITATION_IDS) {
        let wid = Uuid::parse_str(wid).map_err(err)?;
        let ws = ctx
            .store
            .create_workspace(wid, &member, "Inviting workspace")
            .await
            .map_err(err)?;
        let iid = Uuid::parse_str(iid).map_err(err)?;
        ctx.store
            .invite(&ws, &admin_email, WsRole::Editor, member.user_id, iid, ttl)
            .await
            .map_err(err)?;
    }
    let admin = reload(ctx, admin.user_id).await?;
    let checksum = Checksum::parse_str("samplefile").map_err(err)?;
    ctx.store
        .record_file(&admin, checksum, 1000, admin.user_id)
        .await
        .map_err(err)?;
    let admin = reload(ctx, admin.user_id).await?;
    auth::store_token(ctx, &admin, ADMIN_TOKEN.to_string())
        .await
        .map_err(err)?;
    Ok(())
}
