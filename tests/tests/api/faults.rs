//! With the database unreachable every request answers 503 with `Retry-After`, well
//! inside the 10 s function timeout.

use std::time::{Duration, Instant};

use integration::TestApp;
use serde_json::json;

#[tokio::test]
async fn unreachable_database_is_503_with_retry_after() {
    let app = TestApp::unreachable().await;
    let token = shared::auth::token_of(uuid::Uuid::new_v4(), &"a".repeat(43));
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

/// A DynamoDB Local of this test's own, on disk so it can be stopped and started again.
struct OwnDynamo {
    child: std::process::Child,
    port: u16,
}

impl OwnDynamo {
    fn start(port: u16, dir: &std::path::Path) -> OwnDynamo {
        let jar = std::env::var("DYNAMODB_JAR")
            .expect("DYNAMODB_JAR (set by make test) names DynamoDBLocal.jar");
        let lib = std::path::Path::new(&jar)
            .parent()
            .unwrap()
            .join("DynamoDBLocal_lib");
        let child = std::process::Command::new("java")
            .arg(format!("-Djava.library.path={}", lib.display()))
            .args(["-jar", &jar, "-port", &port.to_string(), "-dbPath"])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("java");
        for _ in 0..1200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        OwnDynamo { child, port }
    }

    fn stop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for OwnDynamo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_stopped_mid_load_gives_503s_and_leaves_nothing_half_done() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("ddb-fault-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut db = OwnDynamo::start(port, &dir);
    let app = TestApp::spawn_at(&format!("http://127.0.0.1:{}", db.port)).await;
    let admin = app.admin().await;
    let ws = app.workspace(&admin, "faulty").await;
    let load = async {
        let mut statuses = Vec::new();
        for i in 0..60 {
            let name = format!("load{i:03}");
            let body = json!({"email": format!("{name}@example.com"), "username": name, "password": "password-123"});
            let r = app.create_user(Some(&admin.token), body).await;
            statuses.push(r.status);
            if r.status == 201 {
                let id = r.body["user_id"].as_str().unwrap().to_string();
                let m = app.put_member(&admin.token, &ws, &id, "viewer").await;
                statuses.push(m.status);
                let f = app
                    .record_file(&admin.token, &id, json!({"checksum": "x", "size": 5}))
                    .await;
                statuses.push(f.status);
            }
        }
        statuses
    };
    let fault = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        db.stop();
        tokio::time::sleep(Duration::from_secs(3)).await;
        db = OwnDynamo::start(port, &dir);
    };
    let (statuses, ()) = futures::join!(load, fault);
    assert!(statuses.contains(&503), "the outage was seen: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| [200, 201, 409, 503, 404, 401].contains(s)),
        "{statuses:?}"
    );
    assert!(!statuses.contains(&500));
    app.assert_audit_clean().await;
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
