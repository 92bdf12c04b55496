//! Reads: single items, batches, and the one place that queries a key range of the
//! table or an index page by page ([`Range`] with [`Store::read_page`],
//! [`Store::read_all`] and [`Store::count_up_to`]).

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{KeysAndAttributes, Select};
use serde::de::DeserializeOwned;

use super::{from_item, in_batches, key, s, Item, Store};
use crate::error::ApiError;
use crate::keys;
use crate::paging::{Page, PageRequest};

/// A key range of the table or of one index, read in key order: one partition, maybe
/// narrowed on the sort key, maybe filtered.
#[derive(Debug, Clone)]
pub(crate) struct Range {
    index: Option<&'static str>,
    /// The attributes of a position in the range (where a page resumes): the table's
    /// key, and the index's key when reading an index.
    position: Vec<&'static str>,
    /// The sort key attribute the range narrows on.
    sort: &'static str,
    condition: String,
    names: HashMap<String, String>,
    values: Item,
    filter: Option<String>,
    /// A test applied to each item read, after DynamoDB's filter: for what a filter
    /// expression may not say (an index's own sort key).
    keep: Option<Keep>,
    descending: bool,
    consistent: bool,
}

/// The test of [`Range::keep`].
#[derive(Clone)]
pub(crate) struct Keep(std::sync::Arc<dyn Fn(&Item) -> bool + Send + Sync>);

impl std::fmt::Debug for Keep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keep(..)")
    }
}

impl Range {
    /// Every item of the table partition `pk`, read strongly consistent.
    pub(crate) fn partition(pk: String) -> Range {
        Range {
            index: None,
            position: vec![keys::PK, keys::SK],
            sort: keys::SK,
            condition: "#pk = :pk".into(),
            names: HashMap::from([("#pk".into(), keys::PK.into())]),
            values: HashMap::from([(":pk".into(), s(pk))]),
            filter: None,
            keep: None,
            descending: false,
            consistent: true,
        }
    }

    /// Every item of partition `pk` of `index`, whose sort key is `sk_attr`
    /// (eventually consistent, as every index read is).
    pub(crate) fn index(
        index: &'static str,
        pk_attr: &'static str,
        sk_attr: &'static str,
        pk: String,
    ) -> Range {
        Range {
            index: Some(index),
            position: vec![keys::PK, keys::SK, pk_attr, sk_attr],
            sort: sk_attr,
            condition: "#pk = :pk".into(),
            names: HashMap::from([("#pk".into(), pk_attr.into())]),
            values: HashMap::from([(":pk".into(), s(pk))]),
            filter: None,
            keep: None,
            descending: false,
            consistent: false,
        }
    }

    /// Only items whose sort key starts with `prefix`.
    pub(crate) fn prefix(mut self, prefix: impl Into<String>) -> Range {
        self.condition.push_str(" AND begins_with(#sk, :lo)");
        self.names.insert("#sk".into(), self.sort.into());
        self.values.insert(":lo".into(), s(prefix));
        self
    }

    /// Only items whose sort key is between `lo` and `hi`, both included.
    pub(crate) fn between(mut self, lo: impl Into<String>, hi: impl Into<String>) -> Range {
        self.condition.push_str(" AND #sk BETWEEN :lo AND :hi");
        self.names.insert("#sk".into(), self.sort.into());
        self.values.insert(":lo".into(), s(lo));
        self.values.insert(":hi".into(), s(hi));
        self
    }

    /// Only items matching `expr` (placeholders given in `names` and `values`); a page
    /// may then read more than it returns.
    pub(crate) fn filter(
        mut self,
        expr: String,
        names: HashMap<String, String>,
        values: Item,
    ) -> Range {
        self.filter = Some(expr);
        self.names.extend(names);
        self.values.extend(values);
        self
    }

    /// Only items `keep` accepts, tested as they are read (it counts toward the scan
    /// budget as a filter does). For conditions a filter expression cannot hold: on
    /// an index, its sort key.
    pub(crate) fn keep(mut self, keep: impl Fn(&Item) -> bool + Send + Sync + 'static) -> Range {
        self.keep = Some(Keep(std::sync::Arc::new(keep)));
        self
    }

    fn filtered(&self) -> bool {
        self.filter.is_some() || self.keep.is_some()
    }

    /// In descending sort-key order.
    pub(crate) fn descending(mut self, yes: bool) -> Range {
        self.descending = yes;
        self
    }

    /// Read eventually consistent (half the read cost).
    pub(crate) fn eventually(mut self) -> Range {
        self.consistent = false;
        self
    }

    /// The position of `item` in this range, where a page after it starts.
    fn position_of(&self, item: &Item) -> Item {
        only(item, &self.position)
    }
}

impl Store {
    fn query(&self, r: &Range, start: Option<Item>) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .set_index_name(r.index.map(str::to_string))
            .key_condition_expression(&r.condition)
            .set_filter_expression(r.filter.clone())
            .set_expression_attribute_names(Some(r.names.clone()))
            .set_expression_attribute_values(Some(r.values.clone()))
            .scan_index_forward(!r.descending)
            .set_consistent_read(r.consistent.then_some(true))
            .set_exclusive_start_key(start)
    }

    /// Up to `page.limit` items of `r` after `page.after`, and the position after the
    /// last one when more follow. Reads stop as soon as the page is full plus one item
    /// (to know whether more follow); a filtered range reads at least 100 at a time.
    pub(crate) async fn read_page(
        &self,
        r: &Range,
        page: &PageRequest,
    ) -> Result<Page<Item>, ApiError> {
        let limit = page.limit;
        let mut found: Vec<Item> = Vec::new();
        let mut start = page.after.clone();
        // A filtered range reads at most the scan budget of entries per page; a page
        // that spends it answers what it found, and resumes where it stopped.
        let mut budget = self.scan_budget as i32;
        loop {
            // A page limit past what one request may ask is asked for in parts.
            let want = i32::try_from(limit.saturating_add(1) - found.len()).unwrap_or(i32::MAX);
            let want = if r.filtered() {
                want.max(100).min(budget)
            } else {
                want
            };
            let out = self.send(self.query(r, start.take()).limit(want)).await?;
            let items = out.items.unwrap_or_default();
            match &r.keep {
                Some(Keep(keep)) => found.extend(items.into_iter().filter(|i| keep(i))),
                None => found.extend(items),
            }
            if found.len() > limit {
                break;
            }
            budget -= out.scanned_count;
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() && r.filtered() && budget <= 0 => {
                    return Ok(Page {
                        items: found,
                        next: Some(k),
                    });
                }
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        let more = found.len() > limit;
        found.truncate(limit);
        let next = if more {
            found.last().map(|i| r.position_of(i))
        } else {
            None
        };
        Ok(Page { items: found, next })
    }

    /// A page of `r` (an index whose entries stand for other items) as the items they
    /// stand for: `target` names each entry's item by key. The items are read in one
    /// batch, strongly consistent, and kept in the order of the page; an entry whose
    /// item is gone is left out.
    pub(crate) async fn read_page_of<T: DeserializeOwned>(
        &self,
        r: &Range,
        page: &PageRequest,
        target: impl Fn(&Item) -> Option<Item>,
    ) -> Result<Page<T>, ApiError> {
        let found = self.read_page(r, page).await?;
        let wanted: Vec<Item> = found.items.iter().filter_map(target).collect();
        let position = |item: &Item| wanted.iter().position(|k| *k == key_of(item));
        let mut items = self.batch_get(wanted.clone()).await?;
        items.sort_by_key(|i| position(i));
        Ok(Page {
            items: items.into_iter().map(from_item).collect::<Result<_, _>>()?,
            next: found.next,
        })
    }

    /// The first `n` items of `r`, in one request (fewer when a filter or DynamoDB's
    /// 1 MB page cuts them short).
    pub(crate) async fn read_first(&self, r: &Range, n: usize) -> Result<Vec<Item>, ApiError> {
        debug_assert!(r.keep.is_none(), "only read_page applies Range::keep");
        let out = self.send(self.query(r, None).limit(n as i32)).await?;
        Ok(out.items.unwrap_or_default())
    }

    /// Every item of `r`, all pages.
    pub(crate) async fn read_all(&self, r: &Range) -> Result<Vec<Item>, ApiError> {
        debug_assert!(r.keep.is_none(), "only read_page applies Range::keep");
        let pages = every_page(move |start| async move {
            let out = self.send(self.query(r, start)).await?;
            Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
        });
        Ok(pages.await?.into_iter().flatten().collect())
    }

    /// Every item of `r` as a record, all pages.
    pub(crate) async fn read_all_as<T: DeserializeOwned>(
        &self,
        r: &Range,
    ) -> Result<Vec<T>, ApiError> {
        self.read_all(r).await?.into_iter().map(from_item).collect()
    }

    /// How many items of `r` there are, counting page by page up to `max`: the count
    /// (at most `max` when it stopped) and whether it stopped there.
    pub(crate) async fn count_up_to(&self, r: &Range, max: i64) -> Result<(i64, bool), ApiError> {
        debug_assert!(r.keep.is_none(), "only read_page applies Range::keep");
        let mut total = 0;
        let mut start = None;
        loop {
            let out = self
                .send(self.query(r, start.take()).select(Select::Count))
                .await?;
            total += i64::from(out.count);
            if total >= max {
                return Ok((max, true));
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok((total, false)),
            }
        }
    }

    /// Every item of the table, strongly consistent: for the operator's audit and for
    /// tests, never on a request path.
    pub async fn scan_all(&self) -> Result<Vec<Item>, ApiError> {
        let pages = every_page(move |start| async move {
            let call = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start);
            let out = self.send(call).await?;
            Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
        });
        Ok(pages.await?.into_iter().flatten().collect())
    }

    /// Whether the table holds no item at all (one item read at most).
    pub async fn is_empty(&self) -> Result<bool, ApiError> {
        let call = self.client.scan().table_name(&self.table).limit(1);
        let out = self.send(call).await?;
        Ok(out.items.unwrap_or_default().is_empty())
    }

    /// Reads one item, strongly consistent.
    pub(crate) async fn get_item(&self, key: Item) -> Result<Option<Item>, ApiError> {
        let call = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true);
        Ok(self.send(call).await?.item)
    }

    /// Reads one item as a record, strongly consistent.
    pub(crate) async fn get_as<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.get_item(key(pk, sk)).await? {
            Some(item) => Ok(Some(from_item(item)?)),
            None => Ok(None),
        }
    }

    /// Reads items by key (at most 100 per call to DynamoDB), retrying unprocessed keys.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, ApiError> {
        in_batches(keys, 100, "read", move |pending| async move {
            let ka = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(true)
                .build()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let call = self.client.batch_get_item().request_items(&self.table, ka);
            let out = self.send(call).await?;
            let found = out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default();
            let unprocessed = out
                .unprocessed_keys
                .and_then(|mut m| m.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            Ok((found, unprocessed))
        })
        .await
    }
}

/// What each page of a read answers, following DynamoDB's `LastEvaluatedKey` from the
/// first page to the last: `page` reads one page from its start key and answers its
/// result and where the next starts.
async fn every_page<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<Item>) -> Fut,
    Fut: Future<Output = Result<(T, Option<Item>), ApiError>>,
{
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let (result, next) = page(start).await?;
        out.push(result);
        match next {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(out),
        }
    }
}

/// The attributes `names` of `item`.
fn only(item: &Item, names: &[&str]) -> Item {
    item.iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The primary key of a read item.
pub(crate) fn key_of(item: &Item) -> Item {
    only(item, &[keys::PK, keys::SK])
}
