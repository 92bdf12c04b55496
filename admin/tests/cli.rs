//! The admin CLI finds credentials and region the way operators expect: through
//! `aws-config`'s provider chain, here a named profile. DynamoDB Local keeps one set of
//! tables per access key and region, so a table the CLI creates under the profile is
//! visible with the profile's credentials and region only: proof that those were used.

use std::process::{Command, Output};

fn endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8000".into())
}

/// `admin ARGS` against DynamoDB Local with no credentials in the environment, with
/// `extra` variables set.
fn admin(table: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admin"));
    cmd.args(args)
        .env("AWS_ENDPOINT_URL_DYNAMODB", endpoint())
        .env("TABLE_NAME", table);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(extra.iter().copied());
    cmd.output().expect("run admin")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_named_profile_supplies_credentials_and_region() {
    let dir = std::env::temp_dir().join(format!("admin-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile ops]\nregion = eu-west-1\naws_access_key_id = OPSKEY\naws_secret_access_key = ops-secret\n",
    )
    .unwrap();
    let config = config.to_string_lossy().into_owned();
    let empty = dir.join("credentials").to_string_lossy().into_owned();
    std::fs::write(&empty, "").unwrap();
    let profile = [
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.as_str()),
        ("AWS_PROFILE", "ops"),
    ];
    let table = format!("cli-{}", std::process::id());
    let out = admin(&table, &["create-table"], &profile);
    assert!(out.status.success(), "{}", text(&out));
    // the password never on the command line: refused there, taken from ADMIN_PASSWORD
    let out = admin(
        &table,
        &["create-admin", "ops@example.com", "ops-password-1"],
        &profile,
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("not argv"), "{}", text(&out));
    let mut with_password = profile.to_vec();
    with_password.push(("ADMIN_PASSWORD", "ops-password-1"));
    let out = admin(&table, &["create-admin", "ops@example.com"], &with_password);
    assert!(out.status.success(), "{}", text(&out));
    let audit = admin(&table, &["audit"], &profile);
    assert!(audit.status.success(), "{}", text(&audit));
    assert!(text(&audit).contains("1 users"), "{}", text(&audit));
    let elsewhere = admin(
        &table,
        &["audit"],
        &[
            ("AWS_ACCESS_KEY_ID", "OTHERKEY"),
            ("AWS_SECRET_ACCESS_KEY", "other"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", empty.as_str()),
        ],
    );
    assert!(!elsewhere.status.success());
    assert!(
        text(&elsewhere).contains("non-existent table"),
        "{}",
        text(&elsewhere)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn without_a_region_it_says_how_to_give_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_admin"))
        .arg("audit")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run admin");
    assert!(!out.status.success());
    assert!(text(&out).contains("no AWS region"), "{}", text(&out));
}
