//! Provisioning tokens: managed by global admins, shown once, stored hashed, refused
//! outside `/scim/v2` (and user tokens refused there).

use integration::TestApp;
use serde_json::json;
use shared::Request;

fn bearer(token: &str) -> Request {
    http::Request::builder()
        .uri("http://localhost/scim/v2/Users")
        .header("authorization", format!("Bearer {token}"))
        .body(lambda_http::Body::Empty)
        .unwrap()
}

#[tokio::test]
async fn provisioning_tokens_are_shown_once_and_work_only_for_scim() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user(&admin, "plain").await;

    let r = app
        .create_provisioning_token(&user.token, json!({"name": "Okta"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.body["details"]["required_permission"],
        "provisioning:write"
    );
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "x", "scope": "all"}),
    ] {
        let r = app
            .create_provisioning_token(&admin.token, bad.clone())
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let r = app
        .create_provisioning_token(&admin.token, json!({"name": "Okta"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_string();
    let tid = r.body["token_id"].as_str().unwrap().to_string();
    assert!(token.starts_with("scim_") && token.len() > 70, "{token}");
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/provisioning-tokens/{tid}").as_str())
    );
    // stored hashed: the secret appears nowhere in the table, nor in the listing
    assert!(!app.table_mentions(&token).await);
    let r = app.list_provisioning_tokens(&admin.token, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["provisioning_tokens"][0]["name"], "Okta");
    assert!(
        !r.text.contains(&token) && !r.text.contains("hash"),
        "{}",
        r.text
    );
    assert_eq!(
        app.list_provisioning_tokens(&user.token, "").await.status,
        403
    );

    // it works under /scim/v2 only; a user's login token does not
    let idp = shared::auth::authenticate_provisioner(&app.ctx, &bearer(&token))
        .await
        .expect("the provisioning token");
    assert_eq!(idp.name, "Okta");
    assert_eq!(idp.token_id.to_string(), tid);
    for wrong in [user.token.as_str(), admin.token.as_str(), "scim_garbage"] {
        let e = shared::auth::authenticate_provisioner(&app.ctx, &bearer(wrong))
            .await
            .unwrap_err();
        assert_eq!(e.status.as_u16(), 401, "{wrong}");
    }
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let e = shared::auth::authenticate_provisioner(&app.ctx, &bearer(&forged))
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 401);
    let r = app.call("GET", "/v1/users/me", Some(&token), None).await;
    assert_eq!(r.status, 401, "{}", r.text);

    // revoked: 204, then 404, and the IdP is refused
    assert_eq!(
        app.revoke_provisioning_token(&user.token, &tid)
            .await
            .status,
        403
    );
    assert_eq!(
        app.revoke_provisioning_token(&admin.token, &tid)
            .await
            .status,
        204
    );
    assert_eq!(
        app.revoke_provisioning_token(&admin.token, &tid)
            .await
            .status,
        404
    );
    let e = shared::auth::authenticate_provisioner(&app.ctx, &bearer(&token))
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 401);
    let kinds = app.feed_types(&admin.token).await;
    for kind in ["provisioning_token.created", "provisioning_token.revoked"] {
        assert!(kinds.iter().any(|k| k == kind), "{kinds:?}");
    }
    app.assert_audit_clean().await;
}
