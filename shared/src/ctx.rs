//! What a function builds once per cold start and hands to every invocation.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::{
    retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region,
};
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls;

use crate::config::Config;
use crate::store::Store;

/// Config plus the store; built outside the handler, shared by all requests.
pub struct Ctx {
    pub config: Config,
    pub store: Store,
}

impl Ctx {
    /// Reads the environment and builds the DynamoDB client without network calls.
    pub async fn from_env() -> Result<Ctx, String> {
        let config = Config::from_env()?;
        Ok(Ctx::new(config).await)
    }

    /// Builds the client for `config`. Timeouts and retries are bounded so that an
    /// unreachable database turns into a 503 well inside the function timeout.
    pub async fn new(config: Config) -> Ctx {
        let client = Client::from_conf(sdk_config(&config).await);
        let mut store = Store::new(client, config.table_name.clone());
        if config.measure_capacity {
            store = store.measured();
        }
        Ctx { config, store }
    }
}

/// The SDK configuration, from the environment alone. Lambda hands a function its
/// role's credentials and region in environment variables, so the general provider
/// chain of `aws-config` (profile files, SSO, STS, instance metadata) is left out: a
/// smaller binary and nothing to probe at cold start.
async fn sdk_config(config: &Config) -> aws_sdk_dynamodb::Config {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(1000))
        .operation_attempt_timeout(Duration::from_millis(2500))
        .operation_timeout(Duration::from_millis(6000))
        .build();
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // DynamoDB Local accepts any credentials; a deployed function always has its role's.
    let credentials = Credentials::new(
        var("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "local".into()),
        var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "local".into()),
        var("AWS_SESSION_TOKEN"),
        None,
        "environment",
    );
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let mut builder = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(credentials)
        .http_client(https)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(endpoint) = &config.endpoint_url {
        builder = builder.endpoint_url(endpoint);
    }
    builder.build()
}
