//! `admin`: the operator CLI. Reads the same environment as the functions
//! (`TABLE_NAME`, `AWS_ENDPOINT_URL_DYNAMODB`, AWS credentials and region).
//!
//! ```text
//! admin create-table                         create the table from template.yaml (idempotent)
//! admin create-admin EMAIL PASSWORD [--token] create an admin unless the email exists; --token prints a login token
//! admin router                               print the cargo-lambda watch router generated from template.yaml
//! admin seed-samples                       seed the fixtures events/ names (throwaway tables only)
//! admin audit                                check every invariant of the table; exit 1 on a violation
//! ```

use std::process::ExitCode;

use admin::{audit, routes, table, users};
use shared::Ctx;

fn usage() -> ExitCode {
    eprintln!("usage: admin create-table | create-admin EMAIL PASSWORD [--token] | router | audit");
    ExitCode::from(2)
}

async fn ctx() -> Result<Ctx, String> {
    Ctx::from_env().await
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
        Some("create-admin") if args.len() >= 3 => {
            let ctx = ctx().await?;
            let (user, created) = users::ensure_admin(&ctx, &args[1], &args[2]).await?;
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
            admin::samples::seed(&ctx).await?;
            println!("sample fixtures seeded into {}", ctx.store.table());
            Ok(ExitCode::SUCCESS)
        }
        Some("router") => {
            let r = routes::routes(routes::TEMPLATE)?;
            print!("{}", routes::watch_router(&r));
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
