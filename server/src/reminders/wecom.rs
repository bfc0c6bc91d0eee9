//! Work chat: WeCom (企业微信) application messages.
//!
//! An access token is fetched with `GET {base}/cgi-bin/gettoken?corpid=…&corpsecret=…` and
//! cached until shortly before it expires; messages are sent with
//! `POST {base}/cgi-bin/message/send?access_token=…`. When WeCom says the token is invalid
//! or expired (errcode 40014, 42001, 40001) it is fetched again and the message resent once.
//! WeCom's duplicate check (same content within 4 hours) is switched on.

use super::channel::{http_error, http_status, ChannelAdapter, Outgoing, SendError, SendFuture};
use crate::config::WeComSettings;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use turnout_domain::Channel;

/// Error codes meaning the access token must be fetched again.
const TOKEN_ERRORS: [i64; 3] = [40014, 42001, 40001];
/// Error codes meaning "busy, try later": system busy, frequency limits.
const BUSY_ERRORS: [i64; 4] = [-1, 45009, 45033, 45047];

/// Sends notices as WeCom application messages.
pub struct WeComAdapter {
    client: reqwest::Client,
    settings: WeComSettings,
    token: Mutex<Option<(String, Instant)>>,
}

#[derive(Deserialize)]
struct WeComAnswer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    msgid: Option<String>,
}

impl WeComAdapter {
    /// An adapter with its own HTTP client.
    pub fn new(settings: WeComSettings, timeout: Duration) -> Result<WeComAdapter, String> {
        let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| e.to_string())?;
        Ok(WeComAdapter { client, settings, token: Mutex::new(None) })
    }

    async fn answer(res: Result<reqwest::Response, reqwest::Error>) -> Result<WeComAnswer, SendError> {
        let res = res.map_err(|e| http_error(&e))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| http_error(&e))?;
        if !status.is_success() {
            return Err(http_status(status, &text));
        }
        serde_json::from_str(&text).map_err(|e| SendError::Temporary(format!("unreadable WeCom answer: {e}")))
    }

    fn failure(a: &WeComAnswer) -> SendError {
        let msg = format!("WeCom errcode {}: {}", a.errcode, a.errmsg.chars().take(200).collect::<String>());
        if BUSY_ERRORS.contains(&a.errcode) {
            SendError::Temporary(msg)
        } else {
            SendError::Permanent(msg)
        }
    }

    /// The cached token, or a fresh one (`refresh` drops the cached one first).
    async fn access_token(&self, refresh: bool) -> Result<String, SendError> {
        let mut cached = self.token.lock().await;
        if refresh {
            *cached = None;
        }
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let url = format!("{}/cgi-bin/gettoken", self.settings.base_url);
        let a = Self::answer(
            self.client.get(url).query(&[("corpid", &self.settings.corp_id), ("corpsecret", &self.settings.secret)]).send().await,
        )
        .await?;
        match (a.errcode, a.access_token.clone()) {
            (0, Some(token)) => {
                // Renew five minutes early so a token never expires mid-request.
                let life = Duration::from_secs(a.expires_in.unwrap_or(7200).saturating_sub(300).max(60));
                *cached = Some((token.clone(), Instant::now() + life));
                Ok(token)
            }
            // A wrong corp id or secret is a configuration problem; keep the message for later.
            _ => Err(SendError::Temporary(format!("WeCom gettoken failed: errcode {} {}", a.errcode, a.errmsg))),
        }
    }

    async fn post(&self, token: &str, m: &Outgoing) -> Result<WeComAnswer, SendError> {
        let content = if m.important { format!("【重要 Important】{}", m.text) } else { m.text.clone() };
        let body = serde_json::json!({
            "touser": m.to,
            "msgtype": "text",
            "agentid": self.settings.agent_id,
            "text": { "content": content },
            "safe": 0,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 14400,
        });
        let url = format!("{}/cgi-bin/message/send", self.settings.base_url);
        Self::answer(self.client.post(url).query(&[("access_token", token)]).json(&body).send().await).await
    }
}

impl ChannelAdapter for WeComAdapter {
    fn channel(&self) -> Channel {
        Channel::WorkChat
    }

    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let token = self.access_token(false).await?;
            let mut a = self.post(&token, m).await?;
            if TOKEN_ERRORS.contains(&a.errcode) {
                let token = self.access_token(true).await?;
                a = self.post(&token, m).await?;
            }
            match a.errcode {
                0 => Ok(a.msgid),
                _ if TOKEN_ERRORS.contains(&a.errcode) => Err(SendError::Temporary(format!("WeCom token refused: {}", a.errmsg))),
                _ => Err(Self::failure(&a)),
            }
        })
    }
}
