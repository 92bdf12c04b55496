//! What a function builds once per cold start and hands to every invocation.

use std::time::Duration;

use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region};
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

async fn sdk_config(config: &Config) -> aws_sdk_dynamodb::Config {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(1000))
        .operation_attempt_timeout(Duration::from_millis(2500))
        .operation_timeout(Duration::from_millis(6000))
        .build();
    let retries = RetryConfig::standard().with_max_attempts(3);
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(endpoint) = &config.endpoint_url {
        loader = loader.endpoint_url(endpoint);
        // DynamoDB Local accepts any credentials; without this the default chain would
        // probe profile files and instance metadata before giving up.
        if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
            loader = loader.credentials_provider(aws_credential_types::Credentials::from_keys(
                "local", "local", None,
            ));
        }
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            loader = loader.region(Region::new("us-east-1"));
        }
    }
    let shared = loader.load().await;
    aws_sdk_dynamodb::config::Builder::from(&shared).build()
}
