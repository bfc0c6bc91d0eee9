//! Reminders: each campaign's plan, the notices planned for each candidate, the durable outbox
//! a dispatcher drains, and the tracked links inside sent messages.
//!
//! Notices are planned in the same transaction as what causes them (an invitation, a
//! confirmation, a reschedule) and cancelled in the same transaction as a decline, so the
//! outbox never disagrees with the invitation.

use crate::campaigns::insert_signal;
use crate::records::{corrupt, numbered, value_rows};
use crate::secret::new_token;
use crate::{from_ts, ts, Backend, Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use turnout_domain::reminder::{follow_up_decision, FollowUpDecision, PlannedNotice};
use turnout_domain::{Channel, NoticeKind, ReminderPlan, SignalKind, SignalSource, TimeZone, TokenHash};

/// What a message in the outbox is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Waiting for its time (or its next attempt).
    Pending,
    /// Claimed by a dispatcher, being handed to the provider.
    Sending,
    /// Accepted by the provider.
    Sent,
    /// Not delivered after the last attempt, or refused for good by the provider.
    Failed,
    /// Not sent: the channel is not configured, or the candidate has no address on it.
    Skipped,
    /// Not sent: the candidate declined, the slot changed, or the notice was already read.
    Cancelled,
}

impl MessageStatus {
    /// The name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
            MessageStatus::Skipped => "skipped",
            MessageStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<MessageStatus> {
        [
            MessageStatus::Pending,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Failed,
            MessageStatus::Skipped,
            MessageStatus::Cancelled,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("message status {s}")))
    }
}

/// A message claimed for sending, with everything needed to write it.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    /// Outbox id.
    pub id: i64,
    /// The notice it carries.
    pub notice_id: i64,
    /// Which notice.
    pub notice: NoticeKind,
    /// For a follow-up: the notice that went unread.
    pub parent: Option<(i64, NoticeKind)>,
    /// The channel.
    pub channel: Channel,
    /// Sent to the provider so that a retry is recognised as the same message.
    pub idempotency_key: String,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// The invitation.
    pub invitation_id: i64,
    /// The candidate.
    pub candidate_id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// The candidate's name.
    pub candidate_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Mobile number.
    pub phone: Option<String>,
    /// Work-chat user id.
    pub work_chat_id: Option<String>,
    /// The slot the notice is about, if any: start and end.
    pub slot: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// When the invitation's window closes.
    pub window_ends_at: DateTime<Utc>,
    /// The secret of this attempt's tracked link (`/t/c/{token}`); only its hash is stored.
    pub click_token: String,
    /// The secret of this attempt's open pixel (`/t/o/{token}`).
    pub open_token: String,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider accepted it (with its reference, when it gives one).
    Sent(Option<String>),
    /// Try again at the given time.
    Retry { error: String, at: DateTime<Utc> },
    /// Give up and record a failure signal.
    Failed(String),
    /// Not sendable on this channel (not configured, no address).
    Skipped(String),
    /// Not due yet after all (a follow-up waiting for its notice); does not count as an attempt.
    Postponed(DateTime<Utc>),
    /// Not to be sent (its notice was read meanwhile).
    Cancelled(String),
}

/// Whether a follow-up should go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpCheck {
    /// The notice went unread: send the follow-up (the unread signal is recorded).
    Send,
    /// The notice was read meanwhile.
    AlreadyRead,
    /// The notice reached nobody on any channel: nothing to follow up.
    NeverDelivered,
    /// Too early to tell: check again then.
    Wait(DateTime<Utc>),
}

/// A tracked open or click, resolved.
#[derive(Debug, Clone)]
pub struct TrackedNotice {
    /// The invitation.
    pub invitation_id: i64,
    /// Which notice.
    pub notice: NoticeKind,
    /// On which channel.
    pub channel: Channel,
    /// When the invitation's window closes (links stop working then).
    pub window_ends_at: DateTime<Utc>,
}

/// Per candidate, how their notices fared (for the risk model and the call list).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeReads {
    /// Notices handed to a provider on at least one channel.
    pub sent: u32,
    /// Notices read ([`turnout_domain::reminder::is_read`]), each counted once.
    pub read: u32,
    /// Whether a notice went unread, raised a follow-up, and is still unread.
    pub unread_follow_up_open: bool,
    /// Whether no notice has reached them on any channel, though one was due.
    pub unreachable: bool,
}

/// One message of HR's notice board.
#[derive(Debug, Clone)]
pub struct NoticeMessage {
    /// Candidate.
    pub candidate_id: i64,
    /// Notice id.
    pub notice_id: i64,
    /// Which notice.
    pub notice: NoticeKind,
    /// Channel.
    pub channel: Channel,
    /// Where it stands.
    pub status: MessageStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When it is (or was) due.
    pub due_at: DateTime<Utc>,
    /// When the provider accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was first opened.
    pub opened_at: Option<DateTime<Utc>>,
    /// When its link was first followed.
    pub clicked_at: Option<DateTime<Utc>>,
    /// The last error, or why it was skipped or cancelled.
    pub last_error: Option<String>,
}

/// How long a claim lasts before another dispatcher may take the message over.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// At most this many messages.
    pub limit: i64,
    /// The lease.
    pub lease: Duration,
}

impl Store {
    /// A campaign's reminder plan (the default when HR has not set one).
    pub async fn reminder_plan(&self, campaign_id: i64) -> Result<ReminderPlan> {
        load_plan(&mut *self.pool.acquire().await?, campaign_id).await
    }

    /// Saves a campaign's reminder plan. Notices already planned keep their times; the plan
    /// applies to notices planned from now on.
    pub async fn set_reminder_plan(&self, campaign_id: i64, plan: &ReminderPlan, now: DateTime<Utc>) -> Result<()> {
        let json = serde_json::to_string(plan).map_err(corrupt)?;
        self.write(
            sqlx::query(
                "INSERT INTO reminder_plans (campaign_id, plan, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (campaign_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at",
            )
            .bind(campaign_id)
            .bind(json)
            .bind(ts(now)),
        )
        .await?;
        Ok(())
    }

    /// Sets a candidate's work-chat user id.
    pub async fn set_work_chat_id(&self, candidate_id: i64, work_chat_id: Option<&str>) -> Result<()> {
        self.write(sqlx::query("UPDATE candidates SET work_chat_id = $1 WHERE id = $2").bind(work_chat_id).bind(candidate_id))
            .await?;
        Ok(())
    }

    /// Claims due messages for sending: pending ones whose time has come, and ones another
    /// dispatcher claimed but did not finish within its lease (it crashed). On PostgreSQL
    /// the rows are taken with `FOR UPDATE SKIP LOCKED`, so several servers never claim the
    /// same message; SQLite has one writer at a time. Each claimed message gets fresh tracked
    /// links, stored hashed in the same transaction.
    pub async fn claim_due_messages(&self, now: DateTime<Utc>, claim: Claim) -> Result<Vec<ClaimedMessage>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(&format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = $1, updated_at = $2 \
             WHERE id IN (SELECT o.id FROM outbox o WHERE ((o.status = 'pending' AND o.next_attempt_at <= $2) \
             OR (o.status = 'sending' AND o.lease_until <= $2)) ORDER BY o.next_attempt_at, o.id LIMIT $3{lock}) \
             RETURNING id"
        ))
        .bind(ts(now + claim.lease))
        .bind(ts(now))
        .bind(claim.limit)
        .fetch_all(&mut *tx)
        .await?;
        if claimed.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let ids = claimed.iter().map(|r| r.try_get::<i64, _>("id")).collect::<std::result::Result<Vec<_>, _>>()?;
        let rows = sqlx::query(&format!(
            "SELECT o.id, o.notice_id, n.kind, p.id AS parent_id, p.kind AS parent_kind, o.channel, o.idempotency_key, \
             o.attempts, o.invitation_id, o.candidate_id, o.campaign_id, c.full_name, c.email, c.phone, c.work_chat_id, \
             s.starts_at, s.ends_at, i.window_ends_at \
             FROM outbox o JOIN notices n ON n.id = o.notice_id LEFT JOIN notices p ON p.id = n.parent_id \
             JOIN candidates c ON c.id = o.candidate_id JOIN invitations i ON i.id = o.invitation_id \
             LEFT JOIN slots s ON s.id = n.slot_id WHERE o.id IN ({}) ORDER BY o.id",
            id_list(&ids)
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (click_token, click_hash) = new_token();
            let (open_token, open_hash) = new_token();
            let id: i64 = row.try_get("id")?;
            let invitation_id: i64 = row.try_get("invitation_id")?;
            for (hash, purpose) in [(&click_hash, "click"), (&open_hash, "open")] {
                sqlx::query(
                    "INSERT INTO notice_links (token_hash, purpose, message_id, invitation_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(hash.as_str())
                .bind(purpose)
                .bind(id)
                .bind(invitation_id)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
            }
            let parent_id: Option<i64> = row.try_get("parent_id")?;
            let parent_kind: Option<String> = row.try_get("parent_kind")?;
            let starts: Option<i64> = row.try_get("starts_at")?;
            let ends: Option<i64> = row.try_get("ends_at")?;
            out.push(ClaimedMessage {
                id,
                notice_id: row.try_get("notice_id")?,
                notice: row.try_get::<String, _>("kind")?.parse().map_err(corrupt)?,
                parent: match (parent_id, parent_kind) {
                    (Some(id), Some(kind)) => Some((id, kind.parse().map_err(corrupt)?)),
                    _ => None,
                },
                channel: row.try_get::<String, _>("channel")?.parse().map_err(corrupt)?,
                idempotency_key: row.try_get("idempotency_key")?,
                attempt: u32::try_from(row.try_get::<i64, _>("attempts")?).map_err(corrupt)?,
                invitation_id,
                candidate_id: row.try_get("candidate_id")?,
                campaign_id: row.try_get("campaign_id")?,
                candidate_name: row.try_get("full_name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                work_chat_id: row.try_get("work_chat_id")?,
                slot: match (starts, ends) {
                    (Some(s), Some(e)) => Some((from_ts(s)?, from_ts(e)?)),
                    _ => None,
                },
                window_ends_at: from_ts(row.try_get("window_ends_at")?)?,
                click_token,
                open_token,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Decides whether a claimed follow-up goes out, by
    /// [`turnout_domain::reminder::follow_up_decision`]: not when its notice was read; not
    /// when the notice reached nobody; not yet while a channel is still sending it or the
    /// delay has not passed. When it goes, the notice is marked unread and a
    /// `reminder_unread` signal recorded, once.
    pub async fn check_follow_up(
        &self,
        msg: &ClaimedMessage,
        unread_after: Duration,
        now: DateTime<Utc>,
    ) -> Result<FollowUpCheck> {
        let Some((parent_id, parent_kind)) = msg.parent else { return Ok(FollowUpCheck::Send) };
        let row = sqlx::query(
            "SELECT n.read_at, n.first_sent_at, \
             (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.status IN ('pending', 'sending')) AS unsettled \
             FROM notices n WHERE n.id = $1",
        )
        .bind(parent_id)
        .fetch_one(&self.pool)
        .await?;
        let time =
            |column: &str| -> Result<Option<DateTime<Utc>>> { row.try_get::<Option<i64>, _>(column)?.map(from_ts).transpose() };
        let (delivered, seen) = (time("first_sent_at")?, time("read_at")?);
        let unsettled: i64 = row.try_get("unsettled")?;
        match follow_up_decision(delivered, seen, unsettled > 0, unread_after, now) {
            FollowUpDecision::Read => return Ok(FollowUpCheck::AlreadyRead),
            FollowUpDecision::NeverDelivered => return Ok(FollowUpCheck::NeverDelivered),
            FollowUpDecision::StillSending => return Ok(FollowUpCheck::Wait(now + Duration::minutes(15))),
            FollowUpDecision::WaitUntil(at) => return Ok(FollowUpCheck::Wait(at)),
            FollowUpDecision::Unread => {}
        }
        // Write first: on SQLite a transaction that reads before it writes can be refused the
        // write lock by a concurrent writer.
        let mut tx = self.begin_write().await?;
        let marked = sqlx::query("UPDATE notices SET unread_at = $1 WHERE id = $2 AND unread_at IS NULL AND read_at IS NULL")
            .bind(ts(now))
            .bind(parent_id)
            .execute(&mut *tx)
            .await?;
        if marked.rows_affected() == 1 {
            let payload = serde_json::json!({
                "notice": parent_kind.as_str(),
                "notice_id": parent_id,
                "unread_after_hours": unread_after.num_hours(),
                "follow_up_id": msg.notice_id,
            });
            insert_signal(
                &mut tx,
                msg.candidate_id,
                msg.campaign_id,
                SignalKind::ReminderUnread,
                SignalSource::System,
                now,
                &payload,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(FollowUpCheck::Send)
    }

    /// Records what became of a batch of attempts, in one transaction: the message's status,
    /// and a `reminder_sent` or `reminder_failed` signal.
    pub async fn record_outcomes(&self, outcomes: &[(&ClaimedMessage, Outcome)], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (msg, outcome) in outcomes {
            record_outcome(&mut tx, msg, outcome, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records an open (pixel) or click of a tracked link, and marks the notice read. Returns
    /// `None` for an unknown or revoked link. A click is a signal each time; an open only
    /// the first time per message (mail clients load images repeatedly).
    pub async fn record_notice_event(&self, token: &TokenHash, click: bool, now: DateTime<Utc>) -> Result<Option<TrackedNotice>> {
        let row = sqlx::query(
            "SELECT o.id, o.notice_id, o.channel, o.candidate_id, o.campaign_id, n.kind, i.id AS invitation_id, \
             i.window_ends_at FROM notice_links l JOIN outbox o ON o.id = l.message_id JOIN notices n ON n.id = o.notice_id \
             JOIN invitations i ON i.id = l.invitation_id WHERE l.token_hash = $1 AND l.purpose = $2 AND l.revoked_at IS NULL",
        )
        .bind(token.as_str())
        .bind(if click { "click" } else { "open" })
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let message_id: i64 = row.try_get("id")?;
        let notice_id: i64 = row.try_get("notice_id")?;
        let kind: NoticeKind = row.try_get::<String, _>("kind")?.parse().map_err(corrupt)?;
        let channel: Channel = row.try_get::<String, _>("channel")?.parse().map_err(corrupt)?;
        let column = if click { "clicked_at" } else { "opened_at" };
        // Write first (see `check_follow_up`); the first open is the one that sets the time.
        let mut tx = self.begin_write().await?;
        let first = sqlx::query(&format!("UPDATE outbox SET {column} = $1 WHERE id = $2 AND {column} IS NULL"))
            .bind(ts(now))
            .bind(message_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        // The signal below marks this notice (and every other that reached them) read.
        if click || first {
            let kind_signal = if click { SignalKind::ReminderClicked } else { SignalKind::ReminderOpened };
            let payload = serde_json::json!({
                "notice": kind.as_str(),
                "notice_id": notice_id,
                "channel": channel.as_str(),
                "message_id": message_id,
            });
            insert_signal(
                &mut tx,
                row.try_get("candidate_id")?,
                row.try_get("campaign_id")?,
                kind_signal,
                SignalSource::Candidate,
                now,
                &payload,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some(TrackedNotice {
            invitation_id: row.try_get("invitation_id")?,
            notice: kind,
            channel,
            window_ends_at: from_ts(row.try_get("window_ends_at")?)?,
        }))
    }

    /// Per candidate given (a page of them): notices sent, notices read (once per notice), and
    /// whether an unread follow-up is still open. Candidates without notices are absent.
    pub async fn notice_reads(&self, candidates: &[i64]) -> Result<HashMap<i64, NoticeReads>> {
        if candidates.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = candidates.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!(
            "SELECT n.candidate_id, \
             SUM(CASE WHEN n.first_sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent, \
             SUM(CASE WHEN n.read_at IS NOT NULL THEN 1 ELSE 0 END) AS read_n, \
             SUM(CASE WHEN n.unread_at IS NOT NULL AND n.read_at IS NULL AND i.state <> 'declined' THEN 1 ELSE 0 END) AS open_n, \
             SUM(CASE WHEN n.first_sent_at IS NULL AND EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id) \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.status NOT IN ('skipped', 'failed')) \
             THEN 1 ELSE 0 END) AS undelivered_n \
             FROM notices n JOIN invitations i ON i.id = n.invitation_id WHERE n.candidate_id IN ({ids}) GROUP BY n.candidate_id",
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for row in rows {
            let count = |name: &str| -> Result<u32> { u32::try_from(row.try_get::<i64, _>(name)?).map_err(corrupt) };
            out.insert(
                row.try_get("candidate_id")?,
                NoticeReads {
                    sent: count("sent")?,
                    read: count("read_n")?,
                    unread_follow_up_open: count("open_n")? > 0,
                    unreachable: count("sent")? == 0 && count("undelivered_n")? > 0,
                },
            );
        }
        Ok(out)
    }

    /// The messages of the given candidates, oldest notice first.
    pub async fn notice_messages(&self, candidate_ids: &[i64]) -> Result<Vec<NoticeMessage>> {
        if candidate_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT o.candidate_id, o.notice_id, n.kind, o.channel, o.status, o.attempts, o.due_at, o.sent_at, o.opened_at, \
             o.clicked_at, o.last_error FROM outbox o JOIN notices n ON n.id = o.notice_id \
             WHERE o.candidate_id IN ({}) ORDER BY o.candidate_id, o.notice_id, o.channel",
            id_list(candidate_ids)
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let opt = |name: &str| -> Result<Option<DateTime<Utc>>> {
                    row.try_get::<Option<i64>, _>(name)?.map(from_ts).transpose()
                };
                Ok(NoticeMessage {
                    candidate_id: row.try_get("candidate_id")?,
                    notice_id: row.try_get("notice_id")?,
                    notice: row.try_get::<String, _>("kind")?.parse().map_err(corrupt)?,
                    channel: row.try_get::<String, _>("channel")?.parse().map_err(corrupt)?,
                    status: MessageStatus::parse(&row.try_get::<String, _>("status")?)?,
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).map_err(corrupt)?,
                    due_at: from_ts(row.try_get("due_at")?)?,
                    sent_at: opt("sent_at")?,
                    opened_at: opt("opened_at")?,
                    clicked_at: opt("clicked_at")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// HR sends a notice again, now, on `channels`, to those of `candidate_ids` in the campaign
    /// who have not declined. Returns how many candidates it was planned for.
    pub async fn resend_notices(
        &self,
        campaign_id: i64,
        candidate_ids: &[i64],
        channels: &[Channel],
        now: DateTime<Utc>,
    ) -> Result<u32> {
        if candidate_ids.is_empty() || channels.is_empty() {
            return Ok(0);
        }
        let (plan, zone) = {
            let mut conn = self.pool.acquire().await?;
            (load_plan(&mut conn, campaign_id).await?, campaign_zone(&mut conn, campaign_id).await?)
        };
        let rows = sqlx::query(&format!(
            "SELECT i.id, i.candidate_id, i.slot_id, i.window_ends_at, s.starts_at FROM invitations i \
             LEFT JOIN slots s ON s.id = i.slot_id WHERE i.campaign_id = $1 AND i.state <> 'declined' \
             AND (i.slot_id IS NOT NULL OR i.window_ends_at > $2) AND (s.starts_at IS NULL OR s.starts_at > $2) \
             AND i.candidate_id IN ({})",
            id_list(candidate_ids)
        ))
        .bind(campaign_id)
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        let mut tx = self.begin_write().await?;
        let mut n = 0;
        for row in rows {
            let target = NoticeTarget {
                invitation_id: row.try_get("id")?,
                candidate_id: row.try_get("candidate_id")?,
                campaign_id,
                slot_id: row.try_get("slot_id")?,
            };
            let starts: Option<i64> = row.try_get("starts_at")?;
            let deadline = match starts {
                Some(s) => from_ts(s)?,
                None => from_ts(row.try_get("window_ends_at")?)?,
            };
            let planned: Vec<PlannedNotice> = channels
                .iter()
                .map(|&channel| PlannedNotice {
                    notice: NoticeKind::Resend,
                    channel,
                    due_at: plan.allowed_at(NoticeKind::Resend, channel, now, zone),
                })
                .collect();
            insert_planned(&mut tx, &target, &plan, &planned, deadline, zone, now).await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// Who a notice is for, and the slot it is about.
pub(crate) struct NoticeTarget {
    pub invitation_id: i64,
    pub candidate_id: i64,
    pub campaign_id: i64,
    pub slot_id: Option<i64>,
}

/// `1, 2, 3` for an `IN` list (ids are integers, so nothing can be injected).
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// A campaign's plan, read on the caller's connection.
pub(crate) async fn load_plan(conn: &mut AnyConnection, campaign_id: i64) -> Result<ReminderPlan> {
    let row = sqlx::query("SELECT plan FROM reminder_plans WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_optional(&mut *conn)
        .await?;
    plan_from_json(row.map(|r| r.try_get::<String, _>("plan")).transpose()?.as_deref())
}

/// A plan as stored (`reminder_plans.plan`): the defaults when the campaign has none.
pub(crate) fn plan_from_json(json: Option<&str>) -> Result<ReminderPlan> {
    match json {
        None => Ok(ReminderPlan::default()),
        Some(json) => {
            let plan: ReminderPlan = serde_json::from_str(json).map_err(corrupt)?;
            plan.validated().map_err(corrupt)
        }
    }
}

async fn campaign_zone(conn: &mut AnyConnection, campaign_id: i64) -> Result<TimeZone> {
    let row = sqlx::query("SELECT time_zone FROM campaigns WHERE id = $1").bind(campaign_id).fetch_one(&mut *conn).await?;
    row.try_get::<String, _>("time_zone")?.parse().map_err(corrupt)
}

/// Plans the invitation's own notices (and their follow-up) as it is issued.
pub(crate) async fn plan_invitation(
    conn: &mut AnyConnection,
    target: &NoticeTarget,
    window_ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let plan = load_plan(conn, target.campaign_id).await?;
    let zone = campaign_zone(conn, target.campaign_id).await?;
    let planned = plan.invitation_notices(now, zone);
    insert_planned(conn, target, &plan, &planned, window_ends_at, zone, now).await
}

/// Plans the notices before a booked slot, first cancelling the unsent ones about an earlier
/// slot (after a reschedule they follow the new time) and what is left of the invitation's
/// (a candidate who has confirmed needs no more invitations, nor their follow-up). The caller
/// has the campaign's plan and zone at hand: it read them with the booking.
pub(crate) async fn plan_slot(
    conn: &mut AnyConnection,
    target: &NoticeTarget,
    slot_starts_at: DateTime<Utc>,
    (plan, zone): (&ReminderPlan, TimeZone),
    now: DateTime<Utc>,
) -> Result<()> {
    let scope = Cancel::Kinds(&[
        ("invitation", "confirmed"),
        ("detailed", "rescheduled"),
        ("short", "rescheduled"),
        ("countdown", "rescheduled"),
    ]);
    cancel_notices(conn, target.invitation_id, scope, now).await?;
    let planned = plan.slot_notices(slot_starts_at, now, zone);
    insert_planned(conn, target, plan, &planned, slot_starts_at, zone, now).await
}

/// Which of an invitation's unsent messages to cancel, and the reason recorded on each.
pub(crate) enum Cancel<'a> {
    /// All of them, for one reason (a decline).
    All(&'a str),
    /// Those of these notice kinds and their follow-ups, each kind with its reason.
    Kinds(&'a [(&'a str, &'a str)]),
}

/// Cancels an invitation's unsent messages (see [`Cancel`]), and the notices left with nothing
/// to send.
pub(crate) async fn cancel_notices(
    conn: &mut AnyConnection,
    invitation_id: i64,
    scope: Cancel<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    // The kinds and reasons are Turnout's own constants, never input. A follow-up counts as
    // the kind of the notice it follows.
    let (reason, scope) = match scope {
        Cancel::All(reason) => (format!("'{reason}'"), String::new()),
        Cancel::Kinds(kinds) => {
            let list = kinds.iter().map(|(k, _)| format!("'{k}'")).collect::<Vec<_>>().join(", ");
            let cases = kinds.iter().map(|(k, r)| format!("WHEN '{k}' THEN '{r}'")).collect::<String>();
            (
                format!(
                    "(SELECT CASE COALESCE(p.kind, n.kind) {cases} END FROM notices n LEFT JOIN notices p ON p.id = n.parent_id \
                     WHERE n.id = outbox.notice_id)"
                ),
                format!(
                    "AND notice_id IN (SELECT n.id FROM notices n LEFT JOIN notices p ON p.id = n.parent_id \
                     WHERE n.invitation_id = $2 AND COALESCE(p.kind, n.kind) IN ({list}))"
                ),
            )
        }
    };
    sqlx::query(&format!(
        "UPDATE outbox SET status = 'cancelled', last_error = {reason}, updated_at = $1 \
         WHERE invitation_id = $2 AND status = 'pending' {scope}"
    ))
    .bind(ts(now))
    .bind(invitation_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notices SET cancelled_at = $1 WHERE invitation_id = $2 AND cancelled_at IS NULL AND first_sent_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = notices.id AND o.status IN ('pending', 'sending', 'sent'))",
    )
    .bind(ts(now))
    .bind(invitation_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stops every tracked link of a candidate (their link was reissued).
pub(crate) async fn revoke_links(conn: &mut AnyConnection, candidate_id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE notice_links SET revoked_at = $1 WHERE revoked_at IS NULL \
         AND invitation_id = (SELECT id FROM invitations WHERE candidate_id = $2)",
    )
    .bind(ts(now))
    .bind(candidate_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes planned notices (one notice per kind, one message per channel) and, for kinds that
/// have one, the follow-up SMS due when the notice would count as unread. Three statements
/// whatever the plan: the notices, their follow-ups, then every message.
async fn insert_planned(
    conn: &mut AnyConnection,
    target: &NoticeTarget,
    plan: &ReminderPlan,
    planned: &[PlannedNotice],
    deadline: DateTime<Utc>,
    zone: TimeZone,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut kinds: Vec<NoticeKind> = Vec::new();
    for p in planned {
        if !kinds.contains(&p.notice) {
            kinds.push(p.notice);
        }
    }
    if kinds.is_empty() {
        return Ok(());
    }
    let notices: HashMap<String, i64> = insert_notices(conn, target, &kinds.iter().map(|&k| (k, None)).collect::<Vec<_>>(), now)
        .await?
        .into_iter()
        .map(|(id, kind, _)| (kind, id))
        .collect();
    let notice_of =
        |kind: NoticeKind| notices.get(kind.as_str()).copied().ok_or_else(|| corrupt(format!("notice {kind:?} not written")));
    let mut messages: Vec<(i64, Channel, DateTime<Utc>)> = Vec::new();
    let mut follow_ups: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for &kind in &kinds {
        let notice_id = notice_of(kind)?;
        let mut first_due: Option<DateTime<Utc>> = None;
        for m in planned.iter().filter(|p| p.notice == kind) {
            messages.push((notice_id, m.channel, m.due_at));
            first_due = Some(first_due.map_or(m.due_at, |d| d.min(m.due_at)));
        }
        if let Some(at) = plan.follow_up_at(kind, first_due.unwrap_or(now), deadline, zone) {
            follow_ups.push((notice_id, at));
        }
    }
    if !follow_ups.is_empty() {
        let parents: Vec<(NoticeKind, Option<i64>)> = follow_ups.iter().map(|&(p, _)| (NoticeKind::FollowUp, Some(p))).collect();
        let written: HashMap<i64, i64> = insert_notices(conn, target, &parents, now)
            .await?
            .into_iter()
            .filter_map(|(id, _, parent)| Some((parent?, id)))
            .collect();
        for (parent, at) in follow_ups {
            let id = written.get(&parent).copied().ok_or_else(|| corrupt("follow-up notice not written"))?;
            messages.push((id, Channel::Sms, at));
        }
    }
    insert_messages(conn, target, &messages, now).await
}

/// Writes notices of `target` (kind and parent each); returns each one's id, kind and parent.
async fn insert_notices(
    conn: &mut AnyConnection,
    target: &NoticeTarget,
    notices: &[(NoticeKind, Option<i64>)],
    now: DateTime<Utc>,
) -> Result<Vec<(i64, String, Option<i64>)>> {
    let sql = format!(
        "INSERT INTO notices (invitation_id, candidate_id, campaign_id, kind, slot_id, parent_id, created_at) VALUES {} \
         RETURNING id, kind, parent_id",
        value_rows(notices.len(), 7, numbered)
    );
    let mut query = sqlx::query(&sql);
    for &(kind, parent) in notices {
        query = query
            .bind(target.invitation_id)
            .bind(target.candidate_id)
            .bind(target.campaign_id)
            .bind(kind.as_str())
            .bind(if kind == NoticeKind::Invitation { None } else { target.slot_id })
            .bind(parent)
            .bind(ts(now));
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("kind")?, row.try_get("parent_id")?)))
        .collect()
}

/// Queues messages of `target`: (notice, channel, due) each.
async fn insert_messages(
    conn: &mut AnyConnection,
    target: &NoticeTarget,
    messages: &[(i64, Channel, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (notice_id, invitation_id, candidate_id, campaign_id, channel, idempotency_key, status, due_at, \
         next_attempt_at, created_at, updated_at) VALUES {}",
        value_rows(messages.len(), 11, numbered)
    );
    let mut query = sqlx::query(&sql);
    for &(notice_id, channel, due_at) in messages {
        // One key per (candidate, notice, channel): every attempt of this message carries it.
        let key = format!("turnout-{}-{}-{}", target.candidate_id, notice_id, channel.as_str());
        query = query
            .bind(notice_id)
            .bind(target.invitation_id)
            .bind(target.candidate_id)
            .bind(target.campaign_id)
            .bind(channel.as_str())
            .bind(key)
            .bind(MessageStatus::Pending.as_str())
            .bind(ts(due_at))
            .bind(ts(due_at))
            .bind(ts(now))
            .bind(ts(now));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

async fn record_outcome(conn: &mut AnyConnection, msg: &ClaimedMessage, outcome: &Outcome, now: DateTime<Utc>) -> Result<()> {
    let payload = |extra: Option<(&str, &str)>| {
        let mut p = serde_json::json!({
            "notice": msg.notice.as_str(),
            "notice_id": msg.notice_id,
            "channel": msg.channel.as_str(),
            "attempt": msg.attempt,
            "message_id": msg.id,
        });
        if let (Some((k, v)), Some(map)) = (extra, p.as_object_mut()) {
            map.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        p
    };
    match outcome {
        Outcome::Sent(reference) => {
            // A message cancelled while it was with the provider was still sent: say so.
            let done = sqlx::query(
                "UPDATE outbox SET status = 'sent', sent_at = $1, provider_ref = $2, lease_until = NULL, last_error = NULL, \
                 updated_at = $1 WHERE id = $3 AND status IN ('sending', 'cancelled')",
            )
            .bind(ts(now))
            .bind(reference.as_deref())
            .bind(msg.id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 1 {
                sqlx::query("UPDATE notices SET first_sent_at = COALESCE(first_sent_at, $1), cancelled_at = NULL WHERE id = $2")
                    .bind(ts(now))
                    .bind(msg.notice_id)
                    .execute(&mut *conn)
                    .await?;
                insert_signal(
                    conn,
                    msg.candidate_id,
                    msg.campaign_id,
                    SignalKind::ReminderSent,
                    SignalSource::System,
                    now,
                    &payload(None),
                )
                .await?;
            }
        }
        Outcome::Retry { error, at } => {
            set_status(conn, msg.id, MessageStatus::Pending, Some(error), Some(*at), false, now).await?;
        }
        Outcome::Failed(error) => {
            let done = set_status(conn, msg.id, MessageStatus::Failed, Some(error), None, false, now).await?;
            if done {
                insert_signal(
                    conn,
                    msg.candidate_id,
                    msg.campaign_id,
                    SignalKind::ReminderFailed,
                    SignalSource::System,
                    now,
                    &payload(Some(("error", error))),
                )
                .await?;
            }
        }
        Outcome::Skipped(reason) => {
            set_status(conn, msg.id, MessageStatus::Skipped, Some(reason), None, true, now).await?;
        }
        Outcome::Postponed(at) => {
            set_status(conn, msg.id, MessageStatus::Pending, None, Some(*at), true, now).await?;
        }
        Outcome::Cancelled(reason) => {
            set_status(conn, msg.id, MessageStatus::Cancelled, Some(reason), None, true, now).await?;
        }
    }
    Ok(())
}

/// Moves a message still being sent to `status`; `uncount` takes back the attempt (nothing
/// reached a provider). Returns whether the message was still being sent.
async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: MessageStatus,
    note: Option<&str>,
    next_attempt: Option<DateTime<Utc>>,
    uncount: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let note: Option<String> = note.map(|n| n.chars().take(500).collect());
    let done = sqlx::query(
        "UPDATE outbox SET status = $1, last_error = COALESCE($2, last_error), next_attempt_at = COALESCE($3, next_attempt_at), \
         attempts = attempts - $4, lease_until = NULL, updated_at = $5 WHERE id = $6 AND status = 'sending'",
    )
    .bind(status.as_str())
    .bind(note)
    .bind(next_attempt.map(ts))
    .bind(i64::from(uncount))
    .bind(ts(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
