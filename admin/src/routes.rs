//! The routes `template.yaml` declares: the one source every other list of routes
//! (the local router, `events/`, the README, `docs/openapi.yaml`) is checked against.

use serde_yaml::Value;

/// The template, compiled in so the CLI works from any directory.
pub const TEMPLATE: &str = include_str!("../../template.yaml");

/// One HTTP route and the function (crate and binary name) serving it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub function: String,
}

/// Every `HttpApi` event of every function, except the `$default` catch-all.
pub fn routes(template: &str) -> Result<Vec<Route>, String> {
    let doc: Value = serde_yaml::from_str(template).map_err(|e| e.to_string())?;
    let resources = doc
        .get("Resources")
        .and_then(Value::as_mapping)
        .ok_or("template has no Resources")?;
    let mut out = Vec::new();
    for (_, res) in resources {
        if res.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = res
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
            .ok_or("function without Metadata.BuildProperties.Binary")?;
        let events = res
            .get("Properties")
            .and_then(|p| p.get("Events"))
            .and_then(Value::as_mapping);
        for (_, ev) in events.into_iter().flatten() {
            if ev.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                continue;
            }
            let props = ev.get("Properties");
            let path = props
                .and_then(|p| p.get("Path"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let method = props
                .and_then(|p| p.get("Method"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if path == "$default" {
                continue;
            }
            out.push(Route {
                method: method.to_uppercase(),
                path: path.to_string(),
                function: function.to_string(),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// The methods the local router routes. `OPTIONS` is CORS's: `cargo lambda watch`
/// answers it itself (any origin), as API Gateway does with a CORS configuration.
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// The path parameters of `path` if it matches the route pattern `pattern` (`{name}`
/// segments match any non-empty segment).
pub fn match_path(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let (p, a): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.len() != a.len() {
        return None;
    }
    let mut params = Vec::new();
    for (p, a) in p.iter().zip(&a) {
        match p.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            Some(name) if !a.is_empty() => params.push((name.to_string(), a.to_string())),
            None if p == a => {}
            _ => return None,
        }
    }
    Some(params)
}

/// The route API Gateway's HTTP API selects for `method` and `path`, with its path
/// parameters: of the routes of that method whose pattern matches, the most specific,
/// a literal segment beating a variable at the first place they differ. `None` is the
/// `$default` route (the fallback function).
pub fn select<'a>(
    routes: &'a [Route],
    method: &str,
    path: &str,
) -> Option<(&'a Route, Vec<(String, String)>)> {
    let literal =
        |r: &Route| -> Vec<bool> { r.path.split('/').map(|s| !s.starts_with('{')).collect() };
    routes
        .iter()
        .filter(|r| r.method == method)
        .filter_map(|r| match_path(&r.path, path).map(|params| (r, params)))
        .max_by(|(a, _), (b, _)| literal(a).cmp(&literal(b)))
}

/// The `[workspace.metadata.lambda.watch.router]` section for `cargo lambda watch`:
/// for every path of the template and every method, the function API Gateway would
/// select (see [`select`]), so a literal path such as `/v1/users/me` also reaches the
/// `{id}` routes of the methods it has no route of its own for; and a catch-all that
/// sends every other path to the fallback (404 in the error envelope). `cargo lambda
/// watch` matches with `matchit`, where literal segments win and a miss falls back to
/// a variable or the catch-all, as in API Gateway.
///
/// A literal path served by a `{param}` route carries no path parameters locally: the
/// handlers read such a parameter from the path itself when it is absent.
pub fn watch_router(routes: &[Route]) -> String {
    let mut paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    paths.sort();
    paths.dedup();
    let mut out = String::from("[workspace.metadata.lambda.watch.router]\n");
    let every = |function: &dyn Fn(&str) -> String| -> String {
        METHODS
            .iter()
            .map(|m| format!("{{ method = \"{m}\", function = \"{}\" }}", function(m)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for path in paths {
        // A request this key matches, its variables standing for values no literal has.
        let sample = path
            .split('/')
            .map(|s| if s.starts_with('{') { "~" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let function = |m: &str| {
            select(routes, m, &sample).map_or("fallback".to_string(), |(r, _)| r.function.clone())
        };
        out.push_str(&format!("\"{path}\" = [{}]\n", every(&function)));
    }
    for catch_all in ["/", "/{*path}"] {
        let fallback = |_: &str| "fallback".to_string();
        out.push_str(&format!("\"{catch_all}\" = [{}]\n", every(&fallback)));
    }
    out
}

/// Paths that probe a router: every route with its variables as a UUID, as `me` and as
/// `search` (the literals they compete with), and paths no route has.
pub fn probe_paths(routes: &[Route]) -> Vec<String> {
    let uuid = "0b0e2f4c-1d2a-4c6e-9f00-000000000001";
    let mut paths: Vec<String> = routes
        .iter()
        .flat_map(|r| {
            [uuid, "me", "search"].map(|value| {
                r.path
                    .split('/')
                    .map(|s| if s.starts_with('{') { value } else { s })
                    .collect::<Vec<_>>()
                    .join("/")
            })
        })
        .collect();
    paths.extend(
        [
            "/",
            "/nope",
            "/v1",
            "/v1/users/x/y/z",
            "/v1/users/me/nope",
            "/api/user/nope/",
            "/v1/workspaces/x/invitations/y/z",
            "/v1/invitations/x",
        ]
        .map(String::from),
    );
    paths.sort();
    paths.dedup();
    paths
}

/// Every method the local router knows.
pub fn methods() -> &'static [&'static str] {
    &METHODS
}
