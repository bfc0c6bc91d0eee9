//! What the store reads and writes, as domain-typed records.

use crate::{from_ts, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;
use turnout_domain::guide::GuideProgress;
use turnout_domain::{
    Capacity, DeclineReason, InvitationState, InvitationWindow, ReschedulePolicy, SignalKind, SignalSource, Slot, TimeZone,
    WindowDays,
};

/// A campaign: one position at one branch, with its window and reschedule policy.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Id.
    pub id: i64,
    /// The bank's name as candidates see it.
    pub bank: String,
    /// The position applied for.
    pub position: String,
    /// The branch running the campaign.
    pub branch: String,
    /// The zone every day boundary and displayed time uses.
    pub time_zone: TimeZone,
    /// Window length.
    pub window_days: WindowDays,
    /// When a slot may be changed.
    pub policy: ReschedulePolicy,
    /// The AI-interview platform's link.
    pub interview_url: String,
    /// How to log in to the platform.
    pub login_notes: String,
    /// Who to contact for technical help.
    pub help_contact: String,
    /// The interview guide in Chinese (Markdown; empty means Turnout's default).
    pub guide_zh: String,
    /// The interview guide in English (Markdown; empty means Turnout's default).
    pub guide_en: String,
}

/// A campaign to create.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    /// The bank's name.
    pub bank: String,
    /// The position.
    pub position: String,
    /// The branch.
    pub branch: String,
    /// The campaign's zone.
    pub time_zone: TimeZone,
    /// Window length.
    pub window_days: WindowDays,
    /// Reschedule policy.
    pub policy: ReschedulePolicy,
    /// AI-interview link.
    pub interview_url: String,
    /// Login notes.
    pub login_notes: String,
    /// Technical-help contact.
    pub help_contact: String,
}

/// A candidate to invite.
#[derive(Debug, Clone)]
pub struct NewCandidate {
    /// Full name.
    pub full_name: String,
    /// E-mail address, if known.
    pub email: Option<String>,
    /// Mobile number, if known.
    pub phone: Option<String>,
}

/// An invitation as the candidate flow needs it.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Id.
    pub id: i64,
    /// The invited candidate.
    pub candidate_id: i64,
    /// The candidate's name.
    pub candidate_name: String,
    /// The campaign.
    pub campaign_id: i64,
    /// When the link was issued.
    pub issued_at: DateTime<Utc>,
    /// The days within which to take a slot.
    pub window: InvitationWindow,
    /// Stored state (see [`InvitationState::at`] for the state at a given time).
    pub state: InvitationState,
    /// The booked slot, when confirmed.
    pub slot_id: Option<i64>,
    /// Changes made so far.
    pub reschedules: u32,
    /// Why the candidate declined.
    pub decline_reason: Option<DeclineReason>,
    /// What they added.
    pub decline_note: Option<String>,
    /// How far they have read the guide.
    pub guide_progress: GuideProgress,
    /// Seconds spent on the guide.
    pub guide_seconds: i64,
}

/// Counts per effective state (expired included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateCounts(pub BTreeMap<&'static str, i64>);

impl StateCounts {
    /// The count for one state.
    pub fn get(&self, state: InvitationState) -> i64 {
        self.0.get(state.as_str()).copied().unwrap_or(0)
    }

    /// All candidates.
    pub fn total(&self) -> i64 {
        self.0.values().sum()
    }
}

/// One row of HR's confirmation status page.
#[derive(Debug, Clone)]
pub struct CandidateStatus {
    /// Where the next page starts if this is the last row shown.
    pub cursor: crate::StatusCursor,
    /// Candidate id.
    pub candidate_id: i64,
    /// Name.
    pub full_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// State at the time of the query.
    pub state: InvitationState,
    /// Booked slot start and end.
    pub slot: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Changes made.
    pub reschedules: u32,
    /// Decline reason.
    pub decline_reason: Option<DeclineReason>,
    /// Decline note.
    pub decline_note: Option<String>,
    /// When the link was first opened.
    pub first_opened_at: Option<DateTime<Utc>>,
    /// The latest thing the candidate did (or was done for them).
    pub last_activity_at: DateTime<Utc>,
    /// How far they have read the guide.
    pub guide_progress: GuideProgress,
    /// When the invitation was issued.
    pub issued_at: DateTime<Utc>,
    /// When the window closes.
    pub window_ends_at: DateTime<Utc>,
    /// When the current booking was made.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The latest stored risk assessment.
    pub risk: Option<crate::StoredAssessment>,
    /// HR's override of the rating.
    pub risk_override: Option<turnout_domain::risk::RiskLevel>,
    /// The latest device check, if one has run.
    pub device_check: Option<crate::DeviceCheckStatus>,
}

/// One entry of the signal log.
#[derive(Debug, Clone)]
pub struct SignalRecord {
    /// Id (also the order of arrival).
    pub id: i64,
    /// Candidate.
    pub candidate_id: i64,
    /// What happened.
    pub kind: SignalKind,
    /// Who did it.
    pub source: SignalSource,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Details, as JSON.
    pub payload: serde_json::Value,
}

pub(crate) const CAMPAIGN_COLUMNS: &str = "id, bank, position, branch, time_zone, window_days, max_reschedules, \
     reschedule_cutoff_hours, interview_url, login_notes, help_contact, guide_zh, guide_en";

pub(crate) fn campaign_from_row(row: &AnyRow) -> Result<Campaign> {
    let zone: String = row.try_get("time_zone")?;
    Ok(Campaign {
        id: row.try_get("id")?,
        bank: row.try_get("bank")?,
        position: row.try_get("position")?,
        branch: row.try_get("branch")?,
        time_zone: zone.parse().map_err(corrupt)?,
        window_days: WindowDays::new(row.try_get("window_days")?).map_err(corrupt)?,
        policy: ReschedulePolicy::new(row.try_get("max_reschedules")?, row.try_get("reschedule_cutoff_hours")?)
            .map_err(corrupt)?,
        interview_url: row.try_get("interview_url")?,
        login_notes: row.try_get("login_notes")?,
        help_contact: row.try_get("help_contact")?,
        guide_zh: row.try_get("guide_zh")?,
        guide_en: row.try_get("guide_en")?,
    })
}

pub(crate) const INVITATION_COLUMNS: &str = "i.id, i.candidate_id, c.full_name, i.campaign_id, i.issued_at, \
     i.window_first_day, i.window_days, i.window_starts_at, i.window_ends_at, i.state, i.slot_id, i.reschedules, \
     i.decline_reason, i.decline_note, i.guide_progress, i.guide_seconds";

pub(crate) fn invitation_from_row(row: &AnyRow) -> Result<Invitation> {
    let first_day: String = row.try_get("window_first_day")?;
    let state: String = row.try_get("state")?;
    let reason: Option<String> = row.try_get("decline_reason")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        candidate_id: row.try_get("candidate_id")?,
        candidate_name: row.try_get("full_name")?,
        campaign_id: row.try_get("campaign_id")?,
        issued_at: from_ts(row.try_get("issued_at")?)?,
        window: InvitationWindow {
            first_day: NaiveDate::parse_from_str(&first_day, "%Y-%m-%d").map_err(corrupt)?,
            days: u32::try_from(row.try_get::<i64, _>("window_days")?).map_err(corrupt)?,
            starts_at: from_ts(row.try_get("window_starts_at")?)?,
            ends_at: from_ts(row.try_get("window_ends_at")?)?,
        },
        state: state.parse().map_err(corrupt)?,
        slot_id: row.try_get("slot_id")?,
        reschedules: u32::try_from(row.try_get::<i64, _>("reschedules")?).map_err(corrupt)?,
        decline_reason: reason.map(|r| r.parse()).transpose().map_err(corrupt)?,
        decline_note: row.try_get("decline_note")?,
        guide_progress: row.try_get::<String, _>("guide_progress")?.parse().map_err(corrupt)?,
        guide_seconds: row.try_get("guide_seconds")?,
    })
}

pub(crate) const SLOT_COLUMNS: &str = "id, campaign_id, starts_at, ends_at, capacity, booked";

pub(crate) fn slot_from_row(row: &AnyRow) -> Result<Slot> {
    slot_from_columns(row, "")
}

/// A slot read from [`SLOT_COLUMNS`] each named with `prefix` in front (`t_id`, `t_starts_at`…),
/// for a statement that reads a slot beside other rows.
pub(crate) fn slot_from_columns(row: &AnyRow, prefix: &str) -> Result<Slot> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(Slot {
        id: row.try_get(column("id").as_str())?,
        campaign_id: row.try_get(column("campaign_id").as_str())?,
        starts_at: from_ts(row.try_get(column("starts_at").as_str())?)?,
        ends_at: from_ts(row.try_get(column("ends_at").as_str())?)?,
        capacity: Capacity::new(row.try_get(column("capacity").as_str())?).map_err(corrupt)?,
        booked: u32::try_from(row.try_get::<i64, _>(column("booked").as_str())?).map_err(corrupt)?,
    })
}

/// `rows` rows of `width` placeholders for a multi-row `VALUES`, the `k`th (from 1) written by
/// `each`: `($1, $2), ($3, $4)` with [`numbered`].
pub(crate) fn value_rows(rows: usize, width: usize, each: impl Fn(usize) -> String) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=width).map(|c| each(r * width + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$k`: a placeholder both databases read.
pub(crate) fn numbered(k: usize) -> String {
    format!("${k}")
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
