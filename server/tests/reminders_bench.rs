//! Reminder throughput: 10,000 notices dispatched to a real SMTP server (aiosmtpd) on loopback.
//! It measures and reports; it asserts only that nothing was lost or sent twice.
//!
//! Not part of the test run: `scripts/bench-reminders.sh` runs it (`--ignored`) and the figures
//! go to `bench-results/reminders.md`. `TURNOUT_BENCH_BACKEND=postgres` runs it on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use common::{Backend, TestApp};
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use support::{counts_by, SmtpSink};
use turnout::config::{DispatchSettings, ReminderSettings, SmtpSettings, SmtpTls};
use turnout::reminders::Dispatcher;
use turnout_domain::{Channel, ReminderPlan};
use turnout_store::{secret::new_token, NewCandidate};

const NOTICES: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark: run scripts/bench-reminders.sh"]
async fn ten_thousand_notices_to_smtp() {
    let backend = match std::env::var("TURNOUT_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let app = TestApp::spawn(backend).await;
    let plan = ReminderPlan { invitation_channels: vec![Channel::Email], ..ReminderPlan::default() };
    app.store.set_reminder_plan(app.campaign_id, &plan, app.now()).await.unwrap();

    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let planning = Instant::now();
    for i in 0..NOTICES {
        let (_, hash) = new_token();
        let c = NewCandidate { full_name: format!("候选人{i}"), email: Some(format!("c{i}@example.com")), phone: None };
        app.store.invite_candidate(app.campaign_id, &c, &hash, &app.window, app.now()).await.unwrap();
    }
    let planning = planning.elapsed();

    let smtp = SmtpSink::start_with(&["--headers-only"]);
    let dispatch = DispatchSettings { batch: 500, concurrency: 32, ..DispatchSettings::default() };
    let settings = ReminderSettings {
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: smtp.port,
            tls: SmtpTls::None,
            from: "招聘中心 <hr@bank.example.com>".into(),
            credentials: None,
        }),
        dispatch,
        ..ReminderSettings::default()
    };
    let d = Dispatcher::new(app.store.clone(), app.clock(), &app.base, &settings).unwrap();
    let started = Instant::now();
    let report = d.drain().await.unwrap();
    let dispatched = started.elapsed();
    let mails = smtp.wait_for(NOTICES, Duration::from_secs(120)).await;
    let received = started.elapsed();

    let by_id = counts_by(&mails, |m| m.message_id.clone());
    let duplicates: usize = by_id.values().map(|n| n - 1).sum();
    assert_eq!(report.sent, NOTICES, "{report:?}");
    assert_eq!(by_id.len(), NOTICES, "every notice arrived");
    let per_sec = NOTICES as f64 / dispatched.as_secs_f64();

    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let first = |s: &str| s.split_whitespace().next().unwrap_or("?").to_string();
    let mut md = String::new();
    writeln!(md, "# Reminder dispatch benchmark\n").unwrap();
    writeln!(md, "- Date: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")).unwrap();
    writeln!(
        md,
        "- Machine: {} cores, {} {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
    .unwrap();
    writeln!(
        md,
        "- Load average (1 min) before / after: {} / {} (other builds share the machine)",
        first(&load_before),
        first(&load_after)
    )
    .unwrap();
    writeln!(
        md,
        "- Build: `scripts/bench-reminders.sh` ({} profile)",
        if cfg!(debug_assertions) { "dev, unoptimised" } else { "release" }
    )
    .unwrap();
    writeln!(md, "- Database: {backend:?}; SMTP: aiosmtpd on loopback (one Python process), parsing each message's headers and writing them to disk").unwrap();
    writeln!(
        md,
        "- Dispatcher: batches of {}, {} messages with the SMTP server at once (pooled connections)\n",
        dispatch.batch, dispatch.concurrency
    )
    .unwrap();
    writeln!(md, "| Measure | Target | Result |").unwrap();
    writeln!(md, "|---|---|---|").unwrap();
    writeln!(
        md,
        "| 10,000 notices claimed, sent and marked sent | ≤ 30 s | {:.1} s ({per_sec:.0} per second) |",
        dispatched.as_secs_f64()
    )
    .unwrap();
    writeln!(md, "| Until the SMTP server had written all 10,000 | — | {:.1} s |", received.as_secs_f64()).unwrap();
    writeln!(md, "| Mails received / distinct Message-IDs | 10,000 / 10,000 | {} / {} |", mails.len(), by_id.len()).unwrap();
    writeln!(md, "| Duplicates | 0 | {duplicates} |").unwrap();
    writeln!(md, "| Planning 10,000 invitations (not timed against a target) | — | {:.1} s |", planning.as_secs_f64()).unwrap();
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench-results/reminders.md");
    std::fs::write(&path, &md).unwrap();
    println!("{md}");
}
