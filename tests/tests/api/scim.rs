//! The SCIM routes end to end, through the functions as API Gateway reaches them: the
//! discovery documents, the request sequences Okta and Entra ID send, every `scimType`
//! the service answers with, conditional requests, and what the changes look like from
//! `/v1`. The SCIM core itself is tested in `scim_core.rs`.

use integration::{TestApp, TestResponse};
use serde_json::{json, Value};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// An identity provider: a provisioning token and the requests it sends.
struct Idp<'a> {
    app: &'a TestApp,
    token: String,
    token_id: String,
    name: String,
}

impl<'a> Idp<'a> {
    async fn new(app: &'a TestApp, name: &str) -> Idp<'a> {
        let (record, token) = shared::auth::issue_provisioning_token(&app.ctx, name, None)
            .await
            .expect("provisioning token");
        Idp {
            app,
            token,
            token_id: record.token_id.to_string(),
            name: name.to_string(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut all = vec![(
            "authorization".to_string(),
            format!("Bearer {}", self.token),
        )];
        all.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let body = body.map(|b| {
            all.push(("content-type".into(), "application/scim+json".into()));
            b.to_string().into_bytes()
        });
        self.app.raw(method, path, &all, body).await
    }

    async fn get(&self, path: &str) -> TestResponse {
        self.send("GET", path, None, &[]).await
    }

    async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.send("POST", path, Some(body), &[]).await
    }

    async fn put(&self, path: &str, body: Value) -> TestResponse {
        self.send("PUT", path, Some(body), &[]).await
    }

    async fn patch(&self, path: &str, ops: Value) -> TestResponse {
        let body = json!({"schemas": [PATCH], "Operations": ops});
        self.send("PATCH", path, Some(body), &[]).await
    }

    async fn delete(&self, path: &str) -> TestResponse {
        self.send("DELETE", path, None, &[]).await
    }

    /// A user created through `POST /Users`; answers its id.
    async fn user(&self, user_name: &str, extra: Value) -> String {
        let mut body = json!({
            "schemas": [USER],
            "userName": user_name,
            "emails": [{"value": format!("{user_name}@example.com"), "type": "work", "primary": true}],
            "active": true,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self.post("/scim/v2/Users", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// A group without members created through `POST /Groups`; answers its id.
    async fn group(&self, display_name: &str) -> String {
        let body = json!({"schemas": [GROUP], "displayName": display_name});
        let r = self.post("/scim/v2/Groups", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_str().unwrap().to_string()
    }
}

/// `r` is a SCIM error (RFC 7644 §3.12) of `status` and `scim_type`.
#[track_caller]
fn scim_error(r: &TestResponse, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    assert_eq!(r.body["schemas"], json!([ERROR]), "{}", r.text);
    assert_eq!(r.body["status"], json!(status.to_string()), "{}", r.text);
    assert_eq!(r.body["scimType"].as_str(), scim_type, "{}", r.text);
    assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

/// The ids of a ListResponse's resources, in order.
fn ids(r: &TestResponse) -> Vec<String> {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["schemas"], json!([LIST]), "{}", r.text);
    r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn filter(path: &str, f: &str) -> String {
    let encoded: String = f
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{path}?filter={encoded}")
}

#[tokio::test]
async fn discovery_documents_paths_and_methods() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Okta").await;

    let r = idp.get("/scim/v2/ServiceProviderConfig").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    assert_eq!(
        r.body["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    for (feature, supported) in [
        ("patch", true),
        ("filter", true),
        ("etag", true),
        ("bulk", false),
        ("sort", false),
    ] {
        assert_eq!(r.body[feature]["supported"], supported, "{feature}");
    }
    assert_eq!(r.body["filter"]["maxResults"], 200);
    assert_eq!(
        r.body["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );

    let r = idp.get("/scim/v2/ResourceTypes").await;
    assert_eq!(ids(&r), ["User", "Group"]);
    assert_eq!(r.body["totalResults"], 2);
    let r = idp.get("/scim/v2/ResourceTypes/User").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["endpoint"], "/Users");
    assert_eq!(r.body["schemaExtensions"][0]["schema"], ENTERPRISE);
    scim_error(&idp.get("/scim/v2/ResourceTypes/Robot").await, 404, None);

    let r = idp.get("/scim/v2/Schemas").await;
    let mut found = ids(&r);
    found.sort();
    let mut published = [ENTERPRISE, GROUP, USER];
    published.sort();
    assert_eq!(found, published);
    // paging applies to discovery lists too
    let r = idp.get("/scim/v2/Schemas?startIndex=2&count=1").await;
    assert_eq!(ids(&r).len(), 1);
    assert_eq!(
        (&r.body["totalResults"], &r.body["startIndex"]),
        (&json!(3), &json!(2))
    );
    let r = idp.get(&format!("/scim/v2/Schemas/{USER}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], USER);
    let attr = |name: &str| -> Value {
        r.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no attribute {name}"))
    };
    assert_eq!(attr("emails")["required"], true);
    assert_eq!(attr("active")["required"], true);
    assert_eq!(attr("password")["returned"], "never");
    assert_eq!(attr("groups")["mutability"], "readOnly");
    scim_error(
        &idp.get("/scim/v2/Schemas/urn:example:nope").await,
        404,
        None,
    );

    // a filter on a discovery list is refused (RFC 7644 §4)
    scim_error(
        &idp.get(&filter("/scim/v2/Schemas", r#"id eq "x""#)).await,
        403,
        None,
    );
    // unknown paths and other methods, in the SCIM error schema
    scim_error(&idp.get("/scim/v2/Robots").await, 404, None);
    scim_error(&idp.get("/scim/v2/Users/x/y").await, 404, None);
    let r = idp
        .send(
            "POST",
            "/scim/v2/ServiceProviderConfig",
            Some(json!({})),
            &[],
        )
        .await;
    scim_error(&r, 405, None);
    assert_eq!(r.header("allow"), Some("GET"));
    let r = idp.send("DELETE", "/scim/v2/Users", None, &[]).await;
    scim_error(&r, 405, None);
    let allow = r.header("allow").unwrap_or_default();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    // parameters an identity provider adds are ignored, not refused
    let r = idp.get("/scim/v2/Users?aadOptscim062020&x-extra=1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = idp
        .get("/scim/v2/ServiceProviderConfig?aadOptscim062020")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn only_a_live_provisioning_token_is_let_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let idp = Idp::new(&app, "Okta").await;
    for (token, why) in [
        (None, "no token"),
        (Some(admin.token.as_str()), "a global admin's login token"),
        (Some("scim_nope"), "a malformed token"),
    ] {
        let r = app.call("GET", "/scim/v2/Users", token, None).await;
        scim_error(&r, 401, None);
        assert!(r.header("www-authenticate").is_some(), "{why}");
    }
    // and the provisioning token is nothing outside /scim/v2
    let r = app.call("GET", "/v1/users", Some(&idp.token), None).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "AUTHENTICATION_FAILED");

    assert_eq!(idp.get("/scim/v2/Users").await.status, 200);
    let r = app
        .revoke_provisioning_token(&admin.token, &idp.token_id)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    scim_error(&idp.get("/scim/v2/Users").await, 401, None);
}

#[tokio::test]
async fn okta_user_lifecycle_over_http() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let idp = Idp::new(&app, "Okta").await;

    // Okta's import check: is the user there?
    let lookup = filter("/scim/v2/Users", r#"userName eq "ann""#);
    let r = idp.get(&format!("{lookup}&startIndex=1&count=100")).await;
    assert_eq!(ids(&r), Vec::<String>::new());
    assert_eq!(r.body["totalResults"], 0);

    let create = json!({
        "schemas": [USER, ENTERPRISE],
        "userName": "ann",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
        "externalId": "00u1",
        "password": "Sup3r-secret-pass",
        "active": true,
        ENTERPRISE: {"department": "R&D"},
    });
    let r = idp.post("/scim/v2/Users", create.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    let id = r.body["id"].as_str().unwrap().to_string();
    let location = r.body["meta"]["location"].as_str().unwrap();
    assert!(
        location.ends_with(&format!("/scim/v2/Users/{id}")),
        "{location}"
    );
    assert_eq!(r.header("location"), Some(location));
    assert_eq!(r.header("etag"), r.body["meta"]["version"].as_str());
    assert_eq!(r.body["meta"]["resourceType"], "User");
    assert_eq!(r.body["userName"], "ann");
    assert_eq!(r.body["externalId"], "00u1");
    assert_eq!(r.body[ENTERPRISE]["department"], "R&D");
    assert!(r.body.get("password").is_none(), "{}", r.text);
    assert!(!r.text.contains("Sup3r-secret-pass"));
    let etag = r.header("etag").unwrap().to_string();

    // the same userName again, and the same email under another name
    scim_error(
        &idp.post("/scim/v2/Users", create).await,
        409,
        Some("uniqueness"),
    );
    let r = idp
        .post(
            "/scim/v2/Users",
            json!({"schemas": [USER], "userName": "ann2", "emails": [{"value": "ANN@example.com"}]}),
        )
        .await;
    scim_error(&r, 409, Some("uniqueness"));

    // found right away, by each unique attribute
    for f in [
        r#"userName eq "ANN""#.to_string(),
        r#"externalId eq "00u1""#.to_string(),
        r#"emails.value eq "ann@example.com""#.to_string(),
        format!(r#"id eq "{id}""#),
    ] {
        assert_eq!(
            ids(&idp.get(&filter("/scim/v2/Users", &f)).await),
            std::slice::from_ref(&id),
            "{f}"
        );
    }

    // conditional reads and writes
    let path = format!("/scim/v2/Users/{id}");
    let r = idp
        .send("GET", &path, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(r.status, 304, "{}", r.text);
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert!(r.text.is_empty());
    let r = idp
        .send("GET", &path, None, &[("if-none-match", "W/\"999\"")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = idp.get(&format!("{path}?attributes=userName")).await;
    assert_eq!(r.body["userName"], "ann");
    assert!(
        r.body["id"].is_string() && r.body.get("emails").is_none(),
        "{}",
        r.text
    );
    let r = idp
        .get(&format!("{path}?excludedAttributes=emails,name"))
        .await;
    assert!(r.body.get("emails").is_none() && r.body.get("name").is_none());
    assert_eq!(r.body["userName"], "ann");

    let replace = json!({
        "schemas": [USER],
        "userName": "ann",
        "name": {"givenName": "Ann", "familyName": "Smith"},
        "emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
        "active": true,
    });
    let stale = [("if-match", "W/\"1000\"")];
    let r = idp.send("PUT", &path, Some(replace.clone()), &stale).await;
    scim_error(&r, 412, None);
    let r = idp
        .send("PUT", &path, Some(replace), &[("if-match", &etag)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"]["familyName"], "Smith");
    assert!(
        r.body.get("externalId").is_none(),
        "PUT replaces: {}",
        r.text
    );
    assert_ne!(r.header("etag"), Some(etag.as_str()));
    let r = app.get_user(&admin.token, &id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["last_name"], "Smith");
    assert_eq!(r.body["username"], "ann");

    // Okta deactivates with PATCH replace active false; Entra ID sends "False"
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["active"], false);
    assert_eq!(
        app.get_user(&admin.token, &id).await.body["status"],
        "deactivated"
    );
    let r = idp
        .patch(
            &path,
            json!([{"op": "Replace", "path": "active", "value": "True"}]),
        )
        .await;
    assert_eq!(r.body["active"], true, "{}", r.text);
    assert_eq!(
        app.get_user(&admin.token, &id).await.body["status"],
        "active"
    );

    // every change is in the user's feed with the token as its actor
    let r = app.list_activities(&admin.token, &id, "limit=50").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let created = r.body["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "user.created")
        .cloned()
        .unwrap_or_else(|| panic!("no user.created: {}", r.text));
    assert_eq!(created["actor_id"], json!(idp.token_id));
    assert_eq!(created["data"]["actor_type"], "provisioning_token");
    assert_eq!(created["data"]["provisioned_by"], json!(idp.name));

    // delete: 204, then gone everywhere
    assert_eq!(idp.delete(&path).await.status, 204);
    scim_error(&idp.get(&path).await, 404, None);
    scim_error(&idp.delete(&path).await, 404, None);
    assert_eq!(app.get_user(&admin.token, &id).await.status, 404);
    assert_eq!(ids(&idp.get(&lookup).await), Vec::<String>::new());
    scim_error(&idp.get("/scim/v2/Users/not-a-uuid").await, 404, None);
}

#[tokio::test]
async fn group_pushes_reach_workspace_roles() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let idp = Idp::new(&app, "Entra").await;
    let ann = idp.user("ann", json!({})).await;
    let bob = idp.user("bob", json!({})).await;
    let ws = app.workspace(&admin, "eng").await;

    let r = idp
        .post(
            "/scim/v2/Groups",
            json!({"schemas": [GROUP], "displayName": "Engineering", "externalId": "g-1",
                   "members": [{"value": ann}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let gid = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), r.body["meta"]["location"].as_str());
    assert_eq!(r.body["members"][0]["value"], json!(ann));
    let path = format!("/scim/v2/Groups/{gid}");
    let r = app.grant_group(&admin.token, &ws, &gid, "editor").await;
    assert_eq!(r.status, 200, "{}", r.text);

    let members = |r: TestResponse| -> Vec<(String, String)> {
        assert_eq!(r.status, 200, "{}", r.text);
        let mut m: Vec<(String, String)> = r.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["user_id"] != json!(admin.id))
            .map(|u| {
                (
                    u["user_id"].as_str().unwrap().to_string(),
                    u["role"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        m.sort();
        m
    };
    let in_ws = format!("workspace_id={ws}");
    let r = app.list_users(&admin.token, &in_ws).await;
    assert_eq!(members(r), [(ann.clone(), "editor".to_string())]);

    // the user's groups are read-only on the user, and listed there
    let r = idp.get(&format!("/scim/v2/Users/{ann}")).await;
    assert_eq!(r.body["groups"][0]["value"], json!(gid), "{}", r.text);
    let r = idp
        .patch(
            &format!("/scim/v2/Users/{ann}"),
            json!([{"op": "add", "path": "groups", "value": [{"value": gid}]}]),
        )
        .await;
    scim_error(&r, 400, Some("mutability"));

    // Okta adds, Entra ID removes with a value list
    let r = idp
        .patch(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": bob}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.list_users(&admin.token, &in_ws).await;
    let mut both = vec![
        (ann.clone(), "editor".to_string()),
        (bob.clone(), "editor".to_string()),
    ];
    both.sort();
    assert_eq!(members(r), both);
    let r = idp
        .patch(
            &path,
            json!([{"op": "Remove", "path": "members", "value": [{"value": ann}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.list_users(&admin.token, &in_ws).await;
    assert_eq!(members(r), [(bob.clone(), "editor".to_string())]);
    let r = idp
        .patch(
            &path,
            json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = idp.get(&format!("{path}?excludedAttributes=members")).await;
    assert!(r.body.get("members").is_none(), "{}", r.text);
    assert_eq!(r.body["displayName"], "Engineering");
    let r = app.list_users(&admin.token, &in_ws).await;
    assert_eq!(members(r), []);

    // a member that is no user, and a name that is taken
    let r = idp
        .patch(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": "0b0e2f4c-1d2a-4c6e-9f00-00000000dead"}]}]),
        )
        .await;
    scim_error(&r, 400, Some("invalidValue"));
    let r = idp
        .post(
            "/scim/v2/Groups",
            json!({"schemas": [GROUP], "displayName": "engineering"}),
        )
        .await;
    scim_error(&r, 409, Some("uniqueness"));

    // PUT renames and sets the members; /v1 sees both
    let r = idp
        .put(
            &path,
            json!({"schemas": [GROUP], "displayName": "Platform", "members": [{"value": ann}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_group(&admin.token, &gid).await;
    assert_eq!(r.body["name"], "Platform", "{}", r.text);
    let r = idp
        .get(&filter("/scim/v2/Groups", r#"displayName eq "platform""#))
        .await;
    assert_eq!(ids(&r), std::slice::from_ref(&gid));

    // deleting the group takes its grant's effect with it
    let stale = [("if-match", "W/\"1000\"")];
    scim_error(&idp.send("DELETE", &path, None, &stale).await, 412, None);
    assert_eq!(idp.delete(&path).await.status, 204);
    scim_error(&idp.get(&path).await, 404, None);
    assert_eq!(app.get_group(&admin.token, &gid).await.status, 404);
    let r = app.list_users(&admin.token, &in_ws).await;
    assert_eq!(members(r), []);
}

#[tokio::test]
async fn every_refusal_has_its_scim_type() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Okta").await;
    let id = idp.user("ann", json!({})).await;
    let path = format!("/scim/v2/Users/{id}");

    let r = idp.get(&filter("/scim/v2/Users", r#"title co "x""#)).await;
    scim_error(&r, 400, Some("invalidFilter"));
    let r = idp.get(&filter("/scim/v2/Users", r#"userName eq"#)).await;
    scim_error(&r, 400, Some("invalidFilter"));
    let r = idp
        .post(
            "/scim/v2/Users",
            json!({"schemas": [USER], "emails": [{"value": "x@example.com"}]}),
        )
        .await;
    scim_error(&r, 400, Some("invalidValue"));
    let r = idp
        .post(
            "/scim/v2/Users",
            json!({"schemas": [USER], "userName": "zed", "emails": [{"value": "zed@example.com"}],
                   "locale": "not a locale"}),
        )
        .await;
    scim_error(&r, 400, Some("invalidValue"));
    let headers = [
        ("authorization".to_string(), format!("Bearer {}", idp.token)),
        (
            "content-type".to_string(),
            "application/scim+json".to_string(),
        ),
    ];
    let r = app
        .raw(
            "POST",
            "/scim/v2/Users",
            &headers,
            Some(b"{\"userName\": ".to_vec()),
        )
        .await;
    scim_error(&r, 400, Some("invalidSyntax"));
    let r = idp
        .patch(&path, json!([{"op": "move", "path": "title"}]))
        .await;
    scim_error(&r, 400, Some("invalidSyntax"));
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
        )
        .await;
    scim_error(&r, 400, Some("invalidPath"));
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "path": "shoeSize", "value": 9}]),
        )
        .await;
    scim_error(&r, 400, Some("invalidPath"));
    let r = idp.patch(&path, json!([{"op": "remove"}])).await;
    scim_error(&r, 400, Some("noTarget"));
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "path": "id", "value": "other"}]),
        )
        .await;
    scim_error(&r, 400, Some("mutability"));
    // Removing a required attribute, or its last value, is `mutability` (RFC 7644
    // §3.5.2.2), and nothing changes.
    for path_removed in ["active", "emails", "userName", r#"emails[type eq "work"]"#] {
        let r = idp
            .patch(&path, json!([{"op": "remove", "path": path_removed}]))
            .await;
        scim_error(&r, 400, Some("mutability"));
    }
    let r = idp.get(&path).await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    let version = r.body["meta"]["version"].as_str().unwrap_or_default();
    assert!(version.starts_with("W/\"1-"), "{}", r.text);
    let gid = idp.group("Readers").await;
    let gpath = format!("/scim/v2/Groups/{gid}");
    let r = idp
        .patch(&gpath, json!([{"op": "remove", "path": "displayName"}]))
        .await;
    scim_error(&r, 400, Some("mutability"));
    // A member's value is immutable; the path names it rightly.
    let r = idp
        .patch(
            &gpath,
            json!([{"op": "replace", "path": format!("members[value eq \"{id}\"].value"), "value": gid}]),
        )
        .await;
    scim_error(&r, 400, Some("mutability"));
    // A user's groups are not in its record, so `groups pr` is refused rather than
    // answered "none"; the detail names the term, in the filter's own words.
    let r = idp.get(&filter("/scim/v2/Users", "groups pr")).await;
    scim_error(&r, 400, Some("invalidFilter"));
    let r = idp
        .get(&filter(
            "/scim/v2/Users",
            r#"userName eq "a" or userName eq "b""#,
        ))
        .await;
    scim_error(&r, 400, Some("invalidFilter"));
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("'or'") && !detail.contains("AttrPath"),
        "{detail}"
    );
    let r = idp.get("/scim/v2/Groups?count=200&startIndex=1").await;
    assert_eq!(r.status, 200, "{}", r.text);

    // media types and sizes
    let r = app
        .send(
            "POST",
            "/scim/v2/Users",
            &idp.token,
            "text/plain",
            b"{}".to_vec(),
        )
        .await;
    scim_error(&r, 415, None);
    let big = json!({"schemas": [USER], "userName": "big", "title": "x".repeat(2 << 20)});
    scim_error(&idp.post("/scim/v2/Users", big).await, 413, None);
    // application/json is accepted as well
    let body =
        json!({"schemas": [USER], "userName": "plain", "emails": [{"value": "plain@example.com"}]});
    let r = app
        .send(
            "POST",
            "/scim/v2/Users",
            &idp.token,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn searches_page_and_mix_resource_types() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Okta").await;
    let mut people = Vec::new();
    for name in ["amy", "abe", "ada", "bea"] {
        people.push(idp.user(name, json!({"displayName": "Team A"})).await);
    }
    let gid = idp.group("Team A").await;

    let search = |f: &str, start: u32, count: u32| json!({"schemas": [SEARCH], "filter": f, "startIndex": start, "count": count});
    // /Users/.search pages the matches in a stable order
    let r = idp
        .post("/scim/v2/Users/.search", search(r#"userName sw "a""#, 1, 2))
        .await;
    let first = ids(&r);
    assert_eq!((r.body["totalResults"].as_i64(), first.len()), (Some(3), 2));
    assert_eq!(r.body["itemsPerPage"], 2);
    let r = idp
        .post("/scim/v2/Users/.search", search(r#"userName sw "a""#, 3, 2))
        .await;
    let rest = ids(&r);
    assert_eq!(rest.len(), 1);
    assert!(!first.contains(&rest[0]));
    // count=0 answers the total alone
    let r = idp.get("/scim/v2/Users?count=0").await;
    assert_eq!((ids(&r).len(), &r.body["totalResults"]), (0, &json!(4)));

    // the root .search answers users, then groups
    let r = idp
        .post(
            "/scim/v2/.search",
            search(r#"displayName eq "Team A""#, 1, 10),
        )
        .await;
    let found = ids(&r);
    assert_eq!(r.body["totalResults"], 5, "{}", r.text);
    assert_eq!(found.last(), Some(&gid));
    let types: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["User", "User", "User", "User", "Group"]);
    // a filter only users can serve matches no group, and a page can span both kinds
    let r = idp
        .post("/scim/v2/.search", search(r#"userName eq "bea""#, 1, 10))
        .await;
    assert_eq!(ids(&r), [people[3].clone()]);
    let r = idp
        .post(
            "/scim/v2/.search",
            search(r#"displayName eq "Team A""#, 4, 2),
        )
        .await;
    assert_eq!(ids(&r).last(), Some(&gid));
    assert_eq!(ids(&r).len(), 2);
    let r = idp
        .post("/scim/v2/.search", search(r#"title co "x""#, 1, 10))
        .await;
    scim_error(&r, 400, Some("invalidFilter"));
    // a search takes its parameters from the body
    let r = idp
        .post(
            "/scim/v2/Groups/.search",
            json!({"schemas": [SEARCH], "attributes": ["displayName"]}),
        )
        .await;
    assert_eq!(ids(&r), std::slice::from_ref(&gid));
    assert!(
        r.body["Resources"][0].get("members").is_none(),
        "{}",
        r.text
    );
}

/// The bodies as the IdPs' documents give them: Entra ID's group create names a
/// Microsoft schema beside the core one; Okta renames a group with its own `id` in a
/// path-less replace. Both are accepted; a changed `id` is still refused.
#[tokio::test]
async fn idp_documented_group_bodies_are_accepted() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Entra").await;
    let r = idp
        .post(
            "/scim/v2/Groups",
            json!({"schemas": [GROUP,
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                   "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                   "displayName": "displayName",
                   "meta": {"resourceType": "Group"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["displayName"], json!("displayName"));
    let gid = r.body["id"].as_str().unwrap().to_string();
    let path = format!("/scim/v2/Groups/{gid}");

    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2"}}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], json!("Test SCIMv2"));
    assert_eq!(r.body["id"], json!(gid));

    let other = uuid::Uuid::new_v4().to_string();
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "value": {"id": other, "displayName": "Renamed"}}]),
        )
        .await;
    scim_error(&r, 400, Some("mutability"));
    let r = idp.get(&path).await;
    assert_eq!(r.body["displayName"], json!("Test SCIMv2"));
}

/// Entra ID's "Update User" replaces `name.familyName` of a user created without a
/// `displayName`: the shown name follows the new name, and no display name of its own
/// appears in `/v1`.
#[tokio::test]
async fn a_name_patch_leaves_no_display_name_behind() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let idp = Idp::new(&app, "Entra").await;
    let id = idp
        .user(
            "nora",
            json!({"name": {"givenName": "Nora", "familyName": "Old"}}),
        )
        .await;
    let path = format!("/scim/v2/Users/{id}");
    let r = idp
        .patch(
            &path,
            json!([{"op": "Replace", "path": "name.familyName", "value": "New"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], json!("Nora New"));
    let r = app.get_user(&admin.token, &id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["display_name"], Value::Null, "{}", r.text);
    assert_eq!(r.body["last_name"], json!("New"));
}

/// A user's entity tag follows its groups, which change without its version (a
/// membership, a group's rename): `If-None-Match` with a tag from before is no 304,
/// while `If-Match` (writes) compares the version alone.
#[tokio::test]
async fn a_users_etag_follows_its_groups() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Entra").await;
    let uid = idp.user("gus", json!({})).await;
    let gid = idp.group("Staff").await;
    let path = format!("/scim/v2/Users/{uid}");
    let gpath = format!("/scim/v2/Groups/{gid}");
    let get_if = |tag: String| {
        let idp = &idp;
        let path = path.clone();
        async move {
            idp.send("GET", &path, None, &[("if-none-match", &tag)])
                .await
        }
    };
    let before = idp.get(&path).await.header("etag").unwrap().to_string();
    let r = idp
        .patch(
            &gpath,
            json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = get_if(before.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["groups"][0]["display"], "Staff");
    let member = r.header("etag").unwrap().to_string();
    assert_ne!(member, before);
    assert_eq!(r.body["meta"]["version"], json!(member));
    let r = get_if(member.clone()).await;
    assert_eq!(r.status, 304);
    assert!(r.text.is_empty(), "{}", r.text);
    assert!(
        r.header("content-location")
            .is_some_and(|l| l.ends_with(&path)),
        "{:?}",
        r.headers
    );
    let r = idp
        .patch(
            &gpath,
            json!([{"op": "replace", "value": {"displayName": "Crew"}}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = get_if(member.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["groups"][0]["display"], "Crew");
    // A write conditioned on the tag seen before the rename still holds.
    let r = idp
        .send(
            "PATCH",
            &path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]})),
            &[("if-match", &member)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = idp
        .send(
            "PATCH",
            &path,
            Some(json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]})),
            &[("if-match", &member)],
        )
        .await;
    scim_error(&r, 412, None);
}

/// A `displayName` is stored as given, even equal to the full name, so it stays when
/// the name changes; a resource's `Content-Location` is its `meta.location`.
#[tokio::test]
async fn a_display_name_equal_to_the_full_name_is_kept() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let idp = Idp::new(&app, "Okta").await;
    let id = idp
        .user(
            "dee",
            json!({"name": {"givenName": "Dee", "familyName": "Enn"}, "displayName": "Dee Enn"}),
        )
        .await;
    let path = format!("/scim/v2/Users/{id}");
    let r = idp
        .patch(
            &path,
            json!([{"op": "replace", "path": "name.givenName", "value": "Dee2"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], json!("Dee Enn"), "{}", r.text);
    let r = app.get_user(&admin.token, &id).await;
    assert_eq!(r.body["display_name"], json!("Dee Enn"), "{}", r.text);
    assert_eq!(r.body["full_name"], json!("Dee2 Enn"), "{}", r.text);
    let r = idp.get(&path).await;
    let location = r.body["meta"]["location"].as_str().expect("location");
    assert!(location.ends_with(&path), "{location}");
    assert_eq!(r.header("content-location"), Some(location));
}

/// A `startIndex` far past the end (schemathesis sent 5998196306862720 to `/.search`)
/// is an empty page with the true total, not a 500, on every list route.
#[tokio::test]
async fn a_start_index_past_the_end_is_an_empty_page() {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Okta").await;
    idp.user("pat", json!({})).await;
    let far = 5_998_196_306_862_720_u64;
    let body = json!({"schemas": [SEARCH], "startIndex": far, "count": 235075,
                      "excludedAttributes": []});
    for path in [
        "/scim/v2/.search",
        "/scim/v2/Users/.search",
        "/scim/v2/Groups/.search",
    ] {
        let r = idp.post(path, body.clone()).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.body["Resources"], json!([]), "{path}");
        assert_eq!(r.body["startIndex"], json!(far), "{path}");
    }
    for path in ["/scim/v2/Users", "/scim/v2/Groups"] {
        let r = idp.get(&format!("{path}?startIndex={far}&count=10")).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.body["Resources"], json!([]), "{path}");
    }
    let r = idp.get(&format!("/scim/v2/Users?startIndex={far}")).await;
    assert_eq!(r.body["totalResults"], json!(1));
}

#[tokio::test]
async fn a_group_too_big_to_answer_with_members_is_too_many_without_them_it_answers_and_a_patch_is_204(
) {
    let app = TestApp::spawn().await;
    let idp = Idp::new(&app, "Okta").await;
    let gid = idp.group("Everyone").await;
    let path = format!("/scim/v2/Groups/{gid}");
    assert_eq!(idp.get(&path).await.status, 200);
    // The count the guard reads, as a group of 40,000 members would have it (writing
    // that many members would take minutes here); its members are never read.
    let store = &app.ctx.store;
    store
        .client()
        .update_item()
        .table_name(store.table())
        .set_key(Some(shared::store::key(
            shared::keys::group(gid.parse().unwrap()),
            shared::keys::META,
        )))
        .update_expression("SET member_count = :n")
        .expression_attribute_values(
            ":n",
            aws_sdk_dynamodb::types::AttributeValue::N("40000".into()),
        )
        .send()
        .await
        .expect("update");
    let r = idp.get(&path).await;
    scim_error(&r, 400, Some("tooMany"));
    assert!(r.body["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("excludedAttributes=members"));
    let r = idp.get(&format!("{path}?excludedAttributes=members")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], "Everyone");
    assert!(r.body.get("members").is_none());
    let r = idp.get(&format!("{path}?attributes=displayName")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A PATCH (as Entra ID and Okta send for each membership change) is done, and
    // answered 204 with the new ETag instead of a body it could not return.
    let uid = idp.user("big.member", json!({})).await;
    let ops = json!([
        {"op": "replace", "value": {"displayName": "Everybody"}},
        {"op": "add", "path": "members", "value": [{"value": uid}]},
    ]);
    let r = idp.patch(&path, ops.clone()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty(), "{}", r.text);
    let etag = r.header("etag").expect("etag").to_string();
    let r = idp.get(&format!("{path}?excludedAttributes=members")).await;
    assert_eq!(r.body["displayName"], "Everybody");
    assert_eq!(r.body["meta"]["version"], json!(etag));
    let r = idp
        .get(&format!("/scim/v2/Users/{uid}?attributes=groups"))
        .await;
    assert_eq!(r.body["groups"][0]["value"], json!(gid), "{}", r.text);
    // Asked without members, the PATCH answers the group.
    let r = idp
        .patch(&format!("{path}?excludedAttributes=members"), ops)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], "Everybody");
    assert!(r.body.get("members").is_none());
}
