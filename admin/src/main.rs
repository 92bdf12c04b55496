//! `admin`: the operator CLI. Reads the same variables as the functions (`TABLE_NAME`,
//! `AWS_ENDPOINT_URL_DYNAMODB`, ...), and finds AWS credentials and region the way the
//! AWS CLI does (`aws-config`'s provider chain: environment, `AWS_PROFILE` and the
//! profile files, SSO, credential processes, instance roles).
//!
//! ```text
//! admin create-table                         create the table from template.yaml (idempotent)
//! admin create-admin EMAIL [--token]         create an admin unless an admin has the email (a
//!                                            non-admin's email is an error); the password comes
//!                                            from ADMIN_PASSWORD or stdin; --token prints a token
//! admin router                               print the cargo-lambda watch router generated from template.yaml
//! admin route-probes                         print METHOD PATH FUNCTION: what API Gateway selects for probe paths
//! admin seed-samples                         seed the fixtures events/ names (local endpoints or
//!                                            empty tables only)
//! admin audit                                check every invariant of the table; exit 1 on a violation
//! admin group-fixture NAME N                a group NAME of N new users, written directly (make
//!                                            stress only: fresh local tables); prints its id
//! admin provisioning-token NAME              issue a provisioning token for an identity provider's
//!                                            SCIM client; prints it (shown this once)
//! admin worker [--once]                      run queued background jobs (large grants, group
//!                                            deletes) as run-jobs does in AWS; loops until killed
//! ```

use std::process::ExitCode;

use admin::{audit, routes, table, users};
use aws_config::BehaviorVersion;
use shared::config::Config;
use shared::Ctx;

fn usage() -> ExitCode {
    eprintln!("usage: admin create-table | create-admin EMAIL [--token] | router | route-probes | audit | worker [--once] | provisioning-token NAME");
    ExitCode::from(2)
}

/// The context of the functions, on a client built by `aws-config`'s provider chain.
/// Against DynamoDB Local (a plain-http endpoint) without credentials or a profile of
/// its own, the dummy credentials and region the local stack uses.
async fn ctx() -> Result<Ctx, String> {
    let config = Config::from_env_for_cli()?;
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let local = config
        .endpoint_url
        .as_deref()
        .is_some_and(|u| u.starts_with("http://"));
    let trust = shared::ctx::tls::TrustStore::default();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared::ctx::https_client(trust));
    if local && !set("AWS_ACCESS_KEY_ID") && !set("AWS_PROFILE") {
        loader = loader.credentials_provider(aws_credential_types::Credentials::new(
            "local", "local", None, None, "local",
        ));
    }
    let sdk = loader.load().await;
    let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(&sdk);
    if sdk.region().is_none() {
        if !local {
            return Err("no AWS region: set AWS_REGION or a region in your profile".into());
        }
        dynamodb = dynamodb.region(aws_config::Region::new("us-east-1"));
    }
    if let Some(endpoint) = &config.endpoint_url {
        dynamodb = dynamodb.endpoint_url(endpoint);
    }
    let client = aws_sdk_dynamodb::Client::from_conf(dynamodb.build());
    Ok(Ctx::with_client(config, client))
}

async fn run(args: Vec<String>) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        Some("create-table") => {
            let ctx = ctx().await?;
            let created =
                table::create_table(ctx.store.client(), ctx.store.table(), routes::TEMPLATE)
                    .await?;
            println!(
                "table {} {}",
                ctx.store.table(),
                if created { "created" } else { "already exists" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Some("create-admin") if args.len() >= 2 => {
            if args.len() > 2 && args[2] != "--token" {
                return Err("the password is read from ADMIN_PASSWORD or stdin, not argv".into());
            }
            let password = users::admin_password()?;
            let ctx = ctx().await?;
            let (user, created) = users::ensure_admin(&ctx, &args[1], &password).await?;
            eprintln!(
                "admin {} ({}) {}",
                user.email,
                user.user_id,
                if created { "created" } else { "already exists" }
            );
            if args.iter().any(|a| a == "--token") {
                println!("{}", users::issue_token(&ctx, &user).await?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("seed-samples") => {
            let ctx = ctx().await?;
            let local = shared::config::is_local_endpoint(ctx.config.endpoint_url.as_deref());
            admin::samples::check_seedable(&ctx, local).await?;
            admin::samples::seed(&ctx).await?;
            println!("sample fixtures seeded into {}", ctx.store.table());
            Ok(ExitCode::SUCCESS)
        }
        Some("router") => {
            let r = routes::routes(routes::TEMPLATE)?;
            print!("{}", routes::watch_router(&r));
            Ok(ExitCode::SUCCESS)
        }
        Some("route-probes") => {
            let r = routes::routes(routes::TEMPLATE)?;
            for path in routes::probe_paths(&r) {
                for method in routes::methods() {
                    let function = routes::select(&r, method, &path)
                        .map_or("fallback", |(route, _)| route.function.as_str());
                    println!("{method} {path} {function}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("audit") => {
            let ctx = ctx().await?;
            let report = audit::audit(&ctx).await?;
            print!("{report}");
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some("group-fixture") if args.len() >= 3 => {
            let ctx = ctx().await?;
            let n: usize = args[2]
                .parse()
                .map_err(|_| "N must be a number".to_string())?;
            let gid = admin::fixtures::big_group(&ctx, &args[1], n).await?;
            println!("{gid}");
            Ok(ExitCode::SUCCESS)
        }
        Some("provisioning-token") if args.len() >= 2 => {
            let ctx = ctx().await?;
            let (record, token) = shared::auth::issue_provisioning_token(&ctx, &args[1], None)
                .await
                .map_err(|e| e.cause.clone().unwrap_or(e.message))?;
            eprintln!(
                "provisioning token {} ({}) created",
                record.name, record.token_id
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Some("worker") => {
            let ctx = ctx().await?;
            let once = args.iter().any(|a| a == "--once");
            loop {
                match ctx
                    .store
                    .run_pending_jobs(std::time::Duration::from_secs(60))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => eprintln!("worker: {n} job(s) finished"),
                    Err(e) => eprintln!("worker: {}", e.cause.clone().unwrap_or(e.message)),
                }
                if once {
                    return Ok(ExitCode::SUCCESS);
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
        _ => Ok(usage()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("admin: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("admin: {e}");
            ExitCode::FAILURE
        }
    }
}
