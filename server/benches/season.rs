//! A recruiting season at full scale (issue 12): 150,000 current candidates, 1,000,000 signals
//! and 450,000 outbox messages on a real SQLite file or PostgreSQL database, the real
//! `turnout serve` binary in a child process, and the load of the first hours after invitations
//! go out:
//!
//! 1. confirmations over HTTP at 50 connections (link opened, then the confirmation posted with
//!    the cookie), and the same store transaction in-process, with their ratio;
//! 2. HR's pages one after another: the big campaign's status page (first page, a deep page
//!    reached by its "next" links, filters, a search), the call list, a candidate, the campaigns;
//! 3. the candidate's invitation page;
//! 4. a full risk refresh of everyone, in-process;
//! 5. confirmations while such a refresh runs;
//! 6. the idle server's CPU; 7. its peak memory.
//!
//! Run `scripts/bench-season.sh`, or `cargo bench -p turnout --bench season` with
//! `SEASON_BENCH_BACKEND=sqlite|postgres` (PostgreSQL: `TURNOUT_TEST_POSTGRES_URL` points at a
//! server where the user may create databases; the run recreates `turnout_bench_season`). The
//! figures go to `bench-results/season.md`, one section per database. It measures and reports;
//! it asserts nothing about timings, and counts every failed request.
//!
//! Knobs for trying it out (a run with any of them changed writes to the temporary folder, not
//! to `bench-results/`): `SEASON_BENCH_SCALE` (e.g. 0.05), `SEASON_BENCH_CONFIRMATIONS` (per
//! confirmation run, default 5,000), `SEASON_BENCH_PAGE_REQUESTS` (default 50),
//! `SEASON_BENCH_PAGE_BUDGET_SECS` (time allowed per page before stopping early, default 90),
//! `SEASON_BENCH_DEEP_PAGES` (default 100), `SEASON_BENCH_IDLE_SECS` (default 30);
//! `SEASON_BENCH_KEEP=1` keeps the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// A bench's root file finds its modules beside it, as a crate root does: they live in `season/`.
#[path = "season/bulk.rs"]
mod bulk;
#[path = "season/load.rs"]
mod load;
#[path = "season/report.rs"]
mod report;
#[path = "season/seed.rs"]
mod seed;
#[path = "season/server.rs"]
mod server;
#[path = "season/stats.rs"]
mod stats;

use chrono::{DateTime, Utc};
use load::ConfirmRun;
use load::{encode, PageRun, HR_COOKIE, INVITATION_COOKIE};
use report::{Page, Results, UnderRefresh};
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use turnout_app::server::follow_up::refresh;
use turnout_domain::TimeZone;
use turnout_store::{Backend, RiskScope, Store};

/// Connections (and in-process tasks) at once.
const CONNECTIONS: usize = 50;
/// The PostgreSQL database each run recreates.
const PG_DATABASE: &str = "turnout_bench_season";

/// The benchmark's clock: the same instant the server's injected clock starts at, advancing in
/// real time, so in-process calls and the server agree on "now".
#[derive(Clone)]
pub struct BenchClock {
    start: DateTime<Utc>,
    began: Instant,
}

impl BenchClock {
    fn new(start: DateTime<Utc>) -> BenchClock {
        BenchClock { start, began: Instant::now() }
    }

    /// Now, on the season's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::from_std(self.began.elapsed()).unwrap_or_else(|_| chrono::Duration::zero())
    }
}

/// What the run does, from the environment.
struct Settings {
    backend: Backend,
    admin_url: String,
    scale: f64,
    confirmations: usize,
    page_requests: usize,
    page_budget: Duration,
    deep_pages: usize,
    idle: Duration,
    keep: bool,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, d: f64| var(k).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(d);
        let backend = match var("SEASON_BENCH_BACKEND").as_deref() {
            Some("postgres" | "postgresql") => Backend::Postgres,
            Some("sqlite") | None => Backend::Sqlite,
            Some(other) => panic!("SEASON_BENCH_BACKEND={other}: use sqlite or postgres"),
        };
        Settings {
            backend,
            admin_url: var("TURNOUT_TEST_POSTGRES_URL")
                .unwrap_or_else(|| "postgres://turnout:turnout@127.0.0.1:5432/postgres".into()),
            scale: num("SEASON_BENCH_SCALE", 1.0),
            confirmations: num("SEASON_BENCH_CONFIRMATIONS", 5000.0) as usize,
            page_requests: num("SEASON_BENCH_PAGE_REQUESTS", 50.0) as usize,
            page_budget: Duration::from_secs_f64(num("SEASON_BENCH_PAGE_BUDGET_SECS", 90.0)),
            deep_pages: num("SEASON_BENCH_DEEP_PAGES", 100.0) as usize,
            idle: Duration::from_secs_f64(num("SEASON_BENCH_IDLE_SECS", 30.0)),
            keep: var("SEASON_BENCH_KEEP").is_some_and(|v| v == "1"),
        }
    }

    /// Whether this is the issue's measurement (anything else is a trial).
    fn is_standard(&self) -> bool {
        self.scale == 1.0 && self.confirmations == 5000 && self.page_requests >= 50 && self.idle.as_secs() >= 30
    }
}

/// The database of the run, dropped (or its folder removed) at the end unless kept.
struct Database {
    url: String,
    backend: Backend,
    dir: Option<PathBuf>,
    admin_url: String,
    keep: bool,
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = base.rsplit_once('/').map(|(p, _)| p).unwrap_or(base);
    format!("{prefix}/{db}{query}")
}

impl Database {
    async fn create(s: &Settings) -> Database {
        match s.backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("turnout-bench-season-{}", std::process::id()));
                std::fs::create_dir_all(&dir).expect("temporary folder");
                let url = format!("sqlite://{}/season.db", dir.display());
                Database { url, backend: s.backend, dir: Some(dir), admin_url: String::new(), keep: s.keep }
            }
            Backend::Postgres => {
                let mut conn = sqlx::postgres::PgConnection::connect(&s.admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to PostgreSQL at TURNOUT_TEST_POSTGRES_URL: {e}"));
                sqlx::query(&format!("DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .expect("drop");
                sqlx::query(&format!("CREATE DATABASE {PG_DATABASE}")).execute(&mut conn).await.expect("create database");
                conn.close().await.ok();
                Database {
                    url: with_database(&s.admin_url, PG_DATABASE),
                    backend: s.backend,
                    dir: None,
                    admin_url: s.admin_url.clone(),
                    keep: s.keep,
                }
            }
        }
    }

    fn describe(&self) -> String {
        match self.backend {
            Backend::Sqlite => "SQLite file in the temporary folder, WAL, `synchronous=FULL` (the app's own settings)".into(),
            Backend::Postgres => format!("PostgreSQL (`{PG_DATABASE}`, recreated for the run), the app's pool of 16 connections"),
        }
    }

    async fn size(&self, store_url: &str) -> Option<u64> {
        match &self.dir {
            Some(dir) => {
                let size = |f: &str| std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0);
                Some(size("season.db") + size("season.db-wal"))
            }
            None => {
                let mut conn = sqlx::postgres::PgConnection::connect(store_url).await.ok()?;
                let n: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&mut conn).await.ok()?;
                Some(n as u64)
            }
        }
    }

    async fn remove(self) {
        if self.keep {
            eprintln!("season: keeping the database at {}", self.url);
            return;
        }
        match &self.dir {
            Some(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            None => {
                if let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&self.admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")).execute(&mut conn).await;
                }
            }
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()))
        .map_or("?".to_string(), |kb| format!("{:.0} GB", kb as f64 / 1024.0 / 1024.0));
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cores} cores ({cpu}), {mem} memory, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// What was measured: the binaries' build time (they are built from the working tree as it
/// was then), and the commit and uncommitted changes at run time.
fn commit() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let head = git(&["rev-parse", "--short", "HEAD"]);
    let changed = git(&["status", "--porcelain", "--untracked-files=no"]).lines().count();
    let built = std::fs::metadata(env!("CARGO_BIN_EXE_turnout"))
        .and_then(|m| m.modified())
        .map(|t| DateTime::<Utc>::from(t).format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| "?".into());
    format!(
        "the working tree as `cargo bench` built it at {built}; at run time HEAD was {head}{}",
        if changed == 0 { String::new() } else { format!(", with uncommitted changes in {changed} tracked files") }
    )
}

/// Signs in as HR over HTTP; the session cookie.
async fn sign_in(base: &str, email: &str, password: &str) -> Result<String, String> {
    let res = load::client()
        .post(format!("{base}/api/hr_login"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}&password={}", encode(email), encode(password)))
        .send()
        .await
        .map_err(|e| format!("signing in: {e}"))?;
    let status = res.status();
    let cookie = res.headers().get_all(reqwest::header::SET_COOKIE).iter().find_map(|v| {
        let first = v.to_str().ok()?.split(';').next()?;
        first.strip_prefix(&format!("{HR_COOKIE}=")).filter(|v| !v.is_empty()).map(str::to_string)
    });
    match cookie {
        Some(c) if status.is_success() || status.is_redirection() => Ok(format!("{HR_COOKIE}={c}")),
        _ => Err(format!("signing in answered {status} without a session cookie")),
    }
}

/// Follows a page's "next" links from `start`, up to `steps` times; the page reached, how many
/// links were followed, and the walk's timings. When the first page has no next link, the
/// `?page=N` address of the same depth is used instead.
async fn walk(
    client: &reqwest::Client,
    base: &str,
    start: &str,
    cookie: &str,
    steps: usize,
    budget: Duration,
) -> (String, String) {
    let started = Instant::now();
    let mut path = start.to_string();
    let mut followed = 0;
    let mut times = Vec::new();
    while followed < steps {
        let requests = vec![(path.clone(), cookie.to_string())];
        let run = load::sequential(client, base, &requests, 1, Duration::from_secs(3600)).await;
        times.push(run.first);
        let Some(next) = load::next_link(&run.html) else { break };
        path = next;
        followed += 1;
        if started.elapsed() > budget {
            break;
        }
    }
    if followed == 0 {
        let sep = if start.contains('?') { '&' } else { '?' };
        let fallback = format!("{start}{sep}page={}", steps + 1);
        return (fallback, format!("no `rel=\"next\"` link on the first page: fell back to `?page={}`", steps + 1));
    }
    let walk_ms: f64 = times.iter().flatten().map(|d| d.as_secs_f64() * 1000.0).sum();
    let note = if followed < steps {
        format!("reached by following {followed} `rel=\"next\"` links ({walk_ms:.0} ms in all; the walk stopped early)")
    } else {
        format!("reached by following {followed} `rel=\"next\"` links ({walk_ms:.0} ms in all)")
    };
    (path, note)
}

/// Strips the cursor values from an address for the report (keeps its shape).
fn shape(path: &str) -> String {
    path.chars().take(90).collect()
}

#[tokio::main]
async fn main() {
    let s = Settings::from_env();
    let date = Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let load_before = loadavg();
    let mut notes = Vec::new();

    check_disk(&s);
    let db = Database::create(&s).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let zone: TimeZone = "Asia/Shanghai".parse().expect("zone");
    let clock_start = seed::season_now(zone);
    let clock = BenchClock::new(clock_start);
    let sizes = seed::Sizes::at(s.scale);

    println!("season: seeding {} candidates on {:?}…", sizes.current + sizes.earlier, s.backend);
    let t = Instant::now();
    let mut season = seed::seed(&store, &db.url, sizes, clock_start).await;
    let seed_total = t.elapsed();
    let db_bytes = db.size(&db.url).await;
    println!("season: seeded in {:.1} s: {:?}", seed_total.as_secs_f64(), season.counts);

    // 4. The full refresh, alone, right after seeding (every assessment is due).
    let refresh_call = "turnout_app::server::follow_up::refresh(&store, RiskScope::Everyone, now)".to_string();
    let t = Instant::now();
    let (refresh_result, refresh_error) = match refresh(&store, RiskScope::Everyone, clock.now()).await {
        Ok(n) => (Some((n, t.elapsed())), None),
        Err(e) => (None, Some(format!("full refresh failed: {e}"))),
    };
    println!("season: full refresh {:?}", refresh_result);

    // The server, on the same database and clock. It runs twice: for the idle period and the
    // HTTP confirmations, and (after the in-process confirmations, which run without it) for the
    // rest.
    let log_of =
        |n: u32| std::env::temp_dir().join(format!("turnout-bench-season-{}-{}-{n}.log", std::process::id(), db_name(s.backend)));
    let srv = server::Server::start(&db.url, clock.now(), &log_of(1)).await;
    println!("season: server {} (pid {}), log {}", srv.base, srv.pid, srv.log.display());

    // 6. Idle: let it settle, then watch its CPU.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cpu0 = srv.cpu_time();
    tokio::time::sleep(s.idle).await;
    let idle = match (cpu0, srv.cpu_time()) {
        (Some(a), Some(b)) => Some((s.idle, b.saturating_sub(a))),
        _ => None,
    };
    let rss_after_idle_kb = srv.memory_kb("VmRSS");
    println!("season: idle CPU {:?}", idle);

    // 1. Confirmations over HTTP, then the same transaction in-process on fresh candidates.
    // Before each load phase, the server's risk worker is given time to rate what the previous
    // phase made due, so each phase starts from the same quiet state.
    let probe = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&db.url).await.expect("probe pool");
    let mut settled = Vec::new();
    settled.push(settle(&probe, &clock).await);
    let targets = season.take_targets(s.confirmations);
    if targets.len() < s.confirmations {
        notes.push(format!("Only {} candidates could be prepared for the HTTP confirmations.", targets.len()));
    }
    let (opened, http_open) = load::open_links(&srv.base, targets, CONNECTIONS).await;
    println!("season: opened {} links ({} failed)", http_open.ok(), http_open.failed());
    let http = load::confirm_http(&srv.base, opened.clone(), CONNECTIONS, None).await;
    println!("season: HTTP confirmations {:.0}/s, p99 {:?}", http.samples.per_second(), http.samples.percentile(0.99));
    let mut memory =
        vec![("server process 1 (idle period, HTTP confirmations)".to_string(), srv.memory_kb("VmHWM"), srv.memory_kb("VmRSS"))];
    let mut logs = vec![finish(srv, "server process 1", &mut notes)];

    // The same transaction in-process, with the background work the server would run beside
    // it (the risk worker and the reminder dispatcher, on the same store) but no server: a
    // second process writing the same SQLite file would contend for its lock from outside the
    // store's queue of writers, which the server never does.
    let background = Background::start(&store, &clock);
    settled.push(settle(&probe, &clock).await);
    let targets = season.take_targets(s.confirmations);
    let (inproc_open, inproc_confirm) = load::confirm_in_process(&store, targets, CONNECTIONS, &clock).await;
    println!("season: in-process confirmations {:.0}/s, p99 {:?}", inproc_confirm.per_second(), inproc_confirm.percentile(0.99));
    settled.push(settle(&probe, &clock).await);
    background.stop();

    let srv = server::Server::start(&db.url, clock.now(), &log_of(2)).await;
    println!("season: server {} (pid {}), log {}", srv.base, srv.pid, srv.log.display());
    let (sign_in_error, hr_cookie) = match sign_in(&srv.base, &season.admin_email, &season.admin_password).await {
        Ok(c) => (None, Some(c)),
        Err(e) => (Some(e), None),
    };

    // 5. Confirmations while a full refresh runs in-process on its own runtime and pool.
    // Four times as many candidates as a confirmation run, so they last as long as the refresh.
    settled.push(settle(&probe, &clock).await);
    let targets = season.take_targets(4 * s.confirmations);
    let (during_opened, during_open) = load::open_links(&srv.base, targets, CONNECTIONS).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (url, flag, refresh_clock) = (db.url.clone(), stop.clone(), clock.clone());
    let refresher = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let result = rt.block_on(async move {
            let store = Store::connect(&url).await.map_err(|e| e.to_string())?;
            let began = Instant::now();
            let n = refresh(&store, RiskScope::Everyone, refresh_clock.now()).await.map_err(|e| e.to_string())?;
            Ok::<_, String>((n, began, Instant::now()))
        });
        flag.store(true, Ordering::Relaxed);
        result
    });
    let run = load::confirm_http(&srv.base, during_opened, CONNECTIONS, Some(stop.clone())).await;
    let run_ended = Instant::now();
    let mut refresh_runs = Vec::new();
    refresh_runs.push(match refresher.join() {
        Ok(Ok((assessed, began, ended))) => {
            Ok(beside("refresh called in-process (`RiskScope::Everyone`)", run, run_ended, during_open, assessed, began, ended))
        }
        Ok(Err(e)) => Err(format!("the in-process refresh beside confirmations failed: {e}")),
        Err(_) => Err("the refresh thread panicked".to_string()),
    });
    println!("season: confirmations beside the in-process refresh done");

    // 5b. The same beside the app's own re-rating of everyone: HR save the thresholds as they
    // are (which marks every rating due), and the server's worker rates them while
    // confirmations run; it is done when nothing marked then is still due.
    settled.push(settle(&probe, &clock).await);
    let targets = season.take_targets(4 * s.confirmations);
    let (during_opened, during_open) = load::open_links(&srv.base, targets, CONNECTIONS).await;
    refresh_runs.push(match &hr_cookie {
        None => Err("the server's re-rating was not measured: HR could not sign in".to_string()),
        Some(cookie) => {
            let stop = Arc::new(AtomicBool::new(false));
            let thresholds = store.risk_settings().await.expect("risk settings").thresholds;
            let began = Instant::now();
            match save_thresholds(&srv.base, cookie, thresholds.medium(), thresholds.high()).await {
                Err(e) => Err(e),
                Ok(()) => {
                    let marked_at = clock.now().timestamp();
                    // Everyone was marked due, a few thousand per statement, before the answer came.
                    let marked: i64 =
                        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invitations").fetch_one(&probe).await.unwrap_or(0);
                    let watcher = {
                        let (probe, stop) = (probe.clone(), stop.clone());
                        tokio::spawn(async move {
                            let finished = loop {
                                let due: i64 = sqlx::query_scalar::<_, i64>(
                                    "SELECT COUNT(*) FROM invitations WHERE risk_due_at IS NOT NULL AND risk_due_at <= $1",
                                )
                                .bind(marked_at)
                                .fetch_one(&probe)
                                .await
                                .unwrap_or(0);
                                if due == 0 {
                                    break true;
                                }
                                if began.elapsed() > Duration::from_secs(600) {
                                    break false;
                                }
                                tokio::time::sleep(Duration::from_millis(250)).await;
                            };
                            stop.store(true, Ordering::Relaxed);
                            (finished, Instant::now())
                        })
                    };
                    let run = load::confirm_http(&srv.base, during_opened, CONNECTIONS, Some(stop)).await;
                    let run_ended = Instant::now();
                    match watcher.await {
                        Ok((true, ended)) => Ok(beside(
                            "the server's worker, after HR save the thresholds over HTTP (everyone marked due)",
                            run,
                            run_ended,
                            during_open,
                            marked.max(0) as usize,
                            began,
                            ended,
                        )),
                        Ok((false, _)) => Err("the server's worker had not rated everyone after 10 minutes".to_string()),
                        Err(_) => Err("watching the server's re-rating failed".to_string()),
                    }
                }
            }
        }
    });
    println!("season: confirmations beside the server's re-rating done");

    settled.push(settle(&probe, &clock).await);
    notes.push(format!(
        "Before and after each load phase the run waited for the risk worker (the server's, or during the in-process \
         confirmations the same worker run in-process) to rate what was due (`invitations.risk_due_at` passed), at most \
         60 s each time: {}.",
        settled
            .iter()
            .map(|(d, left)| format!(
                "{:.1} s{}",
                d.as_secs_f64(),
                if *left > 0 { format!(" ({left} still due)") } else { String::new() }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    probe.close().await;

    // 2. HR's pages, one admin, one request after another. The last answer of each is kept
    // for a look at what was measured.
    let pages_dir =
        std::env::temp_dir().join(format!("turnout-bench-season-{}-{}-pages", std::process::id(), db_name(s.backend)));
    let _ = std::fs::create_dir_all(&pages_dir);
    let client = load::client();
    let big = season.big_campaign_id;
    let mut pages = Vec::new();
    if let Some(cookie) = &hr_cookie {
        let status_target = Some(Duration::from_millis(if s.backend == Backend::Postgres { 100 } else { 50 }));
        let calls_target = Some(Duration::from_millis(100));
        let first = format!("/hr/campaigns/{big}");
        let (deep, deep_note) = walk(&client, &srv.base, &first, cookie, s.deep_pages, s.page_budget).await;
        let (later_calls, calls_note) = walk(&client, &srv.base, "/hr/calls", cookie, 5, s.page_budget).await;
        let (fragment, matches) = season.search.clone();
        let candidate_paths: Vec<String> =
            season.rich_big_candidates.iter().take(50).map(|id| format!("/hr/candidates/{id}")).collect();
        let plan: Vec<(String, Vec<String>, Option<Duration>, String)> = vec![
            ("Status, first page".into(), vec![first.clone()], status_target, String::new()),
            (format!("Status, deep page (page {})", s.deep_pages + 1), vec![deep], status_target, deep_note),
            ("Status, filter: confirmed".into(), vec![format!("{first}?state=confirmed")], status_target, String::new()),
            (
                "Status, filter: expired".into(),
                vec![format!("{first}?state=expired")],
                status_target,
                "none of the big campaign's windows has closed: an empty list".into(),
            ),
            (
                "Status, search by name".into(),
                vec![format!("{first}?q={}", encode(&fragment))],
                status_target,
                format!("\"{fragment}\", in {matches} names of the campaign"),
            ),
            ("Call list, first page".into(), vec!["/hr/calls".into()], calls_target, String::new()),
            ("Call list, a later page".into(), vec![later_calls], calls_target, calls_note),
            (
                "A candidate's page".into(),
                candidate_paths,
                None,
                "50 different candidates of the big campaign, booked, with guide and device check".into(),
            ),
            ("Campaigns list".into(), vec!["/hr".into()], None, String::new()),
        ];
        for (name, paths, target, note) in plan {
            if paths.is_empty() {
                continue;
            }
            let requests: Vec<(String, String)> = paths.iter().map(|p| (p.clone(), cookie.clone())).collect();
            let run = load::sequential(&client, &srv.base, &requests, s.page_requests, s.page_budget).await;
            println!(
                "season: {name}: p50 {:?} p95 {:?} ({} ok, {} failed)",
                run.samples.percentile(0.5),
                run.samples.percentile(0.95),
                run.samples.ok(),
                run.samples.failed()
            );
            let mut note = note;
            if run.samples.ok() + (run.samples.failed() as usize) < s.page_requests {
                let extra = format!(
                    "stopped after {} requests: the {:.0} s allowed per page ran out",
                    run.samples.ok() + run.samples.failed() as usize,
                    s.page_budget.as_secs_f64()
                );
                note = if note.is_empty() { extra } else { format!("{note}; {extra}") };
            }
            keep_html(&pages_dir, &name, &run.html);
            pages.push(Page { name, path: shape(&paths[0]), p95_target: target, run, note });
        }
    }

    // 3. The candidate's page, each request as another confirmed candidate.
    let requests: Vec<(String, String)> =
        opened.iter().take(200).map(|o| ("/invitation".to_string(), format!("{INVITATION_COOKIE}={}", o.cookie))).collect();
    let invitation_page = if requests.is_empty() {
        PageRun::default()
    } else {
        load::sequential(&client, &srv.base, &requests, 200, s.page_budget).await
    };
    keep_html(&pages_dir, "invitation page", &invitation_page.html);
    println!("season: the pages' last answers are in {}", pages_dir.display());

    // 7. Memory at the end.
    memory.push((
        "server process 2 (refresh beside confirmations, HR pages, candidate page)".to_string(),
        srv.memory_kb("VmHWM"),
        srv.memory_kb("VmRSS"),
    ));
    logs.push(finish(srv, "server process 2", &mut notes));
    let load_after = loadavg();

    let results = Results {
        backend: s.backend,
        database: db.describe(),
        date,
        machine: machine(),
        commit: commit(),
        load_before,
        load_after,
        clock_start: clock_start.to_rfc3339(),
        sizes,
        scale: s.scale,
        counts: season.counts.clone(),
        outbox_status: season.outbox_status.clone(),
        states: season.states.clone(),
        seed_phases: season.phases.clone(),
        seed_total,
        db_bytes,
        connections: CONNECTIONS,
        refresh_call,
        refresh: refresh_result,
        refresh_error,
        idle,
        http_open,
        http_confirm: http.samples,
        inproc_open,
        inproc_confirm,
        refresh_runs,
        sign_in: sign_in_error,
        pages,
        invitation_page,
        rss_after_idle_kb,
        memory,
        logs,
        notes,
    };
    let section = report::section(&results);
    println!("\n{section}");
    let path = if s.is_standard() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench-results/season.md")
    } else {
        std::env::temp_dir().join("season-trial.md")
    };
    report::save(&path, s.backend, &section).expect("write the results");
    println!("season: figures written to {}", path.display());
    db.remove().await;
}

/// The work `turnout serve` runs beside its routes, run in this process on the benchmark's
/// store: the risk worker and the reminder dispatcher (no channel configured, as on the server).
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Background {
    fn start(store: &Store, clock: &BenchClock) -> Background {
        let c = clock.clone();
        let clock = turnout_app::server::Clock::from_fn(move || c.now());
        let worker = tokio::spawn(turnout::workers::run_risk_worker(store.clone(), clock.clone()));
        let dispatcher = turnout::reminders::Dispatcher::new(
            store.clone(),
            clock,
            "http://127.0.0.1:3000",
            &turnout::config::ReminderSettings::default(),
        )
        .expect("dispatcher");
        Background(vec![worker, dispatcher.spawn()])
    }

    fn stop(self) {
        for task in self.0 {
            task.abort();
        }
    }
}

/// Stops a server and reads its log: warnings, errors and their most frequent kinds.
fn finish(mut srv: server::Server, name: &str, notes: &mut Vec<String>) -> (String, usize, usize, Vec<String>) {
    if !srv.alive() {
        notes.push(format!("The {name} had exited before the end of its part:\n\n```\n{}\n```", srv.log_tail(20)));
    }
    let (warnings, errors, kinds) = srv.log_problems();
    println!("season: {name} stopped; its log is at {}", srv.log.display());
    (name.to_string(), warnings, errors, kinds)
}

/// The confirmations of `run` that started while a refresh ran from `began` to `ended`.
fn beside(
    how: &str,
    run: ConfirmRun,
    run_ended: Instant,
    open: stats::Samples,
    assessed: usize,
    began: Instant,
    ended: Instant,
) -> UnderRefresh {
    let during = stats::Samples {
        latencies: run.timed.iter().filter(|(t0, _)| *t0 >= began && *t0 <= ended).map(|(_, d)| *d).collect(),
        wall: ended - began,
        ..Default::default()
    };
    UnderRefresh {
        how: how.to_string(),
        refresh: ended - began,
        assessed,
        during,
        all: run.samples,
        open,
        // The confirmations stop when the refresh does; ending sooner means they ran out.
        ran_out: run_ended < ended,
        covered: run_ended.min(ended).saturating_duration_since(began),
    }
}

/// Saves the risk thresholds (as fractions) over HTTP as HR would, from `/hr/risk`.
async fn save_thresholds(base: &str, cookie: &str, medium: f64, high: f64) -> Result<(), String> {
    let res = load::client()
        .post(format!("{base}/api/hr_thresholds"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(format!("medium={}&high={}", (medium * 100.0).round(), (high * 100.0).round()))
        .send()
        .await
        .map_err(|e| format!("saving the thresholds: {e}"))?;
    let status = res.status();
    if status.is_success() || status.is_redirection() {
        Ok(())
    } else {
        Err(format!("saving the thresholds answered {status}: {}", res.text().await.unwrap_or_default()))
    }
}

/// Waits (up to 60 s) until no rating is due, as the server's risk worker catches up; how long
/// it waited and how many were still due.
async fn settle(probe: &sqlx::AnyPool, clock: &BenchClock) -> (Duration, i64) {
    let started = Instant::now();
    loop {
        let due: i64 =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invitations WHERE risk_due_at IS NOT NULL AND risk_due_at <= $1")
                .bind(clock.now().timestamp())
                .fetch_one(probe)
                .await
                .unwrap_or(-1);
        if due <= 0 || started.elapsed() > Duration::from_secs(60) {
            return (started.elapsed(), due.max(0));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Free space on the file system holding `path`, in GB (`df`), if it can be told.
fn free_gb(path: &std::path::Path) -> Option<f64> {
    let out = std::process::Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let kb: f64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb / 1024.0 / 1024.0)
}

/// Refuses to start when the season would fill the disk (and break whatever else runs on the
/// machine): a full season takes about 1 GB on SQLite and 2 GB on PostgreSQL with its WAL.
/// `SEASON_BENCH_MIN_FREE_GB` sets the threshold.
fn check_disk(s: &Settings) {
    let needed = std::env::var("SEASON_BENCH_MIN_FREE_GB")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or((3.0 * s.scale).max(0.3));
    let local_pg = s.admin_url.contains("@127.0.0.1") || s.admin_url.contains("@localhost");
    let path = match s.backend {
        Backend::Sqlite => std::env::temp_dir(),
        Backend::Postgres if local_pg && std::path::Path::new("/var/lib/postgresql").exists() => {
            PathBuf::from("/var/lib/postgresql")
        }
        Backend::Postgres => return,
    };
    if let Some(free) = free_gb(&path) {
        if free < needed {
            eprintln!(
                "season: only {free:.1} GB free under {}; the season needs about {needed:.1} GB (SEASON_BENCH_MIN_FREE_GB). Not starting.",
                path.display()
            );
            std::process::exit(2);
        }
    }
}

/// Saves a page's HTML as `{dir}/{name}.html` (best effort).
fn keep_html(dir: &std::path::Path, name: &str, html: &str) {
    let file: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let _ = std::fs::write(dir.join(format!("{file}.html")), html);
}

fn db_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}
