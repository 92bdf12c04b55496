//! Hostile input: every oddity gets a clear 4xx and nothing is stored.

use integration::TestApp;
use serde_json::json;

fn auth(token: &str, content_type: &str) -> Vec<(String, String)> {
    vec![
        ("authorization".to_string(), format!("Bearer {token}")),
        ("content-type".to_string(), content_type.to_string()),
    ]
}

#[tokio::test]
async fn malformed_bodies_and_queries_are_4xx_and_store_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.scan().await.len();
    let h = auth(&admin.token, "application/json");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (deep.into_bytes(), 400),
        ("[".repeat(200).into_bytes(), 400),
        (vec![0xff, 0xfe, b'{', b'}'], 400),
        (b"{\"email\": \"\xc3\x28\"}".to_vec(), 400),
        (b"null".to_vec(), 422),
        (b"[]".to_vec(), 422),
        (b"".to_vec(), 422),
        (
            format!("{{\"email\": \"{}\"}}", "a".repeat(70_000)).into_bytes(),
            413,
        ),
    ];
    for (body, status) in cases {
        let r = app.raw("POST", "/v1/users", &h, Some(body)).await;
        assert_eq!(r.status, status, "{}", r.text);
        assert!(r.body["error"].is_string());
    }
    let long = "a".repeat(9000);
    let r = app
        .list_users(&admin.token, &format!("search={long}"))
        .await;
    assert_eq!(r.status, 400);
    let r = app.list_users(&admin.token, "limit=5&limit=6").await;
    assert_eq!(r.status, 400);
    let r = app.list_users(&admin.token, "cursor=%00%01").await;
    assert_eq!(r.status, 400);
    let r = app
        .create_workspace(&admin.token, json!({"name": "x\u{0000}y"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(app.scan().await.len(), before, "nothing was stored");
}

#[tokio::test]
async fn parsers_never_panic_on_random_input() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: Vec<char> = "{}[]\":,.-_%+#@ azAZ09\u{0}\u{ff}é€".chars().collect();
    for _ in 0..5000 {
        let len = (next() % 40) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let _ = shared::paging::verify(b"secret-secret-secret", "b", &s);
        let _ = shared::time::parse(&s);
        let _ = shared::types::Email::parse_str(&s);
        let _ = shared::types::Username::parse_str(&s);
        let _ = shared::types::Checksum::parse_str(&s);
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&s) {
            let target = json!({"a": {"b": 1}});
            let _ = shared::document::merged(target.as_object().unwrap().clone(), &v);
            let _ = shared::users::UserInput::parse(v, shared::users::Mode::Merge, false);
        }
    }
}

#[tokio::test]
async fn an_interrupted_delete_is_finished_by_the_next_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let u = app.user(&admin, "halfgone").await;
    app.record_file(&u.token, "me", json!({"checksum": "abc", "size": 3}))
        .await;
    let id = uuid::Uuid::parse_str(&u.id).unwrap();
    let record = app.ctx.store.get_user(id).await.unwrap().unwrap();
    app.ctx.store.begin_delete(&record, &[]).await.unwrap();
    assert!(app.table_mentions(&u.id).await);
    let r = app.delete_user(&admin.token, &u.id).await;
    assert_eq!(r.status, 204);
    assert!(!app.table_mentions(&u.id).await);
    let r = app.delete_user(&admin.token, &u.id).await;
    assert_eq!(r.status, 404);
    app.assert_audit_clean().await;
}

#[tokio::test]
async fn preferences_dynamodb_cannot_store_are_422_not_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let deep = (0..20).fold(json!(1), |acc, _| json!({ "k": acc }));
    for prefs in [
        json!({"": 1}),
        json!({"a": {"": 2}}),
        json!({"n": 1e200}),
        deep,
    ] {
        let r = app
            .update_preferences(&admin.token, json!({ "preferences": prefs }))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        let r = app
            .patch_user(&admin.token, "me", json!({ "settings": prefs }))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
    }
}
