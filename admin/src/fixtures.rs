//! Bulk fixtures for `make stress`: written directly, without activities, on fresh
//! local tables only.

use shared::types::{Email, Username};
use shared::users::new_record;
use shared::Ctx;
use uuid::Uuid;

/// Creates a group `name` of `n` new users (`<name>-<i>@example.com`), refusing any
/// endpoint but a local one; answers the group's id.
pub async fn big_group(ctx: &Ctx, name: &str, n: usize) -> Result<Uuid, String> {
    let local =
        ctx.config.endpoint_url.as_deref().is_some_and(|u| {
            u.starts_with("http://127.0.0.1") || u.starts_with("http://localhost")
        });
    if !local {
        return Err("group-fixture writes unchecked fixtures: local endpoints only".into());
    }
    let err = |e: shared::ApiError| e.cause.clone().unwrap_or(e.message);
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let users: Vec<_> = chunk
            .iter()
            .map(|i| {
                let email = Email::parse_str(&format!("{name}-{i}@example.com"))?;
                let username = Username::parse_str(&format!("{name}-{i}"))?;
                Ok(new_record(ctx, email, username, "unused-hash".into()))
            })
            .collect::<Result<_, shared::fields::Invalid>>()
            .map_err(|e| format!("{e:?}"))?;
        ctx.store
            .import_users_unchecked(&users)
            .await
            .map_err(err)?;
        ids.extend(users.iter().map(|u| u.user_id));
    }
    // The group's `group.created` goes in the feed of its first member.
    let actor = *ids.first().ok_or("N must be at least 1")?;
    let gid = ctx.clock.new_id();
    ctx.store
        .create_group(gid, shared::store::GroupFields::named(name), actor)
        .await
        .map_err(err)?;
    ctx.store
        .import_group_members_unchecked(gid, &ids)
        .await
        .map_err(err)?;
    Ok(gid)
}
