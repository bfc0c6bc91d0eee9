//! Settings from the environment.

use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use turnout_app::server::Clock;

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` (default `sqlite://data/turnout.db`) or `postgres://…`.
    pub database_url: String,
    /// `TURNOUT_ADDR`, else `LEPTOS_SITE_ADDR`, else `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// `TURNOUT_BASE_URL`: the base of links sent to candidates (default `http://{addr}`).
    pub base_url: String,
    /// `LEPTOS_SITE_ROOT`: where the built site (`pkg/`, assets) lives (default `target/site`).
    pub site_root: String,
    /// Reminder channels and the dispatcher.
    pub reminders: ReminderSettings,
    /// `TURNOUT_CLOCK_START`, for tests and demos only: an RFC 3339 instant (e.g.
    /// `2026-12-01T23:30:00+08:00`) at which the clock starts when the process starts, advancing
    /// in real time from there. Unset (the default), the clock is the system's.
    pub clock_start: Option<DateTime<Utc>>,
    /// `TURNOUT_DEMO_CREDENTIALS`: where `turnout demo` keeps the sign-in and links it printed,
    /// so a later run prints the same ones (default: `demo-credentials.json` beside a SQLite
    /// database file, else `data/demo-credentials.json`).
    pub demo_credentials: PathBuf,
}

/// The reminder channels (each `None` when not configured: its notices are recorded as
/// skipped) and how the dispatcher works.
#[derive(Debug, Clone, Default)]
pub struct ReminderSettings {
    /// E-mail over SMTP.
    pub smtp: Option<SmtpSettings>,
    /// SMS through an HTTP gateway.
    pub sms: Option<SmsSettings>,
    /// WeCom application messages.
    pub wecom: Option<WeComSettings>,
    /// The dispatcher.
    pub dispatch: DispatchSettings,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the local network, or tests).
    None,
    /// STARTTLS, required.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

/// `TURNOUT_SMTP_*`.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `TURNOUT_SMTP_HOST` (setting it turns e-mail on).
    pub host: String,
    /// `TURNOUT_SMTP_PORT` (default 587 with STARTTLS, 465 with TLS, 25 without).
    pub port: u16,
    /// `TURNOUT_SMTP_TLS`: `starttls` (default), `tls` or `none`.
    pub tls: SmtpTls,
    /// `TURNOUT_SMTP_FROM` (default `Turnout <noreply@{host}>`).
    pub from: String,
    /// `TURNOUT_SMTP_USER` and `TURNOUT_SMTP_PASSWORD`, when the server wants a login.
    pub credentials: Option<(String, String)>,
}

/// `TURNOUT_SMS_*`.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// `TURNOUT_SMS_URL`: where messages are posted (setting it turns SMS on).
    pub url: String,
    /// `TURNOUT_SMS_KEY`: the account key sent with each request.
    pub key: String,
    /// `TURNOUT_SMS_SECRET`: the HMAC-SHA256 key that signs each request.
    pub secret: String,
}

/// `TURNOUT_WECOM_*`.
#[derive(Debug, Clone)]
pub struct WeComSettings {
    /// `TURNOUT_WECOM_BASE_URL` (default `https://qyapi.weixin.qq.com`).
    pub base_url: String,
    /// `TURNOUT_WECOM_CORP_ID` (setting it turns work chat on).
    pub corp_id: String,
    /// `TURNOUT_WECOM_SECRET`: the application's secret.
    pub secret: String,
    /// `TURNOUT_WECOM_AGENT_ID`: the application's agent id.
    pub agent_id: i64,
}

/// `TURNOUT_DISPATCH_*`: how often the outbox is drained, how hard, and how patiently.
#[derive(Debug, Clone, Copy)]
pub struct DispatchSettings {
    /// `TURNOUT_DISPATCH_INTERVAL_SECS` (default 10): pause between rounds when nothing is due.
    pub interval: Duration,
    /// `TURNOUT_DISPATCH_BATCH` (default 64): messages claimed per round.
    pub batch: i64,
    /// `TURNOUT_DISPATCH_CONCURRENCY` (default 16): messages with providers at once.
    pub concurrency: usize,
    /// `TURNOUT_DISPATCH_LEASE_SECS` (default 120): after this, a claimed message whose
    /// dispatcher went silent (crashed) is taken over by another. It must outlast the slowest
    /// round: batch / concurrency × 2 × provider timeout.
    pub lease: Duration,
    /// `TURNOUT_DISPATCH_MAX_ATTEMPTS` (default 6): attempts before a message is failed.
    pub max_attempts: u32,
    /// `TURNOUT_DISPATCH_BACKOFF_SECS` (default 60): the first retry's delay, doubled for each
    /// later one (capped at 2 hours).
    pub backoff: Duration,
    /// `TURNOUT_PROVIDER_TIMEOUT_SECS` (default 10): how long a provider may take to answer.
    pub provider_timeout: Duration,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            interval: Duration::from_secs(10),
            batch: 64,
            concurrency: 16,
            lease: Duration::from_secs(120),
            max_attempts: 6,
            backoff: Duration::from_secs(60),
            provider_timeout: Duration::from_secs(10),
        }
    }
}

impl ReminderSettings {
    /// Reads the reminder settings through `get`.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<ReminderSettings, SettingsError> {
        let number = |name: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, SettingsError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| SettingsError { name, reason: format!("{v}: expected a number in {range:?}") }),
            }
        };
        let smtp = match get("TURNOUT_SMTP_HOST") {
            None => None,
            Some(host) => {
                let tls = match get("TURNOUT_SMTP_TLS").as_deref().map(str::trim) {
                    None | Some("starttls") => SmtpTls::StartTls,
                    Some("tls") => SmtpTls::Tls,
                    Some("none") => SmtpTls::None,
                    Some(other) => {
                        return Err(SettingsError {
                            name: "TURNOUT_SMTP_TLS",
                            reason: format!("{other}: use starttls, tls or none"),
                        })
                    }
                };
                let default_port = match tls {
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                    SmtpTls::None => 25,
                };
                let port = number("TURNOUT_SMTP_PORT", default_port, 1..=65535)? as u16;
                let from = get("TURNOUT_SMTP_FROM").unwrap_or_else(|| format!("Turnout <noreply@{}>", host.trim()));
                if from.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(SettingsError { name: "TURNOUT_SMTP_FROM", reason: format!("{from}: not an e-mail address") });
                }
                let credentials = match (get("TURNOUT_SMTP_USER"), get("TURNOUT_SMTP_PASSWORD")) {
                    (Some(u), Some(p)) => Some((u, p)),
                    (None, None) => None,
                    _ => {
                        return Err(SettingsError {
                            name: "TURNOUT_SMTP_USER",
                            reason: "set both TURNOUT_SMTP_USER and TURNOUT_SMTP_PASSWORD, or neither".into(),
                        })
                    }
                };
                Some(SmtpSettings { host: host.trim().to_string(), port, tls, from, credentials })
            }
        };
        let sms = match get("TURNOUT_SMS_URL") {
            None => None,
            Some(url) => {
                let url = url.trim().to_string();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(SettingsError { name: "TURNOUT_SMS_URL", reason: "must start with http:// or https://".into() });
                }
                let secret = get("TURNOUT_SMS_SECRET").ok_or_else(|| SettingsError {
                    name: "TURNOUT_SMS_SECRET",
                    reason: "required with TURNOUT_SMS_URL".into(),
                })?;
                Some(SmsSettings { url, key: get("TURNOUT_SMS_KEY").unwrap_or_default(), secret })
            }
        };
        let wecom = match get("TURNOUT_WECOM_CORP_ID") {
            None => None,
            Some(corp_id) => {
                let base_url = get("TURNOUT_WECOM_BASE_URL").unwrap_or_else(|| "https://qyapi.weixin.qq.com".into());
                if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                    return Err(SettingsError {
                        name: "TURNOUT_WECOM_BASE_URL",
                        reason: "must start with http:// or https://".into(),
                    });
                }
                let secret = get("TURNOUT_WECOM_SECRET").ok_or_else(|| SettingsError {
                    name: "TURNOUT_WECOM_SECRET",
                    reason: "required with TURNOUT_WECOM_CORP_ID".into(),
                })?;
                let agent = get("TURNOUT_WECOM_AGENT_ID").ok_or_else(|| SettingsError {
                    name: "TURNOUT_WECOM_AGENT_ID",
                    reason: "required with TURNOUT_WECOM_CORP_ID".into(),
                })?;
                let agent_id = agent
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| SettingsError { name: "TURNOUT_WECOM_AGENT_ID", reason: format!("{agent}: not a number") })?;
                Some(WeComSettings { base_url: base_url.trim_end_matches('/').to_string(), corp_id, secret, agent_id })
            }
        };
        let d = DispatchSettings::default();
        let dispatch = DispatchSettings {
            interval: Duration::from_secs(number("TURNOUT_DISPATCH_INTERVAL_SECS", d.interval.as_secs(), 1..=3600)?),
            batch: number("TURNOUT_DISPATCH_BATCH", d.batch as u64, 1..=5000)? as i64,
            concurrency: number("TURNOUT_DISPATCH_CONCURRENCY", d.concurrency as u64, 1..=256)? as usize,
            lease: Duration::from_secs(number("TURNOUT_DISPATCH_LEASE_SECS", d.lease.as_secs(), 1..=86_400)?),
            max_attempts: number("TURNOUT_DISPATCH_MAX_ATTEMPTS", u64::from(d.max_attempts), 1..=50)? as u32,
            backoff: Duration::from_secs(number("TURNOUT_DISPATCH_BACKOFF_SECS", d.backoff.as_secs(), 1..=86_400)?),
            provider_timeout: Duration::from_secs(number(
                "TURNOUT_PROVIDER_TIMEOUT_SECS",
                d.provider_timeout.as_secs(),
                1..=600,
            )?),
        };
        // A claim must outlast the slowest round (every send waiting out its timeout twice),
        // or another server would take over messages still being sent.
        let rounds = (dispatch.batch as u64).div_ceil(dispatch.concurrency as u64);
        let slowest = dispatch.provider_timeout.as_secs() * 2 * rounds;
        if dispatch.lease.as_secs() < slowest {
            return Err(SettingsError {
                name: "TURNOUT_DISPATCH_LEASE_SECS",
                reason: format!(
                    "{} s is shorter than the slowest round ({slowest} s: batch / concurrency × 2 × provider timeout)",
                    dispatch.lease.as_secs()
                ),
            });
        }
        Ok(ReminderSettings { smtp, sms, wecom, dispatch })
    }
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name} is not valid: {reason}")]
pub struct SettingsError {
    name: &'static str,
    reason: String,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the settings through `get` (testable without touching the environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/turnout.db".into());
        turnout_store::Backend::of_url(&database_url)
            .map_err(|e| SettingsError { name: "DATABASE_URL", reason: e.to_string() })?;
        let (addr_name, addr_raw) = match get("TURNOUT_ADDR") {
            Some(a) => ("TURNOUT_ADDR", a),
            None => ("LEPTOS_SITE_ADDR", get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into())),
        };
        let addr: SocketAddr =
            addr_raw.trim().parse().map_err(|e| SettingsError { name: addr_name, reason: format!("{addr_raw}: {e}") })?;
        let base_url = get("TURNOUT_BASE_URL").unwrap_or_else(|| format!("http://{addr}"));
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(SettingsError { name: "TURNOUT_BASE_URL", reason: "must start with http:// or https://".into() });
        }
        let site_root = get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into());
        let reminders = ReminderSettings::from_lookup(&get)?;
        let clock_start = match get("TURNOUT_CLOCK_START") {
            None => None,
            Some(v) => {
                Some(DateTime::parse_from_rfc3339(v.trim()).map(|t| t.with_timezone(&Utc)).map_err(|e| SettingsError {
                    name: "TURNOUT_CLOCK_START",
                    reason: format!("{v}: {e} (expected e.g. 2026-12-01T23:30:00+08:00)"),
                })?)
            }
        };
        let demo_credentials =
            get("TURNOUT_DEMO_CREDENTIALS").map(PathBuf::from).unwrap_or_else(|| default_demo_credentials(&database_url));
        Ok(Settings {
            database_url,
            addr,
            base_url: base_url.trim_end_matches('/').to_string(),
            site_root,
            reminders,
            clock_start,
            demo_credentials,
        })
    }

    /// The clock every command reads: the system's, or with `TURNOUT_CLOCK_START` one that
    /// starts at that instant now and advances in real time.
    pub fn clock(&self) -> Clock {
        match self.clock_start {
            None => Clock::system(),
            Some(start) => {
                let began = std::time::Instant::now();
                Clock::from_fn(move || {
                    start + chrono::Duration::from_std(began.elapsed()).unwrap_or_else(|_| chrono::Duration::zero())
                })
            }
        }
    }
}

/// `demo-credentials.json` in the folder of a SQLite database file; `data/demo-credentials.json`
/// for PostgreSQL or an in-memory database.
fn default_demo_credentials(database_url: &str) -> PathBuf {
    const NAME: &str = "demo-credentials.json";
    let fallback = || Path::new("data").join(NAME);
    let Some(rest) = database_url.strip_prefix("sqlite:") else { return fallback() };
    let path = rest.trim_start_matches("//").split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return fallback();
    }
    match Path::new(path).parent() {
        Some(dir) => dir.join(NAME),
        None => PathBuf::from(NAME),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).expect("defaults");
        assert_eq!(s.database_url, "sqlite://data/turnout.db");
        assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.base_url, "http://127.0.0.1:3000");
        assert!(s.reminders.smtp.is_none() && s.reminders.sms.is_none() && s.reminders.wecom.is_none());
        assert_eq!(s.reminders.dispatch.max_attempts, 6);
    }

    #[test]
    fn reminder_channels() {
        let s = settings(&[
            ("TURNOUT_SMTP_HOST", "mail.example.com"),
            ("TURNOUT_SMS_URL", "https://sms.example.com/send"),
            ("TURNOUT_SMS_SECRET", "s3cret"),
            ("TURNOUT_WECOM_CORP_ID", "ww1"),
            ("TURNOUT_WECOM_SECRET", "x"),
            ("TURNOUT_WECOM_AGENT_ID", "1000002"),
            ("TURNOUT_DISPATCH_INTERVAL_SECS", "2"),
        ])
        .expect("ok");
        let smtp = s.reminders.smtp.expect("smtp");
        assert_eq!((smtp.port, smtp.tls, smtp.from.as_str()), (587, SmtpTls::StartTls, "Turnout <noreply@mail.example.com>"));
        assert_eq!(s.reminders.wecom.map(|w| (w.base_url, w.agent_id)), Some(("https://qyapi.weixin.qq.com".into(), 1000002)));
        assert_eq!(s.reminders.dispatch.interval, Duration::from_secs(2));
        for bad in [
            vec![("TURNOUT_SMS_URL", "https://sms.example.com")],
            vec![("TURNOUT_SMTP_HOST", "h"), ("TURNOUT_SMTP_TLS", "maybe")],
            vec![("TURNOUT_SMTP_HOST", "h"), ("TURNOUT_SMTP_USER", "u")],
            vec![("TURNOUT_WECOM_CORP_ID", "ww1"), ("TURNOUT_WECOM_SECRET", "x"), ("TURNOUT_WECOM_AGENT_ID", "abc")],
            vec![("TURNOUT_DISPATCH_BATCH", "0")],
            vec![("TURNOUT_DISPATCH_LEASE_SECS", "30")],
        ] {
            let e = settings(&bad).expect_err("refused");
            assert!(e.to_string().contains("TURNOUT_"), "{e}");
        }
    }

    #[test]
    fn turnout_addr_wins_over_leptos() {
        let s = settings(&[("TURNOUT_ADDR", "0.0.0.0:8080"), ("LEPTOS_SITE_ADDR", "127.0.0.1:9")]).expect("ok");
        assert_eq!(s.addr.port(), 8080);
        let s = settings(&[("LEPTOS_SITE_ADDR", "127.0.0.1:9")]).expect("ok");
        assert_eq!(s.addr.port(), 9);
    }

    #[test]
    fn bad_values_are_named() {
        let e = settings(&[("DATABASE_URL", "mysql://x")]).expect_err("mysql");
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = settings(&[("TURNOUT_ADDR", "nope")]).expect_err("addr");
        assert!(e.to_string().contains("TURNOUT_ADDR"));
        assert!(settings(&[("TURNOUT_BASE_URL", "ftp://x")]).is_err());
        let e = settings(&[("TURNOUT_CLOCK_START", "23:30")]).expect_err("clock");
        assert!(e.to_string().contains("TURNOUT_CLOCK_START"), "{e}");
    }

    #[test]
    fn an_injected_clock_starts_at_its_instant_and_runs() {
        let s = settings(&[]).expect("defaults");
        assert!(s.clock_start.is_none());
        let s = settings(&[("TURNOUT_CLOCK_START", "2026-12-01T23:30:00+08:00")]).expect("ok");
        let start = DateTime::parse_from_rfc3339("2026-12-01T15:30:00Z").expect("instant").with_timezone(&Utc);
        assert_eq!(s.clock_start, Some(start));
        let clock = s.clock();
        let first = clock.now();
        assert!(first >= start && first - start < chrono::Duration::seconds(5), "{first}");
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.now() > first, "it advances");
    }

    #[test]
    fn demo_credentials_sit_beside_a_sqlite_file() {
        let at = |url: &str| settings(&[("DATABASE_URL", url)]).expect("ok").demo_credentials;
        assert_eq!(at("sqlite://data/turnout.db"), PathBuf::from("data/demo-credentials.json"));
        assert_eq!(at("sqlite:///tmp/x/t.db?mode=rwc"), PathBuf::from("/tmp/x/demo-credentials.json"));
        assert_eq!(at("sqlite://t.db"), PathBuf::from("demo-credentials.json"));
        assert_eq!(at("postgres://u:p@localhost/turnout"), PathBuf::from("data/demo-credentials.json"));
        let s = settings(&[("TURNOUT_DEMO_CREDENTIALS", "/srv/demo.json")]).expect("ok");
        assert_eq!(s.demo_credentials, PathBuf::from("/srv/demo.json"));
    }
}
