//! Campaigns, their slots, candidates and invitations, and the signal log.

use crate::records::{campaign_from_row, slot_from_row, CAMPAIGN_COLUMNS, SLOT_COLUMNS};
use crate::reminders::NoticeTarget;
use crate::{from_ts, ts, Campaign, NewCampaign, NewCandidate, Result, SignalRecord, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use turnout_domain::contact::{normalize_email, normalize_phone};
use turnout_domain::{Capacity, InvitationState, InvitationWindow, SignalKind, SignalSource, Slot, TokenHash};

impl Store {
    /// Creates a campaign and returns its id.
    pub async fn create_campaign(&self, c: &NewCampaign, now: DateTime<Utc>) -> Result<i64> {
        let row = self
            .write_returning(
                sqlx::query(
                    "INSERT INTO campaigns (bank, position, branch, time_zone, window_days, max_reschedules, \
             reschedule_cutoff_hours, interview_url, login_notes, help_contact, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(&c.bank)
                .bind(&c.position)
                .bind(&c.branch)
                .bind(c.time_zone.name())
                .bind(i64::from(c.window_days.get()))
                .bind(i64::from(c.policy.max_changes))
                .bind(i64::from(c.policy.cutoff_hours))
                .bind(&c.interview_url)
                .bind(&c.login_notes)
                .bind(&c.help_contact)
                .bind(ts(now)),
            )
            .await?;
        Ok(row.try_get("id")?)
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        load_campaign(&mut *self.pool.acquire().await?, id).await
    }

    /// Every campaign, newest first; `branch` limits them to one branch.
    pub async fn campaigns(&self, branch: Option<&str>) -> Result<Vec<Campaign>> {
        let rows =
            sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE ($1 IS NULL OR branch = $1) ORDER BY id DESC"))
                .bind(branch)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(campaign_from_row).collect()
    }

    /// Adds a slot `[starts_at, ends_at)` to a campaign.
    pub async fn add_slot(
        &self,
        campaign_id: i64,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        capacity: Capacity,
    ) -> Result<i64> {
        let row = self
            .write_returning(
                sqlx::query("INSERT INTO slots (campaign_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind(campaign_id)
                    .bind(ts(starts_at))
                    .bind(ts(ends_at))
                    .bind(i64::from(capacity.get())),
            )
            .await?;
        Ok(row.try_get("id")?)
    }

    /// One slot.
    pub async fn slot(&self, id: i64) -> Result<Slot> {
        let row = sqlx::query(&format!("SELECT {SLOT_COLUMNS} FROM slots WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("slot"))?;
        slot_from_row(&row)
    }

    /// Creates a candidate and their invitation (window from `window`, link hashed as
    /// `token_hash`) and records the issue as a signal, in one transaction.
    pub async fn invite_candidate(
        &self,
        campaign_id: i64,
        candidate: &NewCandidate,
        token_hash: &TokenHash,
        window: &InvitationWindow,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let candidate_id: i64 = sqlx::query(
            "INSERT INTO candidates (campaign_id, full_name, email, phone, created_at, email_norm, phone_norm) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(campaign_id)
        .bind(&candidate.full_name)
        .bind(&candidate.email)
        .bind(&candidate.phone)
        .bind(ts(now))
        .bind(candidate.email.as_deref().and_then(normalize_email))
        .bind(candidate.phone.as_deref().and_then(normalize_phone))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let invitation_id: i64 = sqlx::query(
            "INSERT INTO invitations (candidate_id, campaign_id, token_hash, issued_at, window_first_day, window_days, \
             window_starts_at, window_ends_at, state, last_activity_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $4) \
             RETURNING id",
        )
        .bind(candidate_id)
        .bind(campaign_id)
        .bind(token_hash.as_str())
        .bind(ts(now))
        .bind(window.first_day.format("%Y-%m-%d").to_string())
        .bind(i64::from(window.days))
        .bind(ts(window.starts_at))
        .bind(ts(window.ends_at))
        .bind(InvitationState::Invited.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let payload = serde_json::json!({
            "window_first_day": window.first_day.to_string(),
            "window_days": window.days,
        });
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::InvitationIssued, SignalSource::System, now, &payload)
            .await?;
        let target = NoticeTarget { invitation_id, candidate_id, campaign_id, slot_id: None };
        crate::reminders::plan_invitation(&mut tx, &target, window.ends_at, now).await?;
        tx.commit().await?;
        Ok(candidate_id)
    }

    /// Replaces a candidate's link: the old one stops working at once.
    pub async fn reissue_link(
        &self,
        candidate_id: i64,
        token_hash: &TokenHash,
        source: SignalSource,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("UPDATE invitations SET token_hash = $1 WHERE candidate_id = $2 RETURNING campaign_id")
            .bind(token_hash.as_str())
            .bind(candidate_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("invitation"))?;
        let campaign_id: i64 = row.try_get("campaign_id")?;
        crate::reminders::revoke_links(&mut tx, candidate_id, now).await?;
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::LinkReissued, source, now, &serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A candidate's signals, oldest first.
    pub async fn signals_for_candidate(&self, candidate_id: i64) -> Result<Vec<SignalRecord>> {
        let rows = sqlx::query(
            "SELECT id, candidate_id, kind, source, occurred_at, payload FROM signals WHERE candidate_id = $1 ORDER BY id",
        )
        .bind(candidate_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let source: String = row.try_get("source")?;
                let payload: String = row.try_get("payload")?;
                Ok(SignalRecord {
                    id: row.try_get("id")?,
                    candidate_id: row.try_get("candidate_id")?,
                    kind: kind.parse().map_err(crate::records::corrupt)?,
                    source: source.parse().map_err(crate::records::corrupt)?,
                    occurred_at: from_ts(row.try_get("occurred_at")?)?,
                    payload: serde_json::from_str(&payload).map_err(crate::records::corrupt)?,
                })
            })
            .collect()
    }

    /// Ids of a campaign's candidates, in creation order.
    pub async fn candidate_ids(&self, campaign_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM candidates WHERE campaign_id = $1 ORDER BY id")
            .bind(campaign_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}

/// One campaign, read on the caller's connection (inside a transaction, or not).
pub(crate) async fn load_campaign(conn: &mut AnyConnection, id: i64) -> Result<Campaign> {
    let row = sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("campaign"))?;
    campaign_from_row(&row)
}

/// Appends one signal inside the caller's transaction, and makes the candidate's rating due.
pub(crate) async fn insert_signal(
    conn: &mut AnyConnection,
    candidate_id: i64,
    campaign_id: i64,
    kind: SignalKind,
    source: SignalSource,
    at: DateTime<Utc>,
    payload: &serde_json::Value,
) -> Result<()> {
    let id = append_signal(conn, candidate_id, campaign_id, kind, source, at, payload).await?;
    sqlx::query(&format!("UPDATE invitations SET {} WHERE candidate_id = $3", signal_due("$1", "$2")))
        .bind(id)
        .bind(ts(at))
        .bind(candidate_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What an `UPDATE invitations` sets when signal `id` arrived at `at` (placeholders): anything
/// new makes the candidate's rating due now.
pub(crate) fn signal_due(id: &str, at: &str) -> String {
    format!("last_signal_id = {id}, risk_due_at = {at}")
}

/// Appends one signal inside the caller's transaction and returns its id; the caller's own
/// update of the invitation sets [`signal_due`] (one statement fewer on a candidate's path
/// than [`insert_signal`]).
pub(crate) async fn append_signal(
    conn: &mut AnyConnection,
    candidate_id: i64,
    campaign_id: i64,
    kind: SignalKind,
    source: SignalSource,
    at: DateTime<Utc>,
    payload: &serde_json::Value,
) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO signals (candidate_id, campaign_id, kind, source, occurred_at, payload) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id",
    )
    .bind(candidate_id)
    .bind(campaign_id)
    .bind(kind.as_str())
    .bind(source.as_str())
    .bind(ts(at))
    .bind(payload.to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    if source == SignalSource::Candidate {
        // The candidate was seen: every notice that had reached them is now read
        // (`turnout_domain::reminder::is_read`, the one meaning of "read").
        sqlx::query(
            "UPDATE notices SET read_at = $1 WHERE candidate_id = $2 AND read_at IS NULL \
             AND first_sent_at IS NOT NULL AND first_sent_at <= $1",
        )
        .bind(ts(at))
        .bind(candidate_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}
