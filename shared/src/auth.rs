//! Authentication and the caller: bearer tokens (stored only as SHA-256 hashes), the
//! caller they name, and the visibility rule every endpoint applies.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::Request;
use crate::model::{TokenRecord, UserRecord};
use crate::run::note_caller;
use crate::time;
use crate::Ctx;

/// Every token starts with this, so a leaked one is recognisable in a scan.
const TOKEN_PREFIX: &str = "ust_";
/// 32 random bytes: 256 bits.
const TOKEN_BYTES: usize = 32;

/// The authenticated caller: its profile, as read for this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    token_hash: String,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.user_id
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }

    /// The hash of the token this request came with.
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }

    /// Whether the caller sees every user: a global admin, or a user with `view_all`.
    pub fn sees_everyone(&self) -> bool {
        self.is_admin() || self.user.view_all
    }

    /// Whether the caller sees only itself: an operator without `view_all`.
    pub fn sees_only_itself(&self) -> bool {
        !self.sees_everyone() && self.user.is_operator()
    }

    /// The visibility rule: global admins and `view_all` users see everyone; an
    /// operator only itself; anyone else itself and the users who share a workspace
    /// with it.
    pub fn can_see(&self, other: &UserRecord) -> bool {
        other.user_id == self.id()
            || self.sees_everyone()
            || (!self.sees_only_itself() && self.user.shares_workspace_with(other))
    }

    /// Which view of a user it may see the caller gets: the full one for itself and
    /// global admins, the public profile for everyone else.
    pub fn view_of(&self, other: &UserRecord) -> View {
        if other.user_id == self.id() || self.is_admin() {
            View::Full
        } else {
            View::Public
        }
    }
}

/// The two views of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The whole user object.
    Full,
    /// The public profile.
    Public,
}

/// A fresh random token and the hash that is stored in its place.
pub fn new_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::internal(format!("rng: {e}")))?;
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    Ok((token, hash))
}

/// SHA-256 of a token, hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of `Authorization: Bearer <t>` or `Token <t>`; `Ok(None)` when there is
/// no header, 401 (`malformed_token`) when it is malformed or of another scheme.
fn bearer_token(req: &Request) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::token_malformed())?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(ApiError::token_malformed)?;
    let scheme_ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    let token = token.trim();
    let shape_ok = token.len() == TOKEN_PREFIX.len() + 43
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if scheme_ok && shape_ok {
        Ok(Some(token))
    } else {
        Err(ApiError::token_malformed())
    }
}

/// The caller, or 401 (`details.reason` says why). A disabled account is 403
/// `ACCOUNT_DISABLED`.
pub async fn authenticate(ctx: &Ctx, req: &Request) -> Result<Caller, ApiError> {
    authenticate_optional(ctx, req)
        .await?
        .ok_or_else(ApiError::token_missing)
}

/// Like [`authenticate`], but a request without `Authorization` is anonymous (`None`).
pub async fn authenticate_optional(ctx: &Ctx, req: &Request) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let token_hash = hash_token(token);
    let record = ctx
        .store
        .get_token(&token_hash)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if record.expires_at <= ctx.clock.now().timestamp() {
        return Err(ApiError::token_expired());
    }
    let user = ctx
        .store
        .get_user(record.user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if user.session_epoch != record.epoch {
        return Err(ApiError::unauthenticated());
    }
    note_caller(user.user_id);
    if !user.is_active() {
        return Err(ApiError::account_disabled(user.status.as_str()));
    }
    Ok(Some(Caller { user, token_hash }))
}

/// A freshly issued login token.
pub struct Issued {
    pub token: String,
    pub expires_at: String,
    /// The user as it is after the login (`last_login` set, version moved).
    pub user: UserRecord,
}

/// Issues a token for `user`: stores its hash with expiry, sets `last_login` and
/// records `user.login`, in one transaction.
pub async fn issue_token(ctx: &Ctx, user: &UserRecord) -> Result<Issued, ApiError> {
    let (token, _) = new_token()?;
    store_token(ctx, user, token).await
}

/// Stores `token` as a login of `user`, as [`issue_token`] does with a random one.
/// Only the admin CLI's sample fixtures name their own token.
pub async fn store_token(ctx: &Ctx, user: &UserRecord, token: String) -> Result<Issued, ApiError> {
    let hash = hash_token(&token);
    let now = ctx.clock.now();
    let expires = now + chrono::Duration::seconds(ctx.config.token_ttl_seconds);
    let record = TokenRecord {
        user_id: user.user_id,
        created_at: time::format(now),
        expires_at: expires.timestamp(),
        epoch: user.session_epoch,
    };
    let last_login = ctx.store.login(user, &hash, &record).await?;
    let mut after = user.clone();
    after.last_login = Some(last_login);
    after.version += 1;
    Ok(Issued {
        token,
        expires_at: time::format(expires),
        user: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, ha) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 47);
        assert_eq!(ha, hash_token(&a));
        assert!(!ha.contains(&a));
    }
}
