//! What a function builds once per cold start and hands to every invocation.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::config::{
    retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region,
};
use aws_sdk_dynamodb::Client;
pub use aws_smithy_http_client::tls;

use crate::config::Config;
use crate::store::Store;
use crate::time::Clock;

/// Config, clock and store; built outside the handler, shared by all requests.
pub struct Ctx {
    pub config: Config,
    /// What "now" is; the store stamps changes with the same clock.
    pub clock: Clock,
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
        Ctx::with_client(config, client)
    }

    /// A context on a client built elsewhere (the admin CLI's, which resolves
    /// credentials and region the way operators expect).
    pub fn with_client(config: Config, client: Client) -> Ctx {
        let clock = Clock::system();
        let store = Store::new(client, &config, clock.clone());
        Ctx {
            config,
            clock,
            store,
        }
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
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let https = https_client(trust_store(config.endpoint_url.as_deref(), &region));
    // DynamoDB Local accepts any credentials; a deployed function always has its role's.
    let credentials = Credentials::new(
        var("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "local".into()),
        var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "local".into()),
        var("AWS_SESSION_TOKEN"),
        None,
        "environment",
    );
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

/// The HTTPS client of every AWS call: one TLS stack, rustls with the `ring` provider,
/// trusting `trust`. The admin CLI builds its `aws-config` chain on it too, so no second
/// TLS stack is compiled in.
pub fn https_client(trust: tls::TrustStore) -> SharedHttpClient {
    let tls_context = tls::TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(tls_context)
        .build_https()
}

/// The roots every DynamoDB endpoint's certificate chains to (Amazon Root CA 1-4 and
/// Starfield Services Root G2), compiled in.
const AMAZON_ROOTS: &str = include_str!("../certs/amazon-roots.pem");

/// Which certificates the client trusts. Talking to DynamoDB in the commercial and
/// GovCloud partitions (no endpoint override, or an `amazonaws.com` one) it trusts
/// only Amazon's roots, five certificates parsed in microseconds. The system's
/// bundle (about 150 certificates, read and parsed at every cold start: 4 ms of a
/// 6 ms start in `make bench`) is kept for what may chain elsewhere: another
/// partition (`cn-` regions) or a non-AWS https endpoint. A plain-http endpoint
/// (DynamoDB Local) uses no TLS at all.
fn trust_store(endpoint_url: Option<&str>, region: &str) -> tls::TrustStore {
    if amazon_roots_suffice(endpoint_url, region) {
        tls::TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AMAZON_ROOTS.as_bytes())
    } else {
        tls::TrustStore::default()
    }
}

/// Whether the endpoint is DynamoDB's own (or plain http, where roots play no part).
fn amazon_roots_suffice(endpoint_url: Option<&str>, region: &str) -> bool {
    if region.starts_with("cn-") {
        return false;
    }
    let Some(url) = endpoint_url else {
        return true;
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("http") {
        return true;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    host.ends_with(".amazonaws.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_five_certificates() {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::CertificateDer;
        let certs: Vec<_> = CertificateDer::pem_slice_iter(AMAZON_ROOTS.as_bytes())
            .collect::<Result<_, _>>()
            .expect("valid PEM");
        assert_eq!(certs.len(), 5);
        let mut roots = rustls::RootCertStore::empty();
        let (valid, invalid) = roots.add_parsable_certificates(certs);
        assert_eq!((valid, invalid), (5, 0));
    }

    #[test]
    fn amazon_roots_only_where_the_endpoint_is_amazon() {
        let yes = [
            (None, "eu-west-1"),
            (None, "us-gov-west-1"),
            (Some("http://127.0.0.1:8000"), "us-east-1"),
            (
                Some("https://dynamodb.eu-west-1.amazonaws.com"),
                "eu-west-1",
            ),
            (
                Some("HTTPS://DynamoDB.us-east-1.AmazonAWS.com:443/"),
                "us-east-1",
            ),
        ];
        for (url, region) in yes {
            assert!(amazon_roots_suffice(url, region), "{url:?} {region}");
        }
        let no = [
            (None, "cn-north-1"),
            (
                Some("https://dynamodb.cn-north-1.amazonaws.com.cn"),
                "cn-north-1",
            ),
            (Some("https://ddb.example.com"), "us-east-1"),
            (Some("https://amazonaws.com.evil.example/"), "us-east-1"),
            (Some("https://x.amazonaws.com@evil.example/"), "us-east-1"),
            (Some("dynamodb.us-east-1.amazonaws.com"), "us-east-1"),
        ];
        for (url, region) in no {
            assert!(!amazon_roots_suffice(url, region), "{url:?} {region}");
        }
    }
}
