//! Reminder delivery: the dispatcher that drains the outbox through the channel adapters, and
//! the tracking endpoints behind the links in sent notices.
//!
//! Delivery is at least once, made effectively once by idempotency keys: a message is claimed
//! under a lease, handed to its provider with a key that is the same for every attempt, and
//! only then marked sent. A dispatcher that dies between the provider's acceptance and the
//! mark leaves the message claimed; when the lease runs out another dispatcher sends it again
//! with the same key, which a provider that honours keys (our SMS gateway contract; SMTP
//! receivers that de-duplicate on Message-ID) recognises as a repeat.

pub mod channel;
pub mod email;
pub mod sms;
pub mod templates;
pub mod tracking;
pub mod wecom;

use crate::config::{DispatchSettings, ReminderSettings};
use channel::{ChannelAdapter, SendError};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use turnout_app::server::Clock;
use turnout_domain::{Channel, NoticeKind, ReminderPlan};
use turnout_store::{Campaign, Claim, ClaimedMessage, FollowUpCheck, Outcome, Store, StoreError};

/// Drains the outbox: claims due messages, sends them, records what happened.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Clock,
    base_url: String,
    settings: DispatchSettings,
    adapters: HashMap<Channel, Arc<dyn ChannelAdapter>>,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Messages claimed.
    pub claimed: usize,
    /// Accepted by a provider.
    pub sent: usize,
    /// To be tried again.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
    /// Not sendable (channel not configured, no address).
    pub skipped: usize,
    /// Follow-ups not due yet.
    pub postponed: usize,
    /// Not sent after all (read meanwhile, or too late).
    pub cancelled: usize,
}

impl Dispatcher {
    /// A dispatcher with an adapter for every configured channel.
    pub fn new(store: Store, clock: Clock, base_url: &str, settings: &ReminderSettings) -> Result<Dispatcher, String> {
        let d = settings.dispatch;
        let mut adapters: Vec<Arc<dyn ChannelAdapter>> = Vec::new();
        if let Some(s) = &settings.smtp {
            adapters.push(Arc::new(email::SmtpAdapter::new(s, d.provider_timeout, d.concurrency)?));
        }
        if let Some(s) = &settings.sms {
            adapters.push(Arc::new(sms::SmsAdapter::new(s.clone(), d.provider_timeout)?));
        }
        if let Some(s) = &settings.wecom {
            adapters.push(Arc::new(wecom::WeComAdapter::new(s.clone(), d.provider_timeout)?));
        }
        Ok(Self::with_adapters(store, clock, base_url, d, adapters))
    }

    /// A dispatcher with the given adapters.
    pub fn with_adapters(
        store: Store,
        clock: Clock,
        base_url: &str,
        settings: DispatchSettings,
        adapters: Vec<Arc<dyn ChannelAdapter>>,
    ) -> Dispatcher {
        let adapters = adapters.into_iter().map(|a| (a.channel(), a)).collect();
        Dispatcher {
            inner: Arc::new(Inner { store, clock, base_url: base_url.trim_end_matches('/').to_string(), settings, adapters }),
        }
    }

    /// The channels that can send.
    pub fn configured(&self) -> Vec<Channel> {
        let mut c: Vec<Channel> = self.inner.adapters.keys().copied().collect();
        c.sort();
        c
    }

    /// One round: claims up to a batch of due messages, sends them (several at once), and
    /// records every outcome.
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let lease = Duration::from_std(inner.settings.lease).unwrap_or(Duration::minutes(2));
        let claimed = inner.store.claim_due_messages(now, Claim { limit: inner.settings.batch, lease }).await?;
        let mut report = TickReport { claimed: claimed.len(), ..TickReport::default() };
        if claimed.is_empty() {
            return Ok(report);
        }
        let mut campaigns: HashMap<i64, Arc<(Campaign, ReminderPlan)>> = HashMap::new();
        for m in &claimed {
            if let std::collections::hash_map::Entry::Vacant(slot) = campaigns.entry(m.campaign_id) {
                let c = inner.store.campaign(m.campaign_id).await?;
                let p = inner.store.reminder_plan(m.campaign_id).await?;
                slot.insert(Arc::new((c, p)));
            }
        }
        let permits = Arc::new(Semaphore::new(inner.settings.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (i, m) in claimed.iter().enumerate() {
            let (this, m, ctx, permits) = (self.clone(), m.clone(), campaigns.get(&m.campaign_id).cloned(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let outcome = match ctx {
                    Some(ctx) => this.deliver(&m, &ctx.0, &ctx.1).await,
                    None => Outcome::Retry { error: "campaign not loaded".into(), at: this.inner.clock.now() },
                };
                (i, outcome)
            });
        }
        let mut outcomes: Vec<Option<Outcome>> = vec![None; claimed.len()];
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok((i, outcome)) => outcomes[i] = Some(outcome),
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
        let pairs: Vec<(&ClaimedMessage, Outcome)> =
            claimed.iter().zip(outcomes).filter_map(|(m, o)| o.map(|o| (m, o))).collect();
        for (_, o) in &pairs {
            match o {
                Outcome::Sent(_) => report.sent += 1,
                Outcome::Retry { .. } => report.retried += 1,
                Outcome::Failed(_) => report.failed += 1,
                Outcome::Skipped(_) => report.skipped += 1,
                Outcome::Postponed(_) => report.postponed += 1,
                Outcome::Cancelled(_) => report.cancelled += 1,
            }
        }
        inner.store.record_outcomes(&pairs, inner.clock.now()).await?;
        Ok(report)
    }

    /// Runs rounds until one claims nothing; returns the sum.
    pub async fn drain(&self) -> Result<TickReport, StoreError> {
        let mut total = TickReport::default();
        loop {
            let r = self.tick().await?;
            if r.claimed == 0 {
                return Ok(total);
            }
            total.claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.failed += r.failed;
            total.skipped += r.skipped;
            total.postponed += r.postponed;
            total.cancelled += r.cancelled;
        }
    }

    /// Runs rounds in the background for the life of the process: straight on while there is
    /// work, pausing for the interval when there is none or the database fails.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.tick().await {
                    Ok(r) if r.claimed > 0 => {
                        tracing::debug!(?r, "reminder round");
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "reminder dispatch failed; retrying"),
                }
                tokio::time::sleep(self.inner.settings.interval).await;
            }
        })
    }

    /// The delay before attempt `attempt + 1`: the base, doubled for each earlier attempt, at
    /// most two hours.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = Duration::from_std(self.inner.settings.backoff).unwrap_or(Duration::minutes(1));
        let factor = 1i32 << attempt.saturating_sub(1).min(16);
        (base * factor).min(Duration::hours(2))
    }

    async fn deliver(&self, m: &ClaimedMessage, campaign: &Campaign, plan: &ReminderPlan) -> Outcome {
        let inner = &self.inner;
        let now = inner.clock.now();
        // Never after the interview has started or the window has closed.
        let deadline = m.slot.map(|(start, _)| start).unwrap_or(m.window_ends_at);
        if deadline <= now {
            return Outcome::Cancelled("too late: the interview has started or the window has closed".into());
        }
        if m.notice == NoticeKind::FollowUp {
            let unread_after = Duration::minutes(i64::from(plan.unread_after_minutes));
            match inner.store.check_follow_up(m, unread_after, now).await {
                Ok(FollowUpCheck::Send) => {}
                Ok(FollowUpCheck::AlreadyRead) => return Outcome::Cancelled("the notice was read".into()),
                Ok(FollowUpCheck::NeverDelivered) => {
                    return Outcome::Cancelled("the notice reached no one on any channel".into())
                }
                Ok(FollowUpCheck::Wait(at)) => return Outcome::Postponed(at),
                Err(e) => return self.retry_or_fail(m, format!("database: {e}")),
            }
        }
        let Some(adapter) = inner.adapters.get(&m.channel) else {
            return Outcome::Skipped("channel not configured".into());
        };
        let address = match m.channel {
            Channel::Email => m.email.clone(),
            Channel::Sms => m.phone.clone(),
            Channel::WorkChat => m.work_chat_id.clone().filter(|s| !s.trim().is_empty()).or_else(|| m.phone.clone()),
        };
        let Some(to) = address.filter(|a| !a.trim().is_empty()) else {
            return Outcome::Skipped("no address on this channel".into());
        };
        let mut out = templates::render(m, campaign, &inner.base_url, now);
        out.to = to;
        let limit = inner.settings.provider_timeout * 2;
        let result = match tokio::time::timeout(limit, adapter.send(&out)).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Temporary(format!("no answer within {} s", limit.as_secs()))),
        };
        match result {
            Ok(reference) => Outcome::Sent(reference),
            Err(SendError::Permanent(e)) => {
                tracing::warn!(message = m.id, channel = m.channel.as_str(), error = %e, "notice refused");
                Outcome::Failed(e)
            }
            Err(SendError::Temporary(e)) => self.retry_or_fail(m, e),
        }
    }

    fn retry_or_fail(&self, m: &ClaimedMessage, error: String) -> Outcome {
        if m.attempt >= self.inner.settings.max_attempts {
            tracing::warn!(message = m.id, channel = m.channel.as_str(), %error, "notice failed after its last attempt");
            Outcome::Failed(error)
        } else {
            let at: DateTime<Utc> = self.inner.clock.now() + self.backoff(m.attempt);
            Outcome::Retry { error, at }
        }
    }
}
