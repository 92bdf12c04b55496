//! Least privilege, checked against the code: every DynamoDB action a function's code
//! sends (recorded by the store's single send path) is one its policy in
//! `template.yaml` grants, and an index is read only by functions granted the indexes.

use std::collections::{BTreeMap, BTreeSet};

use admin::routes::TEMPLATE;
use integration::TestApp;
use serde_json::Value;
use serde_yaml::Value as Yaml;

fn root(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A function's grants: the actions allowed, whether it may read the indexes, the
/// leading-key patterns it may write (when its policy limits them) and whether it is
/// denied token items.
#[derive(Debug, Default)]
struct Grants {
    actions: BTreeSet<String>,
    index: bool,
    own_keys: Option<Vec<String>>,
    no_tokens: bool,
}

fn strings(v: &Yaml) -> Vec<String> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn granted() -> BTreeMap<String, Grants> {
    let doc: Yaml = serde_yaml::from_str(TEMPLATE).expect("template");
    let mut out = BTreeMap::new();
    for (_, res) in doc["Resources"].as_mapping().expect("resources") {
        let Some(binary) = res["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            continue;
        };
        let mut g = Grants::default();
        for policy in res["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for st in policy["Statement"].as_sequence().into_iter().flatten() {
                match st["Sid"].as_str() {
                    Some("WritesOnlyOwnKeys") => {
                        let c = &st["Condition"]["ForAnyValue:StringNotLike"];
                        g.own_keys = Some(strings(&c["dynamodb:LeadingKeys"]));
                    }
                    Some("OnlyTokenFunctionsWriteTokens") => g.no_tokens = true,
                    _ => {}
                }
                if st["Effect"].as_str() != Some("Allow") {
                    continue;
                }
                g.actions.extend(strings(&st["Action"]));
                for r in st["Resource"].as_sequence().into_iter().flatten() {
                    g.index |= format!("{r:?}").contains("/index/");
                }
            }
        }
        out.insert(binary.to_string(), g);
    }
    out
}

/// Sends the sample event of `function` (`events/<function>.json`).
async fn send_sample(app: &TestApp, function: &str) -> u16 {
    let text = std::fs::read_to_string(root(&format!("events/{function}.json"))).expect("event");
    let ev: Value = serde_json::from_str(&text).expect("event json");
    let method = ev["requestContext"]["http"]["method"].as_str().unwrap();
    let mut path = ev["rawPath"].as_str().unwrap().to_string();
    if let Some(q) = ev["rawQueryString"].as_str().filter(|q| !q.is_empty()) {
        path = format!("{path}?{q}");
    }
    let headers: Vec<(String, String)> = ev["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let body = ev["body"].as_str().map(|b| b.as_bytes().to_vec());
    app.raw(method, &path, &headers, body).await.status
}

fn check(
    function: &str,
    used: &BTreeSet<String>,
    granted: &BTreeMap<String, Grants>,
    problems: &mut Vec<String>,
) {
    let Some(g) = granted.get(function) else {
        problems.push(format!("{function}: no function in template.yaml"));
        return;
    };
    for a in used {
        let ok = match a.strip_prefix("write:") {
            Some(prefix) => {
                let own = g.own_keys.as_ref().is_none_or(|pats| {
                    pats.iter()
                        .any(|p| p.strip_suffix('*') == Some(prefix) || p == prefix)
                });
                own && !(g.no_tokens && prefix == "TOKEN#")
            }
            None if a == "index" => g.index,
            None => g.actions.contains(a),
        };
        if !ok {
            problems.push(format!("{function} sends {a} without a grant"));
        }
    }
}

#[tokio::test]
async fn every_function_is_granted_what_its_code_sends() {
    let app = TestApp::spawn_with(|c| {
        c.measure_capacity = true;
        c.stream_max_seconds = 1;
    })
    .await;
    admin::samples::seed(&app.ctx).await.expect("samples");
    let granted = granted();
    let order = std::fs::read_to_string(root("events/ORDER")).expect("ORDER");
    let mut problems = Vec::new();
    let mut sent = 0;
    app.ctx.store.take_actions();
    for line in order.lines().filter(|l| !l.trim().is_empty()) {
        let (function, expected) = line.split_once(' ').expect("function status");
        let status = send_sample(&app, function).await;
        if let Ok(expected) = expected.trim().parse::<u16>() {
            assert_eq!(status, expected, "{function}");
        }
        let used = app.ctx.store.take_actions();
        check(function, &used, &granted, &mut problems);
        sent += 1;
    }
    assert!(sent >= 45, "only {sent} samples");
    // the worker: a grant too large for its request, finished by run-jobs
    let admin_user = app.admin().await;
    let owner = app.user(&admin_user, "owner").await;
    let ws = app.workspace(&owner, "big").await;
    let ids: Vec<uuid::Uuid> = (0..101).map(|_| uuid::Uuid::new_v4()).collect();
    let gid = app.group(&admin_user, "big").await;
    app.ctx
        .store
        .import_group_members_unchecked(gid.parse().unwrap(), &ids)
        .await
        .unwrap();
    let r = app
        .grant_group(&admin_user.token, &ws, &gid, "viewer")
        .await;
    assert_eq!(r.body["status"], "applying", "{}", r.text);
    app.ctx.store.take_actions();
    app.run_worker().await;
    let used = app.ctx.store.take_actions();
    assert!(used.contains("dynamodb:Query"), "{used:?}");
    check("run-jobs", &used, &granted, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}
