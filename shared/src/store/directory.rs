//! Directory reads: sorted, filtered pages and prefix search over the directory
//! indexes. Each index is partitioned by directory (everyone, or one workspace's
//! members) and sorted by one field, so a page reads its own entries, never the table.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::read::Range;
use super::{s, Item, Store};
use crate::error::ApiError;
use crate::keys;
use crate::paging::{Page, PageRequest};
use crate::types::{Status, WsRole};

/// Whose entries a directory read covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    /// Every user.
    Everyone,
    /// The members of one workspace.
    Workspace(Uuid),
}

impl Directory {
    fn partition(self) -> String {
        match self {
            Directory::Everyone => keys::DIR_ALL.to_string(),
            Directory::Workspace(id) => keys::dir_workspace(id),
        }
    }
}

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

    /// The index that keeps this field in order.
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

    fn attr(self) -> &'static str {
        match self {
            SortField::CreatedAt => "k_created",
            SortField::UpdatedAt => "k_updated",
            SortField::Email => "k_email",
            SortField::Username => "k_username",
            SortField::LastName => "k_last",
            SortField::FirstName => "k_first",
        }
    }

    fn range(self, dir: Directory) -> Range {
        Range::index(self.index(), keys::DIR, self.attr(), dir.partition())
    }

    /// The searchable fields, and whether they are names (stored as
    /// [`keys::name_key`]).
    const SEARCHABLE: [(SortField, bool); 4] = [
        (SortField::Username, false),
        (SortField::Email, false),
        (SortField::FirstName, true),
        (SortField::LastName, true),
    ];
}

/// The role filter: a workspace role inside a workspace, else a global role.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleFilter {
    Workspace(WsRole),
    Global(String),
}

/// One listing request against one directory.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub dir: Directory,
    pub sort: SortField,
    pub descending: bool,
    pub status: Option<Status>,
    pub role: Option<RoleFilter>,
    /// Lower-cased prefix, matched on username, email, first and last name.
    pub search: Option<String>,
    pub ids: Option<Vec<Uuid>>,
    /// Only users whose signing device is of this type.
    pub device_type: Option<String>,
}

impl DirectoryQuery {
    pub fn has_filters(&self) -> bool {
        self.status.is_some()
            || self.role.is_some()
            || self.search.is_some()
            || self.ids.is_some()
            || self.device_type.is_some()
    }

    fn range(&self) -> Range {
        let range = self.sort.range(self.dir).descending(self.descending);
        let mut parts = Vec::new();
        let mut names = HashMap::new();
        let mut values = Item::new();
        if let Some(t) = &self.device_type {
            parts.push("device_type = :dt".to_string());
            values.insert(":dt".into(), s(t.clone()));
        }
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
        // On the index sorted by a searched field, that field is the index's sort key,
        // which a filter expression may not name: the search is then tested on each
        // entry read (the entries carry all four fields), at the same read cost.
        let mut keep = None;
        if let Some(q) = &self.search {
            if SortField::SEARCHABLE.iter().any(|(f, _)| *f == self.sort) {
                let (plain, hashed) = (q.clone(), keys::name_key(q));
                keep = Some(move |item: &Item| {
                    let starts = |attr: &str, with: &str| {
                        item.get(attr)
                            .and_then(|v| v.as_s().ok())
                            .is_some_and(|v| v.starts_with(with))
                    };
                    starts("k_username", &plain)
                        || starts("k_email", &plain)
                        || starts("k_first", &hashed)
                        || starts("k_last", &hashed)
                });
            } else {
                parts.push("(begins_with(k_username, :q) OR begins_with(k_email, :q) OR begins_with(k_first, :qh) OR begins_with(k_last, :qh))".into());
                values.insert(":q".into(), s(q.clone()));
                values.insert(":qh".into(), s(keys::name_key(q)));
            }
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
        let range = match keep {
            Some(keep) => range.keep(keep),
            None => range,
        };
        if parts.is_empty() {
            range
        } else {
            range.filter(parts.join(" AND "), names, values)
        }
    }
}

fn user_id_of(item: &Item) -> Option<Uuid> {
    item.get("user_id")
        .and_then(|v| v.as_s().ok())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl Store {
    /// A page of the ids of the users matching `q`, in its order.
    pub async fn directory_page(
        &self,
        q: &DirectoryQuery,
        page: &PageRequest,
    ) -> Result<Page<Uuid>, ApiError> {
        let found = self.read_page(&q.range(), page).await?;
        Ok(Page {
            items: found.items.iter().filter_map(user_id_of).collect(),
            next: found.next,
        })
    }

    /// The ids of the first `limit` users of `dir` (oldest first), and whether more
    /// follow.
    pub async fn directory_ids_first(
        &self,
        dir: Directory,
        limit: usize,
    ) -> Result<(Vec<Uuid>, bool), ApiError> {
        let first = SortField::CreatedAt.range(dir);
        let page = self
            .read_page(&first, &PageRequest { limit, after: None })
            .await?;
        let more = page.next.is_some();
        Ok((page.items.iter().filter_map(user_id_of).collect(), more))
    }

    /// How many entries match `q`, counted up to `max`: the count and whether it
    /// stopped at `max` (then a lower bound).
    pub async fn directory_count_up_to(
        &self,
        q: &DirectoryQuery,
        max: i64,
    ) -> Result<(i64, bool), ApiError> {
        // The order does not change the count; by creation time every filter can be
        // said in the expression (no searched field is that index's key).
        let by_created = DirectoryQuery {
            sort: SortField::CreatedAt,
            ..q.clone()
        };
        self.count_up_to(&by_created.range(), max).await
    }

    /// Ids of users in `dirs` whose username, email, first or last name starts with the
    /// lower-cased `prefix`: at most `limit` per field and directory, one index range
    /// read each, so the cost follows `limit`.
    pub async fn prefix_search(
        &self,
        dirs: &[Directory],
        prefix: &str,
        limit: usize,
    ) -> Result<BTreeSet<Uuid>, ApiError> {
        let mut ids = BTreeSet::new();
        for dir in dirs {
            for (field, hashed) in SortField::SEARCHABLE {
                let stored = if hashed {
                    keys::name_key(prefix)
                } else {
                    prefix.to_string()
                };
                let range = field.range(*dir).prefix(stored);
                let found = self.read_first(&range, limit).await?;
                ids.extend(found.iter().filter_map(user_id_of));
            }
        }
        Ok(ids)
    }
}
