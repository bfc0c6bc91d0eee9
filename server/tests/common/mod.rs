//! A real Turnout server on a free loopback port over a fresh database: a SQLite file in a new
//! temporary folder, or a new PostgreSQL database created for the test.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use leptos::prelude::LeptosOptions;
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use turnout_app::server::{AppContext, Clock};
use turnout_domain::{Capacity, InvitationWindow, ReschedulePolicy, TimeZone, WindowDays};
use turnout_store::{secret::new_token, NewCampaign, NewCandidate, Store};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name(super::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    super::$name(super::common::Backend::Postgres).await
                }
            }
        )*
    };
}

pub struct TestApp {
    pub base: String,
    /// The database URL (for raw checks).
    pub url: String,
    pub store: Store,
    pub campaign_id: i64,
    pub zone: TimeZone,
    pub window: InvitationWindow,
    now: Arc<Mutex<DateTime<Utc>>>,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn unique(prefix: &str) -> String {
    let (t, _) = new_token();
    format!("{prefix}_{}", t.chars().filter(|c| c.is_ascii_alphanumeric()).take(12).collect::<String>().to_lowercase())
}

/// The PostgreSQL server the tests use: a URL to a database the test user may create databases from.
fn postgres_admin_url() -> String {
    std::env::var("TURNOUT_TEST_POSTGRES_URL").expect(
        "TURNOUT_TEST_POSTGRES_URL is not set: run scripts/test.sh (which starts a local PostgreSQL), \
         or point it at a server where the user may CREATE DATABASE",
    )
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = base.rsplit_once('/').map(|(p, _)| p).unwrap_or(base);
    format!("{prefix}/{db}{query}")
}

/// A campaign of the test bank's Shanghai branch for `position`, with the default window and
/// reschedule policy, no login notes and no help contact.
pub fn campaign(position: &str, zone: TimeZone) -> NewCampaign {
    NewCampaign {
        bank: "测试银行".into(),
        position: position.into(),
        branch: "上海分行".into(),
        time_zone: zone,
        window_days: WindowDays::DEFAULT,
        policy: ReschedulePolicy::DEFAULT,
        interview_url: "https://interview.example.com/room".into(),
        login_notes: String::new(),
        help_contact: String::new(),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with_policy(backend, ReschedulePolicy::DEFAULT).await
    }

    pub async fn spawn_with_policy(backend: Backend, policy: ReschedulePolicy) -> TestApp {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("turnout_test"));
                std::fs::create_dir_all(&dir).unwrap();
                (format!("sqlite://{}/turnout.db", dir.display()), Cleanup::Dir(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = unique("turnout_test");
                let mut conn = sqlx::postgres::PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
                conn.close().await.ok();
                (with_database(&admin_url, &name), Cleanup::PgDatabase { admin_url, name })
            }
        };
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");

        // Time starts at a fixed point: 10:00 in Shanghai today, so windows and slots are predictable.
        let zone: TimeZone = "Asia/Shanghai".parse().unwrap();
        let today = Utc::now().with_timezone(&zone.tz()).date_naive();
        let start = zone
            .tz()
            .from_local_datetime(&today.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap()))
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        let now = Arc::new(Mutex::new(start));
        let clock_now = now.clone();
        let clock = Clock::from_fn(move || *clock_now.lock().unwrap());

        let campaign_id = store
            .create_campaign(
                &NewCampaign {
                    policy,
                    login_notes: "用手机号登录".into(),
                    help_contact: "400-000-0000".into(),
                    ..campaign("柜员", zone)
                },
                start,
            )
            .await
            .unwrap();
        let window = InvitationWindow::starting_day_after(start, zone, WindowDays::DEFAULT);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let leptos = LeptosOptions::builder().output_name("turnout").site_root("target/site").site_addr(addr).build();
        let app = AppContext { store: store.clone(), clock, base_url: base.clone(), secure_cookies: false };
        let router = turnout::router(app, leptos);
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        TestApp { base, url, store, campaign_id, zone, window, now, cleanup }
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap()
    }

    /// What the server's risk worker does on its next tick: rates every candidate due now.
    /// HR's pages show stored ratings, so a test reads them after this.
    pub async fn rate_due(&self) -> usize {
        turnout_app::server::follow_up::refresh(&self.store, turnout_store::RiskScope::Due, self.now()).await.unwrap()
    }

    pub fn set_now(&self, t: DateTime<Utc>) {
        *self.now.lock().unwrap() = t;
    }

    /// A clock that follows [`TestApp::set_now`], for parts run beside the server (a dispatcher).
    pub fn clock(&self) -> Clock {
        let now = self.now.clone();
        Clock::from_fn(move || *now.lock().unwrap())
    }

    /// Adds a slot on window day `day` (0-based) at local `hour`:`minute`, 30 minutes long.
    pub async fn slot_at(&self, day: u32, hour: u32, minute: u32, capacity: i64) -> i64 {
        self.slot_in(self.campaign_id, day, hour, minute, capacity).await
    }

    pub async fn slot_in(&self, campaign_id: i64, day: u32, hour: u32, minute: u32, capacity: i64) -> i64 {
        let date = self.window.local_days()[day as usize];
        let start = self
            .zone
            .tz()
            .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap()))
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        self.store.add_slot(campaign_id, start, start + Duration::minutes(30), Capacity::new(capacity).unwrap()).await.unwrap()
    }

    /// Invites a candidate; returns (candidate id, link token).
    pub async fn invite(&self, name: &str) -> (i64, String) {
        let (token, hash) = new_token();
        let id = self
            .store
            .invite_candidate(
                self.campaign_id,
                &NewCandidate { full_name: name.into(), email: Some(format!("{name}@example.com")), phone: None },
                &hash,
                &self.window,
                self.now(),
            )
            .await
            .unwrap();
        (id, token)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client() -> reqwest::Client {
        // A request that never finishes fails the test instead of hanging the run.
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap()
    }

    /// Opens a candidate's link in a new client, which then holds the invitation cookie.
    pub async fn open(&self, token: &str) -> reqwest::Client {
        let c = Self::client();
        let res = c.get(format!("{}/i/{token}", self.base)).send().await.unwrap();
        assert_eq!(res.status(), 303, "opening a valid link redirects");
        c
    }

    /// Posts a server function form as a script would.
    pub async fn post_form(&self, client: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client.post(format!("{}/api/{endpoint}", self.base)).header("accept", "application/json").form(form).send().await.unwrap()
    }

    /// Posts `body` to a server function as it is, with `accept` and the reader's `language`.
    pub async fn post_body(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: &str,
        accept: &str,
        language: &str,
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", accept)
            .header("accept-language", language)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    /// A page's HTML as a browser preferring `language` would get it.
    pub async fn html_in(&self, client: &reqwest::Client, path: &str, language: &str) -> String {
        client.get(format!("{}{path}", self.base)).header("accept-language", language).send().await.unwrap().text().await.unwrap()
    }

    /// Posts `body` over a raw connection as the candidate with `token`, with a Content-Length
    /// or (`chunked`) in 64 KiB chunks with none, reading the answer while writing: a server
    /// that refuses a body early answers and closes before the client has finished, which an
    /// ordinary client reports as a broken pipe. The status.
    pub async fn raw_post(&self, path: &str, token: &str, body: &[u8], chunked: bool) -> u16 {
        let (status, _) = self.raw_post_as(path, token, body, chunked, "application/json").await;
        status
    }

    /// [`TestApp::raw_post`] with an `Accept` header of choice; the status and the whole answer.
    pub async fn raw_post_as(&self, path: &str, token: &str, body: &[u8], chunked: bool, accept: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.base.trim_start_matches("http://").to_string();
        let (mut rx, mut tx) = tokio::net::TcpStream::connect(&addr).await.unwrap().into_split();
        let reader = tokio::spawn(async move {
            let mut answer = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = rx.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                answer.extend_from_slice(&buf[..n]);
            }
            answer
        });
        let framing = if chunked { "Transfer-Encoding: chunked".to_string() } else { format!("Content-Length: {}", body.len()) };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: turnout_invitation={token}\r\nAccept: {accept}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\nConnection: close\r\n\r\n"
        );
        if tx.write_all(head.as_bytes()).await.is_ok() {
            for chunk in body.chunks(64 * 1024) {
                // The server may answer and close early; later writes may fail, which is the point.
                let written = if chunked {
                    tx.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_ok()
                        && tx.write_all(chunk).await.is_ok()
                        && tx.write_all(b"\r\n").await.is_ok()
                } else {
                    tx.write_all(chunk).await.is_ok()
                };
                if !written {
                    break;
                }
            }
            if chunked {
                let _ = tx.write_all(b"0\r\n\r\n").await;
            }
        }
        let answer = tokio::time::timeout(std::time::Duration::from_secs(120), reader)
            .await
            .unwrap_or_else(|_| panic!("no answer to {path} within 120 s"))
            .unwrap();
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"));
        (status, text)
    }

    /// Places booked in a slot, read back from the database.
    pub async fn booked(&self, slot_id: i64) -> u32 {
        self.store.slot(slot_id).await.unwrap().booked
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                // Best effort, on a thread of its own: the runtime may be shutting down.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(async move {
                        if let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
