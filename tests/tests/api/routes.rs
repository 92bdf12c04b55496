//! template.yaml names every route; the local router, events/, the README's endpoint
//! table and docs/openapi.yaml must name the same ones.

use std::collections::BTreeSet;

use admin::routes::{routes, watch_router, TEMPLATE};

fn root(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn template_routes() -> BTreeSet<(String, String)> {
    routes(TEMPLATE)
        .unwrap()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}

#[test]
fn cargo_toml_router_is_generated_from_the_template() {
    let cargo = std::fs::read_to_string(root("Cargo.toml")).unwrap();
    let section = &cargo[cargo
        .find("[workspace.metadata.lambda.watch.router]")
        .expect("router section")..];
    assert_eq!(
        section.trim_end(),
        watch_router(&routes(TEMPLATE).unwrap()).trim_end()
    );
}

#[test]
fn every_function_has_a_sample_event_on_one_of_its_routes() {
    let all = routes(TEMPLATE).unwrap();
    let functions: BTreeSet<String> = all.iter().map(|r| r.function.clone()).collect();
    for f in &functions {
        let text = std::fs::read_to_string(root(&format!("events/{f}.json")))
            .unwrap_or_else(|_| panic!("events/{f}.json"));
        let ev: serde_json::Value = serde_json::from_str(&text).unwrap();
        let key = ev["routeKey"].as_str().unwrap();
        let (m, p) = key.split_once(' ').unwrap();
        assert!(
            all.iter()
                .any(|r| &r.function == f && r.method == m && r.path == p),
            "{f}: {key}"
        );
    }
    let order = std::fs::read_to_string(root("events/ORDER")).unwrap();
    let listed: BTreeSet<String> = order
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect();
    for f in &functions {
        assert!(listed.contains(f), "events/ORDER lacks {f}");
    }
}

#[test]
fn readme_table_names_exactly_the_template_routes() {
    let readme = std::fs::read_to_string(root("README.md")).unwrap();
    let rows: BTreeSet<(String, String)> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            let is_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .contains(&cells.get(1).copied().unwrap_or(""));
            (cells.len() > 3 && is_method).then(|| (cells[1].to_string(), cells[2].to_string()))
        })
        .collect();
    assert_eq!(rows, template_routes());
}

#[test]
fn openapi_names_exactly_the_template_routes() {
    let text = std::fs::read_to_string(root("docs/openapi.yaml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut found = BTreeSet::new();
    for (path, ops) in doc["paths"].as_mapping().unwrap() {
        for (method, _) in ops.as_mapping().unwrap() {
            let m = method.as_str().unwrap().to_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                found.insert((m, path.as_str().unwrap().to_string()));
            }
        }
    }
    assert_eq!(found, template_routes());
}

/// The `cargo lambda watch` router of Cargo.toml, read the way cargo-lambda reads it:
/// path → method → function, matched with the same `matchit` version.
fn local_router() -> matchit::Router<Vec<(String, String)>> {
    let cargo = std::fs::read_to_string(root("Cargo.toml")).unwrap();
    let section = cargo
        .split("[workspace.metadata.lambda.watch.router]")
        .nth(1)
        .expect("router section");
    let mut router = matchit::Router::new();
    for line in section.lines().filter(|l| l.starts_with('"')) {
        let (path, rest) = line[1..].split_once("\" = ").expect("path");
        let methods: Vec<(String, String)> = rest
            .split("{ method = \"")
            .skip(1)
            .map(|e| {
                let (m, f) = e.split_once("\", function = \"").expect("entry");
                (m.to_string(), f.split('"').next().unwrap().to_string())
            })
            .collect();
        router.insert(path, methods).expect("insert");
    }
    router
}

#[test]
fn local_router_selects_what_api_gateway_selects() {
    let all = routes(TEMPLATE).unwrap();
    let router = local_router();
    let local = |method: &str, path: &str| -> String {
        match router.at(path) {
            Ok(m) => m
                .value
                .iter()
                .find(|(verb, _)| verb == method)
                .map_or("cargo-lambda 404".into(), |(_, f)| f.clone()),
            Err(_) => "cargo-lambda 404".into(),
        }
    };
    let gateway = |method: &str, path: &str| -> String {
        admin::routes::select(&all, method, path)
            .map_or("fallback".into(), |(r, _)| r.function.clone())
    };
    let mut differ = Vec::new();
    for path in &admin::routes::probe_paths(&all) {
        for method in admin::routes::methods() {
            let (l, g) = (local(method, path), gateway(method, path));
            if l != g {
                differ.push(format!("{method} {path}: local {l}, API Gateway {g}"));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // The cases the integrator tripped over, spelled out.
    assert_eq!(local("PATCH", "/v1/users/me"), "patch-user");
    assert_eq!(local("PUT", "/v1/users/me"), "replace-user");
    assert_eq!(local("DELETE", "/v1/users/me"), "delete-user");
    assert_eq!(local("POST", "/v1/users/me"), "fallback");
    assert_eq!(local("GET", "/v1/users/me/activities"), "list-activities");
    assert_eq!(local("GET", "/nope"), "fallback");
}

#[test]
fn cors_of_the_template_follows_the_deployment_contract() {
    let doc: serde_yaml::Value = serde_yaml::from_str(TEMPLATE).unwrap();
    let param = &doc["Parameters"]["CorsAllowOrigins"];
    assert_eq!(param["Type"], "CommaDelimitedList");
    assert_eq!(param["Default"], "");
    let list = |v: &serde_yaml::Value| -> Vec<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    // `!If [HasCorsOrigins, <configuration>, !Ref AWS::NoValue]`, as a tagged value.
    let configured = |v: &serde_yaml::Value| -> serde_yaml::Value {
        match v {
            serde_yaml::Value::Tagged(t) => t.value[1].clone(),
            other => panic!("CORS should depend on CorsAllowOrigins: {other:?}"),
        }
    };
    let api = configured(&doc["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]);
    for h in ["Authorization", "Content-Type", "If-Match"] {
        assert!(list(&api["AllowHeaders"]).contains(&h.to_string()), "{h}");
    }
    for h in ["ETag", "X-Request-Id", "Retry-After", "Location"] {
        assert!(list(&api["ExposeHeaders"]).contains(&h.to_string()), "{h}");
    }
    let methods = list(&api["AllowMethods"]);
    for r in routes(TEMPLATE).unwrap() {
        assert!(methods.contains(&r.method), "{}", r.method);
    }
    let url = configured(
        &doc["Resources"]["StreamActivitiesFunction"]["Properties"]["FunctionUrlConfig"]["Cors"],
    );
    assert!(list(&url["AllowHeaders"]).contains(&"Authorization".to_string()));
}

#[tokio::test]
async fn every_route_refuses_a_query_parameter_it_does_not_take() {
    let app = integration::TestApp::spawn().await;
    let admin = app.admin().await;
    let uuid = "0b0e2f4c-1d2a-4c6e-9f00-000000000001";
    // SCIM routes ignore parameters they do not take (identity providers send their
    // own); tests/tests/api/scim.rs holds them to that.
    for r in routes(TEMPLATE)
        .unwrap()
        .into_iter()
        .filter(|r| !r.path.starts_with("/scim/"))
    {
        let path: String = r
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { uuid } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let resp = app
            .call(
                &r.method,
                &format!("{path}?not_a_parameter=1"),
                Some(&admin.token),
                Some(serde_json::json!({})),
            )
            .await;
        assert_eq!(resp.status, 400, "{} {}: {}", r.method, r.path, resp.text);
        assert_eq!(
            resp.body["details"]["parameter"], "not_a_parameter",
            "{} {}",
            r.method, r.path
        );
    }
    // A list may repeat its key; other parameters may not.
    let r = app
        .call(
            "GET",
            &format!("/v1/users?ids={}&ids={uuid}", admin.id),
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["users"].as_array().unwrap().len(), 1);
    let r = app
        .call("GET", "/v1/users?limit=1&limit=2", Some(&admin.token), None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // Studio's booleans are Django REST Framework's.
    for (v, status) in [
        ("True", 200),
        ("1", 200),
        ("False", 200),
        ("0", 200),
        ("yes", 400),
    ] {
        let r = app
            .studio_list_users(
                &admin.token,
                &format!("channel={uuid}&include_viewonly={v}"),
            )
            .await;
        assert_eq!(r.status, status, "{v}: {}", r.text);
    }
}
