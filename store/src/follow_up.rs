//! What HR act on: stored risk assessments and the model behind them, HR's overrides, phone
//! calls, interview outcomes, and the facts the model reads (earlier campaigns included).

use crate::campaigns::insert_signal;
use crate::records::corrupt;
use crate::{from_ts, ts, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use turnout_domain::call::{CallOutcome, InterviewOutcome};
use turnout_domain::risk::{
    CalibrationBin, CandidateFacts, DeviceCheckFact, RiskLevel, RiskModel, RiskThresholds, TrainedModel, DEFAULT_MODEL_VERSION,
    FEATURE_COUNT,
};
use turnout_domain::{SignalKind, SignalSource};

/// Which candidates to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskScope {
    /// One candidate.
    Candidate(i64),
    /// Every candidate of a campaign.
    Campaign(i64),
    /// Candidates whose rating is due: a signal arrived since it was made, or a moment its
    /// time-driven facts change has passed (`invitations.risk_due_at`).
    Due,
    /// Every candidate (after the model or its thresholds change).
    Everyone,
}

/// One reason of a stored assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReason {
    /// Stable name of the reason.
    pub id: String,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// A candidate's latest stored assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAssessment {
    /// Probability of not attending.
    pub probability: f64,
    /// The model's level.
    pub level: RiskLevel,
    /// Why, most important first.
    pub reasons: Vec<StoredReason>,
    /// Which model.
    pub model_version: u32,
    /// When.
    pub assessed_at: DateTime<Utc>,
}

/// HR's override of a rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskOverride {
    /// The level HR set.
    pub level: RiskLevel,
    /// Why.
    pub note: String,
    /// Who (display name).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A recorded phone call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// What came of it.
    pub outcome: CallOutcome,
    /// HR's note.
    pub note: String,
    /// Who called (display name).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The model settings: thresholds, and which model is in use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskSettings {
    /// Level thresholds.
    pub thresholds: RiskThresholds,
    /// The model in use ([`DEFAULT_MODEL_VERSION`] is the documented defaults).
    pub active_version: u32,
}

/// A trained model as stored, with its accuracy figures.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredModel {
    /// Version (2 and up; 1 is the defaults).
    pub version: u32,
    /// When it was trained.
    pub trained_at: DateTime<Utc>,
    /// Who trained it (display name), if recorded.
    pub trained_by: Option<String>,
    /// Weights, in feature order.
    pub weights: Vec<f64>,
    /// Bias (log-odds at all-zero features).
    pub bias: f64,
    /// Outcomes it was trained on.
    pub examples: i64,
    /// Of which no-shows.
    pub no_shows: i64,
    /// Cross-validated AUC.
    pub auc_cv: f64,
    /// Share of no-shows in the top 25% of predicted risk.
    pub top_quartile_capture: f64,
    /// Calibration table.
    pub calibration: Vec<CalibrationBin>,
}

/// One candidate as HR's follow-up views need them.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    /// Candidate.
    pub candidate_id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// Name.
    pub full_name: String,
    /// Phone, as given.
    pub phone: Option<String>,
    /// E-mail, as given.
    pub email: Option<String>,
    /// The model's facts.
    pub facts: CandidateFacts,
    /// The stored assessment, if one was made.
    pub assessment: Option<StoredAssessment>,
    /// HR's override, if any.
    pub risk_override: Option<RiskOverride>,
    /// When HR last reached the candidate by phone.
    pub last_reached_at: Option<DateTime<Utc>>,
    /// Whether a notice went unread past its follow-up time.
    pub unread_notice: bool,
    /// Whether no notice reached the candidate on any channel, though one was due.
    pub unreachable: bool,
    /// Whether they attended, once recorded.
    pub outcome: Option<InterviewOutcome>,
    /// The newest signal of theirs when loaded (0 with none); a rating made from this row is
    /// kept as current only while no newer signal has arrived.
    pub signal_id: i64,
}

impl FollowUpRow {
    /// The level HR act on: their override, else the model's (low when never assessed).
    pub fn effective_level(&self) -> RiskLevel {
        self.risk_override.as_ref().map(|o| o.level).or(self.assessment.as_ref().map(|a| a.level)).unwrap_or(RiskLevel::Low)
    }
}

/// Earlier interviews of the same person (matched by normalised e-mail or phone, never by name)
/// with the given outcome.
fn history_count(outcome: InterviewOutcome) -> String {
    // Each way of matching is its own indexed lookup: an OR across the two columns made
    // PostgreSQL read every recorded outcome for each candidate.
    format!(
        "(SELECT COUNT(*) FROM invitations oi WHERE oi.outcome = '{}' AND oi.issued_at < i.issued_at \
         AND oi.candidate_id IN (SELECT o.id FROM candidates o WHERE o.email_norm = c.email_norm AND o.id <> c.id \
         UNION SELECT o.id FROM candidates o WHERE o.phone_norm = c.phone_norm AND o.id <> c.id))",
        outcome.as_str()
    )
}

/// Notices handed to a provider on at least one channel.
const NOTICES_SENT: &str = "(SELECT COUNT(*) FROM notices n WHERE n.candidate_id = c.id AND n.first_sent_at IS NOT NULL)";
/// Notices read ([`turnout_domain::reminder::is_read`]; `read_at` is kept by `insert_signal`).
const NOTICES_READ: &str = "(SELECT COUNT(*) FROM notices n WHERE n.candidate_id = c.id AND n.read_at IS NOT NULL)";
/// Notices whose unread follow-up time passed with no read since.
const UNREAD_OPEN: &str =
    "(SELECT COUNT(*) FROM notices n WHERE n.candidate_id = c.id AND n.unread_at IS NOT NULL AND n.read_at IS NULL)";
/// Notices that reached nobody: every channel settled as skipped or failed.
pub(crate) const UNDELIVERED: &str = "(SELECT COUNT(*) FROM notices n WHERE n.candidate_id = c.id AND n.first_sent_at IS NULL \
     AND EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id) \
     AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.status NOT IN ('skipped', 'failed')))";

fn facts_select() -> String {
    format!(
        "SELECT c.id AS candidate_id, i.campaign_id, c.full_name, c.email, c.phone, i.issued_at, i.first_opened_at, \
         i.window_ends_at, i.state, i.reschedules, i.guide_progress, i.decline_reason, i.outcome, s.starts_at, \
         i.device_check_verdict, i.device_check_failed, i.device_checked_at, \
         b.booked_at, i.last_signal_id AS signal_id, {} AS past_attended, {} AS past_no_shows, {NOTICES_SENT} AS notices_sent, \
         {NOTICES_READ} AS notices_read, {UNREAD_OPEN} AS unread_open, {UNDELIVERED} AS undelivered \
         FROM invitations i JOIN candidates c ON c.id = i.candidate_id LEFT JOIN slots s ON s.id = i.slot_id \
         LEFT JOIN bookings b ON b.invitation_id = i.id AND b.released_at IS NULL \
         LEFT JOIN risk_assessments ra ON ra.candidate_id = c.id",
        history_count(InterviewOutcome::Attended),
        history_count(InterviewOutcome::NoShow),
    )
}

fn count(row: &AnyRow, column: &str) -> Result<u32> {
    u32::try_from(row.try_get::<i64, _>(column)?).map_err(corrupt)
}

fn facts_from_row(row: &AnyRow, now: DateTime<Utc>) -> Result<CandidateFacts> {
    let opt_time =
        |column: &str| -> Result<Option<DateTime<Utc>>> { row.try_get::<Option<i64>, _>(column)?.map(from_ts).transpose() };
    let reason: Option<String> = row.try_get("decline_reason")?;
    Ok(CandidateFacts {
        now,
        invited_at: from_ts(row.try_get("issued_at")?)?,
        first_opened_at: opt_time("first_opened_at")?,
        window_ends_at: from_ts(row.try_get("window_ends_at")?)?,
        state: row.try_get::<String, _>("state")?.parse().map_err(corrupt)?,
        confirmed_at: opt_time("booked_at")?,
        slot_starts_at: opt_time("starts_at")?,
        reschedules: count(row, "reschedules")?,
        reminders_sent: count(row, "notices_sent")?,
        reminders_read: count(row, "notices_read")?,
        device_check: crate::device::device_check_status(
            row.try_get("device_check_verdict")?,
            &row.try_get::<String, _>("device_check_failed")?,
            row.try_get("device_checked_at")?,
        )?
        .map_or(DeviceCheckFact::NotRun, |d| turnout_domain::device::fact_of(d.verdict, d.failed_items.len())),
        guide: row.try_get::<String, _>("guide_progress")?.parse().map_err(corrupt)?,
        decline_reason: reason.map(|r| r.parse()).transpose().map_err(corrupt)?,
        past_attended: count(row, "past_attended")?,
        past_no_shows: count(row, "past_no_shows")?,
    })
}

fn outcome_from_row(row: &AnyRow) -> Result<Option<InterviewOutcome>> {
    row.try_get::<Option<String>, _>("outcome")?.map(|o| o.parse()).transpose().map_err(corrupt)
}

pub(crate) fn assessment_from_row(row: &AnyRow) -> Result<Option<StoredAssessment>> {
    let Some(probability) = row.try_get::<Option<f64>, _>("ra_probability")? else { return Ok(None) };
    let reasons: Vec<serde_json::Value> = serde_json::from_str(&row.try_get::<String, _>("ra_reasons")?).map_err(corrupt)?;
    let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|s| s.as_str()).unwrap_or_default().to_string();
    Ok(Some(StoredAssessment {
        probability,
        level: row.try_get::<String, _>("ra_level")?.parse().map_err(corrupt)?,
        reasons: reasons.iter().map(|r| StoredReason { id: text(r, "id"), zh: text(r, "zh"), en: text(r, "en") }).collect(),
        model_version: u32::try_from(row.try_get::<i64, _>("ra_model_version")?).map_err(corrupt)?,
        assessed_at: from_ts(row.try_get("ra_assessed_at")?)?,
    }))
}

fn override_from_row(row: &AnyRow) -> Result<Option<RiskOverride>> {
    let Some(level) = row.try_get::<Option<String>, _>("ro_level")? else { return Ok(None) };
    Ok(Some(RiskOverride {
        level: level.parse().map_err(corrupt)?,
        note: row.try_get("ro_note")?,
        by: row.try_get("ro_by")?,
        at: from_ts(row.try_get("ro_at")?)?,
    }))
}

const FOLLOW_UP_COLUMNS: &str = ", ra.probability AS ra_probability, ra.level AS ra_level, ra.reasons AS ra_reasons, \
     ra.model_version AS ra_model_version, ra.assessed_at AS ra_assessed_at, ro.level AS ro_level, ro.note AS ro_note, \
     ro.created_at AS ro_at, hu.display_name AS ro_by, \
     (SELECT MAX(k.called_at) FROM calls k WHERE k.candidate_id = c.id AND k.reached) AS last_reached_at";

const FOLLOW_UP_JOINS: &str =
    " LEFT JOIN risk_overrides ro ON ro.candidate_id = c.id LEFT JOIN hr_users hu ON hu.id = ro.hr_user_id";

impl Store {
    /// Thresholds and the model in use (the defaults until HR change them).
    pub async fn risk_settings(&self) -> Result<RiskSettings> {
        let row = sqlx::query("SELECT medium_threshold, high_threshold, active_version FROM risk_settings WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(RiskSettings { thresholds: RiskThresholds::DEFAULT, active_version: DEFAULT_MODEL_VERSION });
        };
        Ok(RiskSettings {
            thresholds: RiskThresholds::new(row.try_get("medium_threshold")?, row.try_get("high_threshold")?).map_err(corrupt)?,
            active_version: u32::try_from(row.try_get::<i64, _>("active_version")?).map_err(corrupt)?,
        })
    }

    /// Saves the thresholds and the model in use.
    pub async fn set_risk_settings(&self, settings: &RiskSettings, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO risk_settings (id, medium_threshold, high_threshold, active_version, updated_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET medium_threshold = excluded.medium_threshold, \
             high_threshold = excluded.high_threshold, active_version = excluded.active_version, updated_at = excluded.updated_at",
        )
        .bind(settings.thresholds.medium())
        .bind(settings.thresholds.high())
        .bind(i64::from(settings.active_version))
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a trained model as the next version and puts it in use. Returns its version.
    pub async fn save_trained_model(&self, trained: &TrainedModel, trained_by: i64, now: DateTime<Utc>) -> Result<u32> {
        let settings = self.risk_settings().await?;
        let mut tx = self.begin_write().await?;
        let latest: Option<i64> =
            sqlx::query("SELECT MAX(version) AS v FROM risk_models").fetch_one(&mut *tx).await?.try_get("v")?;
        let version = latest.unwrap_or(i64::from(DEFAULT_MODEL_VERSION)).max(i64::from(DEFAULT_MODEL_VERSION)) + 1;
        let m = &trained.metrics;
        let calibration: Vec<_> =
            m.calibration.iter().map(|b| serde_json::json!([b.predicted_mean, b.observed_rate, b.count])).collect();
        sqlx::query(
            "INSERT INTO risk_models (version, trained_at, trained_by, weights, bias, examples, no_shows, auc_cv, \
             top_quartile_capture, calibration) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(version)
        .bind(ts(now))
        .bind(trained_by)
        .bind(serde_json::json!(trained.model.weights()).to_string())
        .bind(trained.model.bias())
        .bind(i64::try_from(m.examples).map_err(corrupt)?)
        .bind(i64::try_from(m.no_shows).map_err(corrupt)?)
        .bind(m.auc_cv)
        .bind(m.top_quartile_capture)
        .bind(serde_json::Value::Array(calibration).to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let version = u32::try_from(version).map_err(corrupt)?;
        self.set_risk_settings(&RiskSettings { active_version: version, ..settings }, now).await?;
        Ok(version)
    }

    /// Every trained model, newest first.
    pub async fn risk_models(&self) -> Result<Vec<StoredModel>> {
        let rows = sqlx::query(
            "SELECT m.version, m.trained_at, u.display_name, m.weights, m.bias, m.examples, m.no_shows, m.auc_cv, \
             m.top_quartile_capture, m.calibration FROM risk_models m LEFT JOIN hr_users u ON u.id = m.trained_by \
             ORDER BY m.version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let weights: Vec<f64> = serde_json::from_str(&row.try_get::<String, _>("weights")?).map_err(corrupt)?;
                let bins: Vec<(f64, f64, usize)> =
                    serde_json::from_str(&row.try_get::<String, _>("calibration")?).map_err(corrupt)?;
                Ok(StoredModel {
                    version: u32::try_from(row.try_get::<i64, _>("version")?).map_err(corrupt)?,
                    trained_at: from_ts(row.try_get("trained_at")?)?,
                    trained_by: row.try_get("display_name")?,
                    weights,
                    bias: row.try_get("bias")?,
                    examples: row.try_get("examples")?,
                    no_shows: row.try_get("no_shows")?,
                    auc_cv: row.try_get("auc_cv")?,
                    top_quartile_capture: row.try_get("top_quartile_capture")?,
                    calibration: bins
                        .into_iter()
                        .map(|(predicted_mean, observed_rate, count)| CalibrationBin { predicted_mean, observed_rate, count })
                        .collect(),
                })
            })
            .collect()
    }

    /// The model in use, with the current thresholds.
    pub async fn active_risk_model(&self) -> Result<RiskModel> {
        let settings = self.risk_settings().await?;
        if settings.active_version == DEFAULT_MODEL_VERSION {
            return Ok(RiskModel::default_weights().with_thresholds(settings.thresholds));
        }
        let stored = self
            .risk_models()
            .await?
            .into_iter()
            .find(|m| m.version == settings.active_version)
            .ok_or(StoreError::NotFound("risk model"))?;
        if stored.weights.len() != FEATURE_COUNT {
            return Err(StoreError::Corrupt(format!("model {} has {} weights", stored.version, stored.weights.len())));
        }
        RiskModel::new(stored.version, stored.weights, stored.bias, settings.thresholds).map_err(corrupt)
    }

    /// Past interviews with a recorded outcome, each with the facts as they stood when the
    /// interview began (or the window closed), for training.
    pub async fn training_examples(&self) -> Result<Vec<(CandidateFacts, bool)>> {
        let sql = format!("{} WHERE i.outcome IS NOT NULL ORDER BY c.id", facts_select());
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let mut facts = facts_from_row(row, DateTime::<Utc>::MIN_UTC)?;
                facts.now = facts.slot_starts_at.unwrap_or(facts.window_ends_at);
                Ok((facts, outcome_from_row(row)? == Some(InterviewOutcome::NoShow)))
            })
            .collect()
    }

    /// Sets HR's override of a candidate's rating, with the note, and records it as a signal.
    pub async fn set_risk_override(
        &self,
        candidate_id: i64,
        level: RiskLevel,
        note: &str,
        hr_user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let campaign_id = self.candidate_campaign(candidate_id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO risk_overrides (candidate_id, level, note, hr_user_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (candidate_id) DO UPDATE SET level = excluded.level, note = excluded.note, \
             hr_user_id = excluded.hr_user_id, created_at = excluded.created_at",
        )
        .bind(candidate_id)
        .bind(level.as_str())
        .bind(note)
        .bind(hr_user_id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let payload = serde_json::json!({ "level": level.as_str(), "note": note, "hr_user_id": hr_user_id });
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::RiskOverridden, SignalSource::Hr, now, &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes HR's override, so the model's rating applies again (recorded as a signal).
    pub async fn clear_risk_override(&self, candidate_id: i64, hr_user_id: i64, now: DateTime<Utc>) -> Result<()> {
        let campaign_id = self.candidate_campaign(candidate_id).await?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM risk_overrides WHERE candidate_id = $1").bind(candidate_id).execute(&mut *tx).await?;
        if done.rows_affected() > 0 {
            let payload = serde_json::json!({ "level": null, "hr_user_id": hr_user_id });
            insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::RiskOverridden, SignalSource::Hr, now, &payload)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a phone call and its outcome (a row and a signal, in one transaction).
    pub async fn record_call(
        &self,
        candidate_id: i64,
        outcome: CallOutcome,
        note: &str,
        hr_user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let campaign_id = self.candidate_campaign(candidate_id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO calls (candidate_id, campaign_id, hr_user_id, outcome, reached, note, called_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(candidate_id)
        .bind(campaign_id)
        .bind(hr_user_id)
        .bind(outcome.as_str())
        .bind(outcome.reached())
        .bind(note)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let payload =
            serde_json::json!({ "outcome": outcome, "reached": outcome.reached(), "note": note, "hr_user_id": hr_user_id });
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::CallRecorded, SignalSource::Hr, now, &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A candidate's calls, newest first.
    pub async fn calls_for_candidate(&self, candidate_id: i64) -> Result<Vec<CallRecord>> {
        let rows = sqlx::query(
            "SELECT k.outcome, k.note, k.called_at, u.display_name FROM calls k JOIN hr_users u ON u.id = k.hr_user_id \
             WHERE k.candidate_id = $1 ORDER BY k.called_at DESC, k.id DESC",
        )
        .bind(candidate_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CallRecord {
                    outcome: row.try_get::<String, _>("outcome")?.parse().map_err(corrupt)?,
                    note: row.try_get("note")?,
                    by: row.try_get("display_name")?,
                    at: from_ts(row.try_get("called_at")?)?,
                })
            })
            .collect()
    }

    /// Records whether the candidate attended (replacing an earlier record), with a signal.
    pub async fn record_interview_outcome(
        &self,
        candidate_id: i64,
        outcome: InterviewOutcome,
        hr_user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let campaign_id = self.candidate_campaign(candidate_id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE invitations SET outcome = $1, outcome_at = $2 WHERE candidate_id = $3")
            .bind(outcome.as_str())
            .bind(ts(now))
            .bind(candidate_id)
            .execute(&mut *tx)
            .await?;
        let payload = serde_json::json!({ "outcome": outcome, "hr_user_id": hr_user_id });
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::OutcomeRecorded, SignalSource::Hr, now, &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The campaign a candidate belongs to.
    pub async fn candidate_campaign(&self, candidate_id: i64) -> Result<i64> {
        sqlx::query("SELECT campaign_id FROM candidates WHERE id = $1")
            .bind(candidate_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("campaign_id"))
            .transpose()?
            .ok_or(StoreError::NotFound("candidate"))
    }

    /// Candidates in `scope` with their facts, stored assessment, override and last call, as of
    /// `now`, for the candidate page and for rating them. A whole scope at once: use
    /// [`Store::follow_up_batch`] for anything larger than a candidate.
    pub async fn follow_up_rows(&self, scope: RiskScope, now: DateTime<Utc>) -> Result<Vec<FollowUpRow>> {
        self.follow_up_batch(scope, 0, i64::MAX, now).await
    }

    /// Up to `limit` candidates of `scope` after candidate id `after`, in id order; for
    /// [`RiskScope::Due`], the `limit` longest due (rating them moves them out of the scope, so
    /// the next batch needs no cursor).
    pub async fn follow_up_batch(
        &self,
        scope: RiskScope,
        after: i64,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<FollowUpRow>> {
        // The batch is chosen first, by index, and only its rows get their facts counted:
        // PostgreSQL would otherwise count them for every row before sorting and limiting.
        let limit = limit.clamp(1, i64::MAX);
        let (filter, id, order) = match scope {
            RiskScope::Candidate(id) => ("c.id = $1".to_string(), Some(id), "c.id"),
            RiskScope::Campaign(id) => (
                format!(
                    "i.id IN (SELECT x.id FROM invitations x WHERE x.campaign_id = $1 AND x.candidate_id > $2 \
                     ORDER BY x.candidate_id LIMIT {limit})"
                ),
                Some(id),
                "c.id",
            ),
            RiskScope::Due => (
                format!(
                    "i.id IN (SELECT x.id FROM invitations x WHERE x.risk_due_at <= $1 ORDER BY x.risk_due_at LIMIT {limit})"
                ),
                None,
                "i.risk_due_at",
            ),
            RiskScope::Everyone => (
                format!(
                    "i.id IN (SELECT x.id FROM invitations x WHERE x.candidate_id > $1 ORDER BY x.candidate_id LIMIT {limit})"
                ),
                None,
                "c.id",
            ),
        };
        let select = facts_select().replacen(" FROM invitations i", &format!("{FOLLOW_UP_COLUMNS} FROM invitations i"), 1);
        let sql = format!("{select}{FOLLOW_UP_JOINS} WHERE {filter} ORDER BY {order}");
        let mut query = sqlx::query(&sql);
        query = match (scope, id) {
            (RiskScope::Candidate(_), Some(id)) => query.bind(id),
            (RiskScope::Campaign(_), Some(id)) => query.bind(id).bind(after),
            (RiskScope::Due, _) => query.bind(ts(now)),
            _ => query.bind(after),
        };
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let facts = facts_from_row(row, now)?;
                Ok(FollowUpRow {
                    candidate_id: row.try_get("candidate_id")?,
                    campaign_id: row.try_get("campaign_id")?,
                    full_name: row.try_get("full_name")?,
                    phone: row.try_get("phone")?,
                    email: row.try_get("email")?,
                    facts,
                    assessment: assessment_from_row(row)?,
                    risk_override: override_from_row(row)?,
                    last_reached_at: row.try_get::<Option<i64>, _>("last_reached_at")?.map(from_ts).transpose()?,
                    unread_notice: row.try_get::<i64, _>("unread_open")? > 0,
                    unreachable: facts.reminders_sent == 0 && row.try_get::<i64, _>("undelivered")? > 0,
                    outcome: outcome_from_row(row)?,
                    signal_id: row.try_get("signal_id")?,
                })
            })
            .collect()
    }

    /// Fills the normalised e-mail and phone of candidates stored before they were kept.
    pub(crate) async fn backfill_contact_keys(&self) -> Result<()> {
        use turnout_domain::contact::{normalize_email, normalize_phone};
        let rows = sqlx::query(
            "SELECT id, email, phone FROM candidates WHERE (email IS NOT NULL AND email_norm IS NULL) \
             OR (phone IS NOT NULL AND phone_norm IS NULL)",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let email: Option<String> = row.try_get("email")?;
            let phone: Option<String> = row.try_get("phone")?;
            sqlx::query("UPDATE candidates SET email_norm = $1, phone_norm = $2 WHERE id = $3")
                .bind(email.as_deref().and_then(normalize_email))
                .bind(phone.as_deref().and_then(normalize_phone))
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
