//! SCIM Groups over the service's groups: `displayName` is the name (unique,
//! case-insensitively), `externalId` the identity provider's id (unique, case-exact),
//! `members` the users in the group. Member changes go through the group's member
//! job: however many one request names, they are all applied, resumably, with the
//! effects of a membership (roles from grants, directory entries, activities).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::doc::{self, Projection};
use super::filter::{self, CompareOp, Filter, SubScope};
use super::patch::{self, Op, Operation};
use super::schema::{GROUP, GROUP_TYPE};
use super::{meta, version_tag};
use crate::activity::Actor;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::model::GroupRecord;
use crate::store::{GroupEdit, GroupFields, MemberChange, MAX_MEMBER_CHANGES};
use crate::types;
use crate::Ctx;

/// `meta.location` of a group.
pub fn location(base: &str, id: Uuid) -> String {
    format!("{base}/scim/v2/Groups/{id}")
}

/// The SCIM document of `group`, with its members when they were read.
pub fn document(group: &GroupRecord, members: Option<&[Uuid]>, base: &str) -> Value {
    let mut d = Map::new();
    d.insert("schemas".into(), json!([GROUP]));
    d.insert("id".into(), json!(group.group_id));
    if let Some(e) = &group.external_id {
        d.insert("externalId".into(), json!(e));
    }
    d.insert("displayName".into(), json!(group.name));
    if let Some(members) = members.filter(|m| !m.is_empty()) {
        let list: Vec<Value> = members
            .iter()
            .map(|id| {
                json!({
                    "value": id,
                    "$ref": super::users::location(base, *id),
                    "type": "User",
                })
            })
            .collect();
        d.insert("members".into(), Value::Array(list));
    }
    d.insert(
        "meta".into(),
        meta(
            "Group",
            &group.created_at,
            &group.updated_at,
            &location(base, group.group_id),
            &version_tag(group.version),
        ),
    );
    Value::Object(d)
}

/// Whether `projection` shows members.
pub fn shows_members(projection: &Projection) -> bool {
    projection.returns(&GROUP_TYPE, "members")
}

/// `group` as a response shows it, its members read only when they are shown.
pub async fn render(
    ctx: &Ctx,
    group: &GroupRecord,
    projection: &Projection,
    base: &str,
) -> Result<Value, ApiError> {
    let members = if shows_members(projection) {
        Some(ctx.store.all_group_members(group.group_id).await?)
    } else {
        None
    };
    Ok(projection.apply(&GROUP_TYPE, document(group, members.as_deref(), base)))
}

/// Whether `group` as `projection` shows it stays within 5 MB (as a list page's
/// estimate has it), known before any member is read.
pub fn fits(group: &GroupRecord, projection: &Projection) -> bool {
    !shows_members(projection)
        || super::list::document_bytes(group) <= super::list::MAX_RESPONSE_BYTES
}

/// For a read of `group`: 400 `tooMany` when it does not [`fit`](fits), before any
/// member is read; with `excludedAttributes=members` it answers. Writes have already
/// happened when they render: a PATCH answers 204 instead (RFC 7644 §3.5.2), a PUT or
/// POST (whose body named every member) the group.
pub fn check_fits(group: &GroupRecord, projection: &Projection) -> Result<(), ApiError> {
    if !fits(group, projection) {
        return Err(ApiError::too_many(format!(
            "This group's {} members would pass 5 MB: ask with excludedAttributes=members",
            group.member_count
        )));
    }
    Ok(())
}

/// The group `raw` names, or the SCIM 404.
pub async fn get(ctx: &Ctx, raw: &str) -> Result<GroupRecord, ApiError> {
    let gone = || ApiError::not_found("group", raw);
    let id = types::parse_uuid(raw).ok_or_else(gone)?;
    ctx.store.live_group(id).await?.ok_or_else(gone)
}

/// A group's own fields from a normalized document; the description, which SCIM does
/// not know, stays.
fn fields_of(d: &Map<String, Value>, description: Option<String>) -> Result<GroupFields, ApiError> {
    let name = d
        .get("displayName")
        .ok_or_else(|| ApiError::invalid_value("'displayName' is required"))?;
    let name = types::group_name(name)
        .map_err(|e| ApiError::invalid_value(format!("displayName: {}", e.msg)))?;
    let external_id = d
        .get("externalId")
        .and_then(Value::as_str)
        .map(str::to_string);
    if external_id
        .as_ref()
        .is_some_and(|e| e.chars().count() > 255)
    {
        return Err(ApiError::invalid_value(
            "'externalId' may be at most 255 characters",
        ));
    }
    Ok(GroupFields {
        name,
        description,
        external_id,
    })
}

/// The user ids of a `members` value (normalized: objects with `value`).
fn member_ids(v: Option<&Value>) -> Result<Vec<Uuid>, ApiError> {
    let mut ids = Vec::new();
    for m in v.and_then(Value::as_array).into_iter().flatten() {
        let raw = m.get("value").and_then(Value::as_str).unwrap_or("");
        let id = types::parse_uuid(raw)
            .ok_or_else(|| ApiError::invalid_value(format!("No user '{raw}' to be a member")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Member changes of one request, netted: the last word on each user.
#[derive(Default)]
struct Members {
    current: Option<BTreeSet<Uuid>>,
    net: BTreeMap<Uuid, bool>,
}

impl Members {
    async fn current(&mut self, ctx: &Ctx, group: Uuid) -> Result<BTreeSet<Uuid>, ApiError> {
        if self.current.is_none() {
            let all = ctx.store.all_group_members(group).await?;
            self.current = Some(all.into_iter().collect());
        }
        Ok(self.current.clone().unwrap_or_default())
    }

    /// Every member there would be now.
    async fn everyone(&mut self, ctx: &Ctx, group: Uuid) -> Result<BTreeSet<Uuid>, ApiError> {
        let mut all = self.current(ctx, group).await?;
        for (id, add) in &self.net {
            if *add {
                all.insert(*id);
            } else {
                all.remove(id);
            }
        }
        Ok(all)
    }

    fn set(&mut self, ids: impl IntoIterator<Item = Uuid>, member: bool) {
        for id in ids {
            self.net.insert(id, member);
        }
    }

    /// The changes, adds checked to name existing users (400 `invalidValue`), at most
    /// [`MAX_MEMBER_CHANGES`] (400 `tooMany`).
    async fn changes(&self, ctx: &Ctx) -> Result<Vec<MemberChange>, ApiError> {
        if self.net.len() > MAX_MEMBER_CHANGES {
            return Err(ApiError::too_many(format!(
                "At most {MAX_MEMBER_CHANGES} member changes per request"
            )));
        }
        let adds: Vec<Uuid> = self
            .net
            .iter()
            .filter(|(_, a)| **a)
            .map(|(id, _)| *id)
            .collect();
        let found = ctx.store.get_users(&adds).await?;
        if let Some(missing) = adds
            .iter()
            .find(|id| !found.iter().any(|u| u.user_id == **id))
        {
            return Err(ApiError::invalid_value(format!(
                "No user '{missing}' to be a member"
            )));
        }
        Ok(self
            .net
            .iter()
            .filter(|(id, add)| match &self.current {
                Some(c) => c.contains(id) != **add,
                None => true,
            })
            .map(|(id, add)| {
                if *add {
                    MemberChange::Add(*id)
                } else {
                    MemberChange::Remove(*id)
                }
            })
            .collect())
    }
}

/// The users a `members[...]` filter names by `value eq` (joined with `or`), if that
/// is all it says.
fn named_values(f: &Filter) -> Option<Vec<String>> {
    match f {
        Filter::Compare(p, CompareOp::Eq, Value::String(v))
            if p.attr.eq_ignore_ascii_case("value") && p.sub.is_none() =>
        {
            Some(vec![v.clone()])
        }
        Filter::Or(a, b) => {
            let mut all = named_values(a)?;
            all.extend(named_values(b)?);
            Some(all)
        }
        _ => None,
    }
}

/// Whether a path names `members` (or something inside it).
fn is_members(path: &filter::PatchPath) -> bool {
    path.attr.attr.eq_ignore_ascii_case("members")
}

/// One member operation of a PATCH, applied to `members`.
async fn member_op(
    ctx: &Ctx,
    group: Uuid,
    members: &mut Members,
    op: &Operation,
    path: &filter::PatchPath,
) -> Result<(), ApiError> {
    let def = GROUP_TYPE
        .top_attr("members")
        .ok_or_else(|| ApiError::internal("members attribute"))?;
    if let Some(sub) = path
        .attr
        .sub
        .as_deref()
        .filter(|s| def.sub_attr(s).is_some())
    {
        // A member's value, type and reference are immutable (as published).
        return Err(ApiError::mutability(format!(
            "'members.{sub}' is immutable: members are added and removed whole"
        )));
    }
    if path.attr.sub.is_some() || (path.filter.is_some() && op.op != Op::Remove) {
        return Err(ApiError::invalid_path(
            "Members are added and removed whole: use 'members' or remove 'members[value eq \"<id>\"]'",
        ));
    }
    let values = match &op.value {
        Some(v) => member_ids(doc::value(def, v)?.as_ref())?,
        None => Vec::new(),
    };
    match (op.op, &path.filter) {
        (Op::Add, _) => members.set(values, true),
        (Op::Replace, _) => {
            let all = members.everyone(ctx, group).await?;
            members.set(all, false);
            members.set(values, true);
        }
        (Op::Remove, None) if op.value.is_some() => members.set(values, false),
        (Op::Remove, None) => {
            let all = members.everyone(ctx, group).await?;
            members.set(all, false);
        }
        (Op::Remove, Some(f)) => match named_values(f) {
            Some(raw) => members.set(raw.iter().filter_map(|r| types::parse_uuid(r)), false),
            None => {
                let scope = SubScope(def);
                let mut gone = Vec::new();
                for id in members.everyone(ctx, group).await? {
                    let m = json!({"value": id, "type": "User"});
                    if filter::matches(f, &m, &scope)? {
                        gone.push(id);
                    }
                }
                members.set(gone, false);
            }
        },
    }
    Ok(())
}

/// `POST /Groups`: a new group from `body`, with its members, by `actor`.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    body: &Map<String, Value>,
) -> Result<GroupRecord, ApiError> {
    doc::check_schemas(&GROUP_TYPE, body)?;
    let d = doc::resource(&GROUP_TYPE, body)?;
    let fields = fields_of(&d, None)?;
    let mut members = Members {
        current: Some(BTreeSet::new()),
        ..Members::default()
    };
    members.set(member_ids(d.get("members"))?, true);
    let changes = members.changes(ctx).await?;
    let group = ctx
        .store
        .create_group(ctx.clock.new_id(), fields, actor)
        .await?;
    if changes.is_empty() {
        return Ok(group);
    }
    let (group, _) = ctx
        .store
        .change_group(
            group,
            |g| {
                Ok(GroupEdit {
                    fields: GroupFields::of(g),
                    members: changes.clone(),
                })
            },
            actor,
        )
        .await?;
    Ok(group)
}

/// `PUT /Groups/{id}`: the group becomes `body`, members included.
pub async fn replace(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    body: &Map<String, Value>,
    if_match: &IfMatch,
) -> Result<GroupRecord, ApiError> {
    doc::check_schemas(&GROUP_TYPE, body)?;
    let current = get(ctx, raw).await?;
    if_match.check(current.version)?;
    let d = doc::resource(&GROUP_TYPE, body)?;
    fields_of(&d, None)?;
    let mut members = Members::default();
    let all = members.current(ctx, current.group_id).await?;
    members.set(all, false);
    members.set(member_ids(d.get("members"))?, true);
    let changes = members.changes(ctx).await?;
    let (group, _) = ctx
        .store
        .change_group(
            current,
            |g| {
                if_match.check(g.version)?;
                Ok(GroupEdit {
                    fields: fields_of(&d, g.description.clone())?,
                    members: changes.clone(),
                })
            },
            actor,
        )
        .await?;
    Ok(group)
}

/// `PATCH /Groups/{id}`: the operations of `body`; those on the group's own
/// attributes apply together in one write, member operations go to the member job.
pub async fn patch(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    body: &Map<String, Value>,
    if_match: &IfMatch,
) -> Result<GroupRecord, ApiError> {
    let ops = patch::parse(&GROUP_TYPE, body)?;
    let current = get(ctx, raw).await?;
    if_match.check(current.version)?;
    let mut own: Vec<Operation> = Vec::new();
    let mut members = Members::default();
    let members_path = filter::parse_path("members", &[])?;
    for op in ops {
        match &op.path {
            Some(p) if is_members(p) => {
                member_op(ctx, current.group_id, &mut members, &op, p).await?
            }
            Some(_) => own.push(op),
            None => {
                // A value object may hold members beside the group's own attributes.
                let mut value = op
                    .value
                    .clone()
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default();
                let key = value
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case("members"))
                    .cloned();
                if let Some(m) = key.and_then(|k| value.remove(&k)) {
                    let member = Operation {
                        op: op.op,
                        path: Some(members_path.clone()),
                        value: Some(m),
                    };
                    member_op(ctx, current.group_id, &mut members, &member, &members_path).await?;
                }
                if !value.is_empty() {
                    own.push(Operation {
                        op: op.op,
                        path: None,
                        value: Some(Value::Object(value)),
                    });
                }
            }
        }
    }
    let changes = members.changes(ctx).await?;
    let (group, _) = ctx
        .store
        .change_group(
            current,
            |g| {
                if_match.check(g.version)?;
                let Value::Object(mut d) = document(g, None, "") else {
                    return Err(ApiError::internal("group document"));
                };
                patch::apply_all(&GROUP_TYPE, &mut d, &own)?;
                Ok(GroupEdit {
                    fields: fields_of(&d, g.description.clone())?,
                    members: changes.clone(),
                })
            },
            actor,
        )
        .await?;
    Ok(group)
}

/// `DELETE /Groups/{id}`: the group goes with its memberships and grants.
pub async fn delete(
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let group = get(ctx, raw).await?;
    if_match.check(group.version)?;
    ctx.store.delete_group(&group, actor).await?;
    Ok(())
}
