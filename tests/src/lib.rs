//! Test support: [`TestApp`] runs each function's handler in-process, through the same
//! wrapper the runtime uses, against DynamoDB Local with a fresh table per test.

use std::collections::HashMap;
use std::sync::Arc;

use admin::routes::{routes, Route, TEMPLATE};
use lambda_http::{Body, RequestExt};
use serde_json::{json, Value};
use shared::config::Config;
use shared::run::dispatch;
use shared::{Ctx, Request, Response};

/// The endpoint of the DynamoDB Local `make test` started.
pub fn endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8000".into())
}

/// A response, read.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One isolated app: its own table.
pub struct TestApp {
    pub ctx: Arc<Ctx>,
    routes: Vec<Route>,
}

impl TestApp {
    /// A fresh table with the default config.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A fresh table on the DynamoDB at `endpoint`.
    pub async fn spawn_at(endpoint: &str) -> TestApp {
        Self::spawn_on(endpoint, |_| {}).await
    }

    /// A fresh table, with the config adjusted by `tweak`.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(&endpoint(), tweak).await
    }

    async fn spawn_on(endpoint: &str, tweak: impl FnOnce(&mut Config)) -> TestApp {
        std::env::set_var("AWS_ACCESS_KEY_ID", "local");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
        std::env::set_var("AWS_REGION", "us-east-1");
        let table = format!("t-{}", uuid::Uuid::new_v4());
        let mut config = Config::for_table(&table, endpoint);
        tweak(&mut config);
        let ctx = Ctx::new(config).await;
        admin::table::create_table(ctx.store.client(), &table, TEMPLATE)
            .await
            .expect("create test table");
        TestApp {
            ctx: Arc::new(ctx),
            routes: routes(TEMPLATE).expect("template routes"),
        }
    }

    /// An app whose database cannot be reached (a closed local port).
    pub async fn unreachable() -> TestApp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let config = Config::for_table("unreachable", &format!("http://127.0.0.1:{port}"));
        TestApp {
            ctx: Arc::new(Ctx::new(config).await),
            routes: routes(TEMPLATE).expect("template routes"),
        }
    }

    /// Sends `method path` (with an optional query string) through the function the
    /// template routes it to, or the fallback.
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut headers = vec![];
        if let Some(t) = token {
            headers.push(("authorization".to_string(), format!("Bearer {t}")));
        }
        let body = body.map(|b| {
            headers.push(("content-type".to_string(), "application/json".to_string()));
            b.to_string().into_bytes()
        });
        self.raw(method, path_and_query, &headers, body).await
    }

    /// Sends raw body bytes with a content type, as `token`.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> TestResponse {
        let headers = [
            ("authorization".to_string(), format!("Bearer {token}")),
            ("content-type".to_string(), content_type.to_string()),
        ];
        self.raw(method, path, &headers, Some(body)).await
    }

    /// Like [`call`] without a token, from `source_ip` as API Gateway reports it in
    /// `requestContext.http.sourceIp`.
    pub async fn call_from(
        &self,
        source_ip: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> TestResponse {
        let headers = [("content-type".to_string(), "application/json".to_string())];
        let body = Some(body.to_string().into_bytes());
        self.request(method, path, &headers, body, Some(source_ip))
            .await
    }

    /// Like [`call`], with full control of headers and body bytes.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> TestResponse {
        self.request(method, path_and_query, headers, body, None)
            .await
    }

    async fn request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
        source_ip: Option<&str>,
    ) -> TestResponse {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let (function, params) = self.route(method, path);
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("http://localhost{path_and_query}"));
        for (k, v) in headers {
            builder = builder.header(k, v);
        }
        let body = match body {
            Some(b) => Body::Binary(b),
            None => Body::Empty,
        };
        let mut qmap: HashMap<String, Vec<String>> = HashMap::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            qmap.entry(decode(k)).or_default().push(decode(v));
        }
        let mut req: Request = builder
            .body(body)
            .expect("request")
            .with_path_parameters(params)
            .with_query_string_parameters(qmap);
        if let Some(ip) = source_ip {
            use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
            use lambda_http::request::RequestContext;
            let mut context = ApiGatewayV2httpRequestContext::default();
            context.http.source_ip = Some(ip.to_string());
            req = req.with_request_context(RequestContext::ApiGatewayV2(context));
        }
        // Boxed: every handler's future nests inside this one, and the test futures
        // that await it would otherwise pass the compiler's query depth limit.
        let resp = Box::pin(self.handle(&function, req)).await;
        read(resp)
    }

    /// The function API Gateway would select, with its path parameters.
    fn route(&self, method: &str, path: &str) -> (String, HashMap<String, String>) {
        match admin::routes::select(&self.routes, method, path) {
            Some((r, params)) => (
                r.function.clone(),
                params.into_iter().map(|(k, v)| (k, decode(&v))).collect(),
            ),
            None => ("fallback".into(), HashMap::new()),
        }
    }

    async fn handle(&self, function: &str, req: Request) -> Response {
        let ctx = &*self.ctx;
        match function {
            "auth-login" => dispatch(ctx, req, |r| auth_login::handler(ctx, r)).await,
            "auth-logout" => dispatch(ctx, req, |r| auth_logout::handler(ctx, r)).await,
            "create-user" => dispatch(ctx, req, |r| create_user::handler(ctx, r)).await,
            "list-users" => dispatch(ctx, req, |r| list_users::handler(ctx, r)).await,
            "get-me" => dispatch(ctx, req, |r| get_me::handler(ctx, r)).await,
            "search-users" => dispatch(ctx, req, |r| search_users::handler(ctx, r)).await,
            "update-preferences" => {
                dispatch(ctx, req, |r| update_preferences::handler(ctx, r)).await
            }
            "get-user" => dispatch(ctx, req, |r| get_user::handler(ctx, r)).await,
            "replace-user" => dispatch(ctx, req, |r| replace_user::handler(ctx, r)).await,
            "patch-user" => dispatch(ctx, req, |r| patch_user::handler(ctx, r)).await,
            "delete-user" => dispatch(ctx, req, |r| delete_user::handler(ctx, r)).await,
            "record-file" => dispatch(ctx, req, |r| record_file::handler(ctx, r)).await,
            "delete-file" => dispatch(ctx, req, |r| delete_file::handler(ctx, r)).await,
            "get-storage" => dispatch(ctx, req, |r| get_storage::handler(ctx, r)).await,
            "list-activities" => dispatch(ctx, req, |r| list_activities::handler(ctx, r)).await,
            "count-activities" => dispatch(ctx, req, |r| count_activities::handler(ctx, r)).await,
            "stream-activities" => dispatch(ctx, req, |r| stream_activities::handler(ctx, r)).await,
            "active-workspaces" => dispatch(ctx, req, |r| active_workspaces::handler(ctx, r)).await,
            "create-workspace" => dispatch(ctx, req, |r| create_workspace::handler(ctx, r)).await,
            "get-workspace" => dispatch(ctx, req, |r| get_workspace::handler(ctx, r)).await,
            "put-member" => dispatch(ctx, req, |r| put_member::handler(ctx, r)).await,
            "remove-member" => dispatch(ctx, req, |r| remove_member::handler(ctx, r)).await,
            "list-workspaces" => dispatch(ctx, req, |r| list_workspaces::handler(ctx, r)).await,
            "update-workspace" => dispatch(ctx, req, |r| update_workspace::handler(ctx, r)).await,
            "set-device" => dispatch(ctx, req, |r| set_device::handler(ctx, r)).await,
            "remove-device" => dispatch(ctx, req, |r| remove_device::handler(ctx, r)).await,
            "delete-workspace" => dispatch(ctx, req, |r| delete_workspace::handler(ctx, r)).await,
            "create-invitation" => dispatch(ctx, req, |r| create_invitation::handler(ctx, r)).await,
            "list-invitations" => dispatch(ctx, req, |r| list_invitations::handler(ctx, r)).await,
            "revoke-invitation" => dispatch(ctx, req, |r| revoke_invitation::handler(ctx, r)).await,
            "my-invitations" => dispatch(ctx, req, |r| my_invitations::handler(ctx, r)).await,
            "accept-invitation" => dispatch(ctx, req, |r| accept_invitation::handler(ctx, r)).await,
            "decline-invitation" => {
                dispatch(ctx, req, |r| decline_invitation::handler(ctx, r)).await
            }
            "studio-list-users" => dispatch(ctx, req, |r| studio_list_users::handler(ctx, r)).await,
            "studio-storage-used" => {
                dispatch(ctx, req, |r| studio_storage_used::handler(ctx, r)).await
            }
            "studio-refresh-storage" => {
                dispatch(ctx, req, |r| studio_refresh_storage::handler(ctx, r)).await
            }
            "studio-mark-read" => dispatch(ctx, req, |r| studio_mark_read::handler(ctx, r)).await,
            "create-group" => dispatch(ctx, req, |r| create_group::handler(ctx, r)).await,
            "list-groups" => dispatch(ctx, req, |r| list_groups::handler(ctx, r)).await,
            "get-group" => dispatch(ctx, req, |r| get_group::handler(ctx, r)).await,
            "update-group" => dispatch(ctx, req, |r| update_group::handler(ctx, r)).await,
            "delete-group" => dispatch(ctx, req, |r| delete_group::handler(ctx, r)).await,
            "put-group-member" => dispatch(ctx, req, |r| put_group_member::handler(ctx, r)).await,
            "remove-group-member" => {
                dispatch(ctx, req, |r| remove_group_member::handler(ctx, r)).await
            }
            "list-group-members" => {
                dispatch(ctx, req, |r| list_group_members::handler(ctx, r)).await
            }
            "grant-group" => dispatch(ctx, req, |r| grant_group::handler(ctx, r)).await,
            "revoke-group" => dispatch(ctx, req, |r| revoke_group::handler(ctx, r)).await,
            "list-workspace-groups" => {
                dispatch(ctx, req, |r| list_workspace_groups::handler(ctx, r)).await
            }
            "list-group-workspaces" => {
                dispatch(ctx, req, |r| list_group_workspaces::handler(ctx, r)).await
            }
            "console" => dispatch(ctx, req, |r| console::handler(ctx, r)).await,
            "create-provisioning-token" => {
                dispatch(ctx, req, |r| create_provisioning_token::handler(ctx, r)).await
            }
            "list-provisioning-tokens" => {
                dispatch(ctx, req, |r| list_provisioning_tokens::handler(ctx, r)).await
            }
            "revoke-provisioning-token" => {
                dispatch(ctx, req, |r| revoke_provisioning_token::handler(ctx, r)).await
            }
            "scim-service-provider-config" => {
                dispatch(ctx, req, |r| scim_service_provider_config::handler(ctx, r)).await
            }
            "scim-list-resource-types" => {
                dispatch(ctx, req, |r| scim_list_resource_types::handler(ctx, r)).await
            }
            "scim-get-resource-type" => {
                dispatch(ctx, req, |r| scim_get_resource_type::handler(ctx, r)).await
            }
            "scim-list-schemas" => dispatch(ctx, req, |r| scim_list_schemas::handler(ctx, r)).await,
            "scim-get-schema" => dispatch(ctx, req, |r| scim_get_schema::handler(ctx, r)).await,
            "scim-list-users" => dispatch(ctx, req, |r| scim_list_users::handler(ctx, r)).await,
            "scim-search-users" => dispatch(ctx, req, |r| scim_search_users::handler(ctx, r)).await,
            "scim-create-user" => dispatch(ctx, req, |r| scim_create_user::handler(ctx, r)).await,
            "scim-get-user" => dispatch(ctx, req, |r| scim_get_user::handler(ctx, r)).await,
            "scim-replace-user" => dispatch(ctx, req, |r| scim_replace_user::handler(ctx, r)).await,
            "scim-patch-user" => dispatch(ctx, req, |r| scim_patch_user::handler(ctx, r)).await,
            "scim-list-groups" => dispatch(ctx, req, |r| scim_list_groups::handler(ctx, r)).await,
            "scim-search-groups" => {
                dispatch(ctx, req, |r| scim_search_groups::handler(ctx, r)).await
            }
            "scim-create-group" => dispatch(ctx, req, |r| scim_create_group::handler(ctx, r)).await,
            "scim-get-group" => dispatch(ctx, req, |r| scim_get_group::handler(ctx, r)).await,
            "scim-replace-group" => {
                dispatch(ctx, req, |r| scim_replace_group::handler(ctx, r)).await
            }
            "scim-patch-group" => dispatch(ctx, req, |r| scim_patch_group::handler(ctx, r)).await,
            "scim-search" => dispatch(ctx, req, |r| scim_search::handler(ctx, r)).await,
            "scim-delete-group" => dispatch(ctx, req, |r| scim_delete_group::handler(ctx, r)).await,
            "scim-delete-user" => dispatch(ctx, req, |r| scim_delete_user::handler(ctx, r)).await,
            "fallback" => dispatch(ctx, req, |r| fallback::handler(ctx, r)).await,
            other => panic!("no function {other}"),
        }
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read(resp: Response) -> TestResponse {
    let (parts, body) = resp.into_parts();
    let text = String::from_utf8_lossy(body.as_ref()).into_owned();
    TestResponse {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// `path`, followed by `?query` unless `query` is empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// One method per endpoint of template.yaml, named after its function crate, so a test
/// reads as the requests a client sends. `token` is sent as `Authorization: Bearer`,
/// `id` may be `me`, a `query` has no `?` (empty for none), and a `body` is sent as
/// JSON. The Studio routes are sent in their trailing-slash form; other spellings,
/// methods and headers go through [`TestApp::call`] or [`TestApp::raw`].
impl TestApp {
    /// `POST /v1/auth/token` (auth-login).
    pub async fn auth_login(&self, body: Value) -> TestResponse {
        self.call("POST", "/v1/auth/token", None, Some(body)).await
    }

    /// `DELETE /v1/auth/token` (auth-logout).
    pub async fn auth_logout(&self, token: &str) -> TestResponse {
        self.call("DELETE", "/v1/auth/token", Some(token), None)
            .await
    }

    /// `POST /v1/users` (create-user), anonymously when `token` is `None`.
    pub async fn create_user(&self, token: Option<&str>, body: Value) -> TestResponse {
        self.call("POST", "/v1/users", token, Some(body)).await
    }

    /// `GET /v1/users?{query}` (list-users).
    pub async fn list_users(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/users", query)).await
    }

    /// `GET /v1/users/me` (get-me).
    pub async fn get_me(&self, token: &str) -> TestResponse {
        self.get(token, "/v1/users/me").await
    }

    /// `GET /v1/users/search?{query}` (search-users).
    pub async fn search_users(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/users/search", query))
            .await
    }

    /// `PATCH /v1/users/me/preferences` (update-preferences).
    pub async fn update_preferences(&self, token: &str, body: Value) -> TestResponse {
        self.call("PATCH", "/v1/users/me/preferences", Some(token), Some(body))
            .await
    }

    /// `GET /v1/users/{id}` (get-user).
    pub async fn get_user(&self, token: &str, id: &str) -> TestResponse {
        self.get(token, &format!("/v1/users/{id}")).await
    }

    /// `PUT /v1/users/{id}` (replace-user).
    pub async fn replace_user(&self, token: &str, id: &str, body: Value) -> TestResponse {
        let path = format!("/v1/users/{id}");
        self.call("PUT", &path, Some(token), Some(body)).await
    }

    /// `PATCH /v1/users/{id}` (patch-user).
    pub async fn patch_user(&self, token: &str, id: &str, body: Value) -> TestResponse {
        let path = format!("/v1/users/{id}");
        self.call("PATCH", &path, Some(token), Some(body)).await
    }

    /// `PATCH /v1/users/me` changing the caller's own password from `current` to `new`.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) -> TestResponse {
        let body = serde_json::json!({"password": new, "current_password": current});
        self.patch_user(token, "me", body).await
    }

    /// `DELETE /v1/users/{id}` (delete-user).
    pub async fn delete_user(&self, token: &str, id: &str) -> TestResponse {
        let path = format!("/v1/users/{id}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `POST /v1/users/{id}/files` (record-file).
    pub async fn record_file(&self, token: &str, id: &str, body: Value) -> TestResponse {
        let path = format!("/v1/users/{id}/files");
        self.call("POST", &path, Some(token), Some(body)).await
    }

    /// `DELETE /v1/users/{id}/files/{checksum}` (delete-file).
    pub async fn delete_file(&self, token: &str, id: &str, checksum: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/files/{checksum}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `GET /v1/users/{id}/storage` (get-storage).
    pub async fn get_storage(&self, token: &str, id: &str) -> TestResponse {
        self.get(token, &format!("/v1/users/{id}/storage")).await
    }

    /// `GET /v1/users/{id}/activities?{query}` (list-activities).
    pub async fn list_activities(&self, token: &str, id: &str, query: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/activities");
        self.get(token, &with_query(&path, query)).await
    }

    /// `GET /v1/users/{id}/activities/count?{query}` (count-activities).
    pub async fn count_activities(&self, token: &str, id: &str, query: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/activities/count");
        self.get(token, &with_query(&path, query)).await
    }

    /// `GET /v1/users/{id}/activities/stream?{query}` (stream-activities).
    pub async fn stream_activities(&self, token: &str, id: &str, query: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/activities/stream");
        self.get(token, &with_query(&path, query)).await
    }

    /// `GET /v1/users/{id}/workspaces/active?{query}` (active-workspaces).
    pub async fn active_workspaces(&self, token: &str, id: &str, query: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/workspaces/active");
        self.get(token, &with_query(&path, query)).await
    }

    /// `POST /v1/workspaces` (create-workspace).
    pub async fn create_workspace(&self, token: &str, body: Value) -> TestResponse {
        self.call("POST", "/v1/workspaces", Some(token), Some(body))
            .await
    }

    /// `GET /v1/workspaces/{wid}` (get-workspace).
    pub async fn get_workspace(&self, token: &str, wid: &str) -> TestResponse {
        self.get(token, &format!("/v1/workspaces/{wid}")).await
    }

    /// `PUT /v1/workspaces/{wid}/members/{uid}` with `{"role": role}` (put-member).
    pub async fn put_member(&self, token: &str, wid: &str, uid: &str, role: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/members/{uid}");
        self.call("PUT", &path, Some(token), Some(json!({ "role": role })))
            .await
    }

    /// `DELETE /v1/workspaces/{wid}/members/{uid}` (remove-member).
    pub async fn remove_member(&self, token: &str, wid: &str, uid: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/members/{uid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `GET /v1/workspaces?{query}` (list-workspaces).
    pub async fn list_workspaces(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/workspaces", query)).await
    }

    /// `PUT /v1/users/{id}/device` (set-device).
    pub async fn set_device(&self, token: &str, id: &str, body: Value) -> TestResponse {
        let path = format!("/v1/users/{id}/device");
        self.call("PUT", &path, Some(token), Some(body)).await
    }

    /// `DELETE /v1/users/{id}/device` (remove-device).
    pub async fn remove_device(&self, token: &str, id: &str) -> TestResponse {
        let path = format!("/v1/users/{id}/device");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `PATCH /v1/workspaces/{wid}` (update-workspace).
    pub async fn update_workspace(&self, token: &str, wid: &str, body: Value) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}");
        self.call("PATCH", &path, Some(token), Some(body)).await
    }

    /// `DELETE /v1/workspaces/{wid}` (delete-workspace).
    pub async fn delete_workspace(&self, token: &str, wid: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `POST /v1/workspaces/{wid}/invitations` (create-invitation).
    pub async fn create_invitation(&self, token: &str, wid: &str, body: Value) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/invitations");
        self.call("POST", &path, Some(token), Some(body)).await
    }

    /// `GET /v1/workspaces/{wid}/invitations?{query}` (list-invitations).
    pub async fn list_invitations(&self, token: &str, wid: &str, query: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/invitations");
        self.get(token, &with_query(&path, query)).await
    }

    /// `DELETE /v1/workspaces/{wid}/invitations/{iid}` (revoke-invitation).
    pub async fn revoke_invitation(&self, token: &str, wid: &str, iid: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/invitations/{iid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `GET /v1/users/me/invitations?{query}` (my-invitations).
    pub async fn my_invitations(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/users/me/invitations", query))
            .await
    }

    /// `POST /v1/invitations/{iid}/accept` (accept-invitation).
    pub async fn accept_invitation(&self, token: &str, iid: &str) -> TestResponse {
        let path = format!("/v1/invitations/{iid}/accept");
        self.call("POST", &path, Some(token), None).await
    }

    /// `POST /v1/invitations/{iid}/decline` (decline-invitation).
    pub async fn decline_invitation(&self, token: &str, iid: &str) -> TestResponse {
        let path = format!("/v1/invitations/{iid}/decline");
        self.call("POST", &path, Some(token), None).await
    }

    /// `GET /api/user/?{query}` (studio-list-users).
    pub async fn studio_list_users(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/api/user/", query)).await
    }

    /// `GET /api/user/get_storage_used/` (studio-storage-used).
    pub async fn studio_storage_used(&self, token: &str) -> TestResponse {
        self.get(token, "/api/user/get_storage_used/").await
    }

    /// `GET /api/user/refresh_storage_used/` (studio-refresh-storage).
    pub async fn studio_refresh_storage(&self, token: &str) -> TestResponse {
        self.get(token, "/api/user/refresh_storage_used/").await
    }

    /// `POST /api/user/mark_notifications_read/` (studio-mark-read).
    pub async fn studio_mark_read(&self, token: &str, body: Value) -> TestResponse {
        let path = "/api/user/mark_notifications_read/";
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// `GET path_and_query` as `token`, without a body.
    async fn get(&self, token: &str, path_and_query: &str) -> TestResponse {
        self.call("GET", path_and_query, Some(token), None).await
    }
}

/// A user made through the API, with a token from logging in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub token: String,
    pub username: String,
    pub email: String,
}

impl TestApp {
    /// A global admin with a token.
    pub async fn admin(&self) -> TestUser {
        let email = format!(
            "admin-{}@example.com",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let (user, _) = admin::users::ensure_admin(&self.ctx, &email, "admin-password")
            .await
            .expect("admin");
        let token = admin::users::issue_token(&self.ctx, &user)
            .await
            .expect("token");
        TestUser {
            id: user.user_id.to_string(),
            token,
            username: user.username.as_str().to_string(),
            email,
        }
    }

    /// A regular user created by `admin`, logged in.
    pub async fn user(&self, admin: &TestUser, username: &str) -> TestUser {
        let r = self
            .create_user(
                Some(&admin.token),
                json!({
                    "email": format!("{username}@example.com"),
                    "username": username,
                    "password": "password-123",
                    "first_name": username,
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["user_id"].as_str().expect("id").to_string();
        let token = self.login(username, "password-123").await;
        TestUser {
            id,
            token,
            username: username.to_string(),
            email: format!("{username}@example.com"),
        }
    }

    /// Logs in and returns the token.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let r = self
            .auth_login(json!({"login": login, "password": password}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["token"].as_str().expect("token").to_string()
    }

    /// A workspace created by `owner`.
    pub async fn workspace(&self, owner: &TestUser, name: &str) -> String {
        let r = self
            .create_workspace(&owner.token, json!({"name": name}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["workspace_id"].as_str().expect("id").to_string()
    }

    /// Makes `user` a member of `ws` with `role`, as `by`: directly where `by` may (a
    /// global admin, or a role change), else by `by`'s invitation that `user` accepts.
    pub async fn add_member(&self, by: &TestUser, ws: &str, user: &TestUser, role: &str) {
        let r = self.put_member(&by.token, ws, &user.id, role).await;
        if r.status == 200 {
            return;
        }
        assert_eq!(
            r.body["details"]["required_permission"], "workspace:members:invite",
            "{}",
            r.text
        );
        let iid = self.invite(by, ws, user, role).await;
        let r = self.accept_invitation(&user.token, &iid).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    /// Invites `user`'s email to `ws` with `role`, as `by`; answers the invitation id.
    pub async fn invite(&self, by: &TestUser, ws: &str, user: &TestUser, role: &str) -> String {
        let body = json!({"email": user.email, "role": role});
        let r = self.create_invitation(&by.token, ws, body).await;
        assert!(r.status == 201 || r.status == 200, "{}", r.text);
        r.body["invitation_id"].as_str().expect("id").to_string()
    }

    /// `POST /v1/groups` (create-group).
    pub async fn create_group(&self, token: &str, body: Value) -> TestResponse {
        self.call("POST", "/v1/groups", Some(token), Some(body))
            .await
    }

    /// `GET /v1/groups?{query}` (list-groups).
    pub async fn list_groups(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/groups", query)).await
    }

    /// `GET /v1/groups/{gid}` (get-group).
    pub async fn get_group(&self, token: &str, gid: &str) -> TestResponse {
        self.get(token, &format!("/v1/groups/{gid}")).await
    }

    /// `PATCH /v1/groups/{gid}` (update-group).
    pub async fn update_group(&self, token: &str, gid: &str, body: Value) -> TestResponse {
        let path = format!("/v1/groups/{gid}");
        self.call("PATCH", &path, Some(token), Some(body)).await
    }

    /// `DELETE /v1/groups/{gid}` (delete-group).
    pub async fn delete_group(&self, token: &str, gid: &str) -> TestResponse {
        let path = format!("/v1/groups/{gid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `PUT /v1/groups/{gid}/members/{uid}` without a body (put-group-member).
    pub async fn put_group_member(&self, token: &str, gid: &str, uid: &str) -> TestResponse {
        let path = format!("/v1/groups/{gid}/members/{uid}");
        self.call("PUT", &path, Some(token), None).await
    }

    /// `DELETE /v1/groups/{gid}/members/{uid}` (remove-group-member).
    pub async fn remove_group_member(&self, token: &str, gid: &str, uid: &str) -> TestResponse {
        let path = format!("/v1/groups/{gid}/members/{uid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `GET /v1/groups/{gid}/members?{query}` (list-group-members).
    pub async fn list_group_members(&self, token: &str, gid: &str, query: &str) -> TestResponse {
        let path = format!("/v1/groups/{gid}/members");
        self.get(token, &with_query(&path, query)).await
    }

    /// `PUT /v1/workspaces/{wid}/groups/{gid}` with `{"role": role}` (grant-group).
    pub async fn grant_group(&self, token: &str, wid: &str, gid: &str, role: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/groups/{gid}");
        self.call("PUT", &path, Some(token), Some(json!({ "role": role })))
            .await
    }

    /// `DELETE /v1/workspaces/{wid}/groups/{gid}` (revoke-group).
    pub async fn revoke_group(&self, token: &str, wid: &str, gid: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/groups/{gid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// `GET /v1/workspaces/{wid}/groups?{query}` (list-workspace-groups).
    pub async fn list_workspace_groups(&self, token: &str, wid: &str, query: &str) -> TestResponse {
        let path = format!("/v1/workspaces/{wid}/groups");
        self.get(token, &with_query(&path, query)).await
    }

    pub async fn list_group_workspaces(&self, token: &str, gid: &str, query: &str) -> TestResponse {
        let path = format!("/v1/groups/{gid}/workspaces");
        self.get(token, &with_query(&path, query)).await
    }

    /// A group named `name`, created by the global admin `admin`; answers its id.
    pub async fn group(&self, admin: &TestUser, name: &str) -> String {
        let r = self
            .create_group(&admin.token, json!({ "name": name }))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["group_id"].as_str().expect("id").to_string()
    }

    /// Runs the background worker until no job is left (what `admin worker` does under
    /// `make dev`); answers how many jobs it finished.
    pub async fn run_worker(&self) -> usize {
        let mut finished = 0;
        for _ in 0..1000 {
            let n = self
                .ctx
                .store
                .run_pending_jobs(std::time::Duration::from_secs(60))
                .await
                .expect("worker");
            finished += n;
            if self.ctx.store.queued_jobs().await.expect("jobs") == 0 {
                return finished;
            }
            if n == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        panic!("jobs never finished");
    }

    /// `POST /v1/provisioning-tokens` (create-provisioning-token).
    pub async fn create_provisioning_token(&self, token: &str, body: Value) -> TestResponse {
        self.call("POST", "/v1/provisioning-tokens", Some(token), Some(body))
            .await
    }

    /// `GET /v1/provisioning-tokens?{query}` (list-provisioning-tokens).
    pub async fn list_provisioning_tokens(&self, token: &str, query: &str) -> TestResponse {
        self.get(token, &with_query("/v1/provisioning-tokens", query))
            .await
    }

    /// `DELETE /v1/provisioning-tokens/{tid}` (revoke-provisioning-token).
    pub async fn revoke_provisioning_token(&self, token: &str, tid: &str) -> TestResponse {
        let path = format!("/v1/provisioning-tokens/{tid}");
        self.call("DELETE", &path, Some(token), None).await
    }

    /// The types of the newest 100 activities of the caller's feed, newest first.
    pub async fn feed_types(&self, token: &str) -> Vec<String> {
        let r = self.list_activities(token, "me", "limit=100").await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .map(|a| a["type"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every item of a cursor-paged listing: follows `next_cursor` from
    /// `path_and_query` (which has a `?`), collecting the array `field` of each page.
    pub async fn pages(&self, token: &str, path_and_query: &str, field: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let q = match &cursor {
                Some(c) => format!("{path_and_query}&cursor={c}"),
                None => path_and_query.to_string(),
            };
            let r = self.call("GET", &q, Some(token), None).await;
            assert_eq!(r.status, 200, "{}", r.text);
            out.extend(
                r.body[field]
                    .as_array()
                    .expect("page items")
                    .iter()
                    .cloned(),
            );
            match r.body["next_cursor"].as_str() {
                Some(c) => {
                    assert_eq!(r.body["has_more"], true);
                    cursor = Some(c.to_string());
                }
                None => return out,
            }
        }
    }

    /// Moves the service's clock forward by `by`, for a test that would otherwise sleep
    /// (a token's expiry, the stream's settle window).
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.ctx.clock.advance(by);
    }

    /// Moves the clock to the start of the next login-attempt window, so a test that
    /// fills a window cannot see it roll over (windows are fixed: `ratelimit.rs`).
    pub fn start_login_window(&self) {
        let window = self.ctx.config.login_window_seconds;
        let into = self.ctx.clock.now().timestamp().rem_euclid(window);
        self.advance_clock(std::time::Duration::from_secs((window - into) as u64));
    }

    /// Runs the invariant audit and fails the test on any violation.
    pub async fn assert_audit_clean(&self) {
        let report = admin::audit::audit(&self.ctx).await.expect("audit");
        assert!(report.is_clean(), "{report}");
    }

    /// Whether any item of the table mentions `text` anywhere (keys or attributes).
    pub async fn table_mentions(&self, text: &str) -> bool {
        self.scan()
            .await
            .iter()
            .any(|i| format!("{i:?}").contains(text))
    }

    /// Every item of the table (tests only).
    pub async fn scan(&self) -> Vec<shared::store::Item> {
        self.ctx.store.scan_all().await.expect("scan")
    }
}
