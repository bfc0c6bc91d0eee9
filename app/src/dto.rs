//! What pages receive from server functions: already formatted for the reader's language and
//! the campaign's time zone.

use serde::{Deserialize, Serialize};
use turnout_domain::guide::GuideProgress;
use turnout_domain::{DeclineReason, InvitationState};

/// The candidate's invitation page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    /// Candidate's name.
    pub candidate_name: String,
    /// Bank.
    pub bank: String,
    /// Position.
    pub position: String,
    /// Branch.
    pub branch: String,
    /// The window's days, e.g. "11月23日（周一）至 11月25日（周三）".
    pub window_label: String,
    /// The campaign's zone name.
    pub time_zone: String,
    /// State now.
    pub state: InvitationState,
    /// The booked slot.
    pub booked: Option<SlotChoice>,
    /// The decline reason given.
    pub decline_reason: Option<DeclineReason>,
    /// Slots in the window, by day.
    pub days: Vec<DayChoices>,
    /// Whether the candidate can still pick a slot (first booking or change).
    pub can_choose: bool,
    /// Changes left when booked and allowed.
    pub changes_left: Option<u32>,
    /// Why changes are closed, when booked and not allowed.
    pub change_closed: Option<ChangeClosed>,
    /// The reschedule cutoff in hours.
    pub cutoff_hours: u32,
    /// The AI-interview link.
    pub interview_url: String,
    /// Login notes.
    pub login_notes: String,
    /// Technical help contact.
    pub help_contact: String,
    /// How far the candidate has read the guide.
    pub guide: GuideProgress,
}

/// Why a booked slot can no longer be changed online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeClosed {
    /// All changes used (the policy's maximum).
    Limit(u32),
    /// Inside the cutoff (hours).
    TooClose(u32),
}

/// One day's slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayChoices {
    /// e.g. "11月24日 星期二".
    pub label: String,
    /// The slots, in time order.
    pub slots: Vec<SlotChoice>,
}

/// One slot as a choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotChoice {
    /// Slot id (the form value).
    pub id: i64,
    /// Day label.
    pub day: String,
    /// e.g. "10:00–10:30".
    pub time: String,
    /// Places still free.
    pub places_left: u32,
    /// Already started (not selectable).
    pub past: bool,
    /// The candidate's own booking.
    pub chosen: bool,
}

/// What a candidate action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A first booking (or the same slot again).
    Confirmed,
    /// A change of slot.
    Rescheduled,
    /// Declined.
    Declined,
    /// Said they have read the guide.
    GuideAcknowledged,
}

impl Outcome {
    /// The code for a redirect's query string.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Rescheduled => "rescheduled",
            Outcome::Declined => "declined",
            Outcome::GuideAcknowledged => "acknowledged",
        }
    }

    /// Reads back a code.
    pub fn from_code(code: &str) -> Option<Outcome> {
        [Outcome::Confirmed, Outcome::Rescheduled, Outcome::Declined, Outcome::GuideAcknowledged]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// The signed-in HR user, for the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HrViewer {
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
}

/// One campaign in HR's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignCard {
    /// Id.
    pub id: i64,
    /// "Bank · Position".
    pub title: String,
    /// Branch.
    pub branch: String,
    /// Counts per state, in funnel order.
    pub counts: Vec<(InvitationState, i64)>,
    /// All candidates.
    pub total: i64,
}

/// HR's campaign list page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignsPage {
    /// Who is signed in.
    pub viewer: HrViewer,
    /// Visible campaigns.
    pub campaigns: Vec<CampaignCard>,
}

/// One candidate row on the status page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusRow {
    /// Candidate id.
    pub candidate_id: i64,
    /// Name.
    pub name: String,
    /// Phone and/or e-mail.
    pub contact: String,
    /// State now.
    pub state: InvitationState,
    /// Booked slot, formatted.
    pub slot: Option<String>,
    /// Changes made.
    pub reschedules: u32,
    /// Decline reason.
    pub decline_reason: Option<DeclineReason>,
    /// Decline note.
    pub decline_note: Option<String>,
    /// Last activity, formatted.
    pub last_activity: String,
    /// Guide reading progress.
    pub guide: GuideProgress,
    /// The attendance-risk rating (advisory).
    pub risk: Option<crate::follow_up::dto::RiskBadge>,
    /// The latest device check: its verdict and the items that failed.
    pub device_check: Option<(turnout_domain::device::Verdict, Vec<turnout_domain::device::CheckItem>)>,
}

/// A campaign's confirmation status page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusPage {
    /// Who is signed in.
    pub viewer: HrViewer,
    /// The campaign.
    pub campaign: CampaignCard,
    /// The zone times are shown in.
    pub time_zone: String,
    /// The filter in force.
    pub state: Option<InvitationState>,
    /// The search in force.
    pub search: String,
    /// Where this page starts (`None`: the first page).
    pub after: Option<String>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
    /// The rows.
    pub rows: Vec<StatusRow>,
}

/// One section of the interview guide, already rendered to safe HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideSection {
    /// Anchor id, e.g. `s-1`.
    pub id: String,
    /// Heading text.
    pub title: String,
    /// Sanitised HTML of the section's body.
    pub html: String,
}

/// The candidate's guide page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideView {
    /// Bank.
    pub bank: String,
    /// Position.
    pub position: String,
    /// The sections, in order.
    pub sections: Vec<GuideSection>,
    /// Progress so far.
    pub progress: GuideProgress,
    /// Technical help contact.
    pub help_contact: String,
}

/// HR's guide editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideEditor {
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign title.
    pub title: String,
    /// Chinese Markdown (the default guide when the campaign has none).
    pub guide_zh: String,
    /// English Markdown.
    pub guide_en: String,
    /// Whether the user may change it.
    pub editable: bool,
}
