//! The reads SCIM lists are served by: users and groups by a uniqueness guard
//! (strongly consistent, so a lookup right after a create finds it), and ordered
//! ranges of the sparse indexes that back `sw` and `pr` filters. SCIM pages by
//! position (`startIndex`), which DynamoDB has no way to jump to, so a page reads the
//! entries before it: the cost is O(startIndex + count), never the table.

use uuid::Uuid;

use super::read::Range;
use super::{key, Item, Store};
use crate::error::ApiError;
use crate::keys;
use crate::model::{GroupMemberRecord, GroupRecord, UserRecord};
use crate::paging::PageRequest;

/// The uniqueness guards a user is found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserGuard {
    Username,
    Email,
    ExternalId,
}

/// An ordered index of users (the global directory), and the attribute it sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserIndex {
    /// Every user, oldest first.
    Created,
    /// Users by lower-case username.
    Username,
    /// Users with a shown name, by it in lower case.
    DisplayName,
    /// Users with an external id, by it.
    ExternalId,
}

impl UserIndex {
    fn range(self) -> Range {
        let (index, attr) = match self {
            UserIndex::Created => ("by_created", "k_created"),
            UserIndex::Username => ("by_username", "k_username"),
            UserIndex::DisplayName => ("by_display_name", keys::K_DISPLAY),
            UserIndex::ExternalId => ("by_external_id", keys::K_EXTERNAL),
        };
        Range::index(index, keys::DIR, attr, keys::DIR_ALL.into())
    }
}

/// An ordered index of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupIndex {
    /// Every group, by lower-case name.
    All,
    /// Groups with an external id.
    ExternalId,
}

fn id_in(item: &Item, name: &str) -> Option<Uuid> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// The group a `gsi1` entry names in its key attribute `name` (`GROUP#<id>`): the
/// index projects keys only.
fn group_in(item: &Item, name: &str) -> Option<Uuid> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| s.strip_prefix(keys::GROUP_PREFIX))
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl Store {
    /// The user whose guard of `kind` holds `value` (compared as the guard keeps it:
    /// lower case for usernames and emails, exactly for external ids).
    pub async fn user_by_guard(
        &self,
        kind: UserGuard,
        value: &str,
    ) -> Result<Option<UserRecord>, ApiError> {
        let pk = match kind {
            UserGuard::Username => keys::username_guard(&value.to_lowercase()),
            UserGuard::Email => keys::email_guard(&value.to_lowercase()),
            UserGuard::ExternalId => keys::external_id_guard(value),
        };
        let Some(guard) = self.get_item(key(pk, keys::GUARD)).await? else {
            return Ok(None);
        };
        match id_in(&guard, "user_id") {
            Some(id) => self.get_user(id).await,
            None => Ok(None),
        }
    }

    /// Users of `index` (from `prefix` on, when given): the `take` after the first
    /// `skip`, each read strongly consistent from its profile.
    pub async fn users_in_order(
        &self,
        index: UserIndex,
        prefix: Option<&str>,
        skip: usize,
        take: usize,
    ) -> Result<Vec<UserRecord>, ApiError> {
        let ids = self
            .index_ids(index.range(), prefix, skip, take, |i| id_in(i, "user_id"))
            .await?;
        self.get_users(&ids).await
    }

    /// How many users `index` holds (from `prefix` on): the counter for every user,
    /// else a count of the index range.
    pub async fn users_in_order_count(
        &self,
        index: UserIndex,
        prefix: Option<&str>,
    ) -> Result<i64, ApiError> {
        if index == UserIndex::Created && prefix.is_none() {
            return self.user_count().await;
        }
        let range = with_prefix(index.range(), prefix);
        Ok(self.count_up_to(&range, i64::MAX).await?.0)
    }

    /// Groups of `index` (whose lower-case name starts with `prefix`, when given):
    /// the `take` after the first `skip`.
    pub async fn groups_in_order(
        &self,
        index: GroupIndex,
        prefix: Option<&str>,
        skip: usize,
        take: usize,
    ) -> Result<Vec<GroupRecord>, ApiError> {
        // Every group's entry is its `META` (the group in `PK`); an external id's is
        // its guard (the group in `GSI1SK`).
        let attr = match index {
            GroupIndex::All => keys::PK,
            GroupIndex::ExternalId => keys::GSI1SK,
        };
        let ids = self
            .index_ids(group_range(index), prefix, skip, take, |i| {
                group_in(i, attr)
            })
            .await?;
        self.get_groups(&ids).await
    }

    /// How many groups have a lower-case name starting with `prefix`.
    pub async fn groups_in_order_prefix_count(&self, prefix: &str) -> Result<i64, ApiError> {
        let range = with_prefix(group_range(GroupIndex::All), Some(prefix));
        Ok(self.count_up_to(&range, i64::MAX).await?.0)
    }

    /// How many groups `index` holds.
    pub async fn groups_in_order_count(&self, index: GroupIndex) -> Result<i64, ApiError> {
        match index {
            GroupIndex::All => self.group_count().await,
            GroupIndex::ExternalId => Ok(self.count_up_to(&group_range(index), i64::MAX).await?.0),
        }
    }

    /// Every member of `group`, in id order.
    pub async fn all_group_members(&self, group: Uuid) -> Result<Vec<Uuid>, ApiError> {
        let members = Range::partition(keys::group(group)).prefix(keys::MEMBER_PREFIX);
        let found: Vec<GroupMemberRecord> = self.read_all_as(&members).await?;
        Ok(found.into_iter().map(|m| m.user_id).collect())
    }

    /// Every group `user` belongs to.
    pub async fn all_groups_of(&self, user: Uuid) -> Result<Vec<GroupRecord>, ApiError> {
        let own = Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::user(user))
            .prefix(keys::GROUP_PREFIX);
        let ids: Vec<Uuid> = self
            .read_all(&own)
            .await?
            .iter()
            .filter_map(|i| group_in(i, keys::PK))
            .collect();
        self.get_groups(&ids).await
    }

    /// The ids `id_of` reads from the entries `skip..skip + take` of `range`.
    async fn index_ids(
        &self,
        range: Range,
        prefix: Option<&str>,
        skip: usize,
        take: usize,
        id_of: impl Fn(&Item) -> Option<Uuid>,
    ) -> Result<Vec<Uuid>, ApiError> {
        if take == 0 {
            return Ok(Vec::new());
        }
        let range = with_prefix(range, prefix);
        let page = PageRequest {
            limit: skip.saturating_add(take),
            after: None,
        };
        let found = self.read_page(&range, &page).await?.items;
        Ok(found.iter().skip(skip).filter_map(id_of).collect())
    }
}

fn with_prefix(range: Range, prefix: Option<&str>) -> Range {
    match prefix.filter(|p| !p.is_empty()) {
        Some(p) => range.prefix(p.to_string()),
        None => range,
    }
}

fn group_range(index: GroupIndex) -> Range {
    let partition = match index {
        GroupIndex::All => keys::ALL_GROUPS,
        GroupIndex::ExternalId => keys::ALL_GROUP_EXTERNAL_IDS,
    };
    Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, partition.into())
}
