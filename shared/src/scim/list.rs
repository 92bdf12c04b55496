//! SCIM lists and searches (RFC 7644 §3.4.2 and §3.4.3): the request (`filter`,
//! `startIndex`, `count`, projection), a plan that serves each filter from a guard or
//! an index (never a scan), and the `ListResponse`.
//!
//! Served filters: `eq` on `id`, `userName`, `emails.value` and `externalId` by the
//! uniqueness guards (strongly consistent); `eq` and `sw` on `displayName` and `sw` on
//! `userName` by the sorted indexes; `pr` by the index of the attribute (or of every
//! resource, for those every resource has); `and` of these, the most selective one
//! driving and the rest checked on each candidate. Anything else is `invalidFilter`.
//! `sortBy` is not supported (the configuration says so) and is ignored.

use serde_json::{json, Map, Value};

use super::doc::{Projection, ResourceScope};
use super::filter::{self, AttrPath, CompareOp, Filter};
use super::schema::{
    ResourceType, GROUP_TYPE, LIST_RESPONSE, MAX_RESULTS, SEARCH_REQUEST, USER_TYPE,
};
use crate::error::ApiError;
use crate::http::Query;
use crate::model::{GroupRecord, UserRecord};
use crate::store::{GroupIndex, UserGuard, UserIndex};
use crate::Ctx;

/// The query parameters of a list.
pub const LIST_PARAMETERS: [&str; 7] = [
    "filter",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
    "sortBy",
    "sortOrder",
];

/// The most candidates a filter that its index does not answer exactly may read
/// before it is refused with `tooMany` (a narrower filter answers).
pub const MAX_CANDIDATES: usize = 1000;

/// A list a response of 5 MB would not hold: `tooMany` (estimated from member counts).
pub const MAX_RESPONSE_BYTES: i64 = 5_000_000;
/// Bytes one member takes in a group's document, for the estimate.
const MEMBER_BYTES: i64 = 130;

/// The estimated size of `group`'s document with its members.
pub fn document_bytes(group: &GroupRecord) -> i64 {
    group.member_count.max(0) * MEMBER_BYTES + 400
}

/// One list request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: Option<String>,
    /// 1-based.
    pub start_index: usize,
    pub count: usize,
    pub attributes: Option<String>,
    pub excluded: Option<String>,
}

fn int_of(name: &str, v: Option<&Value>) -> Result<Option<i64>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid_value(format!("'{name}' must be an integer"))),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::invalid_value(format!("'{name}' must be an integer"))),
        Some(_) => Err(ApiError::invalid_value(format!(
            "'{name}' must be an integer"
        ))),
    }
}

fn list_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}

impl ListRequest {
    fn new(
        filter: Option<String>,
        start: Option<i64>,
        count: Option<i64>,
        attributes: Option<String>,
        excluded: Option<String>,
    ) -> ListRequest {
        ListRequest {
            filter: filter.filter(|f| !f.trim().is_empty()),
            // §3.4.2.4: below 1 is 1; a negative count is 0; past the maximum, the
            // maximum.
            start_index: start.unwrap_or(1).max(1) as usize,
            count: count
                .unwrap_or(MAX_RESULTS as i64)
                .clamp(0, MAX_RESULTS as i64) as usize,
            attributes,
            excluded,
        }
    }

    /// From a `GET` query.
    pub fn from_query(q: &Query) -> Result<ListRequest, ApiError> {
        let num = |n: &str| int_of(n, q.get(n).map(|v| Value::String(v.to_string())).as_ref());
        Ok(ListRequest::new(
            q.get("filter").map(str::to_string),
            num("startIndex")?,
            num("count")?,
            q.get("attributes").map(str::to_string),
            q.get("excludedAttributes").map(str::to_string),
        ))
    }

    /// From a `POST .search` body (`SearchRequest`).
    pub fn from_search(body: &Map<String, Value>) -> Result<ListRequest, ApiError> {
        let whole = Value::Object(body.clone());
        let get = |n: &str| filter::get_ci(&whole, n);
        let schemas_ok = get("schemas").and_then(Value::as_array).is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))
            })
        });
        if !schemas_ok {
            return Err(ApiError::invalid_syntax(format!(
                "'schemas' must be [\"{SEARCH_REQUEST}\"]"
            )));
        }
        let filter = match get("filter") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(ApiError::invalid_filter("'filter' must be a string")),
        };
        Ok(ListRequest::new(
            filter,
            int_of("startIndex", get("startIndex"))?,
            int_of("count", get("count"))?,
            list_of(get("attributes")),
            list_of(get("excludedAttributes")),
        ))
    }

    pub fn projection(&self, rt: &ResourceType) -> Result<Projection, ApiError> {
        Projection::new(rt, self.attributes.as_deref(), self.excluded.as_deref())
    }

    fn parsed(&self, rt: &ResourceType) -> Result<Option<Filter>, ApiError> {
        self.filter
            .as_deref()
            .map(|f| filter::parse(f, &rt.extension_urns()))
            .transpose()
    }
}

/// The `ListResponse` of a page.
pub fn response(total: i64, start_index: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The terms of a conjunction.
fn terms(f: &Filter) -> Vec<&Filter> {
    match f {
        Filter::And(a, b) => {
            let mut t = terms(a);
            t.extend(terms(b));
            t
        }
        other => vec![other],
    }
}

fn unsupported(f: &Filter) -> ApiError {
    let what = match f {
        Filter::Compare(p, op, _) => {
            format!("'{} {}'", p.dotted(), format!("{op:?}").to_lowercase())
        }
        Filter::Present(p) => format!("'{} pr'", p.dotted()),
        Filter::Or(..) => "'or'".to_string(),
        Filter::Not(..) => "'not'".to_string(),
        Filter::Has(p, _) => format!("'{}[...]'", p.dotted()),
        Filter::And(..) => "this 'and'".to_string(),
    };
    ApiError::invalid_filter(format!(
        "The filter term {what} is not supported here; supported: eq on id, userName, emails.value, externalId and displayName, sw on userName and displayName, pr, and 'and' of these"
    ))
}

fn string_of(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Where candidates come from, best first.
#[derive(Debug, Clone, PartialEq)]
enum Source<G, I> {
    /// At most one resource, found by its id.
    Id(String),
    /// At most one resource, found by a guard.
    Guard(G, String),
    /// A range of an index: `exact` when the range is exactly the term's matches.
    Index {
        index: I,
        prefix: Option<String>,
        exact: bool,
    },
}

impl<G, I> Source<G, I> {
    fn rank(&self) -> u8 {
        match self {
            Source::Id(_) => 0,
            Source::Guard(..) => 1,
            Source::Index {
                prefix: Some(_), ..
            } => 2,
            Source::Index { .. } => 3,
        }
    }
}

/// The best source among the terms, and whether the terms say nothing more than it.
fn plan<G: Clone, I: Clone>(
    f: Option<&Filter>,
    every: I,
    term: impl Fn(&AttrPath, Option<(CompareOp, &Value)>) -> Option<Source<G, I>>,
) -> Result<(Source<G, I>, bool), ApiError> {
    let Some(f) = f else {
        return Ok((
            Source::Index {
                index: every,
                prefix: None,
                exact: true,
            },
            true,
        ));
    };
    let all = terms(f);
    let mut best: Option<Source<G, I>> = None;
    for t in &all {
        let source = match t {
            Filter::Compare(p, op, v) => term(p, Some((*op, v))),
            Filter::Present(p) => term(p, None),
            _ => None,
        }
        .ok_or_else(|| unsupported(t))?;
        if best.as_ref().is_none_or(|b| source.rank() < b.rank()) {
            best = Some(source);
        }
    }
    let best = best.ok_or_else(|| unsupported(f))?;
    let exact = all.len() == 1 && matches!(best, Source::Index { exact: true, .. });
    Ok((best, exact))
}

/// The source of a user filter term.
fn user_term(
    p: &AttrPath,
    cmp: Option<(CompareOp, &Value)>,
) -> Option<Source<UserGuard, UserIndex>> {
    if p.urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(USER_TYPE.core.id))
    {
        return None;
    }
    let name = p.dotted();
    Some(match (name.as_str(), cmp) {
        ("id", Some((CompareOp::Eq, v))) => Source::Id(string_of(v)?),
        ("username", Some((CompareOp::Eq, v))) => Source::Guard(UserGuard::Username, string_of(v)?),
        ("emails.value" | "emails", Some((CompareOp::Eq, v))) => {
            Source::Guard(UserGuard::Email, string_of(v)?)
        }
        ("externalid", Some((CompareOp::Eq, v))) => {
            Source::Guard(UserGuard::ExternalId, string_of(v)?)
        }
        ("displayname", Some((op @ (CompareOp::Eq | CompareOp::Sw), v))) => Source::Index {
            index: UserIndex::DisplayName,
            prefix: Some(string_of(v)?.to_lowercase()),
            exact: op == CompareOp::Sw,
        },
        ("username", Some((CompareOp::Sw, v))) => Source::Index {
            index: UserIndex::Username,
            prefix: Some(string_of(v)?.to_lowercase()),
            exact: true,
        },
        ("displayname", None) => Source::Index {
            index: UserIndex::DisplayName,
            prefix: None,
            exact: true,
        },
        ("externalid", None) => Source::Index {
            index: UserIndex::ExternalId,
            prefix: None,
            exact: true,
        },
        // Every user has these.
        (
            "id" | "username" | "emails" | "emails.value" | "active" | "meta" | "meta.created"
            | "meta.lastmodified" | "meta.version" | "meta.location" | "meta.resourcetype",
            None,
        ) => Source::Index {
            index: UserIndex::Created,
            prefix: None,
            exact: true,
        },
        // Present on some: every user is a candidate, checked one by one. Not `groups`:
        // a user's record does not hold them, so no candidate would seem to have any.
        (name, None) if USER_TYPE.top_attr(&p.attr).is_some() && !name.starts_with("groups") => {
            Source::Index {
                index: UserIndex::Created,
                prefix: None,
                exact: false,
            }
        }
        _ => return None,
    })
}

/// The source of a group filter term.
fn group_term(
    p: &AttrPath,
    cmp: Option<(CompareOp, &Value)>,
) -> Option<Source<GroupGuard, GroupIndex>> {
    if p.urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(GROUP_TYPE.core.id))
    {
        return None;
    }
    let name = p.dotted();
    Some(match (name.as_str(), cmp) {
        ("id", Some((CompareOp::Eq, v))) => Source::Id(string_of(v)?),
        ("displayname", Some((CompareOp::Eq, v))) => Source::Guard(GroupGuard::Name, string_of(v)?),
        ("externalid", Some((CompareOp::Eq, v))) => {
            Source::Guard(GroupGuard::ExternalId, string_of(v)?)
        }
        ("displayname", Some((CompareOp::Sw, v))) => Source::Index {
            index: GroupIndex::All,
            prefix: Some(string_of(v)?.to_lowercase()),
            exact: true,
        },
        // Membership of one user, checked on each candidate (Entra ID asks
        // `id eq "<group>" and members.value eq "<user>"`).
        ("members.value" | "members", Some((CompareOp::Eq, _))) => Source::Index {
            index: GroupIndex::All,
            prefix: None,
            exact: false,
        },
        ("externalid", None) => Source::Index {
            index: GroupIndex::ExternalId,
            prefix: None,
            exact: true,
        },
        (
            "id" | "displayname" | "meta" | "meta.created" | "meta.lastmodified" | "meta.version"
            | "meta.location" | "meta.resourcetype",
            None,
        ) => Source::Index {
            index: GroupIndex::All,
            prefix: None,
            exact: true,
        },
        ("members" | "members.value", None) => Source::Index {
            index: GroupIndex::All,
            prefix: None,
            exact: false,
        },
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupGuard {
    Name,
    ExternalId,
}

/// Whether a page starting after `skip` entries lies past all `total` of them: it is
/// empty, and reading up to it would read the whole index for nothing.
fn past_the_end(skip: usize, total: i64) -> bool {
    usize::try_from(total.max(0)).is_ok_and(|t| skip >= t)
}

/// A page of users and the total.
pub async fn users(ctx: &Ctx, req: &ListRequest) -> Result<(i64, Vec<UserRecord>), ApiError> {
    let f = req.parsed(&USER_TYPE)?;
    let (source, exact) = plan(f.as_ref(), UserIndex::Created, user_term)?;
    let (skip, take) = (req.start_index - 1, req.count);
    let candidates = match source {
        Source::Id(raw) => match crate::types::parse_uuid(&raw) {
            Some(id) => ctx.store.get_user(id).await?.into_iter().collect(),
            None => Vec::new(),
        },
        Source::Guard(kind, v) => ctx
            .store
            .user_by_guard(kind, &v)
            .await?
            .into_iter()
            .collect(),
        Source::Index { index, prefix, .. } if exact => {
            let total = ctx
                .store
                .users_in_order_count(index, prefix.as_deref())
                .await?;
            if past_the_end(skip, total) {
                return Ok((total, Vec::new()));
            }
            let page = ctx
                .store
                .users_in_order(index, prefix.as_deref(), skip, take)
                .await?;
            return Ok((total, page));
        }
        Source::Index { index, prefix, .. } => {
            let found = ctx
                .store
                .users_in_order(index, prefix.as_deref(), 0, MAX_CANDIDATES + 1)
                .await?;
            if found.len() > MAX_CANDIDATES {
                return Err(ApiError::too_many(format!(
                    "The filter matches too many users to check one by one (more than {MAX_CANDIDATES}); narrow it"
                )));
            }
            found
        }
    };
    let mut matched = Vec::new();
    for u in candidates {
        let d = super::users::document(&u, None, "");
        if f.as_ref().map_or(Ok(true), |f| {
            filter::matches(f, &d, &ResourceScope(&USER_TYPE))
        })? {
            matched.push(u);
        }
    }
    let total = matched.len() as i64;
    Ok((total, matched.into_iter().skip(skip).take(take).collect()))
}

/// Whether `g` matches `f`, its members asked of the store one membership at a time.
async fn group_matches(ctx: &Ctx, f: &Filter, g: &GroupRecord) -> Result<bool, ApiError> {
    let d = super::groups::document(g, None, "");
    for t in terms(f) {
        let hit = match t {
            Filter::Compare(p, CompareOp::Eq, v) if p.attr.eq_ignore_ascii_case("members") => {
                match v.as_str().and_then(crate::types::parse_uuid) {
                    Some(user) => ctx
                        .store
                        .get_group_member(g.group_id, user)
                        .await?
                        .is_some(),
                    None => false,
                }
            }
            Filter::Present(p) if p.attr.eq_ignore_ascii_case("members") => g.member_count > 0,
            other => filter::matches(other, &d, &ResourceScope(&GROUP_TYPE))?,
        };
        if !hit {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A page of groups and the total; with members shown, a page past 5 MB is `tooMany`.
pub async fn groups(
    ctx: &Ctx,
    req: &ListRequest,
    with_members: bool,
) -> Result<(i64, Vec<GroupRecord>), ApiError> {
    let f = req.parsed(&GROUP_TYPE)?;
    let (source, exact) = plan(f.as_ref(), GroupIndex::All, group_term)?;
    let (skip, take) = (req.start_index - 1, req.count);
    let (total, page) = match source {
        Source::Index { index, prefix, .. } if exact => {
            let total = match &prefix {
                None => ctx.store.groups_in_order_count(index).await?,
                Some(p) => ctx.store.groups_in_order_prefix_count(p).await?,
            };
            if past_the_end(skip, total) {
                return Ok((total, Vec::new()));
            }
            let page = ctx
                .store
                .groups_in_order(index, prefix.as_deref(), skip, take)
                .await?;
            (total, page)
        }
        source => {
            let candidates: Vec<GroupRecord> = match source {
                Source::Id(raw) => match crate::types::parse_uuid(&raw) {
                    Some(id) => ctx.store.live_group(id).await?.into_iter().collect(),
                    None => Vec::new(),
                },
                Source::Guard(GroupGuard::Name, v) => {
                    ctx.store.group_by_name(&v).await?.into_iter().collect()
                }
                Source::Guard(GroupGuard::ExternalId, v) => ctx
                    .store
                    .group_by_external_id(&v)
                    .await?
                    .into_iter()
                    .collect(),
                Source::Index { index, prefix, .. } => {
                    let found = ctx
                        .store
                        .groups_in_order(index, prefix.as_deref(), 0, MAX_CANDIDATES + 1)
                        .await?;
                    if found.len() > MAX_CANDIDATES {
                        return Err(ApiError::too_many(format!(
                            "The filter matches too many groups to check one by one (more than {MAX_CANDIDATES}); narrow it"
                        )));
                    }
                    found
                }
            };
            let mut matched = Vec::new();
            for g in candidates {
                let keep = match &f {
                    Some(f) => group_matches(ctx, f, &g).await?,
                    None => true,
                };
                if keep {
                    matched.push(g);
                }
            }
            let total = matched.len() as i64;
            (total, matched.into_iter().skip(skip).take(take).collect())
        }
    };
    if with_members {
        let bytes: i64 = page.iter().map(document_bytes).sum();
        if bytes > MAX_RESPONSE_BYTES {
            return Err(ApiError::too_many(
                "These groups with their members would pass 5 MB: ask for fewer (count), or with excludedAttributes=members",
            ));
        }
    }
    Ok((total, page))
}

/// How many resources of a page are rendered at once (each may read its groups or
/// members).
const RENDER_CONCURRENCY: usize = 8;

/// Runs `renders` (one per resource of a page), at most [`RENDER_CONCURRENCY`] at a
/// time, keeping their order.
async fn render_all<Fut>(renders: Vec<Fut>) -> Result<Vec<Value>, ApiError>
where
    Fut: std::future::Future<Output = Result<Value, ApiError>>,
{
    use futures::stream::{self, StreamExt, TryStreamExt};
    stream::iter(renders)
        .buffered(RENDER_CONCURRENCY)
        .try_collect()
        .await
}

/// A page of users as `GET /Users` and `POST /Users/.search` answer it.
pub async fn user_page(ctx: &Ctx, req: &ListRequest, base: &str) -> Result<Value, ApiError> {
    let (total, docs) = user_docs(ctx, req, base).await?;
    Ok(response(total, req.start_index, docs))
}

/// A page of groups as `GET /Groups` and `POST /Groups/.search` answer it.
pub async fn group_page(ctx: &Ctx, req: &ListRequest, base: &str) -> Result<Value, ApiError> {
    let (total, docs) = group_docs(ctx, req, base).await?;
    Ok(response(total, req.start_index, docs))
}

async fn user_docs(
    ctx: &Ctx,
    req: &ListRequest,
    base: &str,
) -> Result<(i64, Vec<Value>), ApiError> {
    let projection = req.projection(&USER_TYPE)?;
    let (total, page) = users(ctx, req).await?;
    let renders = page
        .iter()
        .map(|u| async { Ok(super::users::render(ctx, u, &projection, base).await?.0) })
        .collect();
    let docs = render_all(renders).await?;
    Ok((total, docs))
}

async fn group_docs(
    ctx: &Ctx,
    req: &ListRequest,
    base: &str,
) -> Result<(i64, Vec<Value>), ApiError> {
    let projection = req.projection(&GROUP_TYPE)?;
    let with_members = super::groups::shows_members(&projection);
    let (total, page) = groups(ctx, req, with_members).await?;
    let renders = page
        .iter()
        .map(|g| super::groups::render(ctx, g, &projection, base))
        .collect();
    let docs = render_all(renders).await?;
    Ok((total, docs))
}

/// `POST /.search` (RFC 7644 §3.4.3): users, then groups, as one list paged by
/// `startIndex` and `count`. A filter naming what only one type has matches nothing of
/// the other type; one neither type can serve is the users' error.
pub async fn search_all(ctx: &Ctx, req: &ListRequest, base: &str) -> Result<Value, ApiError> {
    let nothing_of_type =
        |e: &ApiError| matches!(e.scim_type(), Some("invalidFilter") | Some("invalidValue"));
    let (user_total, user_docs, user_error) = match user_docs(ctx, req, base).await {
        Ok((t, d)) => (t, d, None),
        Err(e) if nothing_of_type(&e) => (0, Vec::new(), Some(e)),
        Err(e) => return Err(e),
    };
    let skipped = (req.start_index - 1).saturating_sub(user_total.max(0) as usize);
    let groups_req = ListRequest {
        start_index: skipped + 1,
        count: req.count - user_docs.len(),
        ..req.clone()
    };
    let (group_total, group_docs) = match group_docs(ctx, &groups_req, base).await {
        Ok(found) => found,
        Err(e) if nothing_of_type(&e) => match user_error {
            Some(first) => return Err(first),
            None => (0, Vec::new()),
        },
        Err(e) => return Err(e),
    };
    let mut docs = user_docs;
    docs.extend(group_docs);
    Ok(response(user_total + group_total, req.start_index, docs))
}
