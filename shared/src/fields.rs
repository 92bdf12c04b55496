//! The JSON body parser: a body is read field by field, every problem is gathered so
//! one 422 names them all, and fields nobody asked for are refused. What a single value
//! must look like is the business of the domain types ([`crate::types`]); this module
//! only walks the object and collects the verdicts.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError};

/// Why one value was refused: the pydantic-style `type` and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub kind: &'static str,
    pub msg: String,
}

impl Invalid {
    pub fn new(kind: &'static str, msg: impl Into<String>) -> Invalid {
        Invalid {
            kind,
            msg: msg.into(),
        }
    }

    /// This refusal as the error of the body field `field`.
    pub fn at(self, field: &str) -> FieldError {
        FieldError::body(field, self.kind, self.msg)
    }

    /// A 422 naming `field` alone, for a value refused after the body was read (a
    /// merged document that grew too large).
    pub fn refuses(self, field: &str) -> ApiError {
        ApiError::validation(vec![self.at(field)])
    }
}

/// The string in `v`, or the refusal of a value that is not one.
pub fn string(v: &Value) -> Result<&str, Invalid> {
    v.as_str()
        .ok_or_else(|| Invalid::new("string_type", "Input should be a string"))
}

/// A field that could not be read; its error is noted in the [`Fields`] it came from,
/// in the order the fields were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noted;

/// The result of reading one field.
pub type Field<T> = Result<T, Noted>;

/// A JSON object body being parsed. Reading a field notes it as expected, so that
/// [`Fields::finish`] can refuse the others.
pub struct Fields {
    map: Map<String, Value>,
    taken: RefCell<BTreeSet<String>>,
    errors: RefCell<Vec<FieldError>>,
}

impl Fields {
    /// Takes a parsed body; anything but an object is a 422 on the whole body.
    pub fn new(body: Value) -> Result<Fields, ApiError> {
        match body {
            Value::Object(map) => Ok(Fields {
                map,
                taken: RefCell::default(),
                errors: RefCell::default(),
            }),
            _ => Err(ApiError::validation(vec![FieldError {
                loc: vec!["body".into()],
                msg: "Input should be a JSON object".into(),
                kind: "model_type".into(),
            }])),
        }
    }

    /// Whether the body names `name` (even as `null`).
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// The first of `names` present in the body.
    pub fn first_present<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.has(n))
    }

    /// Records an error against `name` that no single field's parser can see (one
    /// field contradicting another, a field that may not be sent at all).
    pub fn reject(&self, name: &str, kind: &'static str, msg: impl Into<String>) {
        self.taken.borrow_mut().insert(name.to_string());
        self.note(FieldError::body(name, kind, msg));
    }

    fn note(&self, e: FieldError) -> Noted {
        self.errors.borrow_mut().push(e);
        Noted
    }

    /// A field that must be present, not `null`, and valid.
    pub fn required<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Field<T> {
        self.taken.borrow_mut().insert(name.to_string());
        match self.map.get(name) {
            None => Err(self.note(FieldError::body(name, "missing", "Field required"))),
            // Given, but as null: the same error an optional field's null is.
            Some(Value::Null) => Err(self.note(FieldError::body(
                name,
                "null_not_allowed",
                "Field may not be null",
            ))),
            Some(v) => parse(v).map_err(|e| self.note(e.at(name))),
        }
    }

    /// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
    pub fn optional<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Field<Option<Option<T>>> {
        self.taken.borrow_mut().insert(name.to_string());
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(v) => parse(v)
                .map(|t| Some(Some(t)))
                .map_err(|e| self.note(e.at(name))),
        }
    }

    /// A field that may be absent but, when present, must not be `null`.
    pub fn optional_value<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Invalid>,
    ) -> Field<Option<T>> {
        match self.optional(name, parse)? {
            Some(Some(v)) => Ok(Some(v)),
            Some(None) => Err(self.note(FieldError::body(
                name,
                "null_not_allowed",
                "Field may not be null",
            ))),
            None => Ok(None),
        }
    }

    /// Ends parsing with the fields read: the values when every one is valid and the
    /// body holds nothing else, otherwise one 422 naming every problem.
    pub fn finish<P: Parsed>(self, fields: P) -> Result<P::Values, ApiError> {
        let values = fields.gather();
        let mut errors = self.errors.into_inner();
        let taken = self.taken.into_inner();
        for k in self.map.keys().filter(|k| !taken.contains(*k)) {
            errors.push(FieldError::body(k, "extra_forbidden", "Unknown field"));
        }
        match values {
            Some(values) if errors.is_empty() => Ok(values),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// Fields read from a body, handed to [`Fields::finish`]: one [`Field`], a tuple of
/// them, or `()` when every value was taken as read (`unwrap_or_default`) into a record
/// that is only used if `finish` succeeds.
pub trait Parsed {
    type Values;
    /// The values, or `None` when one could not be read.
    fn gather(self) -> Option<Self::Values>;
}

impl Parsed for () {
    type Values = ();
    fn gather(self) -> Option<()> {
        Some(())
    }
}

impl<T> Parsed for Field<T> {
    type Values = T;
    fn gather(self) -> Option<T> {
        self.ok()
    }
}

macro_rules! parsed_tuple {
    ($($name:ident),+) => {
        impl<$($name),+> Parsed for ($(Field<$name>,)+) {
            type Values = ($($name,)+);
            #[allow(non_snake_case)]
            fn gather(self) -> Option<Self::Values> {
                let ($($name,)+) = self;
                Some(($($name.ok()?,)+))
            }
        }
    };
}

parsed_tuple!(A);
parsed_tuple!(A, B);
parsed_tuple!(A, B, C);
parsed_tuple!(A, B, C, D);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: &Value) -> Result<String, Invalid> {
        let s = string(v)?;
        if s.len() < 3 {
            return Err(Invalid::new("string_too_short", "too short"));
        }
        Ok(s.to_string())
    }

    #[test]
    fn every_problem_and_unknown_keys_are_named_at_once() {
        let f = Fields::new(json!({"email": "x", "extra": 1})).unwrap();
        let email = f.required("email", text);
        let password = f.required("password", text);
        let err = f.finish((email, password)).unwrap_err();
        let errors = err.details["errors"].as_array().unwrap();
        let kinds: Vec<&str> = errors.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["string_too_short", "missing", "extra_forbidden"]);
    }

    #[test]
    fn valid_fields_come_back_typed() {
        let f = Fields::new(json!({"a": "abc", "b": null})).unwrap();
        let a = f.required("a", text);
        let b = f.optional("b", text);
        let c = f.optional_value("c", text);
        assert_eq!(
            f.finish((a, b, c)).unwrap(),
            ("abc".to_string(), Some(None), None)
        );
    }

    #[test]
    fn null_where_a_value_is_needed_is_refused() {
        let f = Fields::new(json!({"c": null})).unwrap();
        let c = f.optional_value("c", text);
        assert_eq!(
            f.finish(c).unwrap_err().details["errors"][0]["type"],
            "null_not_allowed"
        );
        // A required field given as null is not "missing": it is there, and null.
        let f = Fields::new(json!({"c": null})).unwrap();
        let c = f.required("c", text);
        assert_eq!(
            f.finish(c).unwrap_err().details["errors"][0]["type"],
            "null_not_allowed"
        );
        assert!(Fields::new(json!([1])).is_err());
    }
}
