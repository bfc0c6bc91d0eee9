//! E-mail over SMTP (lettre, tokio): multipart plain text + HTML, a Message-ID made from the
//! idempotency key, a pooled connection.

use super::channel::{ChannelAdapter, Outgoing, SendError, SendFuture};
use crate::config::{SmtpSettings, SmtpTls};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use turnout_domain::Channel;

/// Sends notices through an SMTP server.
pub struct SmtpAdapter {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpAdapter {
    /// Builds the transport (connections are opened lazily and pooled).
    pub fn new(s: &SmtpSettings, timeout: Duration, pool_size: usize) -> Result<SmtpAdapter, String> {
        let builder = match s.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(|e| e.to_string())?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(|e| e.to_string())?,
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(u32::try_from(pool_size).unwrap_or(16)));
        if let Some((user, password)) = &s.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from: Mailbox = s.from.parse().map_err(|e| format!("TURNOUT_SMTP_FROM: {e}"))?;
        Ok(SmtpAdapter { transport: builder.build(), from })
    }

    fn message(&self, m: &Outgoing) -> Result<Message, SendError> {
        let to: Mailbox = format!("{} <{}>", m.to_name.replace(['<', '>', '"', ',', ';'], ""), m.to.trim())
            .parse()
            .or_else(|_| m.to.trim().parse())
            .map_err(|e| SendError::Permanent(format!("bad e-mail address: {e}")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .message_id(Some(format!("<{}@turnout>", m.idempotency_key)))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-Turnout-Idempotency-Key"), m.idempotency_key.clone()));
        if m.important {
            builder = builder
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Importance"), "high".into()))
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-Priority"), "1".into()));
        }
        let body = match &m.html {
            Some(html) => MultiPart::alternative_plain_html(m.text.clone(), html.clone()),
            None => MultiPart::mixed().singlepart(lettre::message::SinglePart::plain(m.text.clone())),
        };
        builder.multipart(body).map_err(|e| SendError::Permanent(format!("cannot build the e-mail: {e}")))
    }
}

impl ChannelAdapter for SmtpAdapter {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let message = self.message(m)?;
            match self.transport.send(message).await {
                Ok(response) => Ok(response.message().next().map(|l| l.chars().take(200).collect())),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Temporary(e.to_string())),
            }
        })
    }
}
