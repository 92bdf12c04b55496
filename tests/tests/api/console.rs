//! The console function: a public page and its embedded assets, with the headers that
//! keep it safe (the data it shows comes from the API, under the person's own token).

use integration::TestApp;

fn csp_of(r: &integration::TestResponse) -> String {
    r.header("content-security-policy")
        .unwrap_or_default()
        .to_string()
}

/// The hashed asset names `index.html` refers to (`src="…"`, `href="…"`).
fn referenced(index: &str) -> Vec<String> {
    index
        .split(['"', '\''])
        .filter(|s| {
            let parts: Vec<&str> = s.split('.').collect();
            parts.len() == 3
                && parts[1].len() == 12
                && parts[1].chars().all(|c| c.is_ascii_hexdigit())
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_console_page_and_its_assets_are_public_and_locked_down() {
    let app = TestApp::spawn().await;

    let r = app.call("GET", "/console", None, None).await;
    assert_eq!(r.status, 308, "{}", r.text);
    assert_eq!(r.header("location"), Some("/console/"));

    for path in ["/console/", "/console/index.html"] {
        let r = app.call("GET", path, None, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        let csp = csp_of(&r);
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{directive} missing from {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        // no inline script or style: every script and stylesheet is a file
        assert!(
            !r.text.contains("<script>") && !r.text.contains("<style"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("<meta name=\"stream-base\" content=\"/\">"),
            "{}",
            r.text
        );
    }

    let index = app.call("GET", "/console/", None, None).await.text;
    let assets = referenced(&index);
    assert!(assets.iter().any(|a| a.ends_with(".js")), "{assets:?}");
    assert!(assets.iter().any(|a| a.ends_with(".css")), "{assets:?}");
    for asset in &assets {
        let r = app
            .call("GET", &format!("/console/{asset}"), None, None)
            .await;
        assert_eq!(r.status, 200, "{asset}: {}", r.text);
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let want = if asset.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            "text/css; charset=utf-8"
        };
        assert_eq!(r.header("content-type"), Some(want), "{asset}");
        assert!(!r.text.is_empty());
    }
    // The script keeps the token in sessionStorage only, and never in a cookie.
    let js = assets.iter().find(|a| a.ends_with(".js")).unwrap();
    let js = app
        .call("GET", &format!("/console/{js}"), None, None)
        .await
        .text;
    assert!(js.contains("sessionStorage"));
    assert!(!js.contains("document.cookie") && !js.contains("localStorage"));

    // unhashed names, unknown names and paths beyond one segment are not served
    for path in [
        "/console/app.js",
        "/console/nope.000000000000.js",
        "/console/a/b",
    ] {
        let r = app.call("GET", path, None, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert_eq!(r.body["error"], "RESOURCE_NOT_FOUND", "{path}");
    }
    // only GET; no query parameters
    let r = app.call("POST", "/console/", None, None).await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), Some("GET"));
    let r = app.call("GET", "/console/?token=x", None, None).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["details"]["parameter"], "token");
    // a token, even a bad one, changes nothing: the page is public
    let r = app
        .call("GET", "/console/", Some("not-a-token"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn only_a_plain_origin_of_the_stream_url_reaches_the_policy() {
    use console::stream_origin;
    assert_eq!(
        stream_origin("https://abc123.lambda-url.eu-west-1.on.aws/").as_deref(),
        Some("https://abc123.lambda-url.eu-west-1.on.aws")
    );
    assert_eq!(
        stream_origin("http://127.0.0.1:9001/x").as_deref(),
        Some("http://127.0.0.1:9001")
    );
    for bad in [
        "",
        "ftp://x",
        "https://",
        "https://a b/",
        "https://x;script-src *",
        "https://x\r\n",
    ] {
        assert_eq!(stream_origin(bad), None, "{bad:?}");
    }
}
