//! The kinds of attendance-risk signals kept in the append-only log.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::invitation::UnknownValue;

/// What happened. Every step of the candidate journey, and every HR or system action on a
/// candidate, is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// The invitation was created and its link issued.
    InvitationIssued,
    /// The candidate opened the invitation link.
    InvitationOpened,
    /// The candidate confirmed a slot.
    SlotConfirmed,
    /// The candidate moved a confirmed slot.
    SlotRescheduled,
    /// A reschedule was refused by the policy.
    RescheduleRefused,
    /// The chosen slot was full.
    SlotFull,
    /// The candidate declined.
    Declined,
    /// A new link was issued for the candidate (the old one stops working).
    LinkReissued,
    /// The candidate opened the interview guide.
    GuideOpened,
    /// A section of the guide came into view.
    GuideSectionSeen,
    /// The candidate reached the end of the guide.
    GuideFinished,
    /// The candidate said they have read the guide.
    GuideAcknowledged,
    /// The candidate finished a device check; the payload holds each item's result and a coarse browser summary.
    DeviceCheckCompleted,
    /// A notice was handed to a channel's provider.
    ReminderSent,
    /// A notice could not be delivered after its last attempt.
    ReminderFailed,
    /// The candidate opened a notice (tracking pixel).
    ReminderOpened,
    /// The candidate followed a notice's link.
    ReminderClicked,
    /// A notice was neither opened nor clicked in time; an important follow-up was planned.
    ReminderUnread,
    /// The candidate gave or edited feedback (a survey or a problem report).
    FeedbackGiven,
    /// HR phoned the candidate and recorded the outcome.
    CallRecorded,
    /// HR overrode the advisory risk rating, with a note.
    RiskOverridden,
    /// Whether the candidate attended the interview was recorded.
    OutcomeRecorded,
}

impl SignalKind {
    /// Every kind.
    pub const ALL: [SignalKind; 22] = [
        SignalKind::InvitationIssued,
        SignalKind::InvitationOpened,
        SignalKind::SlotConfirmed,
        SignalKind::SlotRescheduled,
        SignalKind::RescheduleRefused,
        SignalKind::SlotFull,
        SignalKind::Declined,
        SignalKind::LinkReissued,
        SignalKind::GuideOpened,
        SignalKind::GuideSectionSeen,
        SignalKind::GuideFinished,
        SignalKind::GuideAcknowledged,
        SignalKind::DeviceCheckCompleted,
        SignalKind::ReminderSent,
        SignalKind::ReminderFailed,
        SignalKind::ReminderOpened,
        SignalKind::ReminderClicked,
        SignalKind::ReminderUnread,
        SignalKind::FeedbackGiven,
        SignalKind::CallRecorded,
        SignalKind::RiskOverridden,
        SignalKind::OutcomeRecorded,
    ];

    /// The name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::InvitationIssued => "invitation_issued",
            SignalKind::InvitationOpened => "invitation_opened",
            SignalKind::SlotConfirmed => "slot_confirmed",
            SignalKind::SlotRescheduled => "slot_rescheduled",
            SignalKind::RescheduleRefused => "reschedule_refused",
            SignalKind::SlotFull => "slot_full",
            SignalKind::Declined => "declined",
            SignalKind::LinkReissued => "link_reissued",
            SignalKind::GuideOpened => "guide_opened",
            SignalKind::GuideSectionSeen => "guide_section_seen",
            SignalKind::GuideFinished => "guide_finished",
            SignalKind::GuideAcknowledged => "guide_acknowledged",
            SignalKind::DeviceCheckCompleted => "device_check_completed",
            SignalKind::ReminderSent => "reminder_sent",
            SignalKind::ReminderFailed => "reminder_failed",
            SignalKind::ReminderOpened => "reminder_opened",
            SignalKind::ReminderClicked => "reminder_clicked",
            SignalKind::ReminderUnread => "reminder_unread",
            SignalKind::FeedbackGiven => "feedback_given",
            SignalKind::CallRecorded => "call_recorded",
            SignalKind::RiskOverridden => "risk_overridden",
            SignalKind::OutcomeRecorded => "outcome_recorded",
        }
    }
}

impl FromStr for SignalKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignalKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "signal kind", value: s.to_string() })
    }
}

/// Who caused a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalSource {
    /// The candidate, through their link.
    Candidate,
    /// A member of HR.
    Hr,
    /// Turnout itself (imports, schedulers, integrations).
    System,
}

impl SignalSource {
    /// The name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalSource::Candidate => "candidate",
            SignalSource::Hr => "hr",
            SignalSource::System => "system",
        }
    }
}

impl FromStr for SignalSource {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [SignalSource::Candidate, SignalSource::Hr, SignalSource::System]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "signal source", value: s.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in SignalKind::ALL {
            assert_eq!(k.as_str().parse::<SignalKind>(), Ok(k));
        }
        assert_eq!("hr".parse::<SignalSource>(), Ok(SignalSource::Hr));
        assert!("robot".parse::<SignalSource>().is_err());
    }
}
