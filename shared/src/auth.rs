//! Authentication and the caller: bearer tokens (stored only as SHA-256 hashes),
//! argon2id passwords, and the visibility rule every endpoint applies.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::Request;
use crate::model::UserRecord;
use crate::passwords;
use crate::run::note_caller;
use crate::validate::Password;
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
    /// A non-admin sees itself and the users who share a workspace with it.
    pub fn can_see(&self, other: &UserRecord) -> bool {
        self.is_admin() || other.user_id == self.id() || self.user.shares_workspace_with(other)
    }
    /// 403 unless the caller is a global admin.
    pub fn require_admin(&self, permission: &str) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(permission))
        }
    }
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
/// no header, 401 when it is malformed.
pub fn bearer_token(req: &Request) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::unauthenticated())?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(ApiError::unauthenticated)?;
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
        Err(ApiError::unauthenticated())
    }
}

/// The caller, or 401. A disabled account is 403 `ACCOUNT_DISABLED`.
pub async fn authenticate(ctx: &Ctx, req: &Request) -> Result<Caller, ApiError> {
    authenticate_optional(ctx, req)
        .await?
        .ok_or_else(ApiError::unauthenticated)
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
    if record.expires_at <= chrono::Utc::now().timestamp() {
        return Err(ApiError::unauthenticated());
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

/// Runs deliberately slow password work off the async threads, so one hash never
/// stalls the other requests (and their timeouts) sharing the runtime.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("password worker: {e}")))
}

/// argon2id hash of a password, PHC string.
pub async fn hash_password(password: &Password) -> Result<String, ApiError> {
    let clear = password.expose().to_string();
    off_thread(move || passwords::hash(&clear))
        .await?
        .map_err(|e| ApiError::internal(format!("password hash: {e}")))
}

/// An argon2id hash with the default parameters of a password nobody has: what an
/// unknown login is verified against, at the cost of a real verification.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ppMwBvLGA5dMqv9DKptWmA$nexK00HN7LL53wS7l+dTDkoOqLS5fW8hGfgjGK/2gD0";

/// Checks a password against a stored hash (argon2's comparison is constant-time).
/// Without a stored hash (an unknown login) it checks against a dummy hash, so an
/// unknown login answers as slowly as a wrong password and timing reveals nothing.
pub async fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_string();
    let stored = stored.map(str::to_string);
    off_thread(move || {
        let matches = passwords::verify(&password, stored.as_deref().unwrap_or(DUMMY_HASH));
        matches && stored.is_some()
    })
    .await
    .unwrap_or(false)
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
    use crate::activity::{kind, NewActivity};
    let hash = hash_token(&token);
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::seconds(ctx.config.token_ttl_seconds);
    let record = crate::model::TokenRecord {
        user_id: user.user_id,
        created_at: crate::time::format(now),
        expires_at: expires.timestamp(),
        epoch: user.session_epoch,
    };
    let activity = NewActivity::new(kind::USER_LOGIN, user.user_id, user.user_id);
    let last_login = ctx
        .store
        .login(
            user,
            &hash,
            &record,
            activity,
            ctx.config.activity_retention_days,
        )
        .await
        .map_err(|e| match e {
            crate::store::TxError::Api(e) => e,
            crate::store::TxError::Failed(_) => ApiError::busy(),
        })?;
    let mut after = user.clone();
    after.last_login = Some(last_login);
    after.version += 1;
    Ok(Issued {
        token,
        expires_at: crate::time::format(expires),
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

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = argon2::PasswordHash::new(DUMMY_HASH).unwrap();
        let fresh = passwords::hash("anything").unwrap();
        let fresh = argon2::PasswordHash::new(&fresh).unwrap();
        assert_eq!(dummy.algorithm, fresh.algorithm);
        assert_eq!(dummy.params, fresh.params);
    }

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let p = Password::parse(&serde_json::Value::from("correct horse")).unwrap();
        let h = hash_password(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&h)).await);
        assert!(!verify_password("wrong horse", Some(&h)).await);
        assert!(!verify_password("correct horse", Some("not a hash")).await);
        assert!(!verify_password("correct horse", None).await);
    }
}
