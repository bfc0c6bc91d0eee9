//! Stored risk assessments against a season's data: how long a full refresh of everyone takes
//! (loading their facts, earlier attendance and notices included, scoring, and writing every
//! rating back), how long a one-statement write waits behind it, and how long one candidate's
//! refresh takes after a signal.
//!
//! The data is the season benchmark's (`benches/season/seed.rs`): 150,000 current candidates,
//! 20,000 earlier ones with recorded outcomes, 1,000,000 signals, about 240,000 notices and
//! 450,000 outbox messages. The target is per 100,000 candidates, so every full refresh is
//! also given per 100,000.
//!
//! Run with `cargo bench -p turnout --bench risk_refresh` (SQLite file in a temporary folder,
//! WAL, `synchronous=FULL`); set `BENCH_DATABASE_URL` to an empty `postgres://` database to
//! measure PostgreSQL instead. Each database's figures replace its own section of
//! `bench-results/risk-refresh.md`. `RISK_BENCH_SCALE` (e.g. 0.1) tries a smaller season and
//! writes to the temporary folder instead; `RISK_BENCH_KEEP=1` keeps the SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The season benchmark's modules, shared: a bench's root finds them beside it.
#[allow(dead_code)]
#[path = "season/bulk.rs"]
mod bulk;
#[allow(dead_code)]
#[path = "season/seed.rs"]
mod seed;

use chrono::Utc;
use sqlx::{AnyPool, Row};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use turnout_app::server::follow_up::{refresh, RATING_BATCH};
use turnout_domain::TimeZone;
use turnout_store::{Backend, RiskScope, Store};

const SINGLE_RUNS: usize = 1_000;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1_000_000.0)
}

/// A duration scaled to 100,000 candidates.
fn per_100k(d: Duration, n: usize) -> Duration {
    d.mul_f64(100_000.0 / n.max(1) as f64)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default()
}

/// One full refresh of everyone: candidates rated and how long it took.
struct Full {
    what: &'static str,
    rated: usize,
    took: Duration,
}

/// Waits of a write beside a refresh, sorted.
struct Probe {
    waits: Vec<Duration>,
}

/// Writes a candidate's nothing-to-clear override again and again while `running`: a write
/// transaction of one statement, queued with the refresh's as a confirmation would be. How
/// long each takes is how long a writer waited behind the refresh (plus its own few hundred
/// microseconds).
async fn probe(store: Store, candidate_id: i64, hr_user_id: i64, running: Arc<AtomicBool>) -> Probe {
    let mut waits = Vec::new();
    while running.load(Ordering::Relaxed) {
        let t = Instant::now();
        store.clear_risk_override(candidate_id, hr_user_id, Utc::now()).await.unwrap();
        waits.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    waits.sort();
    Probe { waits }
}

/// Replaces the section of `name` in `text` (between its markers), or appends it.
fn replace_section(text: &str, name: &str, section: &str) -> String {
    let (start, end) = (format!("<!-- risk-refresh:{name} -->"), format!("<!-- risk-refresh:{name}:end -->"));
    let block = format!("{start}\n{section}{end}\n");
    match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &text[..a], text[b + end.len()..].trim_start_matches('\n')),
        _ => format!("{}\n{block}", text.trim_end()),
    }
}

const HEADER: &str = "# Stored risk assessments: refresh benchmark\n\n\
A full refresh of everyone (`turnout_app::server::follow_up::refresh(&store, RiskScope::Everyone, now)`) on a \
season's data, the writes a confirmation waits behind while it runs, and one candidate's refresh after a \
signal. Run `cargo bench -p turnout --bench risk_refresh` (SQLite), and with `BENCH_DATABASE_URL` set to an \
empty PostgreSQL database; each run replaces its own database's section below. The benchmark measures and \
reports; it asserts nothing about timings.\n";

#[tokio::main]
async fn main() {
    let scale: f64 = std::env::var("RISK_BENCH_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let keep = std::env::var("RISK_BENCH_KEEP").is_ok_and(|v| v == "1");
    let dir = std::env::temp_dir().join(format!("turnout-bench-risk-{}", std::process::id()));
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.display()));
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let backend = store.backend();

    let zone: TimeZone = "Asia/Shanghai".parse().unwrap();
    let now = seed::season_now(zone);
    let t = Instant::now();
    let season = seed::seed(&store, &url, seed::Sizes::at(scale), now).await;
    let seeding = t.elapsed();
    println!("seeded in {}: {:?}", ms(seeding), season.counts);
    let pool = AnyPool::connect(&url).await.unwrap();
    let count = |table: &str| season.counts.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n);

    // 1. Right after seeding: no rating stored, every one is written.
    let mut fulls = Vec::new();
    let t = Instant::now();
    let rated = refresh(&store, RiskScope::Everyone, now).await.unwrap();
    fulls.push(Full { what: "no rating stored yet (every rating written)", rated, took: t.elapsed() });
    // 2. Again at once: nothing changed.
    let t = Instant::now();
    let rated = refresh(&store, RiskScope::Everyone, now).await.unwrap();
    fulls.push(Full { what: "again, nothing changed since", rated, took: t.elapsed() });
    // 3. Every rating written again, with a writer beside it.
    sqlx::query("DELETE FROM risk_assessments").execute(&pool).await.unwrap();
    let admin = store.hr_user_by_email(&season.admin_email).await.unwrap().unwrap().user.id;
    let quiet: i64 = sqlx::query(
        "SELECT MIN(c.id) AS id FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM risk_overrides o WHERE o.candidate_id = c.id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .get("id");
    let running = Arc::new(AtomicBool::new(true));
    let prober = tokio::spawn(probe(store.clone(), quiet, admin, running.clone()));
    let t = Instant::now();
    let rated = refresh(&store, RiskScope::Everyone, now).await.unwrap();
    fulls.push(Full { what: "no rating stored, a one-statement writer beside it", rated, took: t.elapsed() });
    running.store(false, Ordering::Relaxed);
    let beside = prober.await.unwrap();
    // The same writer alone, for its own cost.
    let running = Arc::new(AtomicBool::new(true));
    let prober = tokio::spawn(probe(store.clone(), quiet, admin, running.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.store(false, Ordering::Relaxed);
    let alone = prober.await.unwrap();
    for f in &fulls {
        println!("full refresh, {}: {} for {} ({} per 100k)", f.what, ms(f.took), f.rated, ms(per_100k(f.took, f.rated)));
    }
    println!(
        "writer beside it: {} writes, p50 {}, p99 {}, max {}",
        beside.waits.len(),
        ms(quantile(&beside.waits, 0.5)),
        ms(quantile(&beside.waits, 0.99)),
        ms(quantile(&beside.waits, 1.0))
    );

    // Loading alone, batch by batch as the refresh does, to see where the time goes.
    let t = Instant::now();
    let (mut after, mut loaded) = (0, 0);
    let mut rows = Vec::new();
    loop {
        let batch = store.follow_up_batch(RiskScope::Everyone, after, RATING_BATCH, now).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.candidate_id;
        loaded += batch.len();
        let full = batch.len() as i64 == RATING_BATCH;
        rows.extend(batch);
        if !full {
            break;
        }
    }
    let load = t.elapsed();
    let model = store.active_risk_model().await.unwrap();
    let t = Instant::now();
    let assessed: Vec<_> = rows.iter().map(|row| model.assess(&row.facts)).collect();
    let score = t.elapsed();
    assert_eq!(assessed.len(), loaded);
    println!("phases: load {}, score {}", ms(load), ms(score));

    // Looking for due ratings when none is due (what the risk worker does every tick).
    let mut scan = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = refresh(&store, RiskScope::Due, now).await.unwrap();
        scan.push(t.elapsed());
        assert_eq!(n, 0);
    }
    scan.sort();
    // One candidate after a signal: load facts, score, store.
    let mut single = Vec::new();
    for k in 0..SINGLE_RUNS {
        let id = season.rich_big_candidates.get(k % season.rich_big_candidates.len().max(1)).copied().unwrap_or(quiet);
        let t = Instant::now();
        refresh(&store, RiskScope::Candidate(id), now).await.unwrap();
        single.push(t.elapsed());
    }
    single.sort();

    let name = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    let database = match backend {
        Backend::Sqlite => "SQLite file in the temporary folder, WAL, `synchronous=FULL` (the app's own settings)",
        Backend::Postgres => "PostgreSQL 15 (an empty database given by `BENCH_DATABASE_URL`), the app's pool of 16",
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut out = String::new();
    writeln!(out, "## {}\n", if backend == Backend::Sqlite { "SQLite" } else { "PostgreSQL" }).unwrap();
    writeln!(out, "- Date: {}", Utc::now().format("%Y-%m-%d %H:%M UTC")).unwrap();
    writeln!(out, "- Machine: {cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH).unwrap();
    writeln!(out, "- Load average at the end: {}", load_avg.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap();
    writeln!(out, "- Build: `cargo bench -p turnout --bench risk_refresh` (release profile)").unwrap();
    writeln!(out, "- Database: {database}").unwrap();
    let rows_of = |t: &str| format!("{} {t}", count(t));
    writeln!(
        out,
        "- Data: the season benchmark's (scale {scale}), seeded in {:.1} s: {}, {}, {}, {}, {}, {}\n",
        seeding.as_secs_f64(),
        rows_of("candidates"),
        rows_of("signals"),
        rows_of("notices"),
        rows_of("outbox"),
        rows_of("bookings"),
        rows_of("calls"),
    )
    .unwrap();
    writeln!(out, "| Full refresh of everyone ({RATING_BATCH} per batch) | Rated | Time | Per 100,000 | Target |").unwrap();
    writeln!(out, "|---|---:|---:|---:|---|").unwrap();
    for f in &fulls {
        writeln!(out, "| {} | {} | {} | {} | ≤ 1 s per 100,000 |", f.what, f.rated, ms(f.took), ms(per_100k(f.took, f.rated)))
            .unwrap();
    }
    writeln!(out, "| … loading the facts alone, batch by batch | {loaded} | {} | {} | — |", ms(load), ms(per_100k(load, loaded)))
        .unwrap();
    writeln!(out, "| … scoring alone | {loaded} | {} | {} | — |", ms(score), ms(per_100k(score, loaded))).unwrap();
    writeln!(
        out,
        "\n| A one-statement write transaction (`Store::clear_risk_override`, queued with the app's writers) | Writes | p50 | p99 | max | Target |"
    )
    .unwrap();
    writeln!(out, "|---|---:|---:|---:|---:|---|").unwrap();
    for (what, p, target) in [
        (
            "beside the third full refresh: its wait is the longest the refresh holds the write lock",
            &beside,
            "max well under 20 ms (SQLite)",
        ),
        ("alone, for its own cost", &alone, "—"),
    ] {
        writeln!(
            out,
            "| {what} | {} | {} | {} | {} | {target} |",
            p.waits.len(),
            ms(quantile(&p.waits, 0.5)),
            ms(quantile(&p.waits, 0.99)),
            ms(quantile(&p.waits, 1.0))
        )
        .unwrap();
    }
    writeln!(
        out,
        "\n| Other measures | Runs | Best | Median | Worst |\n|---|---:|---:|---:|---:|\n| Looking for due ratings with none due (the risk worker's tick) | 3 | {} | {} | {} |",
        ms(scan[0]),
        ms(scan[1]),
        ms(scan[2])
    )
    .unwrap();
    writeln!(
        out,
        "\n| One candidate's refresh ({SINGLE_RUNS} runs over {} booked candidates) | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|",
        season.rich_big_candidates.len()
    )
    .unwrap();
    writeln!(
        out,
        "| Load facts with history, score, write back | {} | {} | {} | {} |",
        us(quantile(&single, 0.5)),
        us(quantile(&single, 0.9)),
        us(quantile(&single, 0.99)),
        us(quantile(&single, 1.0))
    )
    .unwrap();
    print!("{out}");
    let path = if scale == 1.0 {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench-results/risk-refresh.md")
    } else {
        std::env::temp_dir().join("risk-refresh.md")
    };
    let text = std::fs::read_to_string(&path).ok().filter(|t| t.contains("<!-- risk-refresh:")).unwrap_or_else(|| HEADER.into());
    std::fs::write(&path, replace_section(&text, name, &out)).unwrap();
    println!("written to {}", path.display());
    if keep {
        println!("kept the database at {url}");
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
