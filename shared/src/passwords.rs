//! argon2id password hashes (PHC strings), computed in reused working memory, off the
//! async threads.
//!
//! argon2's default parameters fill 19 MiB of blocks per hash. Left to the allocator,
//! each hash takes a fresh 19 MiB and glibc keeps what it frees in a fragmented heap:
//! `make bench` saw a function's peak RSS climb past 200 MiB over a few hundred logins.
//! Here the blocks are allocated once and handed from hash to hash through a small
//! pool, so a function that hashes one password at a time (a Lambda sandbox) holds
//! exactly one set of blocks for its whole life.

use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::types::Password;

/// The largest memory cost (KiB) a stored hash may ask for: a hash string from an
/// import cannot make a login allocate without bound.
const MAX_M_COST: u32 = 64 * 1024;
/// The largest time cost (passes) a stored hash may ask for: ours use 2; OWASP's
/// argon2id settings go up to 5. More would let an imported hash make one login cost
/// seconds of CPU.
const MAX_T_COST: u32 = 10;
/// The largest parallelism a stored hash may ask for (lanes; ours use 1).
const MAX_P_COST: u32 = 8;

/// Spare sets of blocks, at most one per CPU: hashing more at once gains nothing.
static POOL: Mutex<Pool> = Mutex::new(Pool {
    spare: Vec::new(),
    created: 0,
});

struct Pool {
    spare: Vec<Vec<Block>>,
    /// Sets ever allocated, so [`prepare`] never adds one that a hash already made.
    created: usize,
}

/// How many spare sets the pool keeps: one per CPU, looked up once (the standard
/// library reads cgroup files to answer).
fn spare_limit() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn pool() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Allocates and touches one set of blocks for the default parameters on a background
/// thread, so that a sandbox's first hash does not also pay for faulting in 19 MiB:
/// the functions that hash on every request call it at start, and the work overlaps
/// their event fetch and first DynamoDB round trips. A hash that starts meanwhile
/// waits for this set rather than allocating a second one.
pub fn prepare() {
    std::thread::spawn(|| {
        let mut pool = pool();
        if pool.created == 0 {
            pool.created = 1;
            let blocks = vec![Block::new(); Params::default().block_count()];
            pool.spare.push(blocks);
        }
    });
}

/// Runs argon2 with blocks from the pool, returning them afterwards.
fn hash_into(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    let need = argon.params().block_count();
    let mut blocks = {
        let mut pool = pool();
        match pool.spare.pop() {
            Some(blocks) => blocks,
            None => {
                pool.created += 1;
                Vec::new()
            }
        }
    };
    if blocks.len() < need {
        blocks.resize(need, Block::new());
    }
    let ok = argon
        .hash_password_into_with_memory(password, salt, out, &mut blocks[..need])
        .is_ok();
    let mut pool = pool();
    if pool.spare.len() < spare_limit() {
        pool.spare.push(blocks);
    }
    ok
}

/// A new argon2id hash of `password` with a random salt and the default parameters,
/// as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| format!("rng: {e}"))?;
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    if !hash_into(&argon, password.as_bytes(), &salt, &mut out) {
        return Err("argon2 failed".into());
    }
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`; any argon2 variant, version
/// and parameters up to [`MAX_M_COST`], [`MAX_T_COST`] and [`MAX_P_COST`]. A malformed hash never matches. The final
/// comparison is constant-time.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm) else {
        return false;
    };
    let version = match phc.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&phc) else {
        return false;
    };
    if params.m_cost() > MAX_M_COST || params.t_cost() > MAX_T_COST || params.p_cost() > MAX_P_COST
    {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    hash_into(&argon, password.as_bytes(), salt, &mut out)
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
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

/// [`hash`] off the async threads; a failure is a 500.
pub async fn hash_password(password: &Password) -> Result<String, ApiError> {
    let clear = password.expose().to_string();
    off_thread(move || hash(&clear))
        .await?
        .map_err(|e| ApiError::internal(format!("password hash: {e}")))
}

/// The stored hash of an account that has no password (one an identity provider
/// created without one): no password ever matches it.
pub const NO_PASSWORD: &str = "!";

/// An argon2id hash with the default parameters of a password nobody has: what an
/// unknown login is verified against, at the cost of a real verification.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ppMwBvLGA5dMqv9DKptWmA$nexK00HN7LL53wS7l+dTDkoOqLS5fW8hGfgjGK/2gD0";

/// [`verify`] off the async threads. Without a stored hash (an unknown login) it
/// checks against a dummy hash and fails, so an unknown login answers as slowly as a
/// wrong password and timing reveals nothing.
pub async fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_string();
    // An account without a password answers like an unknown login.
    let stored = stored.filter(|s| *s != NO_PASSWORD).map(str::to_string);
    off_thread(move || {
        let matches = verify(&password, stored.as_deref().unwrap_or(DUMMY_HASH));
        matches && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn round_trips_and_rejects_a_wrong_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsf", &h));
        assert_ne!(h, hash("correct horse").unwrap(), "salts differ");
    }

    #[test]
    fn agrees_with_the_argon2_crate_both_ways() {
        // Hashes stored before the pooled memory must still verify, and ours must
        // verify with the crate's own verifier.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(verify("pw", &theirs));
        assert!(!verify("pw2", &theirs));
        let ours = hash("pw").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"pw", &parsed).is_ok());
        // Other parameters and variants in a stored hash are honoured.
        let params = Params::new(1024, 1, 1, Some(24)).unwrap();
        let argon = Argon2::new(Algorithm::Argon2i, Version::V0x10, params);
        let small = argon.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(verify("pw", &small));
        assert!(!verify("px", &small));
    }

    #[test]
    fn refuses_malformed_and_oversized_hashes() {
        for bad in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            // time and parallelism are bounded like memory
            "$argon2id$v=19$m=8,t=1000000,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=4096,t=1,p=255$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            assert!(!verify("pw", bad), "{bad}");
        }
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let fresh = hash("anything").unwrap();
        let fresh = PasswordHash::new(&fresh).unwrap();
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

    #[test]
    fn a_prepared_set_is_the_one_the_first_hash_uses() {
        // Its own process under nextest: nothing else has touched the pool.
        prepare();
        hash("a").unwrap();
        hash("b").unwrap();
        let pool = pool();
        assert_eq!((pool.created, pool.spare.len()), (1, 1));
    }

    #[test]
    fn reuses_one_set_of_blocks_for_sequential_hashes() {
        // Pool state is process-wide and tests run in parallel, so only check that a
        // hash leaves at least one set behind and never more than one per CPU.
        hash("a").unwrap();
        let n = pool().spare.len();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(n >= 1 && n <= cpus, "{n} sets pooled with {cpus} CPUs");
    }
}
