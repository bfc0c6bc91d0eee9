//! What the follow-up pages show, as sent from the server to the page.

use crate::dto::HrViewer;
use serde::{Deserialize, Serialize};
use turnout_domain::InvitationState;

/// A rating as HR see it: HR's override if any, else the model's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskBadge {
    /// `high`, `medium` or `low` (the one HR act on).
    pub level: String,
    /// The model's probability of not attending, in percent.
    pub percent: u32,
    /// The model's level, when HR overrode it.
    pub model_level: Option<String>,
    /// The model's reasons, most important first.
    pub reasons: Vec<String>,
}

/// HR's override, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideView {
    /// The level set.
    pub level: String,
    /// Why.
    pub note: String,
    /// Who.
    pub by: String,
    /// When (local time).
    pub at: String,
}

/// One row of today's call list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRow {
    /// Candidate id.
    pub candidate_id: i64,
    /// Name.
    pub name: String,
    /// Campaign title.
    pub campaign: String,
    /// Phone, as given.
    pub phone: Option<String>,
    /// State now.
    pub state: InvitationState,
    /// The booked slot, if any.
    pub slot: Option<String>,
    /// Rating.
    pub risk: RiskBadge,
    /// Why to call, most urgent first.
    pub why: Vec<String>,
}

/// `/hr/calls`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallListPage {
    /// Signed-in user.
    pub viewer: HrViewer,
    /// Whether they may record calls.
    pub editable: bool,
    /// Everyone on today's list, over every page.
    pub total: i64,
    /// Where this page starts (`None`: the first page).
    pub after: Option<String>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
    /// Who to call, on this page.
    pub rows: Vec<CallRow>,
}

/// A recorded call, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    /// Outcome label.
    pub outcome: String,
    /// Note.
    pub note: String,
    /// Who called.
    pub by: String,
    /// When (local time).
    pub at: String,
}

/// One answer, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    /// Candidate id.
    pub candidate_id: i64,
    /// Candidate name.
    pub name: String,
    /// `survey` or `device_problem`.
    pub kind: String,
    /// Title: the ratings, or the problem area.
    pub title: String,
    /// Free text.
    pub text: String,
    /// Last edited (local time).
    pub at: String,
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    /// What happened.
    pub what: String,
    /// When (local time).
    pub at: String,
}

/// `/hr/candidates/:id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidatePage {
    /// Signed-in user.
    pub viewer: HrViewer,
    /// Whether they may act (override, calls, outcome).
    pub editable: bool,
    /// Candidate id.
    pub candidate_id: i64,
    /// Name.
    pub name: String,
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign title.
    pub campaign: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// State now.
    pub state: InvitationState,
    /// The booked slot.
    pub slot: Option<String>,
    /// Rating.
    pub risk: RiskBadge,
    /// When the rating was made, and by which model version.
    pub assessed: Option<(String, u32)>,
    /// HR's override.
    pub risk_override: Option<OverrideView>,
    /// Earlier interviews of the same person: attended, missed.
    pub history: (u32, u32),
    /// Calls, newest first.
    pub calls: Vec<CallView>,
    /// The recorded outcome (`attended` / `no_show`).
    pub outcome: Option<String>,
    /// Whether an outcome may be recorded (the interview has started).
    pub outcome_allowed: bool,
    /// Feedback.
    pub feedback: Vec<FeedbackView>,
    /// The signal log, newest first.
    pub activity: Vec<ActivityView>,
}

/// `/hr/campaigns/:id/feedback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSummaryPage {
    /// Signed-in user.
    pub viewer: HrViewer,
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign title.
    pub campaign: String,
    /// Surveys answered.
    pub surveys: i64,
    /// Mean satisfaction, formatted.
    pub satisfaction_mean: Option<String>,
    /// Mean relevance, formatted.
    pub relevance_mean: Option<String>,
    /// Count per rating 1–5.
    pub satisfaction: Vec<i64>,
    /// Count per rating 1–5.
    pub relevance: Vec<i64>,
    /// Problem reports per area label.
    pub problems: Vec<(String, i64)>,
    /// Declines per reason label.
    pub declines: Vec<(String, i64)>,
    /// Latest answers with text.
    pub recent: Vec<FeedbackView>,
}

/// One trained model, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelView {
    /// Version.
    pub version: u32,
    /// In use.
    pub active: bool,
    /// When trained (UTC, for HR across zones).
    pub trained_at: String,
    /// Who trained it.
    pub trained_by: String,
    /// Cross-validated AUC.
    pub auc: f64,
    /// Top-quartile capture, in percent.
    pub capture_percent: f64,
    /// Outcomes trained on.
    pub examples: i64,
    /// Of which no-shows.
    pub no_shows: i64,
    /// Calibration: predicted %, observed %, candidates.
    pub calibration: Vec<(f64, f64, usize)>,
}

/// `/hr/risk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPage {
    /// Signed-in user.
    pub viewer: HrViewer,
    /// Whether they may train and set thresholds (admin and head office).
    pub editable: bool,
    /// The version in use (1 is the defaults).
    pub active_version: u32,
    /// Medium threshold, in percent.
    pub medium_percent: u32,
    /// High threshold, in percent.
    pub high_percent: u32,
    /// Recorded outcomes.
    pub outcomes: usize,
    /// Of which no-shows.
    pub outcome_no_shows: usize,
    /// Outcomes needed to train.
    pub min_examples: usize,
    /// Of each kind.
    pub min_per_outcome: usize,
    /// Trained models, newest first.
    pub models: Vec<ModelView>,
}

/// The candidate's feedback page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateFeedback {
    /// Whether the survey is open (the slot has ended).
    pub survey_open: bool,
    /// The survey given so far: satisfaction, relevance, comment.
    pub survey: Option<(u8, u8, String)>,
    /// The problem report given so far: area, description.
    pub problem: Option<(String, String)>,
    /// Technical-help contact.
    pub help_contact: String,
}

/// What a follow-up form did, for the notice after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saved {
    /// Survey saved.
    Survey,
    /// Problem report saved.
    Problem,
    /// Call recorded.
    Call,
    /// Override saved.
    Override,
    /// Override removed.
    OverrideCleared,
    /// Outcome recorded.
    Outcome,
    /// Thresholds saved.
    Thresholds,
    /// Model trained.
    Trained,
}

impl Saved {
    const ALL: [Saved; 8] = [
        Saved::Survey,
        Saved::Problem,
        Saved::Call,
        Saved::Override,
        Saved::OverrideCleared,
        Saved::Outcome,
        Saved::Thresholds,
        Saved::Trained,
    ];

    /// The code for a redirect's query string.
    pub fn code(self) -> &'static str {
        match self {
            Saved::Survey => "survey",
            Saved::Problem => "problem",
            Saved::Call => "call",
            Saved::Override => "override",
            Saved::OverrideCleared => "override_cleared",
            Saved::Outcome => "outcome",
            Saved::Thresholds => "thresholds",
            Saved::Trained => "trained",
        }
    }

    /// Reads back a code.
    pub fn from_code(code: &str) -> Option<Saved> {
        Saved::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What to tell the reader.
    pub fn message(self, s: &super::strings::FollowUpStrings) -> &'static str {
        match self {
            Saved::Survey => s.survey_saved,
            Saved::Problem => s.problem_saved,
            Saved::Call => s.call_saved,
            Saved::Override => s.override_saved,
            Saved::OverrideCleared => s.override_cleared,
            Saved::Outcome => s.outcome_saved,
            Saved::Thresholds => s.thresholds_saved,
            Saved::Trained => s.model_trained,
        }
    }
}
