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
