//! SCIM filters and PATCH paths (RFC 7644 §3.4.2.2 and §3.5.2): the whole grammar,
//! parsed into an AST, and evaluated against a resource document. Which filters a list
//! can serve from an index is the list's business (`scim::list`); value filters in
//! PATCH paths are evaluated here, in memory, in full.
//!
//! Written here rather than taken from a crate: the SCIM filter crates on crates.io are
//! a generated LALR parser (large tables in every binary that links it) or young and
//! without the PATCH path grammar, and this one also needs the case rules of the
//! schema (`caseExact`) at evaluation.

use std::cmp::Ordering;

use serde_json::Value;

use super::schema::{Attr, Type};
use crate::error::ApiError;

/// An attribute path: `[urn:]name[.sub]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The schema URN it was qualified with, if any.
    pub urn: Option<String>,
    /// The attribute; empty when the path names a whole extension (`urn:...:User`).
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// `attr` or `attr.sub`, lower case, without the URN: how the list planner
    /// recognises the paths it serves.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{}", self.attr, s).to_ascii_lowercase(),
            None => self.attr.to_ascii_lowercase(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A filter (or a PATCH value filter).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, CompareOp, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some value of `attr` matches `filter`, whose paths are `attr`'s
    /// sub-attributes.
    Has(AttrPath, Box<Filter>),
}

/// A PATCH path: `attrPath`, or `valuePath` with an optional sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    /// `attr[filter]`: only the values matching it.
    pub filter: Option<Filter>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Word(String),
    Str(String),
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_filter(msg)
}

fn tokens(input: &str) -> Result<Vec<Token>, ApiError> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '[' => {
                out.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                out.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                // A JSON string: find its end, honouring escapes, and let serde_json
                // decode it.
                let start = i;
                i += 1;
                let mut escaped = false;
                while i < chars.len() && (escaped || chars[i] != '"') {
                    escaped = !escaped && chars[i] == '\\';
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(invalid("Unterminated string in filter"));
                }
                i += 1;
                let literal: String = chars[start..i].iter().collect();
                let s: String = serde_json::from_str(&literal)
                    .map_err(|_| invalid("Invalid string literal in filter"))?;
                out.push(Token::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t\n\r()[]\"".contains(chars[i]) {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

/// Parses an attribute path word; `extension_urns` are the URNs a path may name whole.
fn attr_path(word: &str, extension_urns: &[&str]) -> Result<AttrPath, ApiError> {
    if let Some(urn) = extension_urns.iter().find(|u| u.eq_ignore_ascii_case(word)) {
        return Ok(AttrPath {
            urn: Some(urn.to_string()),
            attr: String::new(),
            sub: None,
        });
    }
    let is_urn = word.len() > 4 && word.as_bytes()[..4].eq_ignore_ascii_case(b"urn:");
    let (urn, rest) = if is_urn {
        let (urn, rest) = word
            .rsplit_once(':')
            .ok_or_else(|| invalid(format!("Invalid attribute path '{word}'")))?;
        (Some(urn.to_string()), rest)
    } else {
        (None, word)
    };
    let (attr, sub) = match rest.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (rest, None),
    };
    let name_ok = |n: &str| {
        let mut cs = n.chars();
        matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '$')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !name_ok(attr) || sub.is_some_and(|s| !name_ok(s)) {
        return Err(invalid(format!("Invalid attribute path '{word}'")));
    }
    Ok(AttrPath {
        urn,
        attr: attr.to_string(),
        sub: sub.map(str::to_string),
    })
}

fn compare_op(word: &str) -> Option<CompareOp> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => CompareOp::Eq,
        "ne" => CompareOp::Ne,
        "co" => CompareOp::Co,
        "sw" => CompareOp::Sw,
        "ew" => CompareOp::Ew,
        "gt" => CompareOp::Gt,
        "lt" => CompareOp::Lt,
        "ge" => CompareOp::Ge,
        "le" => CompareOp::Le,
        _ => return None,
    })
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    urns: &'a [&'a str],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    /// `or` binds looser than `and`.
    fn or_expr(&mut self) -> Result<Filter, ApiError> {
        let mut left = self.and_expr()?;
        while self.peek_word("or") {
            self.at += 1;
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, ApiError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ApiError> {
        if self.peek_word("not") && matches!(self.tokens.get(self.at + 1), Some(Token::Open)) {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if matches!(self.peek(), Some(Token::Open)) {
            return self.group();
        }
        self.attr_expr()
    }

    fn group(&mut self) -> Result<Filter, ApiError> {
        match self.next() {
            Some(Token::Open) => {}
            _ => return Err(invalid("Expected '('")),
        }
        let inner = self.or_expr()?;
        match self.next() {
            Some(Token::Close) => Ok(inner),
            _ => Err(invalid("Expected ')'")),
        }
    }

    fn attr_expr(&mut self) -> Result<Filter, ApiError> {
        let word = match self.next() {
            Some(Token::Word(w)) => w,
            _ => return Err(invalid("Expected an attribute path")),
        };
        let path = attr_path(&word, self.urns)?;
        if matches!(self.peek(), Some(Token::OpenBracket)) {
            self.at += 1;
            let inner = self.or_expr()?;
            match self.next() {
                Some(Token::CloseBracket) => {}
                _ => return Err(invalid("Expected ']'")),
            }
            if path.sub.is_some() {
                return Err(invalid(
                    "A value filter applies to an attribute, not a sub-attribute",
                ));
            }
            return Ok(Filter::Has(path, Box::new(inner)));
        }
        let op = match self.next() {
            Some(Token::Word(w)) => w,
            _ => return Err(invalid(format!("Expected an operator after '{word}'"))),
        };
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op = compare_op(&op).ok_or_else(|| invalid(format!("Unknown operator '{op}'")))?;
        let value = match self.next() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                n => serde_json::from_str::<serde_json::Number>(n)
                    .map(Value::Number)
                    .map_err(|_| invalid(format!("Invalid comparison value '{n}'")))?,
            },
            _ => return Err(invalid("Expected a comparison value")),
        };
        Ok(Filter::Compare(path, op, value))
    }

    fn end(&self) -> Result<(), ApiError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(invalid("Unexpected text after the filter")),
        }
    }
}

/// Parses a filter; anything outside the grammar is 400 `invalidFilter`.
pub fn parse(input: &str, extension_urns: &[&str]) -> Result<Filter, ApiError> {
    if input.len() > 4096 {
        return Err(invalid("Filter too long"));
    }
    let mut p = Parser {
        tokens: tokens(input)?,
        at: 0,
        urns: extension_urns,
    };
    if p.tokens.is_empty() {
        return Err(invalid("Empty filter"));
    }
    let f = p.or_expr()?;
    p.end()?;
    Ok(f)
}

/// Parses a PATCH path; anything outside the grammar is 400 `invalidPath`.
pub fn parse_path(input: &str, extension_urns: &[&str]) -> Result<PatchPath, ApiError> {
    let as_path = |e: ApiError| ApiError::invalid_path(e.message);
    let toks = tokens(input).map_err(as_path)?;
    let mut p = Parser {
        tokens: toks,
        at: 0,
        urns: extension_urns,
    };
    let word = match p.next() {
        Some(Token::Word(w)) => w,
        _ => return Err(ApiError::invalid_path("Expected an attribute path")),
    };
    let mut attr = attr_path(&word, extension_urns).map_err(as_path)?;
    let mut filter = None;
    if matches!(p.peek(), Some(Token::OpenBracket)) {
        if attr.sub.is_some() {
            return Err(ApiError::invalid_path(
                "A value filter applies to an attribute, not a sub-attribute",
            ));
        }
        p.at += 1;
        filter = Some(p.or_expr().map_err(as_path)?);
        match p.next() {
            Some(Token::CloseBracket) => {}
            _ => return Err(ApiError::invalid_path("Expected ']'")),
        }
        // `attr[filter].sub`
        if let Some(Token::Word(rest)) = p.peek().cloned() {
            let sub = rest
                .strip_prefix('.')
                .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
                .ok_or_else(|| ApiError::invalid_path(format!("Unexpected '{rest}'")))?;
            attr.sub = Some(sub.to_string());
            p.at += 1;
        }
    }
    p.end().map_err(as_path)?;
    Ok(PatchPath { attr, filter })
}

/// How `attrs` define the names a filter uses (the sub-attributes of the attribute a
/// value filter is about, or a resource's top level).
pub trait Scope {
    /// The definition of the attribute a path's first name names here.
    fn lookup(&self, path: &AttrPath) -> Option<&'static Attr>;
}

/// The attributes of one complex attribute, as the scope of its value filter.
pub struct SubScope(pub &'static Attr);

impl Scope for SubScope {
    fn lookup(&self, path: &AttrPath) -> Option<&'static Attr> {
        self.0.sub_attr(&path.attr)
    }
}

/// The value(s) a path names in `doc` (an object), with the attribute that defines
/// them; `doc` holds canonical names but is read case-insensitively.
fn values_at<'v>(
    doc: &'v Value,
    path: &AttrPath,
    scope: &dyn Scope,
) -> (Vec<&'v Value>, Option<&'static Attr>) {
    let Some(def) = scope.lookup(path) else {
        return (Vec::new(), None);
    };
    let container = match &path.urn {
        Some(urn) if !is_core_urn(urn) => get_ci(doc, urn),
        _ => Some(doc),
    };
    let Some(v) = container.and_then(|c| get_ci(c, &path.attr)) else {
        return (Vec::new(), Some(def));
    };
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let sub_name = match (&path.sub, def.ty) {
        (Some(s), _) => Some(s.as_str()),
        // A complex multi-valued attribute compares by its `value`.
        (None, Type::Complex) if def.multi => Some("value"),
        _ => None,
    };
    match sub_name {
        None => (items, Some(def)),
        Some(s) => {
            let sub_def = def.sub_attr(s);
            let found = items.into_iter().filter_map(|i| get_ci(i, s)).collect();
            (found, sub_def)
        }
    }
}

/// Whether `urn` names a core schema (whose attributes sit at the top level).
fn is_core_urn(urn: &str) -> bool {
    urn.to_ascii_lowercase()
        .starts_with("urn:ietf:params:scim:schemas:core:2.0:")
}

/// The member `name` of an object, case-insensitively.
pub fn get_ci<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let obj = v.as_object()?;
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(present),
        Value::Object(o) => o.values().any(present),
        _ => true,
    }
}

fn compare_one(
    given: &Value,
    op: CompareOp,
    want: &Value,
    def: Option<&Attr>,
) -> Result<bool, ApiError> {
    let exact = def.is_some_and(|d| d.case_exact);
    let ty = def.map(|d| d.ty);
    if ty == Some(Type::Complex) {
        return Err(invalid("A complex attribute cannot be compared"));
    }
    match (given, want) {
        (Value::String(g), Value::String(w)) => {
            if ty == Some(Type::DateTime) {
                let (a, b) = (parse_time(g), parse_time(w));
                if let (Some(a), Some(b)) = (a, b) {
                    return ordered(a.cmp(&b), op);
                }
            }
            if ty == Some(Type::Boolean)
                || (ty == Some(Type::Binary) && !matches!(op, CompareOp::Eq | CompareOp::Ne))
            {
                return Err(invalid("Operator not valid for this attribute"));
            }
            let (g, w) = if exact {
                (g.clone(), w.clone())
            } else {
                (g.to_lowercase(), w.to_lowercase())
            };
            Ok(match op {
                CompareOp::Eq => g == w,
                CompareOp::Ne => g != w,
                CompareOp::Co => g.contains(&w),
                CompareOp::Sw => g.starts_with(&w),
                CompareOp::Ew => g.ends_with(&w),
                _ => return ordered(g.cmp(&w), op),
            })
        }
        (Value::Bool(g), Value::Bool(w)) => match op {
            CompareOp::Eq => Ok(g == w),
            CompareOp::Ne => Ok(g != w),
            _ => Err(invalid("Only eq and ne compare booleans")),
        },
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            match op {
                CompareOp::Eq => Ok(g == w),
                CompareOp::Ne => Ok(g != w),
                _ => ordered(g.partial_cmp(&w).unwrap_or(Ordering::Equal), op),
            }
        }
        (_, Value::Null) => Ok(matches!(op, CompareOp::Ne)),
        _ => Ok(matches!(op, CompareOp::Ne)),
    }
}

fn ordered(o: Ordering, op: CompareOp) -> Result<bool, ApiError> {
    Ok(match op {
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        _ => return Err(invalid("Operator not valid for this attribute")),
    })
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Whether `doc` matches `f`, with the attribute definitions of `scope`. A path no
/// definition knows matches nothing; a comparison the attribute's type does not take
/// (`gt` on a boolean, any comparison of a complex value) is 400 `invalidFilter`.
pub fn matches(f: &Filter, doc: &Value, scope: &dyn Scope) -> Result<bool, ApiError> {
    Ok(match f {
        Filter::And(a, b) => matches(a, doc, scope)? && matches(b, doc, scope)?,
        Filter::Or(a, b) => matches(a, doc, scope)? || matches(b, doc, scope)?,
        Filter::Not(a) => !matches(a, doc, scope)?,
        Filter::Present(path) => values_at(doc, path, scope).0.into_iter().any(present),
        Filter::Compare(path, op, want) => {
            let (found, def) = values_at(doc, path, scope);
            if want.is_null() {
                let any = found.into_iter().any(present);
                return Ok(match op {
                    CompareOp::Eq => !any,
                    CompareOp::Ne => any,
                    _ => return Err(invalid("null compares only with eq and ne")),
                });
            }
            let mut hit = false;
            for v in found {
                if compare_one(v, *op, want, def)? {
                    hit = true;
                }
            }
            hit
        }
        Filter::Has(path, inner) => {
            let Some(def) = scope.lookup(path) else {
                return Ok(false);
            };
            let sub = SubScope(def);
            let container = match &path.urn {
                Some(urn) if !is_core_urn(urn) => get_ci(doc, urn),
                _ => Some(doc),
            };
            let Some(v) = container.and_then(|c| get_ci(c, &path.attr)) else {
                return Ok(false);
            };
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            let mut hit = false;
            for item in items {
                if matches(inner, item, &sub)? {
                    hit = true;
                }
            }
            hit
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URNS: &[&str] = &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];

    #[test]
    fn parses_the_grammar_with_precedence_and_case() {
        let f = parse(
            r#"userName Eq "bjensen" and (emails.type eq "work" or not (active pr))"#,
            URNS,
        )
        .unwrap();
        match f {
            Filter::And(a, b) => {
                assert_eq!(
                    *a,
                    Filter::Compare(
                        AttrPath {
                            urn: None,
                            attr: "userName".into(),
                            sub: None
                        },
                        CompareOp::Eq,
                        Value::from("bjensen")
                    )
                );
                assert!(matches!(*b, Filter::Or(_, _)));
            }
            other => panic!("{other:?}"),
        }
        let f = parse(r#"a eq 1 or b eq 2 and c eq 3"#, URNS).unwrap();
        assert!(matches!(f, Filter::Or(_, r) if matches!(*r, Filter::And(_, _))));
        let f = parse(
            r#"emails[type eq "work" and value co "@example.com"]"#,
            URNS,
        )
        .unwrap();
        assert!(matches!(f, Filter::Has(p, _) if p.attr == "emails"));
        let f = parse(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "J""#,
            URNS,
        )
        .unwrap();
        assert!(matches!(f, Filter::Compare(p, CompareOp::Sw, _)
            if p.attr == "name" && p.sub.as_deref() == Some("familyName") && p.urn.is_some()));
        let f = parse(r#"title eq "say \"hi\"""#, URNS).unwrap();
        assert!(matches!(f, Filter::Compare(_, _, v) if v == "say \"hi\""));
    }

    #[test]
    fn multibyte_words_are_refused_not_a_panic() {
        // A path is cut at "urn:" by bytes; a word whose fourth byte is inside a
        // character must be a 400, not a panic (found by schemathesis).
        for word in [
            "\u{12}á\u{1408e}",
            "O\u{8}\u{b86fb}",
            "abcé",
            "urn\u{e9}x:y",
            "ü",
        ] {
            assert!(parse_path(word, URNS).is_err(), "{word:?}");
            assert!(
                parse(&format!("{word} eq \"x\""), URNS).is_err(),
                "{word:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_outside_the_grammar() {
        for bad in [
            "",
            "userName",
            "userName eq",
            "userName xx \"a\"",
            "userName eq \"a",
            "(userName eq \"a\"",
            "userName eq \"a\" and",
            "userName eq \"a\" extra",
            "1abc eq \"a\"",
            "emails[type eq \"work\"",
            "userName eq bareword",
        ] {
            let e = parse(bad, URNS).unwrap_err();
            assert_eq!(e.scim_type(), Some("invalidFilter"), "{bad}");
        }
    }

    #[test]
    fn parses_patch_paths() {
        let p = parse_path(r#"emails[type eq "work"].value"#, URNS).unwrap();
        assert_eq!(p.attr.attr, "emails");
        assert_eq!(p.attr.sub.as_deref(), Some("value"));
        assert!(p.filter.is_some());
        let p = parse_path(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            URNS,
        )
        .unwrap();
        assert_eq!(p.attr.attr, "manager");
        let p = parse_path(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            URNS,
        )
        .unwrap();
        assert_eq!(p.attr.attr, "");
        let p = parse_path(r#"members[value eq "2819c223"]"#, URNS).unwrap();
        assert!(p.filter.is_some());
        for bad in [
            "",
            "emails[",
            "emails[type eq \"work\"]x",
            "a..b",
            "emails.value[type eq \"x\"]",
        ] {
            assert_eq!(
                parse_path(bad, URNS).unwrap_err().scim_type(),
                Some("invalidPath"),
                "{bad}"
            );
        }
    }
}
