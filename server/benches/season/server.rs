//! The real `turnout serve` binary as a child process on a free loopback port, and what
//! `/proc` says about it: CPU time and peak memory.

use chrono::{DateTime, SecondsFormat, Utc};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    /// Its process id.
    pub pid: u32,
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    /// Where its log (stdout and stderr) goes.
    pub log: PathBuf,
}

fn free_port() -> u16 {
    // Bound and let go at once: the server binds it a moment later.
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Server {
    /// Starts `turnout serve` on `database_url` with its clock starting at `clock_start`, and
    /// waits until `/healthz` answers.
    pub async fn start(database_url: &str, clock_start: DateTime<Utc>, log: &Path) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let out = std::fs::File::create(log).expect("server log");
        let err = out.try_clone().expect("server log");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut command = Command::new(env!("CARGO_BIN_EXE_turnout"));
        command
            .arg("serve")
            .current_dir(&root)
            .env("DATABASE_URL", database_url)
            .env("TURNOUT_ADDR", &addr)
            .env("TURNOUT_BASE_URL", format!("http://{addr}"))
            .env("TURNOUT_CLOCK_START", clock_start.to_rfc3339_opts(SecondsFormat::Millis, true))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // No reminder channel: due messages are recorded as skipped, as on a server without them.
        for name in ["TURNOUT_SMTP_HOST", "TURNOUT_SMS_URL", "TURNOUT_WECOM_CORP_ID", "RUST_LOG"] {
            command.env_remove(name);
        }
        let child = command.spawn().expect("start turnout serve");
        let pid = child.id();
        let mut server = Server { child, pid, base: format!("http://{addr}"), log: log.to_path_buf() };
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("turnout serve exited ({status}) before answering:\n{}", server.log_tail(30));
            }
            if let Ok(res) = client.get(format!("{}/healthz", server.base)).send().await {
                if res.status().is_success() {
                    break;
                }
            }
            if started.elapsed() > Duration::from_secs(300) {
                panic!("turnout serve did not answer /healthz within 5 minutes:\n{}", server.log_tail(30));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// CPU time used so far (user + system), from `/proc/<pid>/stat`.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        // Fields after the command name (which is in parentheses and may hold spaces).
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some(Duration::from_secs_f64((utime + stime) as f64 / clock_ticks() as f64))
    }

    /// A `/proc/<pid>/status` figure in kB (`VmHWM`: peak resident memory; `VmRSS`: now).
    pub fn memory_kb(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with(&format!("{field}:")))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Warnings and errors the server logged: how many, and the most frequent kinds with counts
    /// (a slow statement by its summary, anything else by its message).
    pub fn log_problems(&self) -> (usize, usize, Vec<String>) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let (mut warns, mut errors) = (0, 0);
        let mut kinds: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for line in text.lines() {
            let level = if line.contains(" WARN ") {
                "WARN"
            } else if line.contains(" ERROR ") {
                "ERROR"
            } else {
                continue;
            };
            if line.contains("TURNOUT_CLOCK_START is set") {
                continue;
            }
            if level == "WARN" {
                warns += 1;
            } else {
                errors += 1;
            }
            // Drop the timestamp; name a slow statement by its summary.
            let rest = line.split_once(' ').map_or(line, |(_, r)| r).trim();
            let kind = match rest.split_once("summary=\"") {
                Some((head, tail)) if rest.contains("slow statement") => {
                    let summary = tail.split('"').next().unwrap_or_default();
                    format!("{} summary=\"{summary}\"", head.trim())
                }
                _ => rest.chars().take(200).collect(),
            };
            *kinds.entry(kind).or_default() += 1;
        }
        let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let first = kinds.into_iter().take(6).map(|(k, n)| format!("{n} × {k}")).collect();
        (warns, errors, first)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when it cannot be asked).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100)
    })
}
