//! The one application error that server functions and HTTP handlers map to messages and
//! status codes.

use crate::i18n::{fill, Strings};
use http::StatusCode;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use turnout_domain::BookingRefusal;

/// A form value that cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputProblem {
    /// No slot was chosen.
    ChooseSlot,
    /// No decline reason was chosen.
    ChooseReason,
    /// "Other" needs a note.
    NoteRequired,
    /// The note is too long.
    NoteTooLong,
    /// A value was tampered with or malformed.
    Malformed,
    /// A guide is longer than allowed.
    GuideTooLong,
    /// A survey rating is missing or not 1–5.
    ChooseRating,
    /// Free text is longer than allowed.
    TextTooLong,
    /// A problem report has no description.
    DescribeProblem,
    /// The survey opens once the interview has ended.
    SurveyNotOpen,
    /// A choice (area, outcome, level) is missing or unknown.
    ChooseOption,
    /// An interview outcome before the interview started.
    OutcomeTooEarly,
    /// Risk thresholds out of range or out of order.
    Thresholds,
    /// Too few recorded outcomes to train a model.
    NotEnoughOutcomes,
    /// A device-check report is malformed, incomplete or out of range.
    DeviceReport,
    /// Text that is not UTF-8.
    InvalidText,
    /// Text with a control character.
    ControlCharacter,
    /// A body larger than accepted.
    TooLarge,
}

/// Everything a request can fail with, as the person making it should hear it.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AppError {
    /// The invitation link is unknown or replaced.
    #[error("this link is not valid")]
    InvalidLink,
    /// The booking rules refused.
    #[error("refused: {0}")]
    Refused(BookingRefusal),
    /// A form value is missing or malformed.
    #[error("invalid input: {0:?}")]
    InvalidInput(InputProblem),
    /// No HR session.
    #[error("sign-in required")]
    Unauthorized,
    /// Wrong e-mail or password.
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// Signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The database is unreachable or busy.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else (details are logged on the server, not shown).
    #[error("server error: {0}")]
    Internal(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => AppError::InvalidInput(InputProblem::Malformed),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::InvalidLink | AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Refused(BookingRefusal::UnknownSlot)
            | AppError::InvalidInput(InputProblem::DeviceReport | InputProblem::InvalidText | InputProblem::ControlCharacter) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::InvalidInput(InputProblem::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::InvalidInput(
                InputProblem::SurveyNotOpen | InputProblem::OutcomeTooEarly | InputProblem::NotEnoughOutcomes,
            ) => StatusCode::CONFLICT,
            AppError::InvalidInput(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short code for a redirect's query string (so a page without JavaScript can show the message).
    pub fn code(&self) -> String {
        match self {
            AppError::InvalidLink => "invalid_link".into(),
            AppError::Refused(r) => match r {
                BookingRefusal::Declined => "declined".into(),
                BookingRefusal::Expired => "expired".into(),
                BookingRefusal::UnknownSlot => "unknown_slot".into(),
                BookingRefusal::OutsideWindow => "outside_window".into(),
                BookingRefusal::SlotStarted => "slot_started".into(),
                BookingRefusal::SlotFull => "slot_full".into(),
                BookingRefusal::RescheduleLimit { max } => format!("reschedule_limit-{max}"),
                BookingRefusal::TooCloseToStart { cutoff_hours } => format!("too_close-{cutoff_hours}"),
            },
            AppError::InvalidInput(p) => match p {
                InputProblem::ChooseSlot => "choose_slot".into(),
                InputProblem::ChooseReason => "choose_reason".into(),
                InputProblem::NoteRequired => "note_required".into(),
                InputProblem::NoteTooLong => "note_too_long".into(),
                InputProblem::Malformed => "malformed".into(),
                InputProblem::GuideTooLong => "guide_too_long".into(),
                InputProblem::ChooseRating => "choose_rating".into(),
                InputProblem::TextTooLong => "text_too_long".into(),
                InputProblem::DescribeProblem => "describe_problem".into(),
                InputProblem::SurveyNotOpen => "survey_not_open".into(),
                InputProblem::ChooseOption => "choose_option".into(),
                InputProblem::OutcomeTooEarly => "outcome_too_early".into(),
                InputProblem::Thresholds => "thresholds".into(),
                InputProblem::NotEnoughOutcomes => "not_enough_outcomes".into(),
                InputProblem::DeviceReport => "device_report".into(),
                InputProblem::InvalidText => "invalid_text".into(),
                InputProblem::ControlCharacter => "control_character".into(),
                InputProblem::TooLarge => "too_large".into(),
            },
            AppError::Unauthorized => "session".into(),
            AppError::BadCredentials => "credentials".into(),
            AppError::Forbidden => "forbidden".into(),
            AppError::NotFound => "not_found".into(),
            AppError::Unavailable => "unavailable".into(),
            AppError::Internal(_) => "error".into(),
        }
    }

    /// Reads back a [`AppError::code`].
    pub fn from_code(code: &str) -> Option<AppError> {
        let (name, n) = match code.split_once('-') {
            Some((name, n)) => (name, n.parse::<u32>().ok()),
            None => (code, None),
        };
        Some(match (name, n) {
            ("invalid_link", _) => AppError::InvalidLink,
            ("declined", _) => AppError::Refused(BookingRefusal::Declined),
            ("expired", _) => AppError::Refused(BookingRefusal::Expired),
            ("unknown_slot", _) => AppError::Refused(BookingRefusal::UnknownSlot),
            ("outside_window", _) => AppError::Refused(BookingRefusal::OutsideWindow),
            ("slot_started", _) => AppError::Refused(BookingRefusal::SlotStarted),
            ("slot_full", _) => AppError::Refused(BookingRefusal::SlotFull),
            ("reschedule_limit", Some(max)) => AppError::Refused(BookingRefusal::RescheduleLimit { max }),
            ("too_close", Some(cutoff_hours)) => AppError::Refused(BookingRefusal::TooCloseToStart { cutoff_hours }),
            ("choose_slot", _) => AppError::InvalidInput(InputProblem::ChooseSlot),
            ("choose_reason", _) => AppError::InvalidInput(InputProblem::ChooseReason),
            ("note_required", _) => AppError::InvalidInput(InputProblem::NoteRequired),
            ("note_too_long", _) => AppError::InvalidInput(InputProblem::NoteTooLong),
            ("malformed", _) => AppError::InvalidInput(InputProblem::Malformed),
            ("guide_too_long", _) => AppError::InvalidInput(InputProblem::GuideTooLong),
            ("choose_rating", _) => AppError::InvalidInput(InputProblem::ChooseRating),
            ("text_too_long", _) => AppError::InvalidInput(InputProblem::TextTooLong),
            ("describe_problem", _) => AppError::InvalidInput(InputProblem::DescribeProblem),
            ("survey_not_open", _) => AppError::InvalidInput(InputProblem::SurveyNotOpen),
            ("choose_option", _) => AppError::InvalidInput(InputProblem::ChooseOption),
            ("outcome_too_early", _) => AppError::InvalidInput(InputProblem::OutcomeTooEarly),
            ("thresholds", _) => AppError::InvalidInput(InputProblem::Thresholds),
            ("not_enough_outcomes", _) => AppError::InvalidInput(InputProblem::NotEnoughOutcomes),
            ("device_report", _) => AppError::InvalidInput(InputProblem::DeviceReport),
            ("invalid_text", _) => AppError::InvalidInput(InputProblem::InvalidText),
            ("control_character", _) => AppError::InvalidInput(InputProblem::ControlCharacter),
            ("too_large", _) => AppError::InvalidInput(InputProblem::TooLarge),
            ("session", _) => AppError::Unauthorized,
            ("credentials", _) => AppError::BadCredentials,
            ("forbidden", _) => AppError::Forbidden,
            ("not_found", _) => AppError::NotFound,
            ("unavailable", _) => AppError::Unavailable,
            ("error", _) => AppError::Internal(String::new()),
            _ => return None,
        })
    }

    /// What to tell the person, in their language.
    pub fn message(&self, s: &Strings) -> String {
        match self {
            AppError::InvalidLink => s.invalid_link_title.into(),
            AppError::Refused(r) => match r {
                BookingRefusal::Declined => s.err_declined.into(),
                BookingRefusal::Expired => s.err_expired.into(),
                BookingRefusal::UnknownSlot => s.err_unknown_slot.into(),
                BookingRefusal::OutsideWindow => s.err_outside_window.into(),
                BookingRefusal::SlotStarted => s.err_slot_started.into(),
                BookingRefusal::SlotFull => s.err_slot_full.into(),
                BookingRefusal::RescheduleLimit { max } => fill(s.err_reschedule_limit, &[("n", max)]),
                BookingRefusal::TooCloseToStart { cutoff_hours } => fill(s.err_too_close, &[("h", cutoff_hours)]),
            },
            AppError::InvalidInput(p) => match p {
                InputProblem::ChooseSlot => s.err_choose_slot.into(),
                InputProblem::ChooseReason => s.err_choose_reason.into(),
                InputProblem::NoteRequired => s.err_note_required.into(),
                InputProblem::NoteTooLong => s.err_note_too_long.into(),
                InputProblem::Malformed | InputProblem::DeviceReport => s.err_malformed.into(),
                InputProblem::GuideTooLong => s.err_guide_too_long.into(),
                InputProblem::InvalidText => s.err_invalid_text.into(),
                InputProblem::ControlCharacter => s.err_control_character.into(),
                InputProblem::TooLarge => s.err_too_large.into(),
                InputProblem::ChooseRating => s.locale.follow_up().err_choose_rating.into(),
                InputProblem::TextTooLong => s.locale.follow_up().err_text_too_long.into(),
                InputProblem::DescribeProblem => s.locale.follow_up().err_describe_problem.into(),
                InputProblem::SurveyNotOpen => s.locale.follow_up().err_survey_not_open.into(),
                InputProblem::ChooseOption => s.locale.follow_up().err_choose_option.into(),
                InputProblem::OutcomeTooEarly => s.locale.follow_up().err_outcome_too_early.into(),
                InputProblem::Thresholds => s.locale.follow_up().err_thresholds.into(),
                InputProblem::NotEnoughOutcomes => s.locale.follow_up().err_not_enough_outcomes.into(),
            },
            AppError::Unauthorized => s.err_session.into(),
            AppError::BadCredentials => s.hr_bad_credentials.into(),
            AppError::Forbidden => s.err_forbidden.into(),
            AppError::NotFound => s.not_found_title.into(),
            AppError::Unavailable => s.err_unavailable.into(),
            AppError::Internal(_) => s.err_generic.into(),
        }
    }
}

impl From<turnout_domain::text::TextProblem> for AppError {
    fn from(p: turnout_domain::text::TextProblem) -> Self {
        use turnout_domain::text::TextProblem;
        AppError::InvalidInput(match p {
            TextProblem::NotUtf8 => InputProblem::InvalidText,
            TextProblem::ControlCharacter => InputProblem::ControlCharacter,
        })
    }
}

#[cfg(feature = "ssr")]
impl From<turnout_store::StoreError> for AppError {
    fn from(e: turnout_store::StoreError) -> Self {
        use turnout_store::StoreError;
        match e {
            StoreError::UnknownInvitation => AppError::InvalidLink,
            StoreError::Refused(r) => AppError::Refused(r),
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Database(sqlx_error) => {
                tracing::error!(error = %sqlx_error, "database error");
                AppError::Unavailable
            }
            StoreError::NotKept(why) => {
                tracing::error!(error = %why, "a write was not kept");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal("storage".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let all = [
            AppError::InvalidLink,
            AppError::Refused(BookingRefusal::SlotFull),
            AppError::Refused(BookingRefusal::RescheduleLimit { max: 2 }),
            AppError::Refused(BookingRefusal::TooCloseToStart { cutoff_hours: 12 }),
            AppError::InvalidInput(InputProblem::NoteRequired),
            AppError::InvalidInput(InputProblem::ChooseRating),
            AppError::InvalidInput(InputProblem::TextTooLong),
            AppError::InvalidInput(InputProblem::DescribeProblem),
            AppError::InvalidInput(InputProblem::SurveyNotOpen),
            AppError::InvalidInput(InputProblem::ChooseOption),
            AppError::InvalidInput(InputProblem::OutcomeTooEarly),
            AppError::InvalidInput(InputProblem::Thresholds),
            AppError::InvalidInput(InputProblem::NotEnoughOutcomes),
            AppError::InvalidInput(InputProblem::InvalidText),
            AppError::InvalidInput(InputProblem::ControlCharacter),
            AppError::InvalidInput(InputProblem::TooLarge),
            AppError::Unauthorized,
            AppError::Unavailable,
        ];
        for e in all {
            assert_eq!(AppError::from_code(&e.code()), Some(e.clone()), "{e:?}");
        }
        assert_eq!(AppError::from_code("<script>"), None);
    }

    #[test]
    fn statuses_are_client_errors_for_client_mistakes() {
        assert_eq!(AppError::Refused(BookingRefusal::SlotFull).status(), StatusCode::CONFLICT);
        assert_eq!(AppError::InvalidInput(InputProblem::Malformed).status(), StatusCode::BAD_REQUEST);
        assert_eq!(AppError::InvalidLink.status(), StatusCode::NOT_FOUND);
        let report = AppError::InvalidInput(InputProblem::DeviceReport);
        assert_eq!(report.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(AppError::from_code(&report.code()), Some(report));
    }
}
