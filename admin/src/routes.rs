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

/// Methods the local router sends to the fallback function (405) on known paths.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The `[workspace.metadata.lambda.watch.router]` section for `cargo lambda watch`:
/// every template route, plus the fallback for the other methods of each path.
pub fn watch_router(routes: &[Route]) -> String {
    let mut paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    paths.sort();
    paths.dedup();
    let mut out = String::from("[workspace.metadata.lambda.watch.router]\n");
    for path in paths {
        let entries: Vec<String> = METHODS
            .iter()
            .map(|m| {
                let function = routes
                    .iter()
                    .find(|r| r.path == path && r.method == *m)
                    .map(|r| r.function.as_str())
                    .unwrap_or("fallback");
                format!("{{ method = \"{m}\", function = \"{function}\" }}")
            })
            .collect();
        out.push_str(&format!("\"{path}\" = [{}]\n", entries.join(", ")));
    }
    out
}
