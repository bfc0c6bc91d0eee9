//! The device check: each run kept as a signal, the latest result kept on the invitation.

use crate::campaigns::insert_signal;
use crate::candidate_flow::{load_invitation, lock_invitation};
use crate::records::corrupt;
use crate::Store;
use crate::{ts, Result};
use chrono::{DateTime, Utc};
use turnout_domain::device::{CheckItem, DeviceAssessment, Verdict};
use turnout_domain::{SignalKind, SignalSource, TokenHash};

/// The latest device check of an invitation, as HR's status page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCheckStatus {
    /// The overall verdict.
    pub verdict: Verdict,
    /// The items that failed, in check order.
    pub failed_items: Vec<CheckItem>,
    /// When it ran.
    pub checked_at: DateTime<Utc>,
}

/// Reads the stored columns back (`None` when no check has run).
pub(crate) fn device_check_status(
    verdict: Option<String>,
    failed: &str,
    checked_at: Option<i64>,
) -> Result<Option<DeviceCheckStatus>> {
    let (Some(verdict), Some(at)) = (verdict, checked_at) else { return Ok(None) };
    let verdict = Verdict::from_name(&verdict).ok_or_else(|| corrupt(format!("device check verdict {verdict}")))?;
    let failed_items = failed
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| CheckItem::from_name(s).ok_or_else(|| corrupt(format!("device check item {s}"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(DeviceCheckStatus { verdict, failed_items, checked_at: crate::from_ts(at)? }))
}

impl Store {
    /// Records a finished device check for the invitation behind `token`: a
    /// `device_check_completed` signal with every item, its figures and a coarse browser
    /// summary (`client`, e.g. "Chrome 131 / Android"), and the result as the invitation's
    /// latest, in one transaction.
    pub async fn record_device_check(
        &self,
        token: &TokenHash,
        check: &DeviceAssessment,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = lock_invitation(&mut tx, token, now).await?;
        let inv = load_invitation(&mut tx, id).await?;
        let failed: Vec<&str> = check.failed_items().into_iter().map(CheckItem::as_str).collect();
        sqlx::query(
            "UPDATE invitations SET device_check_verdict = $1, device_check_failed = $2, device_checked_at = $3 WHERE id = $4",
        )
        .bind(check.verdict.as_str())
        .bind(failed.join(","))
        .bind(ts(now))
        .bind(inv.id)
        .execute(&mut *tx)
        .await?;
        let payload = serde_json::json!({
            "verdict": check.verdict,
            "failed_items": failed,
            "items": check.items,
            "client": client,
        });
        insert_signal(
            &mut tx,
            inv.candidate_id,
            inv.campaign_id,
            SignalKind::DeviceCheckCompleted,
            SignalSource::Candidate,
            now,
            &payload,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
