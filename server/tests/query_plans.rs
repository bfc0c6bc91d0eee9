//! Every statement the candidate's path, HR's status page, the call list and the risk worker
//! run must find its rows by index: a season is 100k candidates and 1M signals, and one full
//! scan on those paths turns milliseconds into seconds.
//!
//! The test drives the real flows through the router, records each statement sqlx runs (its
//! `sqlx::query` events), and asks each database for the plan: SQLite's `EXPLAIN QUERY PLAN`
//! (planned before any value is bound), PostgreSQL's generic plan of the prepared statement with
//! sequential scans priced out (`enable_seqscan = off`), so a scan there means no index can
//! serve the statement. Its own test binary, so no other test's statements are recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp};
use sqlx::{Connection, Row};
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Tables that grow with the season. A full scan of any other (campaigns, settings, models,
/// HR accounts) is fine.
const SEASON_TABLES: [&str; 13] = [
    "invitations",
    "candidates",
    "signals",
    "notices",
    "outbox",
    "bookings",
    "slots",
    "risk_assessments",
    "risk_overrides",
    "calls",
    "feedback",
    "notice_links",
    "hr_sessions",
];

fn recorded() -> &'static Mutex<Option<BTreeSet<String>>> {
    static STATEMENTS: OnceLock<Mutex<Option<BTreeSet<String>>>> = OnceLock::new();
    STATEMENTS.get_or_init(|| Mutex::new(None))
}

/// Keeps the SQL of every `sqlx::query` event while recording is on.
struct Recorder;

#[derive(Default)]
struct Statement {
    summary: String,
    full: String,
}

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_string(),
            "db.statement" => self.full = value.to_string(),
            _ => {}
        }
    }
    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut s = Statement::default();
        event.record(&mut s);
        // Short statements come whole in the summary; long ones in full after it.
        let sql = if s.full.trim().is_empty() { s.summary } else { s.full.trim().to_string() };
        if let Some(set) = recorded().lock().unwrap().as_mut() {
            set.insert(sql);
        }
    }
}

fn start_recording() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(
            Recorder.with_filter(tracing_subscriber::filter::Targets::new().with_target("sqlx::query", tracing::Level::TRACE)),
        );
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
    });
    *recorded().lock().unwrap() = Some(BTreeSet::new());
}

fn stop_recording() -> BTreeSet<String> {
    recorded().lock().unwrap().take().unwrap_or_default()
}

/// The highest `$n` placeholder in a statement.
fn parameters(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok())
        .max()
        .unwrap_or(0)
}

fn explainable(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_uppercase();
    ["SELECT", "UPDATE", "DELETE", "INSERT", "WITH"].iter().any(|k| head.starts_with(k))
}

/// Each table a plan reads in full, by the names and aliases it uses. Walking a partial index
/// in full is not reading the table: it holds only the rows the index is for (the call list's
/// candidates, say), never the season.
fn sqlite_scans(plan: &[String], partial_indexes: &BTreeSet<String>) -> Vec<String> {
    plan.iter()
        .filter_map(|line| line.strip_prefix("SCAN "))
        .filter(|rest| !rest.contains("VIRTUAL TABLE") && !rest.starts_with("CONSTANT ROW"))
        .filter(|rest| {
            let index = rest.split(" INDEX ").nth(1).and_then(|i| i.split_whitespace().next());
            !index.is_some_and(|i| partial_indexes.contains(i))
        })
        .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

fn postgres_scans(plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter_map(|line| line.split("Seq Scan on ").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

/// The statement's table names and their aliases (`invitations i` → `i` names invitations).
fn season_names(sql: &str) -> BTreeSet<String> {
    let words: Vec<&str> = sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let mut names = BTreeSet::new();
    for (k, w) in words.iter().enumerate() {
        if SEASON_TABLES.contains(w) {
            names.insert(w.to_string());
            let next = words.get(k + 1).copied().unwrap_or_default();
            let alias = if next.eq_ignore_ascii_case("AS") { words.get(k + 2).copied().unwrap_or_default() } else { next };
            if !alias.is_empty()
                && !["ON", "WHERE", "SET", "JOIN", "LEFT", "VALUES", "GROUP", "ORDER", "LIMIT", "RETURNING"]
                    .iter()
                    .any(|kw| alias.eq_ignore_ascii_case(kw))
            {
                names.insert(alias.to_string());
            }
        }
    }
    names
}

async fn plan(app: &TestApp, backend: Backend, sql: &str) -> Vec<String> {
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::AnyConnection::connect(&app.url).await.unwrap();
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query::<sqlx::Any>(&explain);
            for _ in 0..parameters(sql) {
                query = query.bind(Option::<i64>::None);
            }
            let rows = query.fetch_all(&mut conn).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
            rows.iter().map(|r| r.try_get::<String, _>("detail").unwrap()).collect()
        }
        Backend::Postgres => {
            let mut conn = sqlx::AnyConnection::connect(&app.url).await.unwrap();
            let n = parameters(sql);
            sqlx::raw_sql("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan").execute(&mut conn).await.unwrap();
            // PostgreSQL infers each parameter's type from its use; one only tested for NULL
            // (`$3 IS NULL OR name LIKE $3` is fine, a bare `$1 IS NULL` is not) is declared text.
            let mut types = vec!["unknown"; n];
            loop {
                let declared = if n == 0 { String::new() } else { format!("({})", types.join(", ")) };
                let prepare = format!("PREPARE plan_check {declared} AS {sql}");
                match sqlx::raw_sql(&prepare).execute(&mut conn).await {
                    Ok(_) => break,
                    Err(e) => {
                        let message = e.to_string();
                        let k: Option<usize> = message
                            .split("could not determine data type of parameter $")
                            .nth(1)
                            .and_then(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok());
                        match k {
                            Some(k) if k >= 1 && k <= n && types[k - 1] == "unknown" => types[k - 1] = "text",
                            _ => panic!("{message}: {sql}"),
                        }
                    }
                }
            }
            let args = vec!["NULL"; n].join(", ");
            let explain =
                if n == 0 { "EXPLAIN EXECUTE plan_check".to_string() } else { format!("EXPLAIN EXECUTE plan_check({args})") };
            let rows = sqlx::query::<sqlx::Any>(&explain).fetch_all(&mut conn).await.unwrap();
            rows.iter().map(|r| r.try_get::<String, _>(0).unwrap()).collect()
        }
    }
}

/// Explains every recorded statement and lists those that read a season's table in full.
async fn full_scans(app: &TestApp, backend: Backend, statements: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let partial_indexes: BTreeSet<String> = match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::AnyConnection::connect(&app.url).await.unwrap();
            sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")
                .fetch_all(&mut conn)
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String, _>("name").unwrap())
                .collect()
        }
        Backend::Postgres => BTreeSet::new(),
    };
    for sql in statements.iter().filter(|s| explainable(s) && !season_names(s).is_empty()) {
        let plan = plan(app, backend, sql).await;
        let scans = match backend {
            Backend::Sqlite => sqlite_scans(&plan, &partial_indexes),
            Backend::Postgres => postgres_scans(&plan),
        };
        let names = season_names(sql);
        let bad: Vec<_> = scans.into_iter().filter(|t| names.contains(t)).collect();
        if !bad.is_empty() {
            problems.push(format!("{backend:?} scans {bad:?} in full:\n{sql}\n{}", plan.join("\n")));
        }
    }
    problems
}

async fn flows(app: &TestApp) -> (BTreeSet<String>, BTreeSet<String>) {
    let slot = app.slot_at(1, 10, 0, 5).await;
    let other = app.slot_at(2, 14, 0, 5).await;
    // Enough rows that a plan is not chosen for an empty table.
    let mut tokens = Vec::new();
    for n in 0..40 {
        tokens.push(app.invite(&format!("候选人{n:02}")).await.1);
    }
    let hash = turnout_app::server::auth::hash_password("a long password").unwrap();
    app.store.upsert_hr_user("hr@bank.example", "HR", &hash, turnout_store::HrRole::Admin, None, app.now()).await.unwrap();

    start_recording();
    let c = app.open(&tokens[0]).await;
    for path in ["/invitation", "/invitation/guide", "/invitation/device-check", "/invitation/feedback"] {
        c.get(format!("{}{path}", app.base)).send().await.unwrap();
    }
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await.status(), 200);
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &other.to_string())]).await.status(), 200);
    c.get(format!("{}/invitation/calendar.ics", app.base)).send().await.unwrap();
    app.post_form(&c, "guide_progress", &[("event", "section"), ("section", "s-2")]).await;
    app.post_form(&c, "guide_progress", &[("event", "end")]).await;
    app.post_form(&c, "guide_ack", &[]).await;
    let report = serde_json::json!({ "items": [{ "item": "speaker", "heard": true }] }).to_string();
    c.post(format!("{}/api/device_check", app.base))
        .header("accept", "application/json")
        .form(&[("report", report)])
        .send()
        .await
        .unwrap();
    app.post_form(&c, "feedback_problem", &[("area", "camera"), ("description", "黑屏")]).await;
    let d = app.open(&tokens[1]).await;
    assert_eq!(app.post_form(&d, "decline", &[("reason", "time_conflict"), ("note", "出差")]).await.status(), 200);
    let candidate = stop_recording();

    app.rate_due().await;
    start_recording();
    let hr = TestApp::client();
    assert_eq!(
        app.post_form(&hr, "hr_login", &[("email", "hr@bank.example"), ("password", "a long password")]).await.status(),
        200
    );
    let status = format!("/hr/campaigns/{}", app.campaign_id);
    for query in ["", "?state=confirmed", "?state=expired", "?state=invited", "?q=%E5%80%99", "?after=1700000000.5"] {
        let res = hr.get(format!("{}{status}{query}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{query}");
    }
    let notices = format!("/hr/campaigns/{}/notices", app.campaign_id);
    let candidate_page = format!(
        "/hr/candidates/{}",
        app.store.follow_up_rows(turnout_store::RiskScope::Everyone, app.now()).await.unwrap()[0].candidate_id
    );
    for path in ["/hr/calls", "/hr/calls?after=2.90.1700000000.3", "/hr", &notices, &candidate_page] {
        assert_eq!(hr.get(format!("{}{path}", app.base)).send().await.unwrap().status(), 200, "{path}");
    }
    // The risk worker's tick, with work and without.
    app.set_now(app.now() + chrono::Duration::hours(1));
    app.rate_due().await;
    app.rate_due().await;
    let hr_side = stop_recording();
    (candidate, hr_side)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_candidates_path_and_hrs_pages_read_by_index_on_both_databases() {
    let mut problems = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn(backend).await;
        let (candidate, hr) = flows(&app).await;
        assert!(candidate.len() >= 15, "the candidate's statements were recorded: {candidate:#?}");
        assert!(hr.iter().any(|s| s.contains("ORDER BY i.last_activity_at DESC")), "the status page was recorded");
        assert!(hr.iter().any(|s| s.contains("ra.call_reasons <> ''")), "the call list was recorded");
        assert!(hr.iter().any(|s| s.contains("x.risk_due_at <=")), "the worker's tick was recorded");
        problems.extend(full_scans(&app, backend, &candidate).await);
        problems.extend(full_scans(&app, backend, &hr).await);
    }
    assert!(problems.is_empty(), "{} statements read a season's table in full:\n\n{}", problems.len(), problems.join("\n\n"));
}

#[test]
fn a_full_scan_is_recognised_in_either_plan() {
    let sql = "SELECT * FROM invitations i JOIN candidates c ON c.id = i.candidate_id WHERE c.full_name = $1";
    assert_eq!(season_names(sql), ["c", "candidates", "i", "invitations"].map(String::from).into());
    let partial = BTreeSet::from(["risk_assessments_calls".to_string()]);
    assert_eq!(sqlite_scans(&["SCAN i".into(), "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)".into()], &partial), vec!["i"]);
    assert!(sqlite_scans(&["SEARCH i USING INDEX invitations_campaign_activity (campaign_id=?)".into()], &partial).is_empty());
    assert!(sqlite_scans(&["SCAN ra USING INDEX risk_assessments_calls".into()], &partial).is_empty());
    assert_eq!(sqlite_scans(&["SCAN i USING INDEX invitations_campaign_state".into()], &partial), vec!["i"]);
    assert_eq!(postgres_scans(&["  ->  Seq Scan on invitations i  (cost=10000000000.00..)".into()]), vec!["invitations"]);
    assert_eq!(parameters("SELECT $1, $12, $3"), 12);
}
