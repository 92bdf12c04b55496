//! Free-form JSON documents a user keeps on its profile (`preferences`, `settings`):
//! what DynamoDB can store of them, and how a change merges in (RFC 7396).

use serde_json::{Map, Value};

use crate::fields::Invalid;

/// The most a document may hold, serialised.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

/// How deep a stored document may nest (DynamoDB allows 32 levels in all).
pub const MAX_DOCUMENT_DEPTH: usize = 16;

/// A JSON object value of a request; anything else is refused.
pub fn object(v: &Value) -> Result<Value, Invalid> {
    match v {
        Value::Object(_) => Ok(v.clone()),
        _ => Err(Invalid::new("dict_type", "Input should be a JSON object")),
    }
}

/// A JSON object DynamoDB can hold, to replace a document wholesale.
pub fn storable_object(v: &Value) -> Result<Map<String, Value>, Invalid> {
    match v {
        Value::Object(m) => check(m).map(|_| m.clone()),
        _ => Err(Invalid::new("dict_type", "Input should be a JSON object")),
    }
}

/// `document` with `patch` merged in by RFC 7396 (`null` removes a key, and a `null`
/// patch empties the document), refused when the result could not be stored.
pub fn merged(document: Map<String, Value>, patch: &Value) -> Result<Map<String, Value>, Invalid> {
    let mut target = Value::Object(document);
    json_patch::merge(&mut target, patch);
    let merged = match target {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    check(&merged).map(|_| merged)
}

/// Refuses an object over 16 KiB once serialised, or one DynamoDB cannot store.
pub fn check(map: &Map<String, Value>) -> Result<(), Invalid> {
    let size = serde_json::to_vec(map)
        .map(|b| b.len())
        .unwrap_or(usize::MAX);
    if size > MAX_DOCUMENT_BYTES {
        return Err(Invalid::new(
            "too_long",
            format!("Object should be at most {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    map.values().try_for_each(|v| storable(v, 1))?;
    map.keys().try_for_each(|k| key_ok(k))
}

fn key_ok(k: &str) -> Result<(), Invalid> {
    if k.is_empty() {
        return Err(Invalid::new("value_error", "Object keys may not be empty"));
    }
    Ok(())
}

/// Whether DynamoDB can hold `v`: not too deep, no empty keys, numbers within its
/// range (magnitudes from 1e-130 to 1e125).
fn storable(v: &Value, depth: usize) -> Result<(), Invalid> {
    if depth > MAX_DOCUMENT_DEPTH {
        return Err(Invalid::new(
            "too_deep",
            format!("Objects may nest at most {MAX_DOCUMENT_DEPTH} levels"),
        ));
    }
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::INFINITY).abs();
            if !x.is_finite() || x >= 1e125 || (x != 0.0 && x < 1e-129) {
                return Err(Invalid::new(
                    "value_error",
                    "Number out of the storable range",
                ));
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|i| storable(i, depth + 1)),
        Value::Object(m) => {
            m.keys().try_for_each(|k| key_ok(k))?;
            m.values().try_for_each(|i| storable(i, depth + 1))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn rfc7396_examples() {
        let doc = obj(json!({"a": "b", "c": {"d": "e", "f": "g"}}));
        let m = merged(doc, &json!({"a": "z", "c": {"f": null}})).unwrap();
        assert_eq!(Value::Object(m), json!({"a": "z", "c": {"d": "e"}}));
        let m = merged(obj(json!({"a": [1]})), &json!({"a": {"b": "c"}})).unwrap();
        assert_eq!(Value::Object(m), json!({"a": {"b": "c"}}));
        let m = merged(obj(json!({"a": "b"})), &json!({"b": null})).unwrap();
        assert_eq!(Value::Object(m), json!({"a": "b"}));
        assert!(merged(obj(json!({"a": "b"})), &Value::Null)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn what_dynamodb_cannot_hold_is_refused() {
        assert!(check(&obj(json!({"": 1}))).is_err());
        assert!(check(&obj(json!({"n": 1e130}))).is_err());
        let mut deep = json!(1);
        for _ in 0..=MAX_DOCUMENT_DEPTH {
            deep = json!({ "d": deep });
        }
        assert!(check(&obj(deep)).is_err());
        let big = "x".repeat(MAX_DOCUMENT_BYTES);
        assert!(merged(Map::new(), &json!({ "big": big })).is_err());
        assert!(check(&obj(json!({"ok": [1, "two", null]}))).is_ok());
    }
}
