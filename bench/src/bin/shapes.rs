//! What a read's shape costs on DynamoDB Local: `GetItem` of the sample admin's profile
//! (the `lambda_http` peer's call) against the other ways of reading a caller and the
//! path's item in one round trip, each timed 1,000 times (after 50 discarded), the
//! shapes interleaved round by round so they meet DynamoDB Local in the same state.
//! Not part of `make bench`; the figures it printed are quoted where they are used
//! (`docs/ARCHITECTURE.md`, *Authentication*). Run it against a DynamoDB Local:
//! `DYNAMODB_ENDPOINT=http://127.0.0.1:<port> .local/bench-target/release/shapes`
//! (`N` sets the rounds).

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use aws_sdk_dynamodb::types::{Get, KeysAndAttributes, TransactGetItem};
use shared::config::Config;
use shared::keys;
use shared::store::{key, Item};
use shared::Ctx;

/// A read in flight: whether it succeeded.
type Call<'a> = Pin<Box<dyn Future<Output = bool> + 'a>>;
type Shape = (&'static str, fn(&Reads) -> Call<'_>);

/// The table and the keys the shapes read.
struct Reads {
    ctx: Ctx,
    token: Item,
    profile: Item,
    member: Item,
}

impl Reads {
    async fn get(&self, k: &Item, consistent: bool) -> bool {
        let store = &self.ctx.store;
        let call = store.client().get_item().table_name(store.table());
        call.set_key(Some(k.clone()))
            .consistent_read(consistent)
            .send()
            .await
            .is_ok()
    }

    async fn batch(&self, keys: Vec<Item>, consistent: bool) -> bool {
        let store = &self.ctx.store;
        let Ok(ka) = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(consistent)
            .build()
        else {
            return false;
        };
        let call = store.client().batch_get_item();
        call.request_items(store.table(), ka).send().await.is_ok()
    }

    async fn transact(&self, keys: Vec<Item>) -> bool {
        let store = &self.ctx.store;
        let mut call = store.client().transact_get_items();
        for k in keys {
            let get = Get::builder()
                .table_name(store.table())
                .set_key(Some(k))
                .build();
            match get {
                Ok(get) => call = call.transact_items(TransactGetItem::builder().get(get).build()),
                Err(_) => return false,
            }
        }
        call.send().await.is_ok()
    }

    async fn both(&self) -> bool {
        let (a, b) = tokio::join!(self.get(&self.token, true), self.get(&self.profile, true));
        a && b
    }
}

const SHAPES: [Shape; 9] = [
    ("GetItem profile (peer)", |r| {
        Box::pin(r.get(&r.profile, true))
    }),
    ("GetItem profile, eventual", |r| {
        Box::pin(r.get(&r.profile, false))
    }),
    ("GetItem token item", |r| Box::pin(r.get(&r.token, true))),
    ("BatchGetItem profile", |r| {
        Box::pin(r.batch(vec![r.profile.clone()], true))
    }),
    ("BatchGetItem token+profile", |r| {
        Box::pin(r.batch(vec![r.token.clone(), r.profile.clone()], true))
    }),
    ("BatchGetItem profile+profile", |r| {
        Box::pin(r.batch(vec![r.profile.clone(), r.member.clone()], true))
    }),
    ("BatchGetItem token+2 profiles", |r| {
        Box::pin(r.batch(
            vec![r.token.clone(), r.profile.clone(), r.member.clone()],
            true,
        ))
    }),
    ("TransactGetItems token+profile", |r| {
        Box::pin(r.transact(vec![r.token.clone(), r.profile.clone()]))
    }),
    ("2 GetItems at once", |r| Box::pin(r.both())),
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    std::env::set_var("AWS_ACCESS_KEY_ID", "local");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
    std::env::set_var("AWS_REGION", "us-east-1");
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")?;
    let rounds: usize = std::env::var("N")
        .unwrap_or_else(|_| "1000".into())
        .parse()?;
    let table = format!("shapes-{}", std::process::id());
    let ctx = Ctx::new(Config::for_table(&table, &endpoint)).await;
    admin::table::create_table(ctx.store.client(), &table, admin::routes::TEMPLATE).await?;
    admin::samples::seed(&ctx).await?;
    let admin_id = uuid::Uuid::parse_str(admin::samples::ADMIN_ID)?;
    let member_id = uuid::Uuid::parse_str(admin::samples::MEMBER_ID)?;
    // A token item of the sample admin: logins until one lands past the profile's
    // sessions, as the service itself makes them (the profile then holds the most).
    let admin = || async {
        let user = ctx.store.get_user(admin_id).await.map_err(|e| e.message)?;
        user.ok_or_else(|| "the sample admin is missing".to_string())
    };
    let mut spilled = None;
    for _ in 0..=shared::model::MAX_PROFILE_SESSIONS {
        let issued = shared::auth::issue_token(&ctx, &admin().await?)
            .await
            .map_err(|e| e.message)?;
        let hash = shared::auth::hash_token(&issued.token);
        if !admin().await?.sessions.contains_key(&hash) {
            spilled = Some(hash);
            break;
        }
    }
    let token_hash = spilled.ok_or("no login got a token item")?;
    let reads = Reads {
        token: key(keys::token(&token_hash), keys::TOKEN),
        profile: key(keys::user(admin_id), keys::PROFILE),
        member: key(keys::user(member_id), keys::PROFILE),
        ctx,
    };
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); SHAPES.len()];
    for round in 0..rounds + 50 {
        for ((_, shape), t) in SHAPES.iter().zip(&mut times) {
            let start = Instant::now();
            if !shape(&reads).await {
                return Err("a read failed".into());
            }
            if round >= 50 {
                t.push(start.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let medians: Vec<f64> = times.into_iter().map(median).collect();
    for ((name, _), m) in SHAPES.iter().zip(&medians) {
        println!("{name:32} p50 {m:.3} ms  {:.2}x", m / medians[0]);
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}
