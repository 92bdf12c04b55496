//! Opaque, signed page cursors. A cursor holds the last key of a page and is bound to
//! the query that produced it: a tampered cursor, or one reused with other filters,
//! fails verification and is a 400.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ApiError;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], binding: &str, payload: &[u8]) -> HmacSha256 {
    // new_from_slice accepts keys of any length.
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(binding.as_bytes());
    m.update(b"\n");
    m.update(payload);
    m
}

/// Encodes a DynamoDB key (string attributes only) bound to `binding`.
pub fn encode(secret: &[u8], binding: &str, key: &HashMap<String, AttributeValue>) -> String {
    let plain: BTreeMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
        .collect();
    let payload = serde_json::to_vec(&plain).unwrap_or_default();
    let sig = mac(secret, binding, &payload).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

/// Decodes and verifies a cursor made by [`encode`] with the same binding.
pub fn decode(
    secret: &[u8],
    binding: &str,
    cursor: &str,
) -> Result<HashMap<String, AttributeValue>, ApiError> {
    let bad = || ApiError::bad_query("cursor", "Invalid or expired cursor");
    if cursor.len() > 2048 {
        return Err(bad());
    }
    let (payload_b64, sig_b64) = cursor.split_once('.').ok_or_else(bad)?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| bad())?;
    let sig = URL_SAFE_NO_PAD.decode(sig_b64).map_err(|_| bad())?;
    mac(secret, binding, &payload)
        .verify_slice(&sig)
        .map_err(|_| bad())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&payload).map_err(|_| bad())?;
    Ok(plain
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("PK".to_string(), AttributeValue::S("USER#1".into())),
            ("SK".to_string(), AttributeValue::S("PROFILE".into())),
        ])
    }

    #[test]
    fn round_trips_with_the_same_binding() {
        let c = encode(b"secret-secret-secret", "a=1", &key());
        assert_eq!(decode(b"secret-secret-secret", "a=1", &c).unwrap(), key());
    }

    #[test]
    fn other_filters_or_tampering_fail() {
        let c = encode(b"secret-secret-secret", "a=1", &key());
        assert!(decode(b"secret-secret-secret", "a=2", &c).is_err());
        assert!(decode(b"other-secret-secret", "a=1", &c).is_err());
        let mut t = c.clone().into_bytes();
        t[3] ^= 1;
        assert!(decode(b"secret-secret-secret", "a=1", &String::from_utf8_lossy(&t)).is_err());
        assert!(decode(b"secret-secret-secret", "a=1", "garbage").is_err());
    }
}
