//! SCIM PATCH (RFC 7644 §3.5.2) on a resource document in memory: `add`, `replace` and
//! `remove`, with or without `path`, value filters in paths included. The operations
//! of one request apply to one copy of the document, and the caller writes the result
//! once, so they take effect all together or not at all.

use serde_json::{Map, Value};

use super::doc::{self, resolve, Place};
use super::filter::{self, get_ci, CompareOp, Filter, PatchPath, SubScope};
use super::schema::{Attr, Mutability, ResourceType, Type, PATCH_OP};
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One operation of a PATCH request.
#[derive(Debug, Clone)]
pub struct Operation {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// The most operations one request may hold.
pub const MAX_OPERATIONS: usize = 1000;

/// The operations of a `PatchOp` body. Op names are case-insensitive (Entra ID sends
/// `Replace`); a `remove` without `path` is `noTarget` (§3.5.2.2).
pub fn parse(rt: &ResourceType, body: &Map<String, Value>) -> Result<Vec<Operation>, ApiError> {
    let whole = Value::Object(body.clone());
    let schemas_ok = get_ci(&whole, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP)))
        });
    if !schemas_ok {
        return Err(ApiError::invalid_syntax(format!(
            "'schemas' must be [\"{PATCH_OP}\"]"
        )));
    }
    let ops = get_ci(&whole, "Operations")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::invalid_syntax("'Operations' must be a non-empty array"))?;
    if ops.len() > MAX_OPERATIONS {
        return Err(ApiError::too_many(format!(
            "At most {MAX_OPERATIONS} operations per request"
        )));
    }
    let urns = rt.extension_urns();
    ops.iter()
        .map(|o| {
            let name = get_ci(o, "op")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid_syntax("Each operation needs an 'op'"))?;
            let op = match name.to_ascii_lowercase().as_str() {
                "add" => Op::Add,
                "replace" => Op::Replace,
                "remove" => Op::Remove,
                _ => {
                    return Err(ApiError::invalid_syntax(format!(
                        "Unknown op '{name}' (add, replace or remove)"
                    )))
                }
            };
            let path = match get_ci(o, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => Some(filter::parse_path(p, &urns)?),
                Some(_) => return Err(ApiError::invalid_path("'path' must be a string")),
            };
            let value = get_ci(o, "value").cloned();
            if op == Op::Remove && path.is_none() {
                return Err(ApiError::no_target("A remove operation needs a 'path'"));
            }
            if op != Op::Remove && path.is_none() && !value.as_ref().is_some_and(Value::is_object) {
                return Err(ApiError::invalid_syntax(
                    "An operation without 'path' needs an object 'value'",
                ));
            }
            if op != Op::Remove && value.is_none() {
                return Err(ApiError::invalid_syntax("add and replace need a 'value'"));
            }
            Ok(Operation { op, path, value })
        })
        .collect()
}

/// Applies `op` to `doc`, a full document of a resource of `rt`.
pub fn apply(
    rt: &'static ResourceType,
    doc: &mut Map<String, Value>,
    op: &Operation,
) -> Result<(), ApiError> {
    match &op.path {
        Some(path) => apply_path(rt, doc, op.op, path, op.value.as_ref()),
        None => {
            let Some(Value::Object(values)) = &op.value else {
                return Ok(());
            };
            // Each member of the value is an attribute path of its own (Entra ID sends
            // `name.givenName` and `urn:...:User:department` keys).
            let urns = rt.extension_urns();
            for (k, v) in values {
                if let Some((schema, _)) = rt.extension(k) {
                    let Value::Object(inner) = v else {
                        return Err(ApiError::invalid_value(format!("'{k}' must be an object")));
                    };
                    for (ik, iv) in inner {
                        let path = filter::parse_path(&format!("{}:{ik}", schema.id), &urns)?;
                        apply_path(rt, doc, op.op, &path, Some(iv))?;
                    }
                    continue;
                }
                if k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let path = filter::parse_path(k, &urns)?;
                if restates_read_only(rt, doc, &path, v) {
                    // Okta renames a group with `{"id": <its id>, "displayName": ...}`:
                    // a read-only value sent back unchanged is no modification.
                    continue;
                }
                apply_path(rt, doc, op.op, &path, Some(v))?;
            }
            Ok(())
        }
    }
}

/// Applies `ops` in order to `doc`, a stored resource's document. A required attribute
/// they would remove or leave without a value is 400 `mutability` (RFC 7644 §3.5.2.2),
/// not the `invalidValue` of a create or replace that lacks it.
pub fn apply_all(
    rt: &'static ResourceType,
    doc: &mut Map<String, Value>,
    ops: &[Operation],
) -> Result<(), ApiError> {
    let required: Vec<&str> = rt
        .core
        .attrs
        .iter()
        .filter(|a| a.required && a.mutability != Mutability::ReadOnly)
        .map(|a| a.name)
        .filter(|name| has_value(doc.get(*name)))
        .collect();
    for op in ops {
        apply(rt, doc, op)?;
    }
    match required.into_iter().find(|name| !has_value(doc.get(*name))) {
        Some(name) => Err(ApiError::mutability(format!(
            "'{name}' is required: it may be replaced, not removed"
        ))),
        None => Ok(()),
    }
}

/// Whether `v` is a value (RFC 7643 §2.5: null, `[]` and `""` are none).
fn has_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// Whether `path` names a read-only core attribute and `value` is what `doc` holds.
fn restates_read_only(
    rt: &'static ResourceType,
    doc: &Map<String, Value>,
    path: &PatchPath,
    value: &Value,
) -> bool {
    if path.filter.is_some() || path.attr.sub.is_some() {
        return false;
    }
    match resolve(rt, &path.attr) {
        Some((Place::Core, def)) if def.mutability == Mutability::ReadOnly => {
            doc.get(def.name) == Some(value)
        }
        _ => false,
    }
}

fn apply_path(
    rt: &'static ResourceType,
    doc: &mut Map<String, Value>,
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    let (place, def) = resolve(rt, &path.attr)
        .ok_or_else(|| ApiError::invalid_path(format!("No attribute '{}'", path.attr.dotted())))?;
    let sub = match &path.attr.sub {
        Some(s) => Some(def.sub_attr(s).ok_or_else(|| {
            ApiError::invalid_path(format!("No attribute '{}'", path.attr.dotted()))
        })?),
        None => None,
    };
    let target = sub.unwrap_or(def);
    if def.mutability == Mutability::ReadOnly || target.mutability == Mutability::ReadOnly {
        return Err(ApiError::mutability(format!(
            "'{}' is read-only",
            path.attr.dotted()
        )));
    }
    let whole_extension = path.attr.attr.is_empty();
    let (container, key): (&mut Map<String, Value>, String) = match (&place, whole_extension) {
        (Place::Extension(urn), true) => (doc, urn.to_string()),
        (Place::Core, _) => (doc, def.name.to_string()),
        (Place::Extension(urn), false) => {
            let slot = doc
                .entry(urn.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            (
                slot.as_object_mut().expect("an object"),
                def.name.to_string(),
            )
        }
    };
    if target.mutability == Mutability::Immutable && op != Op::Add && container.contains_key(&key) {
        return Err(ApiError::mutability(format!(
            "'{}' is immutable",
            path.attr.dotted()
        )));
    }
    match (&path.filter, sub) {
        (None, None) => whole(container, &key, def, op, value)?,
        (None, Some(sub)) => each_element(container, &key, def, sub, op, value)?,
        (Some(f), sub) => {
            if !def.multi {
                return Err(ApiError::invalid_path(format!(
                    "'{}' is not multi-valued: no value filter applies",
                    def.name
                )));
            }
            filtered(container, &key, def, f, sub, op, value)?
        }
    }
    tidy(container, &key);
    Ok(())
}

/// Drops what became empty: an empty object or array is an unassigned attribute.
fn tidy(container: &mut Map<String, Value>, key: &str) {
    let empty = match container.get(key) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        container.remove(key);
    }
}

/// Whether two values of a multi-valued attribute are the same value: by `value`
/// when they are complex and have one, else entirely.
fn same_value(def: &Attr, a: &Value, b: &Value) -> bool {
    if def.ty == Type::Complex {
        if let (Some(x), Some(y)) = (a.get("value"), b.get("value")) {
            let exact = def.sub_attr("value").is_some_and(|s| s.case_exact);
            return match (x.as_str(), y.as_str()) {
                (Some(x), Some(y)) if !exact => x.eq_ignore_ascii_case(y),
                _ => x == y,
            };
        }
    }
    a == b
}

fn whole(
    container: &mut Map<String, Value>,
    key: &str,
    def: &Attr,
    op: Op,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    match op {
        Op::Remove => match value.filter(|_| def.multi) {
            // Remove the values given (Entra ID removes members this way).
            Some(v) => {
                let gone = doc::value(def, v)?.unwrap_or(Value::Array(vec![]));
                let gone = gone.as_array().cloned().unwrap_or_default();
                if let Some(Value::Array(items)) = container.get_mut(key) {
                    items.retain(|i| !gone.iter().any(|g| same_value(def, i, g)));
                }
            }
            None => {
                container.remove(key);
            }
        },
        Op::Add | Op::Replace => {
            let Some(nv) = doc::value(def, value.unwrap_or(&Value::Null))? else {
                if op == Op::Replace {
                    container.remove(key);
                }
                return Ok(());
            };
            match (def.multi, def.ty, container.get_mut(key)) {
                (true, _, Some(Value::Array(items))) if op == Op::Add => {
                    for e in nv.as_array().cloned().unwrap_or_default() {
                        match items.iter().position(|i| same_value(def, i, &e)) {
                            Some(at) => items[at] = e,
                            None => items.push(e),
                        }
                    }
                    doc::one_primary(items);
                }
                (false, Type::Complex, Some(Value::Object(current))) => {
                    // A complex value's sub-attributes given replace theirs; the others
                    // stay (§3.5.2.1 and §3.5.2.3).
                    if let Value::Object(given) = nv {
                        current.extend(given);
                    }
                }
                _ => {
                    container.insert(key.to_string(), nv);
                }
            }
        }
    }
    Ok(())
}

fn each_element(
    container: &mut Map<String, Value>,
    key: &str,
    def: &Attr,
    sub: &Attr,
    op: Op,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    let nv = match op {
        Op::Remove => None,
        _ => doc::element(sub, value.unwrap_or(&Value::Null))?,
    };
    let set = |obj: &mut Map<String, Value>| match &nv {
        Some(v) => {
            obj.insert(sub.name.to_string(), v.clone());
        }
        None => {
            obj.remove(sub.name);
        }
    };
    if def.multi {
        let slot = container
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(items) = slot {
            if items.is_empty() && nv.is_some() {
                items.push(Value::Object(Map::new()));
            }
            for i in items.iter_mut() {
                if let Value::Object(o) = i {
                    set(o);
                }
            }
            items.retain(|i| i.as_object().is_some_and(|o| !o.is_empty()));
            doc::one_primary(items);
        }
    } else {
        let slot = container
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(o) = slot {
            set(o);
        }
    }
    Ok(())
}

/// The sub-attribute values an `eq` filter pins (`type eq "work"`), which a value
/// added through a filter that matched nothing starts from.
fn seed(f: &Filter, def: &Attr, out: &mut Map<String, Value>) {
    match f {
        Filter::Compare(p, CompareOp::Eq, v) => {
            if let Some(s) = def.sub_attr(&p.attr) {
                out.insert(s.name.to_string(), v.clone());
            }
        }
        Filter::And(a, b) => {
            seed(a, def, out);
            seed(b, def, out);
        }
        _ => {}
    }
}

fn filtered(
    container: &mut Map<String, Value>,
    key: &str,
    def: &'static Attr,
    f: &Filter,
    sub: Option<&Attr>,
    op: Op,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    let scope = SubScope(def);
    let slot = container
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(vec![]));
    if !slot.is_array() {
        *slot = Value::Array(vec![std::mem::take(slot)]);
    }
    let Value::Array(items) = slot else {
        return Ok(());
    };
    let mut hits = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if filter::matches(f, item, &scope)? {
            hits.push(i);
        }
    }
    match (op, sub) {
        (Op::Remove, None) => {
            let mut i = 0;
            items.retain(|_| {
                i += 1;
                !hits.contains(&(i - 1))
            });
        }
        (Op::Remove, Some(s)) => {
            for &i in &hits {
                if let Some(o) = items[i].as_object_mut() {
                    o.remove(s.name);
                }
            }
        }
        (Op::Replace, _) if hits.is_empty() => {
            return Err(ApiError::no_target(
                "The value filter of the path matches no value",
            ));
        }
        (_, None) => {
            let Some(Value::Object(given)) = doc::element(def, value.unwrap_or(&Value::Null))?
            else {
                return Err(ApiError::invalid_value(format!(
                    "A value of '{}' must be an object",
                    def.name
                )));
            };
            if hits.is_empty() {
                let mut new = Map::new();
                seed(f, def, &mut new);
                new.extend(given.clone());
                items.push(Value::Object(new));
            }
            for &i in &hits {
                if op == Op::Replace {
                    items[i] = Value::Object(given.clone());
                } else if let Some(o) = items[i].as_object_mut() {
                    o.extend(given.clone());
                }
            }
        }
        (_, Some(s)) => {
            let nv = doc::element(s, value.unwrap_or(&Value::Null))?;
            if hits.is_empty() {
                let mut new = Map::new();
                seed(f, def, &mut new);
                hits.push(items.len());
                items.push(Value::Object(new));
            }
            for &i in &hits {
                if let Some(o) = items[i].as_object_mut() {
                    match &nv {
                        Some(v) => {
                            o.insert(s.name.to_string(), v.clone());
                        }
                        None => {
                            o.remove(s.name);
                        }
                    }
                }
            }
        }
    }
    items.retain(|i| i.as_object().is_none_or(|o| !o.is_empty()));
    doc::one_primary(items);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::USER_TYPE;
    use serde_json::json;

    fn run(doc: Value, body: Value) -> Result<Value, ApiError> {
        let Value::Object(mut d) = doc else { panic!() };
        let Value::Object(b) = body else { panic!() };
        for op in parse(&USER_TYPE, &b)? {
            apply(&USER_TYPE, &mut d, &op)?;
        }
        Ok(Value::Object(d))
    }

    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_OP], "Operations": ops})
    }

    fn user() -> Value {
        json!({
            "userName": "ann",
            "active": true,
            "emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
            "name": {"givenName": "Ann", "familyName": "Lee"},
        })
    }

    #[test]
    fn entra_manager_forms_set_the_manager() {
        const MANAGER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
        let forms = [
            json!([{"op": "Add", "path": MANAGER, "value": "m-1"}]),
            json!([{"op": "Add", "path": MANAGER, "value": [{"value": "m-1"}]}]),
            json!([{"op": "Add", "path": MANAGER, "value": {"value": "m-1"}}]),
        ];
        for ops in forms {
            let out = run(user(), body(ops.clone())).unwrap();
            assert_eq!(
                out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"],
                json!({"value": "m-1"}),
                "{ops}"
            );
        }
        let two =
            json!([{"op": "Add", "path": MANAGER, "value": [{"value": "a"}, {"value": "b"}]}]);
        assert!(run(user(), body(two)).is_err());
    }

    #[test]
    fn entra_ops_are_case_insensitive_and_take_string_booleans() {
        let out = run(
            user(),
            body(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .unwrap();
        assert_eq!(out["active"], json!(false));
        let out = run(
            user(),
            body(
                json!([{"op": "replace", "value": {"active": "True", "name.givenName": "Bo",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"}}]),
            ),
        )
        .unwrap();
        assert_eq!(out["active"], json!(true));
        assert_eq!(out["name"], json!({"givenName": "Bo", "familyName": "Lee"}));
        assert_eq!(
            out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
            "R&D"
        );
    }

    #[test]
    fn value_filters_in_paths() {
        let out = run(
            user(),
            body(json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ann@corp.example"},
                {"op": "add", "path": "emails[type eq \"home\"].value", "value": "ann@home.example"},
            ])),
        )
        .unwrap();
        let emails = out["emails"].as_array().unwrap();
        assert_eq!(emails[0]["value"], "ann@corp.example");
        assert_eq!(
            emails[1],
            json!({"type": "home", "value": "ann@home.example"})
        );
        let out = run(
            out,
            body(json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])),
        )
        .unwrap();
        assert_eq!(out["emails"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn each_error_has_its_type() {
        let cases = [
            (
                json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y.z"}]),
                "noTarget",
            ),
            (json!([{"op": "remove"}]), "noTarget"),
            (
                json!([{"op": "replace", "path": "id", "value": "x"}]),
                "mutability",
            ),
            (
                json!([{"op": "replace", "path": "meta.created", "value": "x"}]),
                "mutability",
            ),
            (
                json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "nosuch", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "move", "path": "active", "value": true}]),
                "invalidSyntax",
            ),
            (
                json!([{"op": "replace", "path": "active", "value": "maybe"}]),
                "invalidValue",
            ),
            (
                json!([{"op": "replace", "path": "locale", "value": "xx-nowhere"}]),
                "invalidValue",
            ),
        ];
        for (ops, want) in cases {
            let e = run(user(), body(ops.clone())).unwrap_err();
            assert_eq!(e.scim_type(), Some(want), "{ops}");
        }
        let e = run(user(), json!({"Operations": []})).unwrap_err();
        assert_eq!(e.scim_type(), Some("invalidSyntax"));
    }

    #[test]
    fn remove_with_a_value_list_removes_those_values() {
        let doc = json!({"emails": [{"value": "a@x.io"}, {"value": "b@x.io"}]});
        let out = run(
            doc,
            body(json!([{"op": "Remove", "path": "emails", "value": [{"value": "A@x.io"}]}])),
        )
        .unwrap();
        assert_eq!(out["emails"], json!([{"value": "b@x.io"}]));
    }
}
