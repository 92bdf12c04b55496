//! Paging, once for every listing: what a request asks for ([`PageRequest`]: a limit,
//! and where to resume), what the store answers ([`Page`]: the items and where the
//! next page starts), and the opaque cursor between them ([`Cursors`]).
//!
//! A cursor is `base64url(ciphertext) . base64url(tag)`: the tag is an HMAC-SHA256,
//! keyed by `CURSOR_SECRET`, over a binding and the resume key (as JSON); the
//! ciphertext is that JSON under ChaCha20 (RFC 8439) with a key derived from the same
//! secret and the tag's first 12 bytes as nonce (the synthetic-IV construction: a
//! deterministic authenticated encryption, no randomness needed). So a cursor shows
//! nothing of the table's keys (SPEC: no internal keys in any response), and it is
//! checked after decryption against the tag. The binding names the listing and the
//! caller or subject it was made for, and for a filtered listing every query parameter
//! but `cursor` and `limit`, so a cursor reused by someone else or with other filters
//! fails verification (400), while the page size may change from page to page.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::error::ApiError;
use crate::http::Query;

/// A position in a listing: the key of the last item of a page.
pub type Key = HashMap<String, AttributeValue>;

/// What one page request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: usize,
    /// Resume after this key; `None` for the first page.
    pub after: Option<Key>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Key>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }

    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next: self.next,
        })
    }
}

/// Page-number paging (the Ledger and RunWhen seeds), beside cursors: `page` (from 1)
/// of `page_size` items. Page N reads the N × `page_size` entries before it, so the
/// depth is capped at [`PageNumber::MAX_DEPTH`]; beyond it the cursor serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageNumber {
    pub page: usize,
    pub size: usize,
}

impl PageNumber {
    /// The deepest entry a page number may reach.
    pub const MAX_DEPTH: usize = 10_000;

    /// The page `query` asks for by number, if it does (`page`, `page_size` from 1 to
    /// 200, default 50); with `cursor` or `limit`, or deeper than the cap, 400.
    pub fn from_query(query: &Query) -> Result<Option<PageNumber>, ApiError> {
        let Some(page) = query.get("page") else {
            if query.get("page_size").is_some() {
                return Err(ApiError::bad_query(
                    "page_size",
                    "'page_size' goes with 'page'",
                ));
            }
            return Ok(None);
        };
        let page = page
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::bad_query("page", "'page' must be an integer from 1"))?;
        for other in ["cursor", "limit"] {
            if query.get(other).is_some() {
                return Err(ApiError::bad_query(
                    other,
                    format!("'{other}' and 'page' cannot be used together"),
                ));
            }
        }
        let size = query.int("page_size", 1, 200, 50)? as usize;
        if page.saturating_mul(size) > Self::MAX_DEPTH {
            return Err(ApiError::bad_query(
                "page",
                format!(
                    "page × page_size may be at most {}; follow next_cursor for deeper pages",
                    Self::MAX_DEPTH
                ),
            ));
        }
        Ok(Some(PageNumber { page, size }))
    }

    /// What to read: every entry up to the end of this page.
    pub fn request(&self) -> PageRequest {
        PageRequest {
            limit: self.page * self.size,
            after: None,
        }
    }

    /// The entries of this page out of what [`PageNumber::request`] read, and whether
    /// more follow.
    pub fn items<T>(&self, read: Page<T>) -> (Vec<T>, bool) {
        let skip = (self.page - 1) * self.size;
        let more = read.next.is_some();
        (read.items.into_iter().skip(skip).collect(), more)
    }

    /// The page as a response object: `items` under `field`, `page`, `page_size`,
    /// `next_page`, `prev_page` (numbers or null), `has_more`, and a null `next_cursor`.
    pub fn body<T: Serialize>(&self, field: &str, items: Vec<T>, more: bool) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert(
            field.to_string(),
            serde_json::to_value(items).unwrap_or_default(),
        );
        body.insert("page".into(), self.page.into());
        body.insert("page_size".into(), self.size.into());
        body.insert(
            "next_page".into(),
            more.then(|| self.page + 1).map_or(Value::Null, Value::from),
        );
        body.insert(
            "prev_page".into(),
            (self.page > 1)
                .then(|| self.page - 1)
                .map_or(Value::Null, Value::from),
        );
        body.insert("has_more".into(), Value::Bool(more));
        body.insert("next_cursor".into(), Value::Null);
        body
    }
}

/// The longest cursor accepted.
const MAX_CURSOR_CHARS: usize = 2048;

/// The cursors of one listing as one caller asks for it.
pub struct Cursors<'a> {
    secret: &'a [u8],
    binding: String,
}

impl<'a> Cursors<'a> {
    /// Cursors of the listing `name` of `subject` (the caller, or the user whose data is
    /// listed).
    pub fn new(secret: &'a [u8], name: &str, subject: impl std::fmt::Display) -> Self {
        Cursors {
            secret,
            binding: format!("{name}:{subject}"),
        }
    }

    /// Bound also to the listing's filters: every query parameter but `cursor` and
    /// `limit`, so a cursor is refused with other filters (the page size may change).
    pub fn with_filters(mut self, query: &Query) -> Self {
        self.binding.push(':');
        self.binding
            .push_str(&query.canonical_without(&["cursor", "limit"]));
        self
    }

    /// The page `query` asks for: `limit` from 1 to `max` (`default` when absent) and
    /// the position its `cursor` names; a tampered or foreign cursor is 400.
    pub fn request(&self, query: &Query, default: i64, max: i64) -> Result<PageRequest, ApiError> {
        let limit = query.int("limit", 1, max, default)? as usize;
        let after = match query.get("cursor") {
            Some(c) => Some(self.decode(c)?),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }

    /// The page as a response object: the items under `field`, `has_more` and
    /// `next_cursor`.
    pub fn body<T: Serialize>(&self, field: &str, page: Page<T>) -> Map<String, Value> {
        let next_cursor = page.next.as_ref().map(|k| self.encode(k));
        let mut body = Map::new();
        body.insert(
            field.to_string(),
            serde_json::to_value(page.items).unwrap_or_default(),
        );
        body.insert("has_more".into(), Value::Bool(next_cursor.is_some()));
        body.insert(
            "next_cursor".into(),
            next_cursor.map_or(Value::Null, Value::String),
        );
        body
    }

    fn keyed(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length; new_from_slice cannot fail for it.
        <Hmac<Sha256> as Mac>::new_from_slice(self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
    }

    /// The tag of `payload` under this binding.
    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut m = self.keyed();
        m.update(self.binding.as_bytes());
        m.update(b"\n");
        m.update(payload);
        m
    }

    /// ChaCha20 applied to `data` in place, under the key derived from the secret (a
    /// different input than any tag's: no binding holds a NUL) and the nonce `tag`
    /// begins with. Encrypts and decrypts alike.
    fn cipher(&self, tag: &[u8], data: &mut [u8]) {
        let mut k = self.keyed();
        k.update(b"\0cursor encryption key");
        let key = k.finalize().into_bytes();
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&tag[..12]);
        ChaCha20::new(&key, &nonce.into()).apply_keystream(data);
    }

    /// Encodes a key (string attributes only) as a cursor.
    fn encode(&self, key: &Key) -> String {
        let plain: BTreeMap<&str, &str> = key
            .iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
            .collect();
        let mut payload = serde_json::to_vec(&plain).unwrap_or_default();
        let tag = self.mac(&payload).finalize().into_bytes();
        self.cipher(&tag, &mut payload);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Decodes and verifies a cursor made by [`Cursors::encode`] with the same binding.
    fn decode(&self, cursor: &str) -> Result<Key, ApiError> {
        let bad = || ApiError::bad_query("cursor", "Invalid or expired cursor");
        if cursor.len() > MAX_CURSOR_CHARS {
            return Err(bad());
        }
        let (payload_b64, tag_b64) = cursor.split_once('.').ok_or_else(bad)?;
        let mut payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| bad())?;
        let tag = URL_SAFE_NO_PAD.decode(tag_b64).map_err(|_| bad())?;
        if tag.len() != 32 {
            return Err(bad());
        }
        self.cipher(&tag, &mut payload);
        self.mac(&payload).verify_slice(&tag).map_err(|_| bad())?;
        let plain: BTreeMap<String, String> =
            serde_json::from_slice(&payload).map_err(|_| bad())?;
        Ok(plain
            .into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect())
    }
}

/// Checks a cursor against a secret and binding without a request: for the fuzz test
/// of hostile input, which must never panic.
pub fn verify(secret: &[u8], binding: &str, cursor: &str) -> bool {
    Cursors {
        secret,
        binding: binding.to_string(),
    }
    .decode(cursor)
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        HashMap::from([
            ("PK".to_string(), AttributeValue::S("USER#1".into())),
            ("SK".to_string(), AttributeValue::S("PROFILE".into())),
        ])
    }

    fn cursors<'a>(secret: &'a [u8], binding: &str) -> Cursors<'a> {
        Cursors {
            secret,
            binding: binding.into(),
        }
    }

    #[test]
    fn round_trips_with_the_same_binding() {
        let c = cursors(b"secret-secret-secret", "a=1").encode(&key());
        assert_eq!(
            cursors(b"secret-secret-secret", "a=1").decode(&c).unwrap(),
            key()
        );
    }

    #[test]
    fn shows_nothing_of_the_key() {
        let c = cursors(b"secret-secret-secret", "a=1").encode(&key());
        let (payload, _) = c.split_once('.').unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("USER#") && !text.contains("PK"), "{text}");
        // The same key under another binding is another cursor.
        assert_ne!(c, cursors(b"secret-secret-secret", "a=2").encode(&key()));
    }

    #[test]
    fn other_filters_or_tampering_fail() {
        let c = cursors(b"secret-secret-secret", "a=1").encode(&key());
        assert!(cursors(b"secret-secret-secret", "a=2").decode(&c).is_err());
        assert!(cursors(b"other-secret-secret", "a=1").decode(&c).is_err());
        let mut t = c.clone().into_bytes();
        t[3] ^= 1;
        let t = String::from_utf8_lossy(&t);
        assert!(cursors(b"secret-secret-secret", "a=1").decode(&t).is_err());
        assert!(!verify(b"secret-secret-secret", "a=1", "garbage"));
        assert!(!verify(b"secret-secret-secret", "a=1", &"x.".repeat(2000)));
    }

    #[test]
    fn a_page_body_carries_the_next_cursor_only_when_more_follow() {
        let c = cursors(b"secret-secret-secret", "b");
        let last = c.body(
            "items",
            Page::<i32> {
                items: vec![1],
                next: None,
            },
        );
        assert_eq!(last["has_more"], false);
        assert_eq!(last["next_cursor"], Value::Null);
        let more = c.body(
            "items",
            Page {
                items: vec![1],
                next: Some(key()),
            },
        );
        assert_eq!(more["has_more"], true);
        let cursor = more["next_cursor"].as_str().unwrap();
        assert_eq!(c.decode(cursor).unwrap(), key());
    }
}
