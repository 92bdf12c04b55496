//! Directory reads: sorted, filtered pages and prefix search over the directory
//! indexes. Each index is partitioned by directory (`ALL` or `WS#<id>`) and sorted by
//! one field, so a page reads its own entries, never the table.

use std::collections::HashMap;

use uuid::Uuid;

use super::{db_error, s, Item, Store};
use crate::error::ApiError;
use crate::keys;
use crate::model::{Status, WsRole};

/// A sortable field and the index that keeps it in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    CreatedAt,
    UpdatedAt,
    Email,
    Username,
    LastName,
    FirstName,
}

impl SortField {
    /// The `sort_by` values the API accepts.
    pub fn parse(s: &str) -> Option<SortField> {
        match s {
            "created_at" => Some(SortField::CreatedAt),
            "updated_at" => Some(SortField::UpdatedAt),
            "email" => Some(SortField::Email),
            "username" => Some(SortField::Username),
            "last_name" => Some(SortField::LastName),
            _ => None,
        }
    }
    pub fn index(self) -> &'static str {
        match self {
            SortField::CreatedAt => "by_created",
            SortField::UpdatedAt => "by_updated",
            SortField::Email => "by_email",
            SortField::Username => "by_username",
            SortField::LastName => "by_last_name",
            SortField::FirstName => "by_first_name",
        }
    }
    pub fn attr(self) -> &'static str {
        match self {
            SortField::CreatedAt => "k_created",
            SortField::UpdatedAt => "k_updated",
            SortField::Email => "k_email",
            SortField::Username => "k_username",
            SortField::LastName => "k_last",
            SortField::FirstName => "k_first",
        }
    }
    /// The searchable fields and how a lower-cased prefix is spelled in each.
    pub fn searchable() -> [(SortField, bool); 4] {
        [
            (SortField::Username, false),
            (SortField::Email, false),
            (SortField::FirstName, true),
            (SortField::LastName, true),
        ]
    }
}

/// The role filter: a workspace role inside a workspace, else a global role.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleFilter {
    Workspace(WsRole),
    Global(String),
}

/// One listing request against one directory partition.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub dir: String,
    pub sort: SortField,
    pub descending: bool,
    pub status: Option<Status>,
    pub role: Option<RoleFilter>,
    /// Lower-cased prefix, matched on username, email, first and last name.
    pub search: Option<String>,
    pub ids: Option<Vec<Uuid>>,
}

impl DirectoryQuery {
    pub fn has_filters(&self) -> bool {
        self.status.is_some() || self.role.is_some() || self.search.is_some() || self.ids.is_some()
    }

    fn filter(&self) -> (Option<String>, HashMap<String, String>, Item) {
        let mut parts = Vec::new();
        let mut names = HashMap::new();
        let mut values = Item::new();
        if let Some(st) = self.status {
            parts.push("#st = :st".to_string());
            names.insert("#st".into(), "status".into());
            values.insert(":st".into(), s(st.as_str()));
        }
        match &self.role {
            Some(RoleFilter::Workspace(r)) => {
                parts.push("ws_role = :role".into());
                values.insert(":role".into(), s(r.as_str()));
            }
            Some(RoleFilter::Global(r)) => {
                parts.push("contains(#roles, :role)".into());
                names.insert("#roles".into(), "roles".into());
                values.insert(":role".into(), s(r.clone()));
            }
            None => {}
        }
        if let Some(q) = &self.search {
            parts.push("(begins_with(k_username, :q) OR begins_with(k_email, :q) OR begins_with(k_first, :qh) OR begins_with(k_last, :qh))".into());
            values.insert(":q".into(), s(q.clone()));
            values.insert(":qh".into(), s(format!("#{q}")));
        }
        if let Some(ids) = &self.ids {
            let placeholders: Vec<String> = (0..ids.len()).map(|i| format!(":id{i}")).collect();
            for (p, id) in placeholders.iter().zip(ids) {
                values.insert(p.clone(), s(id.to_string()));
            }
            if ids.is_empty() {
                parts.push("attribute_not_exists(user_id)".into());
            } else {
                parts.push(format!("user_id IN ({})", placeholders.join(", ")));
            }
        }
        let expr = (!parts.is_empty()).then(|| parts.join(" AND "));
        (expr, names, values)
    }
}

/// One page of user ids in order, and the key to resume after its last entry.
#[derive(Debug)]
pub struct DirectoryPage {
    pub user_ids: Vec<Uuid>,
    pub last_key: Option<Item>,
}

fn entry_key(item: &Item, sort: SortField) -> Item {
    item.iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k == keys::PK || k == keys::SK || k == keys::DIR || k == sort.attr()
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn user_id_of(item: &Item) -> Option<Uuid> {
    item.get("user_id")
        .and_then(|v| v.as_s().ok())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl Store {
    /// Up to `limit` matching entries after `start`, in index order. Reads stop as soon
    /// as the page is full plus one entry (to know whether more follow).
    pub async fn directory_page(
        &self,
        q: &DirectoryQuery,
        limit: usize,
        start: Option<Item>,
    ) -> Result<DirectoryPage, ApiError> {
        let (filter, mut names, mut values) = q.filter();
        names.insert("#d".into(), keys::DIR.into());
        values.insert(":d".into(), s(q.dir.clone()));
        let mut found: Vec<Item> = Vec::new();
        let mut start = start;
        loop {
            let want = (limit + 1 - found.len()) as i32;
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(q.sort.index())
                .key_condition_expression("#d = :d")
                .set_filter_expression(filter.clone())
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .scan_index_forward(!q.descending)
                .limit(if filter.is_some() {
                    want.max(100)
                } else {
                    want
                })
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map_err(db_error)?;
            self.meter(&out.consumed_capacity);
            found.extend(out.items.unwrap_or_default());
            if found.len() > limit {
                break;
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        let more = found.len() > limit;
        found.truncate(limit);
        let last_key = if more {
            found.last().map(|i| entry_key(i, q.sort))
        } else {
            None
        };
        Ok(DirectoryPage {
            user_ids: found.iter().filter_map(user_id_of).collect(),
            last_key,
        })
    }

    /// How many entries match `q` (a count query, read in full).
    pub async fn directory_count(&self, q: &DirectoryQuery) -> Result<i64, ApiError> {
        let (filter, mut names, mut values) = q.filter();
        names.insert("#d".into(), keys::DIR.into());
        values.insert(":d".into(), s(q.dir.clone()));
        let mut total = 0i64;
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(q.sort.index())
                .key_condition_expression("#d = :d")
                .set_filter_expression(filter.clone())
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map_err(db_error)?;
            self.meter(&out.consumed_capacity);
            total += i64::from(out.count);
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(total),
            }
        }
    }

    /// Ids of users in directory `dir` whose `field` starts with the lower-cased
    /// `prefix`, at most `limit`, in the field's order.
    pub async fn prefix_search(
        &self,
        dir: &str,
        field: SortField,
        hashed: bool,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Uuid>, ApiError> {
        let value = if hashed {
            format!("#{prefix}")
        } else {
            prefix.to_string()
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(field.index())
            .key_condition_expression("#d = :d AND begins_with(#k, :p)")
            .expression_attribute_names("#d", keys::DIR)
            .expression_attribute_names("#k", field.attr())
            .expression_attribute_values(":d", s(dir))
            .expression_attribute_values(":p", s(value))
            .limit(limit as i32)
            .return_consumed_capacity(self.rcc())
            .send()
            .await
            .map_err(db_error)?;
        self.meter(&out.consumed_capacity);
        Ok(out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(user_id_of)
            .collect())
    }
}
