//! What HR act on: stored risk assessments and the model behind them, HR's overrides, phone
//! calls, interview outcomes, and the facts the model reads (earlier campaigns included).

use crate::campaigns::insert_signal;
use crate::records::corrupt;
use crate::{from_ts, ts, Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
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

// A batch's rows come back as one JSON text per statement (see `Store::json_rows`): sqlx's
// SQLite driver copies every value of a result row from SQLite's thread to ours under SQLite's
// memory lock, and for a batch of a thousand candidates by thirty columns that copying took
// longer than the query itself.

/// A batch's own columns, in [`BatchRow`]'s order: the invitation, the candidate, the booking
/// held, the stored rating and HR's override, each found by key. `{probability}` is the stored
/// probability as exact text (see [`Store::exact_real`]). What is counted over other tables
/// comes after, see [`Counted`].
const BATCH_COLUMNS: &str = "c.id, i.campaign_id, c.full_name, c.email, c.phone, c.email_norm, c.phone_norm, \
     i.issued_at, i.first_opened_at, i.window_ends_at, i.state, i.reschedules, i.guide_progress, i.decline_reason, \
     i.outcome, s.starts_at, i.device_check_verdict, i.device_check_failed, i.device_checked_at, b.booked_at, \
     i.last_signal_id, {probability}, ra.level, ra.reasons, ra.model_version, ra.assessed_at, \
     ro.level, ro.note, ro.created_at, hu.display_name";

const BATCH_FROM: &str = "FROM invitations i JOIN candidates c ON c.id = i.candidate_id \
     LEFT JOIN slots s ON s.id = i.slot_id LEFT JOIN bookings b ON b.invitation_id = i.id AND b.released_at IS NULL \
     LEFT JOIN risk_assessments ra ON ra.candidate_id = c.id LEFT JOIN risk_overrides ro ON ro.candidate_id = c.id \
     LEFT JOIN hr_users hu ON hu.id = ro.hr_user_id";

/// One row of a batch, as [`BATCH_COLUMNS`] lists it.
#[derive(Debug, Deserialize)]
struct BatchRow {
    candidate_id: i64,
    campaign_id: i64,
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
    email_norm: Option<String>,
    phone_norm: Option<String>,
    issued_at: i64,
    first_opened_at: Option<i64>,
    window_ends_at: i64,
    state: String,
    reschedules: i64,
    guide_progress: String,
    decline_reason: Option<String>,
    outcome: Option<String>,
    starts_at: Option<i64>,
    device_check_verdict: Option<String>,
    device_check_failed: String,
    device_checked_at: Option<i64>,
    booked_at: Option<i64>,
    signal_id: i64,
    ra_probability: Option<String>,
    ra_level: Option<String>,
    ra_reasons: Option<String>,
    ra_model_version: Option<i64>,
    ra_assessed_at: Option<i64>,
    ro_level: Option<String>,
    ro_note: Option<String>,
    ro_at: Option<i64>,
    ro_by: Option<String>,
}

/// Each candidate's notices, counted in one pass over their index entries: handed to a
/// provider on at least one channel; read ([`turnout_domain::reminder::is_read`], `read_at` is
/// kept by `insert_signal`); unread past their follow-up time with no read since; and reaching
/// nobody (every channel settled as skipped or failed).
const NOTICE_COUNTS: &str = "SELECT n.candidate_id, \
     SUM(CASE WHEN n.first_sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent, \
     SUM(CASE WHEN n.read_at IS NOT NULL THEN 1 ELSE 0 END) AS was_read, \
     SUM(CASE WHEN n.unread_at IS NOT NULL AND n.read_at IS NULL THEN 1 ELSE 0 END) AS unread_open, \
     SUM(CASE WHEN n.first_sent_at IS NULL AND EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id) \
     AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.status NOT IN ('skipped', 'failed')) \
     THEN 1 ELSE 0 END) AS undelivered \
     FROM notices n WHERE n.candidate_id IN {ids} GROUP BY n.candidate_id";

/// Recorded outcomes of everyone sharing a normalised e-mail or phone with the batch (never a
/// name), each with the key it was found by. Each way of matching is its own lookup, read from
/// two indexes alone: an OR across the two columns made PostgreSQL read every recorded outcome.
const SHARED_CONTACT_OUTCOMES: &str = "SELECT o.id, o.email_norm, NULL AS phone_norm, oi.outcome, oi.issued_at \
     FROM candidates o JOIN invitations oi ON oi.candidate_id = o.id \
     WHERE o.email_norm IN {emails} AND oi.outcome IS NOT NULL \
     UNION ALL SELECT o.id, NULL, o.phone_norm, oi.outcome, oi.issued_at \
     FROM candidates o JOIN invitations oi ON oi.candidate_id = o.id \
     WHERE o.phone_norm IN {phones} AND oi.outcome IS NOT NULL";

/// A row of [`SHARED_CONTACT_OUTCOMES`]: candidate, the e-mail or phone they were found by,
/// their outcome and when they were invited.
type SharedContactOutcome = (i64, Option<String>, Option<String>, String, i64);

/// When HR last reached each candidate by phone.
const LAST_REACHED: &str = "SELECT k.candidate_id, MAX(k.called_at) AS last_reached_at FROM calls k \
     WHERE k.candidate_id IN {ids} AND k.reached GROUP BY k.candidate_id";

/// Candidates whose counted facts one round of grouped queries loads: as many as a rating batch.
const COUNTED_CHUNK: usize = 1000;

/// What a batch row needs besides its own columns, counted over other tables.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    notices_sent: u32,
    notices_read: u32,
    unread_open: bool,
    undelivered: bool,
    past_attended: u32,
    past_no_shows: u32,
    last_reached_at: Option<i64>,
}

/// The rows a statement of [`Store::packed`] or [`Store::batch_sql`] read, parsed.
fn unpack<T: serde::de::DeserializeOwned>(row: AnyRow) -> Result<Vec<T>> {
    let packed: Option<String> = row.try_get("packed")?;
    serde_json::from_str(packed.as_deref().unwrap_or("[]")).map_err(corrupt)
}

fn count(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(corrupt)
}

fn time(t: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    t.map(from_ts).transpose()
}

/// A candidate's facts as of `now`, from their batch row and what was counted for them.
fn facts_of(row: &BatchRow, counted: &Counted, now: DateTime<Utc>) -> Result<CandidateFacts> {
    Ok(CandidateFacts {
        now,
        invited_at: from_ts(row.issued_at)?,
        first_opened_at: time(row.first_opened_at)?,
        window_ends_at: from_ts(row.window_ends_at)?,
        state: row.state.parse().map_err(corrupt)?,
        confirmed_at: time(row.booked_at)?,
        slot_starts_at: time(row.starts_at)?,
        reschedules: count(row.reschedules)?,
        reminders_sent: counted.notices_sent,
        reminders_read: counted.notices_read,
        device_check: crate::device::device_check_status(
            row.device_check_verdict.clone(),
            &row.device_check_failed,
            row.device_checked_at,
        )?
        .map_or(DeviceCheckFact::NotRun, |d| turnout_domain::device::fact_of(d.verdict, d.failed_items.len())),
        guide: row.guide_progress.parse().map_err(corrupt)?,
        decline_reason: row.decline_reason.as_ref().map(|r| r.parse()).transpose().map_err(corrupt)?,
        past_attended: counted.past_attended,
        past_no_shows: counted.past_no_shows,
    })
}

fn outcome_of(row: &BatchRow) -> Result<Option<InterviewOutcome>> {
    row.outcome.as_ref().map(|o| o.parse()).transpose().map_err(corrupt)
}

/// A stored assessment from its columns (`None` when the candidate was never assessed).
fn stored_assessment(
    probability: Option<f64>,
    level: Option<&str>,
    reasons: Option<&str>,
    model_version: Option<i64>,
    assessed_at: Option<i64>,
) -> Result<Option<StoredAssessment>> {
    let Some(probability) = probability else { return Ok(None) };
    let missing = || corrupt("assessment without all its columns");
    let reasons: Vec<serde_json::Value> = serde_json::from_str(reasons.ok_or_else(missing)?).map_err(corrupt)?;
    let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|s| s.as_str()).unwrap_or_default().to_string();
    Ok(Some(StoredAssessment {
        probability,
        level: level.ok_or_else(missing)?.parse().map_err(corrupt)?,
        reasons: reasons.iter().map(|r| StoredReason { id: text(r, "id"), zh: text(r, "zh"), en: text(r, "en") }).collect(),
        model_version: u32::try_from(model_version.ok_or_else(missing)?).map_err(corrupt)?,
        assessed_at: from_ts(assessed_at.ok_or_else(missing)?)?,
    }))
}

pub(crate) fn assessment_from_row(row: &AnyRow) -> Result<Option<StoredAssessment>> {
    stored_assessment(
        row.try_get("ra_probability")?,
        row.try_get::<Option<String>, _>("ra_level")?.as_deref(),
        row.try_get::<Option<String>, _>("ra_reasons")?.as_deref(),
        row.try_get("ra_model_version")?,
        row.try_get("ra_assessed_at")?,
    )
}

fn assessment_of(row: &BatchRow) -> Result<Option<StoredAssessment>> {
    let probability = row.ra_probability.as_deref().map(str::parse::<f64>).transpose().map_err(corrupt)?;
    stored_assessment(probability, row.ra_level.as_deref(), row.ra_reasons.as_deref(), row.ra_model_version, row.ra_assessed_at)
}

fn override_of(row: &BatchRow) -> Result<Option<RiskOverride>> {
    let Some(level) = &row.ro_level else { return Ok(None) };
    let missing = || corrupt("override without all its columns");
    Ok(Some(RiskOverride {
        level: level.parse().map_err(corrupt)?,
        note: row.ro_note.clone().ok_or_else(missing)?,
        by: row.ro_by.clone().ok_or_else(missing)?,
        at: from_ts(row.ro_at.ok_or_else(missing)?)?,
    }))
}

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
        let upsert = sqlx::query(
            "INSERT INTO risk_settings (id, medium_threshold, high_threshold, active_version, updated_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET medium_threshold = excluded.medium_threshold, \
             high_threshold = excluded.high_threshold, active_version = excluded.active_version, updated_at = excluded.updated_at",
        )
        .bind(settings.thresholds.medium())
        .bind(settings.thresholds.high())
        .bind(i64::from(settings.active_version))
        .bind(ts(now));
        self.write(upsert).await?;
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
        let sql = self.batch_sql("i.outcome IS NOT NULL", "c.id");
        let rows: Vec<BatchRow> = unpack(sqlx::query(&sql).fetch_one(&self.pool).await?)?;
        let counted = self.counted(&rows).await?;
        rows.iter()
            .zip(&counted)
            .map(|(row, counted)| {
                let mut facts = facts_of(row, counted, DateTime::<Utc>::MIN_UTC)?;
                facts.now = facts.slot_starts_at.unwrap_or(facts.window_ends_at);
                Ok((facts, outcome_of(row)? == Some(InterviewOutcome::NoShow)))
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
        let sql = self.batch_sql(&filter, order);
        let query = sqlx::query(&sql);
        let query = match (scope, id) {
            (RiskScope::Candidate(_), Some(id)) => query.bind(id),
            (RiskScope::Campaign(_), Some(id)) => query.bind(id).bind(after),
            (RiskScope::Due, _) => query.bind(ts(now)),
            _ => query.bind(after),
        };
        let rows: Vec<BatchRow> = unpack(query.fetch_one(&self.pool).await?)?;
        // Counted after the rows are read: a signal in between makes the counts newer than the
        // row's `signal_id`, and a rating from them is then stored but not taken as current.
        let counted = self.counted(&rows).await?;
        rows.into_iter()
            .zip(&counted)
            .map(|(row, counted)| {
                Ok(FollowUpRow {
                    facts: facts_of(&row, counted, now)?,
                    assessment: assessment_of(&row)?,
                    risk_override: override_of(&row)?,
                    last_reached_at: time(counted.last_reached_at)?,
                    unread_notice: counted.unread_open,
                    unreachable: counted.notices_sent == 0 && counted.undelivered,
                    outcome: outcome_of(&row)?,
                    signal_id: row.signal_id,
                    candidate_id: row.candidate_id,
                    campaign_id: row.campaign_id,
                    full_name: row.full_name,
                    phone: row.phone,
                    email: row.email,
                })
            })
            .collect()
    }

    /// The statement that reads the batch rows `filter` selects, in `order`, as one JSON text.
    fn batch_sql(&self, filter: &str, order: &str) -> String {
        let columns = BATCH_COLUMNS.replace("{probability}", &self.exact_real("ra.probability"));
        format!("SELECT {} AS packed {BATCH_FROM} WHERE {filter}", self.json_rows(&columns, order))
    }

    /// The counted facts of `rows`, in their order: a grouped query per table for each chunk of
    /// them, every lookup by index, joined here.
    async fn counted(&self, rows: &[BatchRow]) -> Result<Vec<Counted>> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(COUNTED_CHUNK) {
            out.extend(self.counted_chunk(chunk).await?);
        }
        Ok(out)
    }

    async fn counted_chunk(&self, rows: &[BatchRow]) -> Result<Vec<Counted>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::json!(rows.iter().map(|r| r.candidate_id).collect::<Vec<_>>()).to_string();
        let mut counted: HashMap<i64, Counted> = HashMap::with_capacity(rows.len());
        let sql = self.packed("candidate_id, sent, was_read, unread_open, undelivered", NOTICE_COUNTS);
        let notices: Vec<(i64, i64, i64, i64, i64)> = unpack(sqlx::query(&sql).bind(&ids).fetch_one(&self.pool).await?)?;
        for (candidate_id, sent, read, unread_open, undelivered) in notices {
            let c = counted.entry(candidate_id).or_default();
            c.notices_sent = count(sent)?;
            c.notices_read = count(read)?;
            c.unread_open = unread_open > 0;
            c.undelivered = undelivered > 0;
        }
        let sql = self.packed("candidate_id, last_reached_at", LAST_REACHED);
        let calls: Vec<(i64, i64)> = unpack(sqlx::query(&sql).bind(&ids).fetch_one(&self.pool).await?)?;
        for (candidate_id, last_reached_at) in calls {
            counted.entry(candidate_id).or_default().last_reached_at = Some(last_reached_at);
        }
        self.count_history(rows, &mut counted).await?;
        Ok(rows.iter().map(|r| counted.get(&r.candidate_id).copied().unwrap_or_default()).collect())
    }

    /// Earlier interviews of the same people, by outcome: everyone else sharing a normalised
    /// e-mail or phone whose invitation came before theirs.
    async fn count_history(&self, rows: &[BatchRow], counted: &mut HashMap<i64, Counted>) -> Result<()> {
        let emails: Vec<&str> = rows.iter().filter_map(|r| r.email_norm.as_deref()).collect();
        let phones: Vec<&str> = rows.iter().filter_map(|r| r.phone_norm.as_deref()).collect();
        if emails.is_empty() && phones.is_empty() {
            return Ok(());
        }
        let (emails, phones) = (serde_json::json!(emails).to_string(), serde_json::json!(phones).to_string());
        let sql = self.packed("id, email_norm, phone_norm, outcome, issued_at", SHARED_CONTACT_OUTCOMES);
        let found: Vec<SharedContactOutcome> =
            unpack(sqlx::query(&sql).bind(&emails).bind(&phones).fetch_one(&self.pool).await?)?;
        if found.is_empty() {
            return Ok(());
        }
        // Each earlier interview once, under each key it was found by.
        let mut interviews: HashMap<i64, (i64, InterviewOutcome)> = HashMap::new();
        let (mut by_email, mut by_phone): (HashMap<String, Vec<i64>>, HashMap<String, Vec<i64>>) = Default::default();
        for (id, email, phone, outcome, issued_at) in found {
            interviews.insert(id, (issued_at, outcome.parse().map_err(corrupt)?));
            if let Some(email) = email {
                by_email.entry(email).or_default().push(id);
            }
            if let Some(phone) = phone {
                by_phone.entry(phone).or_default().push(id);
            }
        }
        let same = |map: &HashMap<String, Vec<i64>>, key: &Option<String>| -> Vec<i64> {
            key.as_ref().and_then(|key| map.get(key)).cloned().unwrap_or_default()
        };
        for r in rows {
            let mut others = same(&by_email, &r.email_norm);
            others.extend(same(&by_phone, &r.phone_norm));
            others.sort_unstable();
            others.dedup();
            for other in others.into_iter().filter(|o| *o != r.candidate_id) {
                let Some((issued_at, outcome)) = interviews.get(&other) else { continue };
                if *issued_at < r.issued_at {
                    let c = counted.entry(r.candidate_id).or_default();
                    match outcome {
                        InterviewOutcome::Attended => c.past_attended += 1,
                        InterviewOutcome::NoShow => c.past_no_shows += 1,
                    }
                }
            }
        }
        Ok(())
    }

    /// `sql` (with `{ids}`, `{emails}` and `{phones}` at `$1`, `$1` and `$2`) reading its rows'
    /// `columns` (each named in its select list) as one JSON text.
    fn packed(&self, columns: &str, sql: &str) -> String {
        let sql = sql.replace("{ids}", &self.id_list("$1")).replace("{emails}", &self.text_list("$1"));
        let sql = sql.replace("{phones}", &self.text_list("$2"));
        let columns: Vec<String> = columns.split(", ").map(|c| format!("t.{c}")).collect();
        format!("SELECT {} AS packed FROM ({sql}) t", self.json_rows(&columns.join(", "), &columns[0]))
    }

    /// The aggregate that turns the rows of `columns` into one JSON array of arrays, in `order`,
    /// as text (`[]` for no rows). Numbers, texts and nulls come through as they are, except a
    /// SQLite real, which JSON writes to 15 digits: see [`Store::exact_real`].
    fn json_rows(&self, columns: &str, order: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!("json_group_array(json_array({columns}) ORDER BY {order})"),
            Backend::Postgres => format!("COALESCE(json_agg(json_build_array({columns}) ORDER BY {order}), '[]')::text"),
        }
    }

    /// A real `column` as text that reads back as the same number (`NULL` stays `NULL`).
    fn exact_real(&self, column: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!("CASE WHEN {column} IS NULL THEN NULL ELSE printf('%!.17g', {column}) END"),
            Backend::Postgres => format!("{column}::text"),
        }
    }

    /// `(…)`: the ids of a JSON array bound at `param`, as a subquery each database unpacks itself.
    fn id_list(&self, param: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!("(SELECT value FROM json_each({param}))"),
            Backend::Postgres => format!("(SELECT jsonb_array_elements_text({param}::jsonb)::bigint)"),
        }
    }

    /// `(…)`: the texts of a JSON array bound at `param`.
    fn text_list(&self, param: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!("(SELECT value FROM json_each({param}))"),
            Backend::Postgres => format!("(SELECT jsonb_array_elements_text({param}::jsonb))"),
        }
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
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for row in rows {
            let email: Option<String> = row.try_get("email")?;
            let phone: Option<String> = row.try_get("phone")?;
            sqlx::query("UPDATE candidates SET email_norm = $1, phone_norm = $2 WHERE id = $3")
                .bind(email.as_deref().and_then(normalize_email))
                .bind(phone.as_deref().and_then(normalize_phone))
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}
