//! Stored risk assessments against a real database: how long a full recompute of 100,000
//! candidates takes (loading their facts, earlier attendance included, scoring, and writing
//! every assessment back), and how long one candidate's refresh takes after a signal.
//!
//! Run with `cargo bench -p turnout --bench risk_refresh` (SQLite file in a temporary folder;
//! set `BENCH_DATABASE_URL` to an empty `postgres://` database to measure PostgreSQL instead).
//! The figures go to `bench-results/risk-refresh.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use sqlx::{AnyPool, Row};
use std::fmt::Write as _;
use std::time::Instant;
use turnout_app::server::follow_up::refresh;
use turnout_domain::{InvitationWindow, ReschedulePolicy, TimeZone, WindowDays};
use turnout_store::{NewCampaign, RiskScope, Store};

const CANDIDATES: i64 = 100_000;
const EARLIER: i64 = 20_000;
const SINGLE_RUNS: usize = 1_000;

fn campaign(position: &str, zone: TimeZone) -> NewCampaign {
    NewCampaign {
        bank: "基准银行".into(),
        position: position.into(),
        branch: "总行".into(),
        time_zone: zone,
        window_days: WindowDays::DEFAULT,
        policy: ReschedulePolicy::DEFAULT,
        interview_url: "https://interview.example.com".into(),
        login_notes: String::new(),
        help_contact: String::new(),
    }
}

/// Inserts candidates with invitations and a signal each, in one transaction. Every fifth
/// current candidate shares a phone number with an earlier candidate (whose outcome is recorded).
async fn seed(pool: &AnyPool, campaign_id: i64, first: i64, n: i64, window: &InvitationWindow, issued: i64, earlier: bool) {
    let mut tx = pool.begin().await.unwrap();
    for k in first..first + n {
        let phone = (earlier || k % 5 == 0).then(|| format!("138{:08}", k % EARLIER));
        let id: i64 = sqlx::query(
            "INSERT INTO candidates (campaign_id, full_name, email, phone, created_at, phone_norm) \
             VALUES ($1, $2, NULL, $3, $4, $3) RETURNING id",
        )
        .bind(campaign_id)
        .bind(format!("候选人{k}"))
        .bind(phone)
        .bind(issued)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get("id");
        let state = if k % 10 < 3 { "invited" } else { "opened" };
        let outcome = earlier.then_some(if k % 4 == 0 { "no_show" } else { "attended" });
        sqlx::query(
            "INSERT INTO invitations (candidate_id, campaign_id, token_hash, issued_at, window_first_day, window_days, \
             window_starts_at, window_ends_at, state, last_activity_at, first_opened_at, guide_progress, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $4, $10, $11, $12)",
        )
        .bind(id)
        .bind(campaign_id)
        .bind(format!("bench-{campaign_id}-{k}"))
        .bind(issued)
        .bind(window.first_day.format("%Y-%m-%d").to_string())
        .bind(i64::from(window.days))
        .bind(window.starts_at.timestamp())
        .bind(window.ends_at.timestamp())
        .bind(state)
        .bind((state == "opened").then_some(issued + 3600 * (k % 40)))
        .bind(if k % 3 == 0 { "acknowledged" } else { "not_opened" })
        .bind(outcome)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO signals (candidate_id, campaign_id, kind, source, occurred_at) \
             VALUES ($1, $2, 'invitation_issued', 'system', $3)",
        )
        .bind(id)
        .bind(campaign_id)
        .bind(issued)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: std::time::Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1_000_000.0)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("turnout-bench-{}", std::process::id()));
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.display()));
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = AnyPool::connect(&url).await.unwrap();

    let zone: TimeZone = "Asia/Shanghai".parse().unwrap();
    let now = Utc::now();
    let earlier_at = now - Duration::days(120);
    let earlier = store.create_campaign(&campaign("往届", zone), earlier_at).await.unwrap();
    let current = store.create_campaign(&campaign("本届", zone), now).await.unwrap();
    let t = Instant::now();
    let earlier_window = InvitationWindow::starting_day_after(earlier_at, zone, WindowDays::DEFAULT);
    seed(&pool, earlier, 0, EARLIER, &earlier_window, earlier_at.timestamp(), true).await;
    let issued = now - Duration::hours(30);
    let window = InvitationWindow::starting_day_after(issued, zone, WindowDays::DEFAULT);
    seed(&pool, current, EARLIER, CANDIDATES, &window, issued.timestamp(), false).await;
    let seeding = t.elapsed();
    println!("seeded in {}", ms(seeding));

    // Full recompute of the campaign, three times (the first inserts every row, the rest replace).
    let mut full = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = refresh(&store, RiskScope::Campaign(current), now).await.unwrap();
        full.push(t.elapsed());
        assert_eq!(n as i64, CANDIDATES);
        println!("full recompute: {}", ms(*full.last().unwrap()));
    }
    // The first two phases alone, to see where the time goes (the rest is writing back).
    let t = Instant::now();
    let rows = store.follow_up_rows(RiskScope::Campaign(current), now).await.unwrap();
    let load = t.elapsed();
    let model = store.active_risk_model().await.unwrap();
    let t = Instant::now();
    let assessed: Vec<_> = rows.iter().map(|row| model.assess(&row.facts)).collect();
    let score = t.elapsed();
    assert_eq!(assessed.len() as i64, CANDIDATES);
    println!("phases: load {}, score {}", ms(load), ms(score));

    // Looking for due ratings when none is due (what the risk worker does every tick).
    let mut scan = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = refresh(&store, RiskScope::Due, now).await.unwrap();
        scan.push(t.elapsed());
        assert_eq!(n, 0);
    }
    // One candidate after a signal: load facts, score, store.
    let first: i64 = sqlx::query("SELECT MIN(id) AS id FROM candidates WHERE campaign_id = $1")
        .bind(current)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("id");
    let mut single = Vec::new();
    for k in 0..SINGLE_RUNS as i64 {
        let id = first + (k * 7919) % CANDIDATES;
        let t = Instant::now();
        refresh(&store, RiskScope::Candidate(id), now).await.unwrap();
        single.push(t.elapsed());
    }
    single.sort();
    full.sort();
    scan.sort();
    let p = |q: f64| single[((single.len() as f64 - 1.0) * q).round() as usize];

    let backend = if url.starts_with("sqlite:") { "SQLite (file, WAL, synchronous=FULL)" } else { "PostgreSQL" };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = String::new();
    writeln!(out, "# Stored risk assessments: refresh benchmark\n").unwrap();
    writeln!(out, "- Date: {}", Utc::now().format("%Y-%m-%d %H:%M UTC")).unwrap();
    writeln!(out, "- Machine: {cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH).unwrap();
    writeln!(out, "- Build: `cargo bench -p turnout --bench risk_refresh` (release profile)").unwrap();
    writeln!(out, "- Database: {backend}").unwrap();
    writeln!(
        out,
        "- Data: {CANDIDATES} current candidates with one signal each; every fifth shares a phone number with one of \
         {EARLIER} earlier candidates whose outcomes are recorded (seeded in {})\n",
        ms(seeding)
    )
    .unwrap();
    writeln!(out, "| Measure | Target | Runs | Best | Median | Worst |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|").unwrap();
    writeln!(
        out,
        "| Full recompute of {CANDIDATES}: load facts with history, score, write back (1,000 per transaction) | ≤ 1 s | 3 | {} | {} | {} |",
        ms(full[0]),
        ms(full[1]),
        ms(full[2])
    )
    .unwrap();
    writeln!(out, "| … of which loading the facts (history and notices as subqueries) | — | 1 | {} | | |", ms(load)).unwrap();
    writeln!(out, "| … of which scoring | — | 1 | {} | | |", ms(score)).unwrap();
    writeln!(
        out,
        "| Looking for due ratings with none due (the risk worker's tick) | — | 3 | {} | {} | {} |",
        ms(scan[0]),
        ms(scan[1]),
        ms(scan[2])
    )
    .unwrap();
    writeln!(out, "\n| One candidate's refresh after a signal ({SINGLE_RUNS} runs) | Target | p50 | p90 | p99 | max |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|").unwrap();
    writeln!(
        out,
        "| Load facts with history, score, write back (one transaction) | ≤ 1 ms | {} | {} | {} | {} |",
        us(p(0.5)),
        us(p(0.9)),
        us(p(0.99)),
        us(p(1.0))
    )
    .unwrap();
    print!("{out}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench-results/risk-refresh.md");
    std::fs::write(&path, out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
