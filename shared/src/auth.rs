//! Authentication and the caller: bearer tokens (stored only as SHA-256 hashes), the
//! caller they name, and the visibility rule every endpoint applies.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::Request;
use crate::model::{TokenRecord, UserRecord};
use crate::run::note_caller;
pub use crate::store::{Also, Prefetched, TokenHome};
use crate::time;
use crate::Ctx;

/// Every token starts with this, so a leaked one is recognisable in a scan.
const TOKEN_PREFIX: &str = "ust_";
/// 32 random bytes: 256 bits.
const TOKEN_BYTES: usize = 32;
/// The secret's length: 32 bytes in unpadded base64url.
const SECRET_CHARS: usize = 43;
/// A whole token: `ust_`, the user id (32 hex digits), `_`, the secret.
#[cfg(test)]
const TOKEN_CHARS: usize = TOKEN_PREFIX.len() + 32 + 1 + SECRET_CHARS;

/// The authenticated caller: its profile, as read for this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    token_hash: String,
    token_home: TokenHome,
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

    /// Revokes the token this request came with (gone already is fine).
    pub async fn revoke_token(&self, ctx: &Ctx) -> Result<(), ApiError> {
        ctx.store
            .revoke_token(self.id(), &self.token_hash, self.token_home)
            .await
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

/// A fresh token of `user`, `ust_<user id>_<256 random bits>`, and the hash that is
/// stored in its place. The user id lets the token item and the profile be read in one
/// round trip; it is no secret, and the stored hash covers it too.
pub fn new_token(user: Uuid) -> Result<(String, String), ApiError> {
    new_secret_token(TOKEN_PREFIX, user)
}

/// A fresh provisioning token `scim_<token id>_<256 random bits>`, and its hash.
pub fn new_provisioning_token(id: Uuid) -> Result<(String, String), ApiError> {
    new_secret_token(PROVISIONING_PREFIX, id)
}

fn new_secret_token(prefix: &str, id: Uuid) -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::internal(format!("rng: {e}")))?;
    let token = format!("{prefix}{}_{}", id.simple(), URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    Ok((token, hash))
}

/// The token of `user` with the secret `secret` (43 base64url characters).
pub fn token_of(user: Uuid, secret: &str) -> String {
    format!("{TOKEN_PREFIX}{}_{secret}", user.simple())
}

/// Provisioning tokens (SCIM) start with this; they are refused everywhere else.
const PROVISIONING_PREFIX: &str = "scim_";

/// The user a token names, if the token has the shape of one.
fn token_user(token: &str) -> Option<Uuid> {
    id_in(token, TOKEN_PREFIX)
}

/// The id a token of `prefix` names (`<prefix><32 hex>_<43 base64url>`), if it has
/// that shape.
fn id_in(token: &str, prefix: &str) -> Option<Uuid> {
    let rest = token.strip_prefix(prefix)?;
    if rest.len() != 32 + 1 + SECRET_CHARS {
        return None;
    }
    let (id, secret) = rest.split_at(32);
    let secret = secret.strip_prefix('_')?;
    let id_ok = id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let secret_ok = secret
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (id_ok && secret_ok).then(|| Uuid::parse_str(id).ok())?
}

/// Issues a provisioning token named `name`, by `actor`: answers its record and the
/// token itself, which is shown this once (only its hash is stored).
pub async fn issue_provisioning_token(
    ctx: &Ctx,
    name: &str,
    actor: Option<Uuid>,
) -> Result<(crate::model::ProvisioningTokenRecord, String), ApiError> {
    let id = ctx.clock.new_id();
    let (token, hash) = new_provisioning_token(id)?;
    let record = ctx
        .store
        .create_provisioning_token(id, name, hash, actor)
        .await?;
    Ok((record, token))
}

/// An identity provider calling `/scim/v2` with a provisioning token.
#[derive(Debug, Clone)]
pub struct Provisioner {
    pub token_id: Uuid,
    pub name: String,
}

/// The provisioning token of the request, or 401: no header, a login token (refused
/// under `/scim/v2`), an unknown or revoked token. The stored hash is compared in
/// constant time.
pub async fn authenticate_provisioner(ctx: &Ctx, req: &Request) -> Result<Provisioner, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::token_missing());
    };
    let value = value.to_str().map_err(|_| ApiError::token_malformed())?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(ApiError::token_malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::token_malformed());
    }
    let token = token.trim();
    let id = id_in(token, PROVISIONING_PREFIX).ok_or_else(ApiError::unauthenticated)?;
    let record = ctx
        .store
        .get_provisioning_token(id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let given = hash_token(token);
    if !bool::from(given.as_bytes().ct_eq(record.hash.as_bytes())) {
        return Err(ApiError::unauthenticated());
    }
    Ok(Provisioner {
        token_id: record.token_id,
        name: record.name,
    })
}

/// SHA-256 of a token, hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of `Authorization: Bearer <t>` or `Token <t>` and the user it names;
/// `Ok(None)` when there is no header, 401 (`malformed_token`) when it is malformed
/// (an old-format token included) or of another scheme.
fn bearer_token(req: &Request) -> Result<Option<(&str, Uuid)>, ApiError> {
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
    match token_user(token) {
        Some(user) if scheme_ok => Ok(Some((token, user))),
        _ => Err(ApiError::token_malformed()),
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
    match bearer_token(req)? {
        None => Ok(None),
        Some(token) => Ok(Some(verify(ctx, token, Also::Nothing).await?.0)),
    }
}

/// Like [`authenticate`], and reads `also` in the same round trip as the caller (a
/// read that depends only on the request, such as the path's user or workspace).
pub async fn authenticate_with(
    ctx: &Ctx,
    req: &Request,
    also: Also,
) -> Result<(Caller, Prefetched), ApiError> {
    let token = bearer_token(req)?.ok_or_else(ApiError::token_missing)?;
    verify(ctx, token, also).await
}

/// The caller `token` names, with `also`, in one round trip: the profile of the user
/// the token names must hold the hash of the whole token among its sessions (or, for
/// a user with tokens past those, a token item must, naming that user: a second
/// read), unexpired and of the profile's session epoch; anything else is the same 401
/// as an unknown token. The secret is never compared: the session is found by the
/// hash of the whole token.
async fn verify(
    ctx: &Ctx,
    (token, user_id): (&str, Uuid),
    also: Also,
) -> Result<(Caller, Prefetched), ApiError> {
    check(ctx, hash_token(token), user_id, also).await
}

/// Whether the caller's token and account still hold (a long-lived connection asks
/// again now and then): the same checks as when it was authenticated.
pub async fn recheck(ctx: &Ctx, caller: &Caller) -> Result<(), ApiError> {
    check(ctx, caller.token_hash.clone(), caller.id(), Also::Nothing)
        .await
        .map(drop)
}

async fn check(
    ctx: &Ctx,
    token_hash: String,
    user_id: Uuid,
    also: Also,
) -> Result<(Caller, Prefetched), ApiError> {
    let found = ctx.store.get_caller(user_id, also).await?;
    let user = found.user.ok_or_else(ApiError::unauthenticated)?;
    let (session, token_home) = match user.sessions.get(&token_hash) {
        Some(session) => (*session, TokenHome::Profile),
        None if user.spilled_tokens => {
            let record = ctx
                .store
                .get_token(&token_hash)
                .await?
                .filter(|t| t.user_id == user_id)
                .ok_or_else(ApiError::unauthenticated)?;
            (record.session(), TokenHome::Item)
        }
        None => return Err(ApiError::unauthenticated()),
    };
    if session.expires_at <= ctx.clock.now().timestamp() {
        return Err(ApiError::token_expired());
    }
    if session.epoch != user.session_epoch {
        return Err(ApiError::unauthenticated());
    }
    note_caller(user.user_id);
    if !user.is_active() {
        return Err(ApiError::account_disabled(user.status.as_str()));
    }
    let caller = Caller {
        user,
        token_hash,
        token_home,
    };
    Ok((caller, found.also))
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
    let (token, _) = new_token(user.user_id)?;
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
    after.srev += 1;
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
    fn tokens_are_long_random_name_their_user_and_are_hashed() {
        let user = Uuid::new_v4();
        let (a, ha) = new_token(user).unwrap();
        let (b, _) = new_token(user).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_CHARS);
        assert_eq!(token_user(&a), Some(user));
        assert_eq!(ha, hash_token(&a));
        assert!(!ha.contains(&a));
        // The old format, and near misses, are not tokens.
        assert_eq!(
            token_user("ust_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None
        );
        assert_eq!(token_user(&a.to_uppercase()), None);
        assert_eq!(token_user(&a[..a.len() - 1]), None);
        assert_eq!(token_user(&a.replacen('_', "-", 2)), None);
    }
}
