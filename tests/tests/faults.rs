//! With the database unreachable every request answers 503 with `Retry-After`, well
//! inside the 10 s function timeout.

use std::time::{Duration, Instant};

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn unreachable_database_is_503_with_retry_after() {
    let app = TestApp::unreachable().await;
    let token = format!("ust_{}", "a".repeat(43));
    let cases = [
        ("GET", "/v1/users/me", Some(token.as_str()), None),
        (
            "POST",
            "/v1/auth/token",
            None,
            Some(json!({"login": "x@example.com", "password": "password-123"})),
        ),
        ("GET", "/api/user/", Some(token.as_str()), None),
    ];
    for (method, path, tok, body) in cases {
        let started = Instant::now();
        let r = app.call(method, path, tok, body).await;
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(r.status, 503, "{method} {path}: {}", r.text);
        assert_eq!(r.body["error"], "SERVICE_UNAVAILABLE");
        assert_eq!(r.header("retry-after"), Some("1"));
    }
}
