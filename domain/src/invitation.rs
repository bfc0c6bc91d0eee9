//! Where an invitation stands, and why a candidate declined.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A value from a form or a database column that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what}: `{value}`")]
pub struct UnknownValue {
    /// What kind of value was expected.
    pub what: &'static str,
    /// The value received.
    pub value: String,
}

/// The stored state of an invitation. `Expired` is never stored: it is derived from the
/// window (see [`InvitationState::at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// Sent, link not opened yet.
    Invited,
    /// Link opened, no slot chosen.
    Opened,
    /// A slot is confirmed.
    Confirmed,
    /// A slot is confirmed after at least one change.
    Rescheduled,
    /// The candidate declined.
    Declined,
    /// The window closed without a confirmation.
    Expired,
}

impl InvitationState {
    /// Every state, in funnel order.
    pub const ALL: [InvitationState; 6] = [
        InvitationState::Invited,
        InvitationState::Opened,
        InvitationState::Confirmed,
        InvitationState::Rescheduled,
        InvitationState::Declined,
        InvitationState::Expired,
    ];

    /// The name used in storage and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Invited => "invited",
            InvitationState::Opened => "opened",
            InvitationState::Confirmed => "confirmed",
            InvitationState::Rescheduled => "rescheduled",
            InvitationState::Declined => "declined",
            InvitationState::Expired => "expired",
        }
    }

    /// Whether a slot is booked in this state.
    pub fn has_booking(self) -> bool {
        matches!(self, InvitationState::Confirmed | InvitationState::Rescheduled)
    }

    /// The state as seen at `now`: an unconfirmed invitation whose window has closed is expired.
    pub fn at(self, window_ends_at: DateTime<Utc>, now: DateTime<Utc>) -> InvitationState {
        match self {
            InvitationState::Invited | InvitationState::Opened if now >= window_ends_at => InvitationState::Expired,
            s => s,
        }
    }
}

impl FromStr for InvitationState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InvitationState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "invitation state", value: s.to_string() })
    }
}

impl fmt::Display for InvitationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a candidate declined or cannot attend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// None of the times suit.
    TimeConflict,
    /// Camera, microphone, network or login trouble.
    TechnicalProblem,
    /// Took another offer.
    AcceptedAnotherOffer,
    /// No longer wants the position.
    NoLongerInterested,
    /// Something else, explained in the note.
    Other,
}

impl DeclineReason {
    /// Every reason, in the order a form lists them.
    pub const ALL: [DeclineReason; 5] = [
        DeclineReason::TimeConflict,
        DeclineReason::TechnicalProblem,
        DeclineReason::AcceptedAnotherOffer,
        DeclineReason::NoLongerInterested,
        DeclineReason::Other,
    ];

    /// The name used in forms and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::TimeConflict => "time_conflict",
            DeclineReason::TechnicalProblem => "technical_problem",
            DeclineReason::AcceptedAnotherOffer => "accepted_another_offer",
            DeclineReason::NoLongerInterested => "no_longer_interested",
            DeclineReason::Other => "other",
        }
    }
}

impl FromStr for DeclineReason {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeclineReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "decline reason", value: s.to_string() })
    }
}

/// The free text a candidate adds to a decline: trimmed, at most 500 characters, and required
/// when the reason is "other".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineNote(String);

/// A decline note that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeclineNoteError {
    /// More than [`DeclineNote::MAX_CHARS`] characters.
    #[error("the note is longer than 500 characters")]
    TooLong,
    /// The reason "other" needs a few words.
    #[error("please say briefly why")]
    MissingForOther,
}

impl DeclineNote {
    /// The longest note accepted, in characters.
    pub const MAX_CHARS: usize = 500;

    /// Parses the note that goes with `reason`.
    pub fn parse(reason: DeclineReason, text: &str) -> Result<Self, DeclineNoteError> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(DeclineNoteError::TooLong);
        }
        if reason == DeclineReason::Other && text.is_empty() {
            return Err(DeclineNoteError::MissingForOther);
        }
        Ok(DeclineNote(text.to_string()))
    }

    /// The note's text (possibly empty).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for s in InvitationState::ALL {
            assert_eq!(s.as_str().parse::<InvitationState>(), Ok(s));
        }
        assert!("confirmed ".parse::<InvitationState>().is_err());
    }

    #[test]
    fn unconfirmed_invitations_expire_when_the_window_closes() {
        let end = DateTime::from_timestamp(1_000_000, 0).expect("ts");
        let before = end - chrono::Duration::seconds(1);
        assert_eq!(InvitationState::Opened.at(end, before), InvitationState::Opened);
        assert_eq!(InvitationState::Opened.at(end, end), InvitationState::Expired);
        assert_eq!(InvitationState::Invited.at(end, end), InvitationState::Expired);
        assert_eq!(InvitationState::Confirmed.at(end, end), InvitationState::Confirmed);
        assert_eq!(InvitationState::Declined.at(end, end), InvitationState::Declined);
    }

    #[test]
    fn decline_reasons_parse_and_reject_unknown_values() {
        for r in DeclineReason::ALL {
            assert_eq!(r.as_str().parse::<DeclineReason>(), Ok(r));
        }
        assert!("'; drop table".parse::<DeclineReason>().is_err());
    }

    #[test]
    fn decline_note_rules() {
        assert_eq!(DeclineNote::parse(DeclineReason::Other, "  "), Err(DeclineNoteError::MissingForOther));
        assert_eq!(DeclineNote::parse(DeclineReason::TimeConflict, "").map(|n| n.as_str().to_string()), Ok(String::new()));
        let long = "长".repeat(501);
        assert_eq!(DeclineNote::parse(DeclineReason::Other, &long), Err(DeclineNoteError::TooLong));
        let ok = "长".repeat(500);
        assert!(DeclineNote::parse(DeclineReason::Other, &ok).is_ok());
    }
}
