//! Real providers on loopback for the reminder tests: an SMTP server (aiosmtpd, in Python)
//! and an HTTP server standing in for the SMS gateway and the WeCom API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use turnout::config::{DispatchSettings, ReminderSettings, SmsSettings, SmtpSettings, SmtpTls, WeComSettings};

/// Dispatcher settings for tests: quick rounds, short provider timeouts.
pub fn dispatch() -> DispatchSettings {
    DispatchSettings {
        interval: Duration::from_millis(200),
        batch: 100,
        concurrency: 8,
        lease: Duration::from_secs(30),
        max_attempts: 6,
        backoff: Duration::from_secs(60),
        provider_timeout: Duration::from_secs(1),
    }
}

/// Reminder settings pointing at the stand-ins: e-mail when `smtp` is given, SMS and work chat
/// through `gateway` when chosen.
pub fn channels(smtp: Option<&SmtpSink>, gateway: Option<&Gateway>, sms: bool, wecom: bool) -> ReminderSettings {
    ReminderSettings {
        smtp: smtp.map(|s| SmtpSettings {
            host: "127.0.0.1".into(),
            port: s.port,
            tls: SmtpTls::None,
            from: "招聘中心 <hr@bank.example.com>".into(),
            credentials: None,
        }),
        sms: gateway.filter(|_| sms).map(|g| SmsSettings {
            url: format!("{}/sms", g.base),
            key: "acct-1".into(),
            secret: SMS_SECRET.into(),
        }),
        wecom: gateway.filter(|_| wecom).map(|g| WeComSettings {
            base_url: g.base.clone(),
            corp_id: "ww-test".into(),
            secret: "wecom-secret".into(),
            agent_id: 1000002,
        }),
        dispatch: dispatch(),
    }
}

/// The SMS gateway's signing secret in tests.
pub const SMS_SECRET: &str = "test-sms-secret";

/// A Python 3 that has aiosmtpd: `TURNOUT_PYTHON`, Debian's, the one on the PATH, or the venv
/// `scripts/setup.sh --test` makes when Debian's package is not available.
pub fn python_with_aiosmtpd() -> PathBuf {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("TURNOUT_PYTHON") {
        candidates.push(p.into());
    }
    candidates.push("/usr/bin/python3".into());
    candidates.push("python3".into());
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(PathBuf::from(home).join(".cache/turnout-aiosmtpd/bin/python3"));
    }
    for c in &candidates {
        let ok = Command::new(c)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return c.clone();
        }
    }
    panic!("no Python with aiosmtpd found (tried {candidates:?}); run scripts/setup.sh --test")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A received e-mail, as the SMTP server parsed it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub message_id: String,
    pub idempotency_key: String,
    pub importance: String,
    pub subject: String,
    pub to: String,
    pub content_type: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Mail {
    /// The token of the tracked link (`/t/c/{token}`) in the plain text.
    pub fn click_token(&self) -> String {
        token_after(self.text.as_deref().unwrap_or_default(), "/t/c/").expect("a tracked link in the mail")
    }
    /// The token of the open pixel (`/t/o/{token}`) in the HTML.
    pub fn open_token(&self) -> String {
        token_after(self.html.as_deref().unwrap_or_default(), "/t/o/").expect("an open pixel in the mail")
    }
}

/// The 43-character token after `marker` in `text`.
pub fn token_after(text: &str, marker: &str) -> Option<String> {
    let i = text.find(marker)? + marker.len();
    let token: String = text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (token.len() == 43).then_some(token)
}

/// aiosmtpd on a free loopback port, writing what it receives to a temporary folder.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_with(&[])
    }

    /// Starts it with extra arguments (`--headers-only`).
    pub fn start_with(args: &[&str]) -> SmtpSink {
        let python = python_with_aiosmtpd();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let dir = std::env::temp_dir().join(format!("turnout-smtp-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        SmtpSink { child, port, dir }
    }

    /// Every mail received so far, in order of arrival.
    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort_by_key(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            let mut parts = n.trim_end_matches(".json").split('-');
            (parts.next().and_then(|x| x.parse::<u128>().ok()).unwrap_or(0), n)
        });
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// Waits until at least `n` mails have arrived (or panics after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(started.elapsed() < within, "expected {n} mails, got {}", mails.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How the SMS gateway answers the next request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// With this status.
    Status(u16),
    /// Not before this long (longer than the client waits: a timeout).
    Hang(Duration),
}

/// One request to the SMS gateway.
#[derive(Debug, Clone)]
pub struct SmsRequest {
    pub key: String,
    pub header_key: String,
    pub to: String,
    pub text: String,
    pub important: bool,
    pub link: String,
    pub signature_ok: bool,
}

/// What the stand-in providers saw.
#[derive(Default)]
pub struct GatewayState {
    /// Every SMS request, answered or not.
    pub sms_requests: Mutex<Vec<SmsRequest>>,
    /// SMS delivered: the first accepted request per idempotency key.
    pub sms_delivered: Mutex<Vec<SmsRequest>>,
    /// Replies for the next SMS requests (then 200).
    pub sms_script: Mutex<VecDeque<Reply>>,
    /// Numbers the gateway always refuses with 500.
    pub sms_down_for: Mutex<HashSet<String>>,
    /// A pause before every SMS answer.
    pub sms_delay: Mutex<Duration>,
    /// Access tokens issued by gettoken.
    pub wecom_tokens: AtomicU32,
    /// The next message/send says the token expired (42001).
    pub wecom_expire_next: AtomicBool,
    /// Messages WeCom accepted.
    pub wecom_messages: Mutex<Vec<serde_json::Value>>,
    /// User ids WeCom does not know (it answers errcode 81013, "all touser invalid").
    pub wecom_unknown_users: Mutex<HashSet<String>>,
}

/// The SMS gateway and WeCom API, on a free loopback port.
pub struct Gateway {
    pub base: String,
    pub state: Arc<GatewayState>,
}

impl Gateway {
    pub async fn start() -> Gateway {
        let state = Arc::new(GatewayState::default());
        let app = Router::new()
            .route("/sms", post(sms))
            .route("/cgi-bin/gettoken", get(gettoken))
            .route("/cgi-bin/message/send", post(wecom_send))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Gateway { base, state }
    }

    pub fn sms_delivered(&self) -> Vec<SmsRequest> {
        self.state.sms_delivered.lock().unwrap().clone()
    }

    pub fn sms_requests(&self) -> Vec<SmsRequest> {
        self.state.sms_requests.lock().unwrap().clone()
    }

    pub fn wecom_messages(&self) -> Vec<serde_json::Value> {
        self.state.wecom_messages.lock().unwrap().clone()
    }
}

fn verify(headers: &HeaderMap, body: &[u8]) -> bool {
    let ts = headers.get("x-turnout-timestamp").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let sig = headers.get("x-turnout-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(SMS_SECRET.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    !ts.is_empty() && sig == expected
}

async fn sms(State(state): State<Arc<GatewayState>>, headers: HeaderMap, body: Bytes) -> Response {
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad json").into_response(),
    };
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    let req = SmsRequest {
        key: field("idempotency_key"),
        header_key: headers.get("idempotency-key").and_then(|h| h.to_str().ok()).unwrap_or_default().to_string(),
        to: field("to"),
        text: field("text"),
        important: v.get("important").and_then(|x| x.as_bool()).unwrap_or(false),
        link: field("link"),
        signature_ok: verify(&headers, &body),
    };
    state.sms_requests.lock().unwrap().push(req.clone());
    if !req.signature_ok {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    let delay = *state.sms_delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if state.sms_down_for.lock().unwrap().contains(&req.to) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
    }
    let reply = state.sms_script.lock().unwrap().pop_front();
    match reply {
        Some(Reply::Status(code)) => return (StatusCode::from_u16(code).unwrap(), "scripted").into_response(),
        Some(Reply::Hang(d)) => {
            tokio::time::sleep(d).await;
            return (StatusCode::SERVICE_UNAVAILABLE, "too late").into_response();
        }
        None => {}
    }
    // The gateway honours idempotency keys: a repeat is acknowledged, not delivered again.
    let mut delivered = state.sms_delivered.lock().unwrap();
    if !delivered.iter().any(|d| d.key == req.key) {
        delivered.push(req.clone());
    }
    Json(serde_json::json!({ "id": format!("sms-{}", req.key) })).into_response()
}

#[derive(Deserialize)]
struct TokenQuery {
    corpid: String,
    corpsecret: String,
}

async fn gettoken(State(state): State<Arc<GatewayState>>, Query(q): Query<TokenQuery>) -> Json<serde_json::Value> {
    if q.corpid != "ww-test" || q.corpsecret != "wecom-secret" {
        return Json(serde_json::json!({ "errcode": 40013, "errmsg": "invalid corpid" }));
    }
    let n = state.wecom_tokens.fetch_add(1, Ordering::SeqCst) + 1;
    Json(serde_json::json!({ "errcode": 0, "errmsg": "ok", "access_token": format!("tok-{n}"), "expires_in": 7200 }))
}

#[derive(Deserialize)]
struct SendQuery {
    access_token: String,
}

async fn wecom_send(
    State(state): State<Arc<GatewayState>>,
    Query(q): Query<SendQuery>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let current = format!("tok-{}", state.wecom_tokens.load(Ordering::SeqCst));
    if state.wecom_expire_next.swap(false, Ordering::SeqCst) || q.access_token != current {
        return Json(serde_json::json!({ "errcode": 42001, "errmsg": "access_token expired" }));
    }
    let touser = body.get("touser").and_then(|t| t.as_str()).unwrap_or_default();
    if state.wecom_unknown_users.lock().unwrap().contains(touser) {
        return Json(serde_json::json!({ "errcode": 81013, "errmsg": "user & party & tag all invalid" }));
    }
    let mut messages = state.wecom_messages.lock().unwrap();
    messages.push(body);
    Json(serde_json::json!({ "errcode": 0, "errmsg": "ok", "msgid": format!("msg-{}", messages.len()) }))
}

/// Messages per idempotency key (for duplicate checks).
pub fn counts_by<T>(items: &[T], key: impl Fn(&T) -> String) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for i in items {
        *m.entry(key(i)).or_insert(0) += 1;
    }
    m
}
