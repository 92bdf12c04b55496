//! No response and no log line carries a password, a token, a password hash, a token
//! hash or a cursor.

use std::io::Write;
use std::sync::{Arc, Mutex};

use integration::TestApp;
use serde_json::json;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_and_responses_hold_no_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    shared::run::init_tracing_to(move || writer.clone());
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut bodies = String::new();
    let mut secrets = vec![admin.token.clone(), shared::auth::hash_token(&admin.token)];
    let password = "very-secret-password-1";
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "s@example.com", "username": "sec", "password": password}),
        )
        .await;
    bodies.push_str(&r.text);
    let r = app
        .auth_login(json!({"login": "sec", "password": password}))
        .await;
    bodies.push_str(&r.text);
    let token = r.body["token"].as_str().unwrap().to_string();
    secrets.push(shared::auth::hash_token(&token));
    let r = app
        .auth_login(json!({"login": "sec", "password": "wrong-password-9"}))
        .await;
    bodies.push_str(&r.text);
    let r = app
        .change_password(&token, password, "another-secret-2")
        .await;
    bodies.push_str(&r.text);
    let r = app.list_users(&admin.token, "limit=1").await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    let r = app
        .list_users(&admin.token, &format!("limit=1&cursor={cursor}"))
        .await;
    bodies.push_str(&r.text);
    let stored = app.ctx.store.user_by_login("sec").await.unwrap().unwrap();
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.matches("\"status\":").count() >= 6,
        "the request log lines are captured"
    );
    for s in secrets.iter().chain(
        [
            password.to_string(),
            "another-secret-2".into(),
            "wrong-password-9".into(),
            stored.password_hash.clone(),
            cursor.clone(),
            token.clone(),
        ]
        .iter(),
    ) {
        assert!(
            !logs.contains(s.as_str()),
            "log holds a secret: {}",
            &s[..6.min(s.len())]
        );
        assert!(
            !bodies.contains(s.as_str()) || s == &token,
            "response holds a secret"
        );
    }
    assert!(!bodies.contains("$argon2"));
    assert!(!bodies.contains("password_hash"));
}

#[tokio::test]
async fn the_admin_cli_plants_no_credentials_in_someone_elses_table_or_account() {
    let app = TestApp::spawn().await;
    // an empty table may take the sample fixtures from anywhere; a used one only locally
    admin::samples::check_seedable(&app.ctx, false)
        .await
        .expect("an empty table is seedable");
    let admin_user = app.admin().await;
    let e = admin::samples::check_seedable(&app.ctx, false)
        .await
        .unwrap_err();
    assert!(e.contains("refusing"), "{e}");
    admin::samples::check_seedable(&app.ctx, true)
        .await
        .expect("a local endpoint is seedable");
    // create-admin never takes over a user who is not an admin
    let user = app.user(&admin_user, "plain").await;
    let e = admin::users::ensure_admin(&app.ctx, &user.email, "password-123")
        .await
        .unwrap_err();
    assert!(e.contains("not an admin"), "{e}");
    let r = app.get_user(&admin_user.token, &user.id).await;
    assert_eq!(r.body["roles"], serde_json::json!(["user"]), "{}", r.text);
    let email = admin_user.email.clone();
    let (again, created) = admin::users::ensure_admin(&app.ctx, &email, "admin-password")
        .await
        .expect("an existing admin is fine");
    assert!(!created);
    assert_eq!(again.user_id.to_string(), admin_user.id);
}
