//! The load: candidates opening their links and confirming over HTTP with many connections at
//! once, the same confirmation in-process, and pages fetched one after another.

use super::seed::Target;
use super::stats::Samples;
use super::BenchClock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use turnout_domain::TokenHash;
use turnout_store::Store;

/// The candidate's cookie, as `/i/{token}` sets it.
pub const INVITATION_COOKIE: &str = "turnout_invitation";
/// HR's session cookie.
pub const HR_COOKIE: &str = "turnout_hr";

/// One connection's client: no redirects followed (the link answers 303), no cookie jar
/// (cookies are sent as each request needs), a generous timeout so a stall is reported as a
/// failure instead of hanging the run.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(1)
        .build()
        .expect("http client")
}

fn error_reason(what: &str, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("{what}: timed out after 120 s")
    } else if e.is_connect() {
        format!("{what}: could not connect")
    } else {
        format!("{what}: {e}")
    }
}

/// The value of cookie `name` among a response's `Set-Cookie` headers.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all(reqwest::header::SET_COOKIE).iter().find_map(|v| {
        let first = v.to_str().ok()?.split(';').next()?;
        let (k, v) = first.split_once('=')?;
        (k.trim() == name && !v.is_empty()).then(|| v.trim().to_string())
    })
}

/// A candidate whose link was opened: their cookie, and the slot to confirm.
#[derive(Debug, Clone)]
pub struct Opened {
    pub cookie: String,
    pub slot_id: i64,
}

/// Opens each target's link (`GET /i/{token}`, expecting 303 and the invitation cookie) with
/// `connections` at once. Returns those opened and the timings.
pub async fn open_links(base: &str, targets: Vec<Target>, connections: usize) -> (Vec<Opened>, Samples) {
    let targets = Arc::new(targets);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (targets, next, base) = (targets.clone(), next.clone(), base.to_string());
        workers.push(tokio::spawn(async move {
            let client = client();
            let mut samples = Samples::default();
            let mut opened = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = targets.get(i) else { break };
                let t0 = Instant::now();
                match client.get(format!("{base}/i/{}", t.token)).send().await {
                    Ok(res) if res.status().as_u16() == 303 => match set_cookie(&res, INVITATION_COOKIE) {
                        Some(cookie) => {
                            let _ = res.bytes().await;
                            samples.latencies.push(t0.elapsed());
                            opened.push(Opened { cookie, slot_id: t.slot_id });
                        }
                        None => samples.fail("open link: 303 without the invitation cookie"),
                    },
                    Ok(res) => samples.fail(format!("open link: {}", res.status())),
                    Err(e) => samples.fail(error_reason("open link", &e)),
                }
            }
            (samples, opened)
        }));
    }
    let mut all = Samples::default();
    let mut opened = Vec::new();
    for w in workers {
        let (s, o) = w.await.expect("worker");
        all.merge(s);
        opened.extend(o);
    }
    all.wall = started.elapsed();
    (opened, all)
}

/// The confirmations of one run, each with the moment it started.
pub struct ConfirmRun {
    pub samples: Samples,
    /// Start instant and latency of each successful confirmation.
    pub timed: Vec<(Instant, Duration)>,
}

/// Confirms each opened candidate's slot (`POST /api/confirm`, `slot={id}`, with their cookie;
/// 200 and `"Confirmed"` expected) with `connections` at once, until all are done or `stop` is
/// set.
pub async fn confirm_http(base: &str, opened: Vec<Opened>, connections: usize, stop: Option<Arc<AtomicBool>>) -> ConfirmRun {
    let opened = Arc::new(opened);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (opened, next, base, stop) = (opened.clone(), next.clone(), base.to_string(), stop.clone());
        workers.push(tokio::spawn(async move {
            let client = client();
            let mut samples = Samples::default();
            let mut timed = Vec::new();
            loop {
                if stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(o) = opened.get(i) else { break };
                let t0 = Instant::now();
                let res = client
                    .post(format!("{base}/api/confirm"))
                    .header("accept", "application/json")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", format!("{INVITATION_COOKIE}={}", o.cookie))
                    .body(format!("slot={}", o.slot_id))
                    .send()
                    .await;
                match res {
                    Ok(res) => {
                        let status = res.status();
                        let body = res.text().await.unwrap_or_default();
                        let latency = t0.elapsed();
                        if status.is_success() && body.trim() == "\"Confirmed\"" {
                            samples.latencies.push(latency);
                            timed.push((t0, latency));
                        } else if status.is_success() {
                            samples.fail(format!("confirm: {status} but answered {}", body.chars().take(80).collect::<String>()));
                        } else {
                            samples.fail(format!("confirm: {status} {}", body.chars().take(80).collect::<String>()));
                        }
                    }
                    Err(e) => samples.fail(error_reason("confirm", &e)),
                }
            }
            (samples, timed)
        }));
    }
    let mut all = Samples::default();
    let mut timed = Vec::new();
    for w in workers {
        let (s, t) = w.await.expect("worker");
        all.merge(s);
        timed.extend(t);
    }
    all.wall = started.elapsed();
    ConfirmRun { samples: all, timed }
}

/// The same two steps in-process, through the store the server uses: the link opened
/// (`record_link_opened`, timed apart), then `confirm_slot`, `tasks` at once. Returns the
/// opening and the confirming timings.
pub async fn confirm_in_process(store: &Store, targets: Vec<Target>, tasks: usize, clock: &BenchClock) -> (Samples, Samples) {
    let targets = Arc::new(targets);
    let client = serde_json::json!({ "device": "mobile" });
    let mut phases = Vec::new();
    for confirm in [false, true] {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..tasks {
            let (targets, next, store, clock, client) =
                (targets.clone(), next.clone(), store.clone(), clock.clone(), client.clone());
            workers.push(tokio::spawn(async move {
                let mut samples = Samples::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(t) = targets.get(i) else { break };
                    let hash = TokenHash::of(&t.token);
                    let t0 = Instant::now();
                    let result = if confirm {
                        store.confirm_slot(&hash, t.slot_id, clock.now()).await.map(|_| ())
                    } else {
                        store.record_link_opened(&hash, clock.now(), &client).await.map(|_| ())
                    };
                    match result {
                        Ok(()) => samples.latencies.push(t0.elapsed()),
                        Err(e) => samples.fail(format!("{}: {e}", if confirm { "confirm_slot" } else { "record_link_opened" })),
                    }
                }
                samples
            }));
        }
        let mut all = Samples::default();
        for w in workers {
            all.merge(w.await.expect("task"));
        }
        all.wall = started.elapsed();
        phases.push(all);
    }
    let confirmed = phases.pop().unwrap_or_default();
    let opened = phases.pop().unwrap_or_default();
    (opened, confirmed)
}

/// One page fetched again and again by one user.
#[derive(Debug, Default, Clone)]
pub struct PageRun {
    pub samples: Samples,
    /// The first request's latency (it may do work the later ones find done).
    pub first: Option<Duration>,
    /// The last successful response's size in bytes (uncompressed: the client asks for no encoding).
    pub bytes: usize,
    /// Rows on the page (candidate links in the last successful response).
    pub rows: usize,
    /// The last successful response's HTML.
    pub html: String,
}

/// Fetches each of `requests` (a path and the `Cookie` header to send) in turn, cycling, `n`
/// times one after another, 200 expected, stopping early when `budget` runs out (after at least
/// 3 requests).
pub async fn sequential(
    client: &reqwest::Client,
    base: &str,
    requests: &[(String, String)],
    n: usize,
    budget: Duration,
) -> PageRun {
    let mut run = PageRun::default();
    let started = Instant::now();
    for i in 0..n {
        if i >= 3 && started.elapsed() > budget {
            break;
        }
        let (path, cookie) = &requests[i % requests.len()];
        let t0 = Instant::now();
        let res = client
            .get(format!("{base}{path}"))
            .header("accept", "text/html")
            .header("accept-language", "zh-CN,zh;q=0.9")
            .header("cookie", cookie.as_str())
            .send()
            .await;
        match res {
            Ok(res) => {
                let status = res.status();
                let body = res.bytes().await.unwrap_or_default();
                let latency = t0.elapsed();
                if status.is_success() {
                    run.samples.latencies.push(latency);
                    if run.first.is_none() {
                        run.first = Some(latency);
                    }
                    run.bytes = body.len();
                    run.html = String::from_utf8_lossy(&body).into_owned();
                    run.rows = count_candidate_links(&run.html);
                } else {
                    run.samples.fail(format!("GET {}: {status}", path.split('?').next().unwrap_or(path)));
                }
            }
            Err(e) => run.samples.fail(error_reason("GET", &e)),
        }
    }
    run.samples.wall = started.elapsed();
    run
}

/// Candidate rows on an HR page: links to distinct candidate pages.
pub fn count_candidate_links(html: &str) -> usize {
    let mut ids: Vec<&str> =
        html.match_indices("href=\"/hr/candidates/").filter_map(|(i, m)| html[i + m.len()..].split('"').next()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// The target of the page's "next" link (`<a … rel="next" … href="…">`), unescaped.
pub fn next_link(html: &str) -> Option<String> {
    for (i, _) in html.match_indices('<') {
        let tag_end = html[i..].find('>').map(|e| i + e)?;
        let tag = &html[i..tag_end];
        let is_link = tag.starts_with("<a ") || tag.starts_with("<link ");
        let is_next = tag.contains("rel=\"next\"") || tag.contains("rel='next'") || tag.contains("rel=next");
        if is_link && is_next {
            let href = tag.split("href=\"").nth(1).and_then(|h| h.split('"').next())?;
            return Some(href.replace("&amp;", "&"));
        }
    }
    None
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
