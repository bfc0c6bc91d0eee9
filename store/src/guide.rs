//! The interview guide: each campaign's text, and each candidate's reading of it.

use crate::campaigns::insert_signal;
use crate::candidate_flow::{load_invitation, lock_invitation};
use crate::{from_ts, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use turnout_domain::guide::{reading_seconds, GuideProgress};
use turnout_domain::{SignalKind, SignalSource, TokenHash};

/// Something a candidate did with the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuideEvent {
    /// Opened the guide page.
    Opened,
    /// A section came into view.
    SectionSeen(String),
    /// Reached the end.
    Finished,
    /// Said "I have read it".
    Acknowledged,
}

impl Store {
    /// Replaces a campaign's guide (Markdown; empty text means Turnout's default).
    pub async fn set_campaign_guide(&self, campaign_id: i64, guide_zh: &str, guide_en: &str) -> Result<()> {
        let done = self
            .write(
                sqlx::query("UPDATE campaigns SET guide_zh = $1, guide_en = $2 WHERE id = $3")
                    .bind(guide_zh)
                    .bind(guide_en)
                    .bind(campaign_id),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("campaign"));
        }
        Ok(())
    }

    /// Records a guide event for the invitation behind `token` (a signal, and the progress
    /// column moved forward), in one transaction. Returns the progress after it.
    pub async fn record_guide_event(&self, token: &TokenHash, event: &GuideEvent, now: DateTime<Utc>) -> Result<GuideProgress> {
        let mut tx = self.begin_write().await?;
        let id = lock_invitation(&mut tx, token, now).await?;
        let inv = load_invitation(&mut tx, id).await?;
        let (kind, step, mut payload) = match event {
            GuideEvent::Opened => (SignalKind::GuideOpened, GuideProgress::Opened, serde_json::json!({})),
            GuideEvent::SectionSeen(section) => {
                (SignalKind::GuideSectionSeen, GuideProgress::Opened, serde_json::json!({ "section": section }))
            }
            GuideEvent::Finished => (SignalKind::GuideFinished, GuideProgress::Finished, serde_json::json!({})),
            GuideEvent::Acknowledged => (SignalKind::GuideAcknowledged, GuideProgress::Acknowledged, serde_json::json!({})),
        };
        let mut seconds = inv.guide_seconds;
        if matches!(event, GuideEvent::Finished | GuideEvent::Acknowledged) {
            // Reading time runs from the latest opening of the guide.
            let opened: Option<i64> =
                sqlx::query("SELECT MAX(occurred_at) AS t FROM signals WHERE candidate_id = $1 AND kind = $2")
                    .bind(inv.candidate_id)
                    .bind(SignalKind::GuideOpened.as_str())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("t")?;
            if let Some(t) = opened {
                seconds = seconds.max(reading_seconds(from_ts(t)?, now));
            }
            payload["seconds"] = serde_json::json!(seconds);
        }
        let progress = inv.guide_progress.advance(step);
        sqlx::query("UPDATE invitations SET guide_progress = $1, guide_seconds = $2 WHERE id = $3")
            .bind(progress.as_str())
            .bind(seconds)
            .bind(inv.id)
            .execute(&mut *tx)
            .await?;
        insert_signal(&mut tx, inv.candidate_id, inv.campaign_id, kind, SignalSource::Candidate, now, &payload).await?;
        tx.commit().await?;
        Ok(progress)
    }
}
