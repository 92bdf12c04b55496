//! Login, tokens, creating and reading users.

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn login_gives_a_bearer_token_that_works_and_logout_revokes_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let jane = app.user(&admin, "jane").await;
    let me = app.get_me(&jane.token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["username"], "jane");
    assert!(me.body["last_login"].is_string());
    assert!(me.body.get("password_hash").is_none());
    let r = app.auth_logout(&jane.token).await;
    assert_eq!(r.status, 204);
    let r = app.get_me(&jane.token).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "AUTHENTICATION_FAILED");
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\", error_description=\"The token is unknown or has been revoked; log in again\"")
    );
}

#[tokio::test]
async fn token_scheme_is_accepted_and_garbage_is_401() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let headers = vec![(
        "authorization".to_string(),
        format!("Token {}", admin.token),
    )];
    let r = app.raw("GET", "/v1/users/me", &headers, None).await;
    assert_eq!(r.status, 200);
    // Each refusal says why (details.reason) and challenges as RFC 6750 says.
    for (bad, reason) in [
        ("Bearer nope", "malformed_token"),
        ("Basic abc", "malformed_token"),
        ("Bearer", "malformed_token"),
        (&format!("Basic {}", admin.token)[..], "malformed_token"),
        // The format before tokens named their user.
        (
            "Bearer ust_0000000000000000000000000000000000000000000",
            "malformed_token",
        ),
        (
            &format!(
                "Bearer {}",
                shared::auth::token_of(admin.id.parse().unwrap(), &"A".repeat(43))
            )[..],
            "invalid_token",
        ),
    ] {
        let r = app
            .raw(
                "GET",
                "/v1/users/me",
                &[("authorization".into(), bad.into())],
                None,
            )
            .await;
        assert_eq!(r.status, 401, "{bad}");
        assert_eq!(r.body["error"], "AUTHENTICATION_FAILED");
        assert_eq!(r.body["details"]["reason"], reason, "{bad}");
        assert!(r.body["request_id"].is_string());
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
            "{challenge}"
        );
    }
    let r = app.call("GET", "/v1/users/me", None, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["details"]["reason"], "missing_token");
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"api\""));
    // A revoked token is invalid_token too.
    let token = app.login(&admin.username, "admin-password").await;
    assert_eq!(app.auth_logout(&token).await.status, 204);
    let r = app.get_me(&token).await;
    assert_eq!(r.body["details"]["reason"], "invalid_token", "{}", r.text);
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow_and_unknown_paths_404() {
    let app = TestApp::spawn().await;
    let r = app.call("PATCH", "/v1/auth/token", None, None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["error"], "METHOD_NOT_ALLOWED");
    assert_eq!(r.header("allow"), Some("DELETE, POST"));
    let r = app.call("GET", "/v1/nothing-here", None, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"], "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn wrong_login_and_wrong_password_are_the_same_401_and_disabled_is_403() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let bob = app.user(&admin, "bob").await;
    let a = app
        .auth_login(json!({"login": "bob", "password": "wrong-password"}))
        .await;
    let b = app
        .auth_login(json!({"login": "nobody", "password": "wrong-password"}))
        .await;
    assert_eq!((a.status, b.status), (401, 401));
    assert_eq!(a.body["message"], b.body["message"]);
    let r = app
        .patch_user(&admin.token, &bob.id, json!({"status": "suspended"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_me(&bob.token).await;
    assert_eq!(r.status, 401, "suspension revokes tokens");
    let r = app
        .auth_login(json!({"login": "bob@example.com", "password": "password-123"}))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["error"], "ACCOUNT_DISABLED");
}

#[tokio::test]
async fn create_user_validates_and_reports_every_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "bad", "username": "x", "extra": 1}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"], "VALIDATION_ERROR");
    let locs: Vec<String> = r.body["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["loc"][1].as_str().unwrap().to_string())
        .collect();
    assert_eq!(locs, vec!["email", "username", "password", "extra"]);
    let r = app
        .send(
            "POST",
            "/v1/users",
            &admin.token,
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .send(
            "POST",
            "/v1/users",
            &admin.token,
            "text/plain",
            b"hi".to_vec(),
        )
        .await;
    assert_eq!(r.status, 415);
    let big = vec![b' '; 70 * 1024];
    let r = app
        .send("POST", "/v1/users", &admin.token, "application/json", big)
        .await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn create_user_sets_location_and_etag_and_duplicates_are_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({"email": "Ann@Example.com", "username": "Ann", "password": "password-123"});
    let r = app.create_user(Some(&admin.token), body).await;
    assert_eq!(r.status, 201);
    let id = r.body["user_id"].as_str().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/users/{id}").as_str())
    );
    assert_eq!(r.header("etag"), Some("W/\"1\""));
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "ann@example.COM", "username": "other", "password": "password-123"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["details"]["field"], "email");
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "x@example.com", "username": "ANN", "password": "password-123"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["details"]["field"], "username");
}

#[tokio::test]
async fn only_admins_create_users_unless_signup_is_enabled() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let joe = app.user(&admin, "joe").await;
    let body = json!({"email": "z@example.com", "username": "zed", "password": "password-123"});
    let r = app.create_user(None, body.clone()).await;
    assert_eq!(r.status, 401);
    let r = app.create_user(Some(&joe.token), body.clone()).await;
    assert_eq!(r.status, 403);
    // Global roles are user, admin and operator: a typo is refused, not stored.
    let mut typo = body.clone();
    typo["roles"] = json!(["opertor"]);
    let r = app.create_user(Some(&admin.token), typo).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.body["details"]["errors"][0]["loc"][1], "roles",
        "{}",
        r.text
    );
    let open = TestApp::spawn_with(|c| c.signup_enabled = true).await;
    let r = open.create_user(None, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = open
        .create_user(
            None,
            json!({"email": "y@example.com", "username": "yan", "password": "password-123", "roles": ["admin"]}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["details"]["field"], "roles");
}

/// A login moves the user's sessions, not its representation's version: the ETag and a
/// body read before another login still serve a conditional `PUT`, which keeps the new
/// token.
#[tokio::test]
async fn a_login_elsewhere_leaves_the_etag_and_a_read_body_good() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "roamer").await;
    let read = app.get_me(&u.token).await;
    let etag = read.header("etag").expect("etag").to_string();
    let other_device = app.login("roamer", "password-123").await;
    let again = app.get_me(&u.token).await;
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_ne!(again.body["last_login"], read.body["last_login"]);
    let mut body = read.body.clone();
    body["bio"] = json!("moved here");
    let json_body = body.to_string().into_bytes();
    let headers = [
        ("authorization".to_string(), format!("Bearer {}", u.token)),
        ("content-type".to_string(), "application/json".to_string()),
        ("if-match".to_string(), etag),
    ];
    let r = app
        .raw("PUT", "/v1/users/me", &headers, Some(json_body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["bio"], "moved here");
    // Both logins still work: the write did not drop the one it had not read.
    assert_eq!(app.get_me(&other_device).await.status, 200);
    assert_eq!(app.get_me(&u.token).await.status, 200);
    app.assert_audit_clean().await;
}

/// Login tries a name as an email first: a username may not be another user's email,
/// nor an email another user's username (else one of the two could not log in by it).
/// One user's own username may be its email, as identity providers set them.
#[tokio::test]
async fn a_login_name_belongs_to_one_user() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ann = app.user(&admin, "ann").await; // ann@example.com
    let body = |email: &str, username: &str| json!({"email": email, "username": username, "password": "password-123"});
    let r = app
        .create_user(Some(&admin.token), body("bob@example.com", &ann.email))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "username", "{}", r.text);
    let r = app
        .create_user(Some(&admin.token), body("cy@example.com", "cy@example.com"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let cy = r.body["user_id"].as_str().unwrap().to_string();
    let r = app
        .create_user(Some(&admin.token), body("CY@example.com", "dee"))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["details"]["field"], "email", "{}", r.text);
    // A change meets the same rule; swapping one's own names is fine.
    let r = app
        .patch_user(&admin.token, &ann.id, json!({"email": "cy@example.com"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app
        .patch_user(&admin.token, &ann.id, json!({"username": "cy@example.com"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app
        .patch_user(
            &admin.token,
            &cy,
            json!({"email": "cy2@example.com", "username": "cy2@example.com"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .patch_user(&admin.token, &cy, json!({"username": "cyd"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .patch_user(&admin.token, &ann.id, json!({"username": "cy@example.com"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.login("cy@example.com", "password-123").await;
    app.login("cy2@example.com", "password-123").await;
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn fifty_concurrent_creates_with_one_email_make_exactly_one_user() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let calls = (0..50).map(|i| {
        let body = json!({"email": "race@example.com", "username": format!("racer{i}"), "password": "password-123"});
        app.create_user(Some(&admin.token), body)
    });
    let results = futures::future::join_all(calls).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 49));
    let guards = app
        .scan()
        .await
        .into_iter()
        .filter(|i| i["PK"].as_s().unwrap() == "EMAIL#race@example.com")
        .count();
    assert_eq!(guards, 1);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn users_outside_shared_workspaces_are_404_and_co_members_visible() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.user(&admin, "alice").await;
    let b = app.user(&admin, "bruno").await;
    assert_eq!(app.get_user(&a.token, &b.id).await.status, 404);
    let ws = app.workspace(&a, "team").await;
    app.add_member(&a, &ws, &b, "viewer").await;
    let r = app.get_user(&a.token, &b.id).await;
    assert_eq!(r.status, 200);
    assert!(r.header("etag").is_some());
    assert_eq!(app.get_user(&a.token, "not-a-uuid").await.status, 404);
    assert_eq!(app.get_user(&admin.token, &b.id).await.status, 200);
}

#[tokio::test]
async fn repeated_failed_logins_are_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.login_max_failures = 3).await;
    app.start_login_window();
    let admin = app.admin().await;
    app.user(&admin, "target").await;
    let wrong = json!({"login": "target", "password": "wrong-password"});
    for _ in 0..3 {
        let r = app.auth_login(wrong.clone()).await;
        assert_eq!(r.status, 401);
    }
    let right = json!({"login": "target", "password": "password-123"});
    let r = app.auth_login(right).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["error"], "RATE_LIMIT_EXCEEDED");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 900);
    let other = json!({"login": admin.username, "password": "admin-password"});
    assert_eq!(app.auth_login(other).await.status, 201);
    // The email names the same account: blocked too.
    let by_email = json!({"login": "target@example.com", "password": "password-123"});
    assert_eq!(app.auth_login(by_email.clone()).await.status, 429);
    // The rightful owner from another address is never locked out.
    let r = app
        .call_from("198.51.100.9", "POST", "/v1/auth/token", by_email)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn parallel_wrong_guesses_are_all_counted() {
    let app = TestApp::spawn_with(|c| c.login_max_failures = 10).await;
    app.start_login_window();
    let admin = app.admin().await;
    app.user(&admin, "parallel").await;
    let wrong = json!({"login": "parallel", "password": "wrong-password"});
    let guesses =
        (0..20).map(|_| app.call_from("203.0.113.20", "POST", "/v1/auth/token", wrong.clone()));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((refused, limited), (10, 10), "{statuses:?}");
}

#[tokio::test]
async fn failed_logins_from_one_address_are_429_whatever_the_login() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 100;
        c.ip_max_failures = 3;
    })
    .await;
    app.start_login_window();
    let admin = app.admin().await;
    app.user(&admin, "sprayed").await;
    let login = |name: &str, password: &str| json!({"login": name, "password": password});
    // Three wrong passwords, each for a different login, from one address.
    for name in ["sprayed", "no-such-user", admin.username.as_str()] {
        let r = app
            .call_from(
                "203.0.113.7",
                "POST",
                "/v1/auth/token",
                login(name, "wrong-password"),
            )
            .await;
        assert_eq!(r.status, 401, "{name}");
    }
    // That address is now refused, even with the right password...
    let r = app
        .call_from(
            "203.0.113.7",
            "POST",
            "/v1/auth/token",
            login("sprayed", "password-123"),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["error"], "RATE_LIMIT_EXCEEDED");
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    // ...while another address, and the same logins, are not.
    let r = app
        .call_from(
            "198.51.100.20",
            "POST",
            "/v1/auth/token",
            login("sprayed", "password-123"),
        )
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn expired_tokens_are_401_and_responses_are_not_cached() {
    let app = TestApp::spawn_with(|c| c.token_ttl_seconds = 3).await;
    let admin = app.admin().await;
    let r = app.get_me(&admin.token).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    app.advance_clock(std::time::Duration::from_secs(4));
    let r = app.get_me(&admin.token).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["details"]["reason"], "expired_token");
    assert!(r
        .header("www-authenticate")
        .unwrap_or_default()
        .contains("error=\"invalid_token\""));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_token_holds_only_for_the_user_it_names_and_its_session() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.user(&admin, "alice").await;
    let b = app.user(&admin, "bob").await;
    assert_eq!(app.get_me(&a.token).await.status, 200);
    // `ust_<32 hex>` and the secret after the `_` that follows.
    let (a_head, a_secret) = (&a.token[..36], &a.token[37..]);
    let (b_head, b_secret) = (&b.token[..36], &b.token[37..]);
    // The id swapped for another user's, or the secret for another token's: unknown.
    for forged in [
        format!("{b_head}_{a_secret}"),
        format!("{a_head}_{b_secret}"),
    ] {
        let r = app.get_me(&forged).await;
        assert_eq!(r.status, 401, "{forged}");
        assert_eq!(r.body["details"]["reason"], "invalid_token");
    }
    // A session epoch moved on (suspension) revokes every token of the user.
    let r = app
        .patch_user(&admin.token, &a.id, json!({"status": "suspended"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .patch_user(&admin.token, &a.id, json!({"status": "active"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_me(&a.token).await;
    assert_eq!(
        (r.status, r.body["details"]["reason"].clone()),
        (401, json!("invalid_token"))
    );
    // A fresh login works again, and names its user.
    let token = app.login("alice", "password-123").await;
    assert!(token.starts_with(&format!("ust_{}_", a.id.replace('-', ""))));
    assert_eq!(app.get_me(&token).await.status, 200);
}

#[tokio::test]
async fn authenticated_reads_that_depend_on_the_path_take_one_round_trip() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    let u = app.user(&admin, "roundtrip").await;
    let ws = app.workspace(&admin, "one-trip").await;
    let calls = || app.ctx.store.usage().calls;
    let mut trips = Vec::new();
    for (name, path) in [
        ("get-me", "/v1/users/me".to_string()),
        ("get-user", format!("/v1/users/{}", u.id)),
        ("get-workspace", format!("/v1/workspaces/{ws}")),
        (
            "studio-storage-used",
            "/api/user/get_storage_used/".to_string(),
        ),
    ] {
        let before = calls();
        let r = app.call("GET", &path, Some(&admin.token), None).await;
        assert_eq!(r.status, 200, "{name}: {}", r.text);
        trips.push((name, calls() - before));
    }
    assert!(trips.iter().all(|(_, n)| *n == 1), "{trips:?}");
    // A refused token costs the same one round trip.
    let before = calls();
    let forged = shared::auth::token_of(u.id.parse().unwrap(), &"A".repeat(43));
    assert_eq!(app.get_me(&forged).await.status, 401);
    assert_eq!(calls() - before, 1);
}

/// The round trips `get-me` takes with `token`, and its status.
async fn me_trips(app: &TestApp, token: &str) -> (u16, u64) {
    let before = app.ctx.store.usage().calls;
    let status = app.get_me(token).await.status;
    (status, app.ctx.store.usage().calls - before)
}

#[tokio::test]
async fn tokens_past_the_profiles_sessions_get_items_and_hold_the_same() {
    let app = TestApp::spawn_with(|c| {
        c.measure_capacity = true;
        c.token_ttl_seconds = 3600;
    })
    .await;
    let admin = app.admin().await;
    let u = app.user(&admin, "manylogins").await;
    let max = shared::model::MAX_PROFILE_SESSIONS;
    // `u.token` is the first session; fill the profile, then spill three.
    let mut tokens = vec![u.token.clone()];
    for _ in 0..max + 2 {
        tokens.push(app.login("manylogins", "password-123").await);
    }
    let trips: Vec<_> = trips_of(&app, &tokens).await;
    let (held, spilled) = trips.split_at(max);
    assert!(held.iter().all(|t| *t == (200, 1)), "{trips:?}");
    assert!(spilled.iter().all(|t| *t == (200, 2)), "{trips:?}");
    // With token items about, an unknown token is looked for there too: still 401.
    let forged = shared::auth::token_of(u.id.parse().unwrap(), &"A".repeat(43));
    assert_eq!(me_trips(&app, &forged).await, (401, 2));
    // Logging out revokes just that token, wherever it is kept.
    for gone in [&tokens[1], &tokens[max + 1]] {
        assert_eq!(app.auth_logout(gone).await.status, 204);
        assert_eq!(app.get_me(gone).await.status, 401);
    }
    assert_eq!(me_trips(&app, &tokens[0]).await, (200, 1));
    assert_eq!(me_trips(&app, &tokens[max]).await, (200, 2));
    // The logout made room in the profile: the next login is held there.
    let next = app.login("manylogins", "password-123").await;
    assert_eq!(me_trips(&app, &next).await, (200, 1));
    // A password change made with a token item keeps that token and revokes the rest.
    let keep = &tokens[max + 2];
    let r = app
        .change_password(keep, "password-123", "new-password-1")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(me_trips(&app, keep).await, (200, 2));
    for t in tokens.iter().filter(|t| *t != keep).chain([&next]) {
        assert_eq!(app.get_me(t).await.status, 401, "{t}");
    }
    // One from the profile is kept the same way, and is still read with the profile.
    let first = app.login("manylogins", "new-password-1").await;
    let r = app
        .change_password(&first, "new-password-1", "new-password-2")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get_me(keep).await.status, 401);
    // No token items of the current epoch remain: unknown tokens cost one read again.
    assert_eq!(me_trips(&app, &first).await, (200, 1));
    assert_eq!(me_trips(&app, &forged).await, (401, 1));
    app.assert_audit_clean().await;
}

/// `me_trips` for each token, in order.
async fn trips_of(app: &TestApp, tokens: &[String]) -> Vec<(u16, u64)> {
    let mut out = Vec::new();
    for t in tokens {
        out.push(me_trips(app, t).await);
    }
    out
}

#[tokio::test]
async fn spilled_tokens_expire_and_suspension_revokes_both_kinds() {
    let app = TestApp::spawn_with(|c| c.token_ttl_seconds = 60).await;
    let admin = app.admin().await;
    let u = app.user(&admin, "spiller").await;
    let mut tokens = vec![u.token.clone()];
    for _ in 0..shared::model::MAX_PROFILE_SESSIONS {
        tokens.push(app.login("spiller", "password-123").await);
    }
    let (held, spilled) = (
        tokens[0].clone(),
        tokens.last().cloned().unwrap_or_default(),
    );
    for t in [&held, &spilled] {
        assert_eq!(app.get_me(t).await.status, 200);
    }
    let r = app
        .patch_user(&admin.token, &u.id, json!({"status": "suspended"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .patch_user(&admin.token, &u.id, json!({"status": "active"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for t in [&held, &spilled] {
        let r = app.get_me(t).await;
        assert_eq!(
            (r.status, r.body["details"]["reason"].clone()),
            (401, json!("invalid_token"))
        );
    }
    // Expired sessions make room at the next login; a spilled token expires the same.
    let mut fresh = Vec::new();
    for _ in 0..=shared::model::MAX_PROFILE_SESSIONS {
        fresh.push(app.login("spiller", "password-123").await);
    }
    app.advance_clock(std::time::Duration::from_secs(61));
    for t in [&fresh[0], fresh.last().unwrap_or(&held)] {
        let r = app.get_me(t).await;
        assert_eq!(
            (r.status, r.body["details"]["reason"].clone()),
            (401, json!("expired_token"))
        );
    }
    let again = app.login("spiller", "password-123").await;
    assert_eq!(app.get_me(&again).await.status, 200);
    let profile = app
        .ctx
        .store
        .get_user(u.id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.sessions.len(), 1, "expired sessions were dropped");
}

#[tokio::test]
async fn a_profile_write_from_before_a_logout_does_not_bring_the_token_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "stale").await;
    let id = u.id.parse().unwrap();
    let before = app.ctx.store.get_user(id).await.unwrap().unwrap();
    assert_eq!(before.sessions.len(), 1);
    assert_eq!(app.auth_logout(&u.token).await.status, 204);
    // A change decided from the profile as it was before the logout.
    let written = app
        .ctx
        .store
        .update_user(before, |current| {
            let mut user = current.clone();
            user.bio = Some("written late".into());
            Ok(shared::store::UserChange {
                user,
                activities: vec![],
                keep_token: None,
            })
        })
        .await
        .unwrap();
    assert!(written.sessions.is_empty());
    assert_eq!(app.get_me(&u.token).await.status, 401);
}

#[tokio::test]
async fn email_shaped_usernames_are_kept_and_log_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "jane@example.com", "username": "Jane.Doe+it@corp.example",
                   "password": "password-123"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["username"], "Jane.Doe+it@corp.example");
    // By the username (it has an `@`, and is not the email), and by the email.
    for login in ["jane.doe+it@corp.example", "JANE@example.com"] {
        let r = app
            .auth_login(json!({"login": login, "password": "password-123"}))
            .await;
        assert_eq!(r.status, 201, "{login}: {}", r.text);
    }
    let r = app
        .create_user(
            Some(&admin.token),
            json!({"email": "other@example.com", "username": "JANE.DOE+IT@corp.example",
                   "password": "password-123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["details"]["field"].clone()),
        (409, json!("username"))
    );
}

/// A failed login costs the same DynamoDB requests whether or not the login names an
/// account, so timing or capacity does not tell which names exist.
#[tokio::test]
async fn known_and_unknown_logins_cost_the_same_requests() {
    let app = TestApp::spawn_with(|c| c.measure_capacity = true).await;
    let admin = app.admin().await;
    app.user(&admin, "known").await;
    let mut costs = Vec::new();
    for login in [
        "known",
        "unknown",
        "known@example.com",
        "unknown@example.com",
    ] {
        let before = app.ctx.store.usage();
        let r = app
            .auth_login(json!({"login": login, "password": "wrong-password"}))
            .await;
        assert_eq!(r.status, 401, "{}", r.text);
        // (the read units differ with the size of what is found, which no client sees)
        costs.push(app.ctx.store.usage().since(before).calls);
    }
    assert!(costs.iter().all(|c| *c == costs[0]), "{costs:?}");
}

#[tokio::test]
async fn concurrent_logins_of_one_user_all_get_working_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.user(&admin, "crowded").await;
    // Ten at once: the most the account's attempt limit lets in flight together.
    let logins =
        (0..10).map(|_| app.auth_login(json!({"login": "crowded", "password": "password-123"})));
    let answers = futures::future::join_all(logins).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    let bodies: Vec<&str> = answers.iter().map(|r| r.text.as_str()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "{statuses:?} {bodies:?}"
    );
    for r in &answers {
        let token = r.body["token"].as_str().unwrap_or_default();
        assert_eq!(app.get_me(token).await.status, 200);
    }
    // They may all have landed in the profile (each decided from the one it read); the
    // next login finds it past the bound and gets an item of its own, which works.
    let next = app.login("crowded", "password-123").await;
    assert_eq!(app.get_me(&next).await.status, 200);
    app.assert_audit_clean().await;
}
