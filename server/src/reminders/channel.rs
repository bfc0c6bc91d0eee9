//! What every channel adapter does: hand one message to its provider.

use std::future::Future;
use std::pin::Pin;
use turnout_domain::Channel;

/// A message ready for a provider.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The address on the channel: an e-mail address, a mobile number, a work-chat user id.
    pub to: String,
    /// Recipient's name (for the e-mail header).
    pub to_name: String,
    /// The e-mail subject (other channels ignore it).
    pub subject: String,
    /// The plain text (the whole message on SMS and work chat).
    pub text: String,
    /// The HTML body (e-mail only).
    pub html: Option<String>,
    /// Marked important (the unread follow-up).
    pub important: bool,
    /// The tracked link inside the message.
    pub link: String,
    /// The same for every attempt of this message: providers that honour it deliver it once.
    pub idempotency_key: String,
}

/// Why a provider did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again: a timeout, a refused connection, a 5xx, a busy provider.
    #[error("temporary: {0}")]
    Temporary(String),
    /// Trying again will not help: a bad address, a refused account.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// A boxed future, so adapters can sit behind one trait object.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<String>, SendError>> + Send + 'a>>;

/// One channel's provider. `send` returns the provider's reference for the message, if any.
pub trait ChannelAdapter: Send + Sync {
    /// Which channel this adapter serves.
    fn channel(&self) -> Channel;
    /// Hands the message to the provider.
    fn send<'a>(&'a self, message: &'a Outgoing) -> SendFuture<'a>;
}

/// Classifies an HTTP failure: timeouts, connection errors, 429 and 5xx are temporary.
pub fn http_error(e: &reqwest::Error) -> SendError {
    match e.status() {
        Some(s) if s.is_client_error() && s.as_u16() != 429 && s.as_u16() != 408 => SendError::Permanent(e.to_string()),
        _ => SendError::Temporary(e.to_string()),
    }
}

/// Classifies an HTTP status that is not success.
pub fn http_status(status: reqwest::StatusCode, body: &str) -> SendError {
    let msg = format!("HTTP {status}: {}", body.chars().take(200).collect::<String>());
    if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
        SendError::Temporary(msg)
    } else {
        SendError::Permanent(msg)
    }
}
