//! Settings from the environment.

use std::net::SocketAddr;

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
        Ok(Settings { database_url, addr, base_url: base_url.trim_end_matches('/').to_string(), site_root })
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
    }
}
