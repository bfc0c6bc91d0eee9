//! SMS through an HTTP gateway: a signed JSON request.
//!
//! `POST {TURNOUT_SMS_URL}` with `Content-Type: application/json` and the body
//! `{"to": "+8613800138000", "text": "…", "important": false, "link": "https://…/t/c/…",
//! "idempotency_key": "turnout-12-345-sms"}`. Headers: `X-Turnout-Key` (the account key),
//! `X-Turnout-Timestamp` (Unix seconds), `Idempotency-Key` (as in the body), and
//! `X-Turnout-Signature: sha256=<hex>`, the HMAC-SHA256 under `TURNOUT_SMS_SECRET` of
//! `{timestamp}.{body}` (the exact bytes sent). A 2xx answer is delivery (an optional JSON
//! `{"id": "…"}` is kept as the provider's reference); 408, 429, 5xx, timeouts and refused
//! connections are retried; any other status is a permanent failure.

use super::channel::{http_error, http_status, ChannelAdapter, Outgoing, SendError, SendFuture};
use crate::config::SmsSettings;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;
use turnout_domain::Channel;

/// Sends notices through the SMS gateway.
pub struct SmsAdapter {
    client: reqwest::Client,
    settings: SmsSettings,
}

/// The signature of a request body sent at `timestamp`, as the gateway checks it.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl SmsAdapter {
    /// An adapter with its own HTTP client.
    pub fn new(settings: SmsSettings, timeout: Duration) -> Result<SmsAdapter, String> {
        let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| e.to_string())?;
        Ok(SmsAdapter { client, settings })
    }
}

impl ChannelAdapter for SmsAdapter {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let body = serde_json::to_vec(&serde_json::json!({
                "to": m.to,
                "text": m.text,
                "important": m.important,
                "link": m.link,
                "idempotency_key": m.idempotency_key,
            }))
            .map_err(|e| SendError::Permanent(e.to_string()))?;
            let timestamp = chrono::Utc::now().timestamp();
            let res = self
                .client
                .post(&self.settings.url)
                .header("content-type", "application/json")
                .header("x-turnout-key", &self.settings.key)
                .header("x-turnout-timestamp", timestamp.to_string())
                .header("x-turnout-signature", signature(&self.settings.secret, timestamp, &body))
                .header("idempotency-key", &m.idempotency_key)
                .body(body)
                .send()
                .await
                .map_err(|e| http_error(&e))?;
            let status = res.status();
            let text = res.text().await.map_err(|e| http_error(&e))?;
            if !status.is_success() {
                return Err(http_status(status, &text));
            }
            let id = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("id").map(|id| id.as_str().map(str::to_string).unwrap_or_else(|| id.to_string())));
            Ok(id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_and_body() {
        // Computed independently: hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_ne!(signature("key", 1_700_000_001, b"{}"), signature("key", 1_700_000_000, b"{}"));
    }
}
