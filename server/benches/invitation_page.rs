//! The candidate's invitation page under load, against a bare axum handler serving the same
//! bytes in the same process and run.
//!
//! A campaign with many candidates is seeded in a real database; the real router serves on one
//! loopback port and a bare handler (the page's captured status, headers and body, nothing else)
//! on another. The same load generator (keep-alive HTTP/1.1 connections, one candidate each)
//! drives both, alternating in rounds so that machine noise falls on both alike.
//!
//! Run with `cargo bench -p turnout --bench invitation_page` (release profile): SQLite file in a
//! temporary folder, and PostgreSQL too when `TURNOUT_TEST_POSTGRES_URL` is set (a database is
//! created for the run and dropped after). The figures go to `bench-results/invitation-page.md`.
//!
//! Knobs (environment): `INVITATION_BENCH_CANDIDATES` (default 100,000),
//! `INVITATION_BENCH_CONNECTIONS` (64), `INVITATION_BENCH_ROUNDS` (5),
//! `INVITATION_BENCH_ROUND_SECS` (4), `INVITATION_BENCH_ENCODING` (the `Accept-Encoding` sent,
//! default a phone browser's `gzip, deflate, br`), `INVITATION_BENCH_OUT` (where to write the
//! figures), `INVITATION_BENCH_SAVE_PAGE` (a file to keep the page's HTML in, to compare
//! builds). `INVITATION_BENCH_PROFILE_SECS=n` instead loads only the page, on SQLite, for `n`
//! seconds after printing `profile: start pid=…`, for `perf record -p` (see
//! `scripts/profile-invitation-page.sh`), and writes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Bytes;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use leptos::prelude::LeptosOptions;
use sqlx::{AnyPool, Connection};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Barrier;
use turnout_app::server::{AppContext, Clock, INVITATION_COOKIE};
use turnout_domain::{Capacity, InvitationWindow, ReschedulePolicy, TimeZone, TokenHash, WindowDays};
use turnout_store::{NewCampaign, NewCandidate, Store};

/// A phone browser's request headers, but for the cookie and the encodings accepted.
const USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                          Chrome/126.0 Mobile Safari/537.36";
const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ACCEPT_LANGUAGE: &str = "zh-CN,zh;q=0.9,en;q=0.8";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Settings {
    candidates: i64,
    connections: usize,
    rounds: usize,
    round_secs: f64,
    encoding: String,
}

/// A database for the run, removed afterwards.
struct Database {
    url: String,
    label: &'static str,
    drop: Option<(String, String)>,
    dir: Option<std::path::PathBuf>,
}

impl Database {
    fn sqlite() -> Database {
        let dir = std::env::temp_dir().join(format!("turnout-invitation-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Database {
            url: format!("sqlite://{}/bench.db", dir.display()),
            label: "SQLite (file, WAL, synchronous=FULL)",
            drop: None,
            dir: Some(dir),
        }
    }

    async fn postgres(admin_url: &str) -> Database {
        let name = format!("turnout_invitation_bench_{}", std::process::id());
        let mut conn = sqlx::postgres::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create the bench database");
        conn.close().await.ok();
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
        Database {
            url: format!("{prefix}/{name}{query}"),
            label: "PostgreSQL",
            drop: Some((admin_url.to_string(), name)),
            dir: None,
        }
    }

    async fn remove(self) {
        if let Some((admin_url, name)) = self.drop {
            if let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
            }
        }
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The bench's link tokens: the issued shape (43 URL-safe characters), reproducible.
fn token(k: i64) -> String {
    format!("bench{k:038}")
}

/// A guide of the size HR write (a few thousand characters in each language).
fn guide(lang: &str) -> String {
    let para = if lang == "zh" {
        "请在面试前确认网络稳定、光线充足，并提前十分钟进入面试间。面试全程约三十分钟，共五道题，每题有一分钟准备时间。"
    } else {
        "Before the interview, check that your network is stable and your face is well lit, and join ten minutes early. \
         The interview takes about thirty minutes: five questions, each with a minute to prepare."
    };
    (1..=12).map(|n| format!("## {n}\n\n{para}\n\n")).collect()
}

/// Seeds a campaign (slots over its 3-day window, some partly or wholly booked), `n` candidates
/// with invitations written directly in one transaction, and `connections` more invited through
/// the store as the application does. Returns the link tokens of those last ones.
async fn seed(store: &Store, pool: &AnyPool, n: i64, connections: usize, now: DateTime<Utc>) -> Vec<String> {
    let zone: TimeZone = "Asia/Shanghai".parse().unwrap();
    let campaign = NewCampaign {
        bank: "基准银行".into(),
        position: "综合柜员（2026 届校园招聘）".into(),
        branch: "上海分行".into(),
        time_zone: zone,
        window_days: WindowDays::DEFAULT,
        policy: ReschedulePolicy::DEFAULT,
        interview_url: "https://interview.example.com/room/2026-campus".into(),
        login_notes: "请用收到短信的手机号登录，验证码五分钟内有效。".into(),
        help_contact: "技术支持：400-000-0000（工作日 9:00–18:00）".into(),
    };
    let campaign_id = store.create_campaign(&campaign, now).await.unwrap();
    store.set_campaign_guide(campaign_id, &guide("zh"), &guide("en")).await.unwrap();
    let window = InvitationWindow::starting_day_after(now, zone, WindowDays::DEFAULT);
    for (d, day) in window.local_days().into_iter().enumerate() {
        for hour in [9, 10, 11, 13, 14, 15, 16, 17] {
            let start = zone
                .tz()
                .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap()))
                .earliest()
                .unwrap()
                .with_timezone(&Utc);
            let id = store.add_slot(campaign_id, start, start + Duration::minutes(30), Capacity::new(40).unwrap()).await.unwrap();
            // Places left vary, and one slot a day is full.
            let booked = if hour == 10 { 40 } else { (i64::from(hour) * 7 + d as i64 * 5) % 40 };
            sqlx::query("UPDATE slots SET booked = $1 WHERE id = $2").bind(booked).bind(id).execute(pool).await.unwrap();
        }
    }
    let issued = now.timestamp();
    let mut tx = pool.begin().await.unwrap();
    for k in 0..n {
        let id: i64 = {
            use sqlx::Row;
            sqlx::query(
                "INSERT INTO candidates (campaign_id, full_name, email, phone, created_at) VALUES ($1, $2, NULL, $3, $4) \
                 RETURNING id",
            )
            .bind(campaign_id)
            .bind(format!("候选人{k}"))
            .bind(format!("139{k:08}"))
            .bind(issued)
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .get("id")
        };
        sqlx::query(
            "INSERT INTO invitations (candidate_id, campaign_id, token_hash, issued_at, window_first_day, window_days, \
             window_starts_at, window_ends_at, state, last_activity_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $4)",
        )
        .bind(id)
        .bind(campaign_id)
        .bind(TokenHash::of(&token(k)).as_str().to_string())
        .bind(issued)
        .bind(window.first_day.format("%Y-%m-%d").to_string())
        .bind(i64::from(window.days))
        .bind(window.starts_at.timestamp())
        .bind(window.ends_at.timestamp())
        .bind(if k % 3 == 0 { "invited" } else { "opened" })
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO signals (candidate_id, campaign_id, kind, source, occurred_at) VALUES ($1, $2, 'invitation_issued', \
             'system', $3)",
        )
        .bind(id)
        .bind(campaign_id)
        .bind(issued)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tokens = Vec::new();
    for c in 0..connections {
        let t = token(n + c as i64);
        let name = format!("王小明{c}");
        let candidate = NewCandidate { full_name: name, email: Some(format!("bench{c}@example.com")), phone: None };
        store.invite_candidate(campaign_id, &candidate, &TokenHash::of(&t), &window, now).await.unwrap();
        tokens.push(t);
    }
    tokens
}

async fn serve(listener: tokio::net::TcpListener, router: Router) {
    axum::serve(listener, router).await.unwrap();
}

async fn bind() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Starts the real router over `store`; returns its address.
async fn start_turnout(store: &Store) -> SocketAddr {
    let (listener, addr) = bind().await;
    let base = format!("http://{addr}");
    let leptos = LeptosOptions::builder().output_name("turnout").site_root("target/site").site_addr(addr).build();
    let app = AppContext { store: store.clone(), clock: Clock::system(), base_url: base, secure_cookies: false };
    tokio::spawn(serve(listener, turnout::router(app, leptos)));
    addr
}

/// What the page answered, to be served again as it is.
#[derive(Clone)]
struct Captured {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Starts a bare axum handler that answers `/invitation` with `page`; returns its address.
async fn start_bare(page: Captured) -> SocketAddr {
    let (listener, addr) = bind().await;
    let router = Router::new().route(
        "/invitation",
        get(move || {
            let page = page.clone();
            async move { (page.status, page.headers, page.body) }
        }),
    );
    tokio::spawn(serve(listener, router));
    addr
}

/// One keep-alive HTTP/1.1 connection.
async fn connect(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}

fn page_request(addr: SocketAddr, token: &str, encoding: &str) -> Request<Empty<Bytes>> {
    Request::get("/invitation")
        .header("host", addr.to_string())
        .header("user-agent", USER_AGENT)
        .header("accept", ACCEPT)
        .header("accept-language", ACCEPT_LANGUAGE)
        .header("accept-encoding", encoding)
        .header("cookie", format!("{INVITATION_COOKIE}={token}"))
        .body(Empty::new())
        .unwrap()
}

/// Opens each candidate's link as a browser would (which records the opening) and checks the
/// cookie it gets is the link's token.
async fn open_links(addr: SocketAddr, tokens: &[String]) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for t in tokens {
        let res = client.get(format!("http://{addr}/i/{t}")).header("user-agent", USER_AGENT).send().await.unwrap();
        assert_eq!(res.status(), 303, "opening a valid link redirects");
        let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(cookie.starts_with(&format!("{INVITATION_COOKIE}={t};")), "the link's cookie: {cookie}");
    }
}

/// Fetches the page once as `token`'s browser would.
async fn capture(addr: SocketAddr, token: &str, encoding: &str) -> Captured {
    let mut sender = connect(addr).await;
    let res = sender.send_request(page_request(addr, token, encoding)).await.unwrap();
    let status = res.status();
    let mut headers = res.headers().clone();
    // Framing and the date are the server's own business; everything else is served as captured.
    for h in ["date", "content-length", "transfer-encoding", "connection"] {
        headers.remove(h);
    }
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Captured { status, headers, body }
}

/// What one target did in one round.
#[derive(Default)]
struct Tally {
    pages: u64,
    errors: u64,
    secs: f64,
    cpu_secs: f64,
    latencies_us: Vec<u32>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.pages += other.pages;
        self.errors += other.errors;
        self.secs += other.secs;
        self.cpu_secs += other.cpu_secs;
        self.latencies_us.extend(other.latencies_us);
    }

    fn rate(&self) -> f64 {
        self.pages as f64 / self.secs
    }

    fn percentile_ms(&mut self, q: f64) -> f64 {
        self.latencies_us.sort_unstable();
        let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.latencies_us.get(i).copied().unwrap_or(0)) / 1000.0
    }

    fn cpu_us_per_page(&self) -> f64 {
        self.cpu_secs / self.pages as f64 * 1e6
    }
}

/// The process's CPU time so far (user and system, every thread), from `/proc/self/stat`.
fn process_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; Linux counts
    // them in USER_HZ, 100 a second.
    (ticks(11) + ticks(12)) / 100.0
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

/// Drives `addr` for `secs` with one connection per token, each a request at a time.
async fn drive(addr: SocketAddr, tokens: &[String], encoding: &str, secs: f64) -> Tally {
    let barrier = Arc::new(Barrier::new(tokens.len() + 1));
    let mut tasks = Vec::new();
    for t in tokens {
        let (t, encoding, barrier) = (t.clone(), encoding.to_string(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await;
            barrier.wait().await;
            let deadline = Instant::now() + std::time::Duration::from_secs_f64(secs);
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let started = Instant::now();
                let ok = match sender.send_request(page_request(addr, &t, &encoding)).await {
                    Ok(res) => {
                        let status = res.status();
                        let body = res.into_body().collect().await;
                        status == StatusCode::OK && body.is_ok_and(|b| !b.to_bytes().is_empty())
                    }
                    Err(_) => false,
                };
                if ok {
                    tally.pages += 1;
                    tally.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                } else {
                    tally.errors += 1;
                    sender = connect(addr).await;
                }
            }
            tally
        }));
    }
    barrier.wait().await;
    let (started, cpu) = (Instant::now(), process_cpu_secs());
    let mut total = Tally::default();
    for task in tasks {
        total.add(task.await.unwrap());
    }
    total.secs = started.elapsed().as_secs_f64();
    total.cpu_secs = process_cpu_secs() - cpu;
    total
}

/// The figures of one database.
struct Section {
    label: &'static str,
    seeded: std::time::Duration,
    wire_bytes: usize,
    html_bytes: usize,
    content_encoding: String,
    page: Tally,
    bare: Tally,
    round_ratios: Vec<f64>,
    /// The machine's 1-minute load average before and after the rounds (other work shares it).
    load: (String, String),
}

async fn run(db: &Database, s: &Settings) -> Section {
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = AnyPool::connect(&db.url).await.unwrap();
    let t = Instant::now();
    let tokens = seed(&store, &pool, s.candidates, s.connections, Utc::now()).await;
    pool.close().await;
    let seeded = t.elapsed();
    println!("{}: seeded {} candidates in {:.1} s", db.label, s.candidates + s.connections as i64, seeded.as_secs_f64());

    let turnout = start_turnout(&store).await;
    open_links(turnout, &tokens).await;
    // The page as HTML, to check it is the invitation page and not a refusal.
    let html = capture(turnout, &tokens[0], "identity").await;
    let text = String::from_utf8_lossy(&html.body);
    if let Ok(path) = std::env::var("INVITATION_BENCH_SAVE_PAGE") {
        std::fs::write(path, &html.body).unwrap();
    }
    assert_eq!(html.status, StatusCode::OK);
    assert!(text.contains("id=\"invitation\"") && text.contains("王小明0"), "the invitation page: {text}");
    let page = capture(turnout, &tokens[0], &s.encoding).await;
    assert_eq!(page.status, StatusCode::OK);
    let content_encoding = page.headers.get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("identity").to_string();
    let (wire_bytes, html_bytes) = (page.body.len(), html.body.len());
    let bare = start_bare(page).await;
    {
        // The bare handler answers with the same bytes.
        let again = capture(bare, &tokens[0], &s.encoding).await;
        assert_eq!(again.body.len(), wire_bytes);
    }

    if let Some(secs) = std::env::var("INVITATION_BENCH_PROFILE_SECS").ok().and_then(|v| v.parse::<f64>().ok()) {
        drive(turnout, &tokens, &s.encoding, 1.0).await;
        println!("profile: start pid={}", std::process::id());
        let mut t = drive(turnout, &tokens, &s.encoding, secs).await;
        println!(
            "profile: done, {:.0} pages/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            t.rate(),
            t.percentile_ms(0.5),
            t.percentile_ms(0.99),
            t.errors
        );
        store.close().await;
        return Section {
            label: db.label,
            seeded,
            wire_bytes,
            html_bytes,
            content_encoding,
            page: t,
            bare: Tally::default(),
            round_ratios: Vec::new(),
            load: (String::new(), String::new()),
        };
    }

    // Warm both up (connections, statement caches, allocator), then alternate which goes first.
    let load_before = load_average();
    drive(bare, &tokens, &s.encoding, 1.0).await;
    drive(turnout, &tokens, &s.encoding, 1.0).await;
    let (mut page_total, mut bare_total, mut round_ratios) = (Tally::default(), Tally::default(), Vec::new());
    for round in 0..s.rounds {
        let (p, b) = if round % 2 == 0 {
            let b = drive(bare, &tokens, &s.encoding, s.round_secs).await;
            (drive(turnout, &tokens, &s.encoding, s.round_secs).await, b)
        } else {
            let p = drive(turnout, &tokens, &s.encoding, s.round_secs).await;
            (p, drive(bare, &tokens, &s.encoding, s.round_secs).await)
        };
        println!(
            "  round {}: page {:.0}/s ({} errors), bare {:.0}/s, ratio {:.3}",
            round + 1,
            p.rate(),
            p.errors,
            b.rate(),
            p.rate() / b.rate()
        );
        round_ratios.push(p.rate() / b.rate());
        page_total.add(p);
        bare_total.add(b);
    }
    store.close().await;
    Section {
        label: db.label,
        seeded,
        wire_bytes,
        html_bytes,
        content_encoding,
        page: page_total,
        bare: bare_total,
        round_ratios,
        load: (load_before, load_average()),
    }
}

fn report(s: &Settings, sections: &mut [Section]) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = String::new();
    writeln!(out, "# The candidate's invitation page against a bare axum handler\n").unwrap();
    writeln!(out, "- Date: {}", Utc::now().format("%Y-%m-%d %H:%M UTC")).unwrap();
    writeln!(out, "- Machine: {cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH).unwrap();
    writeln!(out, "- Build: `cargo bench -p turnout --bench invitation_page` (release profile)").unwrap();
    writeln!(
        out,
        "- Data: one campaign, {} candidates (invitation and a signal each), 24 slots in the window; the page is read \
         by {} further candidates invited through the store, each link opened once, one candidate per connection",
        s.candidates, s.connections
    )
    .unwrap();
    writeln!(
        out,
        "- Load: {} keep-alive HTTP/1.1 connections (hyper client in the same process and runtime as both servers), one \
         request at a time each; {} rounds of {} s per target after 1 s of warm-up each, alternating which target goes \
         first; a phone browser's headers with `Accept-Encoding: {}`",
        s.connections, s.rounds, s.round_secs, s.encoding
    )
    .unwrap();
    writeln!(
        out,
        "- Bare: an axum handler on another loopback port answering with the page's captured status, headers and body \
         (no middleware, no database)"
    )
    .unwrap();
    writeln!(out, "- CPU per page: the process's CPU time (servers and load generator together) over the pages answered\n")
        .unwrap();
    for sec in sections.iter_mut() {
        writeln!(out, "## {}\n", sec.label).unwrap();
        writeln!(
            out,
            "Seeded in {:.1} s. The page: {} bytes of HTML, {} bytes as sent (`{}`). Load average (1 min) {} before \
             the rounds, {} after.\n",
            sec.seeded.as_secs_f64(),
            sec.html_bytes,
            sec.wire_bytes,
            sec.content_encoding,
            sec.load.0,
            sec.load.1
        )
        .unwrap();
        writeln!(out, "| Target | Pages/s | p50 | p99 | CPU per page | Errors |").unwrap();
        writeln!(out, "|---|---:|---:|---:|---:|---:|").unwrap();
        for (name, t) in [("Invitation page (real router)", &mut sec.page), ("Bare axum handler, same bytes", &mut sec.bare)] {
            writeln!(
                out,
                "| {name} | {:.0} | {:.1} ms | {:.1} ms | {:.0} µs | {} |",
                t.rate(),
                t.percentile_ms(0.5),
                t.percentile_ms(0.99),
                t.cpu_us_per_page(),
                t.errors
            )
            .unwrap();
        }
        let ratio = sec.page.rate() / sec.bare.rate();
        let rounds: Vec<String> = sec.round_ratios.iter().map(|r| format!("{r:.3}")).collect();
        writeln!(
            out,
            "\nRatio (page / bare, pages per second over all rounds): **{ratio:.3}** (target ≥ 0.25); per round: {}. \
             Page p99 at {} connections: **{:.1} ms** (target ≤ 20 ms).\n",
            rounds.join(", "),
            s.connections,
            sec.page.percentile_ms(0.99)
        )
        .unwrap();
    }
    out
}

#[tokio::main]
async fn main() {
    // As the server logs (see `main.rs`), so logging costs what it costs in production.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let s = Settings {
        candidates: env_or("INVITATION_BENCH_CANDIDATES", 100_000),
        connections: env_or("INVITATION_BENCH_CONNECTIONS", 64),
        rounds: env_or("INVITATION_BENCH_ROUNDS", 5),
        round_secs: env_or("INVITATION_BENCH_ROUND_SECS", 4.0),
        encoding: std::env::var("INVITATION_BENCH_ENCODING").unwrap_or_else(|_| "gzip, deflate, br".into()),
    };
    let profiling = std::env::var("INVITATION_BENCH_PROFILE_SECS").is_ok();
    let mut sections = Vec::new();
    let db = Database::sqlite();
    sections.push(run(&db, &s).await);
    db.remove().await;
    if profiling {
        return;
    }
    if let Ok(admin) = std::env::var("TURNOUT_TEST_POSTGRES_URL") {
        let db = Database::postgres(&admin).await;
        sections.push(run(&db, &s).await);
        db.remove().await;
    }
    let out = report(&s, &mut sections);
    print!("{out}");
    let path = std::env::var("INVITATION_BENCH_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench-results/invitation-page.md"));
    std::fs::write(&path, out).unwrap();
    println!("written to {}", path.display());
}
