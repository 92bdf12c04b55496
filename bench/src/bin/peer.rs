//! The peer of issue 18: a plain `lambda_http` function doing one consistent `GetItem`
//! (the sample admin's profile) with the SDK's defaults, and answering its email.
//! `aws-config` is built without its default HTTPS client in this workspace, so the
//! client is the functions' one (rustls with ring) on the SDK's default trust store
//! (the system's roots); everything else (credentials and region chain, endpoint from
//! `AWS_ENDPOINT_URL_DYNAMODB`, retries, timeouts) is the SDK's default.

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use lambda_http::{service_fn, Body, Error, Request, Response};

async fn handler(
    client: &Client,
    table: &str,
    user_id: &str,
    _req: Request,
) -> Result<Response<Body>, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("USER#{user_id}")))
        .key("SK", AttributeValue::S("PROFILE".into()))
        .consistent_read(true)
        .send()
        .await?;
    let email = out
        .item
        .as_ref()
        .and_then(|i| i.get("email"))
        .and_then(|v| v.as_s().ok());
    let (status, body) = match email {
        Some(email) => (200, serde_json::json!({ "email": email })),
        None => (404, serde_json::json!({})),
    };
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))?)
}

async fn run() -> Result<(), Error> {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared::ctx::https_client(
            shared::ctx::tls::TrustStore::default(),
        ))
        .load()
        .await;
    let client = Client::new(&sdk);
    let table = std::env::var("TABLE_NAME")?;
    let user_id = std::env::var("USER_ID")?;
    let (client, table, user_id) = (&client, table.as_str(), user_id.as_str());
    lambda_http::run(service_fn(move |req| handler(client, table, user_id, req))).await
}

/// The same single-threaded runtime as the floor and the service's functions, so the
/// comparison is of what each does per request, not of the runtime's flavour.
fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}
