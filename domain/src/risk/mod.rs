//! Attendance risk: how likely a candidate is not to attend, how sure we are, and why.
//!
//! The model reads a [`CandidateFacts`] (plain facts any caller can fill from the signal log and
//! earlier campaigns), turns it into a fixed [`FeatureVector`] with [`features`], and scores it
//! with a logistic [`RiskModel`]: a probability of not attending, a [`RiskLevel`] and the top
//! [`RiskReason`]s in Chinese and English. It starts from documented default weights
//! ([`RiskModel::default_weights`]) and can be refitted on recorded outcomes with [`train`],
//! which also reports cross-validated accuracy for HR ([`ModelMetrics`]).
//!
//! The model is advisory. It orders HR's follow-up (who to call, who to remind) and never
//! rejects, reschedules or deprioritises a candidate by itself; every assessment carries the
//! reasons behind it so HR can explain it (PIPL Art. 24: no decision with a significant effect
//! on a person is made by automated means alone, and the person may ask for an explanation).

pub mod defaults;
mod feature;
mod model;
mod train;

#[cfg(test)]
pub(crate) mod test_support;

pub use defaults::BASE_NO_SHOW_RATE;
pub use feature::{
    features, Direction, FeatureId, FeatureVector, FEATURE_COUNT, LEAD_TIME_DAYS_CAP, OPEN_HOURS_CAP, PAST_PRIOR_INTERVIEWS,
    RESCHEDULES_CAP,
};
pub use model::{
    default_weight, ModelError, ReasonId, RiskAssessment, RiskLevel, RiskModel, RiskReason, RiskThresholds,
    DEFAULT_MODEL_VERSION, MAX_ABS_WEIGHT, MAX_REASONS, MIN_REASON_CONTRIBUTION,
};
pub use train::{auc, train, CalibrationBin, ModelMetrics, TrainError, TrainOptions, TrainedModel, CALIBRATION_BINS, CV_FOLDS};

use crate::invitation::{DeclineReason, InvitationState};
use chrono::{DateTime, Utc};

/// What is known about one candidate at one moment: the model's whole input.
///
/// Callers fill it from the signal log, the invitation and earlier campaigns; the model never
/// sees raw signals, so new kinds of signal only need a new way of filling these fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidateFacts {
    /// The moment of the assessment (risk changes as the window runs out).
    pub now: DateTime<Utc>,
    /// When the invitation was issued (the latest link, if it was reissued).
    pub invited_at: DateTime<Utc>,
    /// When the candidate first opened the invitation link, if ever.
    pub first_opened_at: Option<DateTime<Utc>>,
    /// When the window for choosing a slot closes.
    pub window_ends_at: DateTime<Utc>,
    /// The stored invitation state (an unconfirmed invitation past `window_ends_at` counts as expired).
    pub state: InvitationState,
    /// When the current slot was confirmed (the latest confirmation, after any reschedule).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the booked slot starts, if a slot is booked.
    pub slot_starts_at: Option<DateTime<Utc>>,
    /// How many times the candidate has changed slot.
    pub reschedules: u32,
    /// Reminders sent so far, over every channel.
    pub reminders_sent: u32,
    /// Reminders the candidate opened or clicked (counted at most once each).
    pub reminders_read: u32,
    /// The result of the candidate's latest device check.
    pub device_check: DeviceCheckFact,
    /// How far the candidate has got with the interview guide.
    pub guide: GuideProgress,
    /// Why the candidate declined; read only when `state` is `Declined`.
    pub decline_reason: Option<DeclineReason>,
    /// Interviews the same person attended in earlier campaigns.
    pub past_attended: u32,
    /// Interviews the same person missed in earlier campaigns.
    pub past_no_shows: u32,
}

/// The latest device check (camera, microphone, network) the candidate ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceCheckFact {
    /// No check run yet.
    NotRun,
    /// Every item passed.
    Passed,
    /// Passed with warnings (a weak network, say).
    Warned,
    /// At least one item failed.
    Failed {
        /// How many items failed (a failure with no count is read as one).
        failed_items: u32,
    },
}

/// How far the candidate has got with the interview guide (the same progress the store keeps).
pub use crate::guide::GuideProgress;
