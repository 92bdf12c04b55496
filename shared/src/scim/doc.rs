//! SCIM documents as this service keeps them: what comes in is normalized against the
//! schema (canonical attribute names, types checked, Entra ID's `"False"` read as a
//! boolean, canonical values, nulls and unknown attributes dropped), and what goes out
//! is cut to the `attributes` or `excludedAttributes` asked for (RFC 7644 §3.9).

use serde_json::{Map, Value};

use super::filter::{self, get_ci, AttrPath, Scope};
use super::schema::{Attr, Mutability, ResourceType, Returned, Type};
use crate::error::ApiError;

/// A boolean as SCIM clients send one: JSON, or the strings `true`/`false` in any case.
pub fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn wrong(def: &Attr, what: &str) -> ApiError {
    ApiError::invalid_value(format!("Attribute '{}' must be {what}", def.name))
}

/// One value (an element, for a multi-valued attribute) of `def`, normalized; `None`
/// when it is unassigned (null, an empty string, an empty object).
pub fn element(def: &Attr, v: &Value) -> Result<Option<Value>, ApiError> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(match def.ty {
        Type::Boolean => Some(Value::Bool(
            boolean(v).ok_or_else(|| wrong(def, "a boolean"))?,
        )),
        // Entra ID sends the enterprise `manager` as the bare id: `{"value": id}`.
        Type::Complex if v.is_string() && def.sub_attr("value").is_some() => {
            element(def, &serde_json::json!({ "value": v }))?
        }
        Type::Complex => {
            let obj = v.as_object().ok_or_else(|| wrong(def, "an object"))?;
            let mut out = Map::new();
            for (k, sv) in obj {
                let Some(sub) = def.sub_attr(k) else {
                    continue;
                };
                if let Some(nv) = value(sub, sv)? {
                    out.insert(sub.name.to_string(), nv);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ => {
            let s = v.as_str().ok_or_else(|| wrong(def, "a string"))?;
            if s.is_empty() {
                return Ok(None);
            }
            if def.ty == Type::DateTime && chrono::DateTime::parse_from_rfc3339(s).is_err() {
                return Err(wrong(def, "an RFC 3339 date-time"));
            }
            let canonical = def.canonical.accept(s).ok_or_else(|| {
                ApiError::invalid_value(format!("'{s}' is not a canonical value of '{}'", def.name))
            })?;
            Some(Value::String(canonical))
        }
    })
}

/// A whole value of `def`, normalized: for a multi-valued attribute an array (a single
/// value is taken as a one-element array) with at most one `primary`; `None` when
/// unassigned.
pub fn value(def: &Attr, v: &Value) -> Result<Option<Value>, ApiError> {
    if !def.multi {
        return match v.as_array().map(Vec::as_slice) {
            // Older Entra ID sends `manager` as a list of one.
            Some([one]) if def.ty == Type::Complex => element(def, one),
            Some(_) => Err(wrong(def, "a single value")),
            None => element(def, v),
        };
    }
    let items: Vec<&Value> = match v {
        Value::Null => return Ok(None),
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for i in items {
        if let Some(e) = element(def, i)? {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    one_primary(&mut out);
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// Keeps `primary: true` on the last value that has it only (RFC 7643 §2.4: at most
/// one primary; the value set most recently wins).
pub fn one_primary(values: &mut [Value]) {
    let last = values
        .iter()
        .rposition(|v| v.get("primary") == Some(&Value::Bool(true)));
    if let Some(last) = last {
        for (i, v) in values.iter_mut().enumerate() {
            if i != last {
                if let Some(o) = v.as_object_mut() {
                    o.remove("primary");
                }
            }
        }
    }
}

/// Where an attribute of a resource document lives: the core (top level) or an
/// extension (the object under its URN).
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Core,
    Extension(&'static str),
}

/// The attribute a path names in `rt`, with where it lives; `None` if no schema of
/// `rt` defines it. A path naming a whole extension (`urn:...:User`) is that
/// extension's attribute.
pub fn resolve(rt: &ResourceType, path: &AttrPath) -> Option<(Place, &'static Attr)> {
    match &path.urn {
        Some(urn) => match rt.extension(urn) {
            Some((schema, whole)) if path.attr.is_empty() => {
                Some((Place::Extension(schema.id), whole))
            }
            Some((schema, _)) => schema
                .attr(&path.attr)
                .map(|a| (Place::Extension(schema.id), a)),
            None if urn.eq_ignore_ascii_case(rt.core.id) => {
                rt.top_attr(&path.attr).map(|a| (Place::Core, a))
            }
            None => None,
        },
        None => rt
            .top_attr(&path.attr)
            .map(|a| (Place::Core, a))
            .or_else(|| {
                // An extension attribute named without its URN, where the name is unique.
                rt.extensions.iter().find_map(|(schema, _)| {
                    schema
                        .attr(&path.attr)
                        .map(|a| (Place::Extension(schema.id), a))
                })
            }),
    }
}

/// How a resource type's documents define their names, for filters.
pub struct ResourceScope(pub &'static ResourceType);

impl Scope for ResourceScope {
    fn lookup(&self, path: &AttrPath) -> Option<&'static Attr> {
        resolve(self.0, path).map(|(_, a)| a)
    }
}

/// The attributes of a resource given by a client (a POST or PUT body, or a PATCH
/// value), normalized: read-only attributes are ignored (RFC 7644 §3.3 and §3.5.1),
/// as are unknown ones; extension attributes go under their URN, whether sent there
/// or as `urn:...:attr` keys.
pub fn resource(
    rt: &'static ResourceType,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (k, v) in input {
        if k.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some((schema, whole)) = rt.extension(k) {
            if let Some(Value::Object(o)) = element(whole, v)? {
                let slot = out
                    .entry(schema.id.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(m) = slot.as_object_mut() {
                    m.extend(o);
                }
            }
            continue;
        }
        let path = match filter::parse_path(k, &rt.extension_urns()) {
            Ok(p) if p.filter.is_none() && p.attr.sub.is_none() => p,
            _ => continue,
        };
        let Some((place, def)) = resolve(rt, &path.attr) else {
            continue;
        };
        if def.mutability == Mutability::ReadOnly {
            continue;
        }
        let Some(nv) = value(def, v)? else {
            continue;
        };
        match place {
            Place::Core => {
                out.insert(def.name.to_string(), nv);
            }
            Place::Extension(urn) => {
                let slot = out
                    .entry(urn.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(m) = slot.as_object_mut() {
                    m.insert(def.name.to_string(), nv);
                }
            }
        }
    }
    Ok(out)
}

/// The `schemas` of a request body must name the core schema of `rt` (RFC 7643 §3);
/// any other URN must be an extension of it.
pub fn check_schemas(rt: &ResourceType, body: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(list) = get_ci(&Value::Object(body.clone()), "schemas").cloned() else {
        return Err(ApiError::invalid_syntax(
            "The 'schemas' attribute is required",
        ));
    };
    let urns: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !urns.iter().any(|u| u.eq_ignore_ascii_case(rt.core.id)) {
        return Err(ApiError::invalid_syntax(format!(
            "'schemas' must include {}",
            rt.core.id
        )));
    }
    // Other URNs are let through and their attributes ignored: Entra ID's documented
    // group create names `http://schemas.microsoft.com/2006/11/ResourceManagement/
    // ADSCIM/2.0/Group` beside the core schema, and expects 201.
    Ok(())
}

/// The `attributes` and `excludedAttributes` of a request.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    attributes: Vec<AttrPath>,
    excluded: Vec<AttrPath>,
}

fn paths(rt: &ResourceType, list: Option<&str>) -> Result<Vec<AttrPath>, ApiError> {
    let mut out = Vec::new();
    for part in list.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let p = filter::parse_path(part, &rt.extension_urns())
            .map_err(|e| ApiError::invalid_value(e.message))?;
        if p.filter.is_some() {
            return Err(ApiError::invalid_value(format!(
                "'{part}' is not an attribute name"
            )));
        }
        out.push(p.attr);
    }
    Ok(out)
}

impl Projection {
    /// From the comma-separated lists of a query (or a search body, joined).
    pub fn new(
        rt: &ResourceType,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ApiError> {
        Ok(Projection {
            attributes: paths(rt, attributes)?,
            excluded: paths(rt, excluded)?,
        })
    }

    fn names(p: &AttrPath, place: &Place, attr: &str) -> bool {
        let same_place = match (&p.urn, place) {
            (None, _) => true,
            (Some(u), Place::Extension(e)) => u.eq_ignore_ascii_case(e),
            (Some(u), Place::Core) => u
                .to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:schemas:core:2.0:"),
        };
        same_place && p.attr.eq_ignore_ascii_case(attr)
    }

    /// Whether the top-level attribute `name` of the core schema is returned (so a
    /// response can skip reading what it would not show: members, groups).
    pub fn returns(&self, rt: &ResourceType, name: &str) -> bool {
        let Some(def) = rt.top_attr(name) else {
            return false;
        };
        self.keeps(&Place::Core, def, None)
    }

    fn keeps(&self, place: &Place, def: &Attr, sub: Option<&str>) -> bool {
        if def.returned == Returned::Always {
            return true;
        }
        if def.returned == Returned::Never {
            return false;
        }
        let listed = |list: &[AttrPath], whole_only: bool| {
            list.iter().any(|p| {
                let whole_ext = matches!((place, &p.urn), (Place::Extension(e), Some(u)) if p.attr.is_empty() && u.eq_ignore_ascii_case(e));
                whole_ext
                    || (Self::names(p, place, def.name)
                        && match (&p.sub, sub) {
                            (None, _) => true,
                            (Some(_), None) => !whole_only,
                            (Some(ps), Some(s)) => ps.eq_ignore_ascii_case(s),
                        })
            })
        };
        if !self.attributes.is_empty() {
            return listed(&self.attributes, false);
        }
        if def.returned == Returned::Request {
            return false;
        }
        !listed(&self.excluded, true)
    }

    /// `doc` cut to what is asked for.
    pub fn apply(&self, rt: &ResourceType, doc: Value) -> Value {
        let Value::Object(doc) = doc else {
            return doc;
        };
        let mut out = Map::new();
        for (k, v) in doc {
            if k == "schemas" {
                out.insert(k, v);
                continue;
            }
            if let Some((schema, _)) = rt.extension(&k) {
                let place = Place::Extension(schema.id);
                if let Value::Object(inner) = v {
                    let kept = self.cut(&place, &inner, |n| schema.attr(n));
                    if !kept.is_empty() {
                        out.insert(k, Value::Object(kept));
                    }
                }
                continue;
            }
            let Some(def) = rt.top_attr(&k) else {
                continue;
            };
            if let Some(v) = self.cut_attr(&Place::Core, def, v) {
                out.insert(k, v);
            }
        }
        Value::Object(out)
    }

    fn cut(
        &self,
        place: &Place,
        obj: &Map<String, Value>,
        lookup: impl Fn(&str) -> Option<&'static Attr>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (k, v) in obj {
            if let Some(def) = lookup(k) {
                if let Some(v) = self.cut_attr(place, def, v.clone()) {
                    out.insert(k.clone(), v);
                }
            }
        }
        out
    }

    /// One attribute's value cut to its sub-attributes asked for.
    fn cut_attr(&self, place: &Place, def: &Attr, v: Value) -> Option<Value> {
        if !self.keeps(place, def, None) {
            return None;
        }
        if def.ty != Type::Complex {
            return Some(v);
        }
        let cut_one = |item: &Value| -> Option<Value> {
            let obj = item.as_object()?;
            let kept: Map<String, Value> = obj
                .iter()
                .filter(|(k, _)| {
                    def.sub_attr(k).is_some_and(|s| {
                        s.returned == Returned::Always || self.keeps(place, def, Some(s.name))
                    })
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        };
        match &v {
            Value::Array(items) => {
                let kept: Vec<Value> = items.iter().filter_map(cut_one).collect();
                (!kept.is_empty()).then_some(Value::Array(kept))
            }
            other => cut_one(other),
        }
    }
}
