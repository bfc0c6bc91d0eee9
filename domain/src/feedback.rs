//! What candidates tell the bank: a short survey after the interview, and problem reports.
//!
//! One answer per kind per candidate; a second answer replaces the first (the candidate can
//! correct themselves), and every version is kept in the signal log.

use crate::named::named_enum;
use chrono::{DateTime, Utc};
use thiserror::Error;

/// Longest free text kept, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

named_enum! {
    /// Which form an answer belongs to.
    pub enum FeedbackKind ("feedback kind") {
        /// The survey after the interview slot has ended.
        Survey => "survey",
        /// A problem met during the device check or when joining.
        DeviceProblem => "device_problem",
    }
}

named_enum! {
    /// What a problem report is about.
    pub enum ProblemArea ("problem area") {
        /// The camera.
        Camera => "camera",
        /// The microphone.
        Microphone => "microphone",
        /// The speaker or headphones.
        Speaker => "speaker",
        /// The network connection.
        Network => "network",
        /// The browser or the link.
        Browser => "browser",
        /// Something else (the description says what).
        Other => "other",
    }
}

/// A 1–5 rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    /// The lowest rating.
    pub const MIN: u8 = 1;
    /// The highest rating.
    pub const MAX: u8 = 5;

    /// A rating, if `value` is 1–5.
    pub fn new(value: i64) -> Result<Self, FeedbackError> {
        u8::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(v))
            .map(Score)
            .ok_or(FeedbackError::ScoreOutOfRange(value))
    }

    /// The rating.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FeedbackError {
    /// A rating outside 1–5.
    #[error("a rating must be between 1 and 5, not {0}")]
    ScoreOutOfRange(i64),
    /// Free text over [`MAX_TEXT_CHARS`].
    #[error("the text is longer than {MAX_TEXT_CHARS} characters")]
    TextTooLong,
    /// A problem report with no description.
    #[error("describe the problem")]
    DescriptionMissing,
    /// The survey opens once the interview slot has ended.
    #[error("the survey opens after the interview")]
    SurveyNotOpenYet,
}

/// The post-interview survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// How satisfied the candidate was with the process.
    pub satisfaction: Score,
    /// How relevant the questions were to the job.
    pub relevance: Score,
    /// Anything else (may be empty).
    pub comment: String,
}

/// A report of a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    /// What it is about.
    pub area: ProblemArea,
    /// What happened (never empty).
    pub description: String,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feedback {
    /// The survey.
    Survey(Survey),
    /// A problem report.
    Problem(ProblemReport),
}

impl Feedback {
    /// Which form the answer belongs to.
    pub fn kind(&self) -> FeedbackKind {
        match self {
            Feedback::Survey(_) => FeedbackKind::Survey,
            Feedback::Problem(_) => FeedbackKind::DeviceProblem,
        }
    }
}

/// Trims free text and refuses more than [`MAX_TEXT_CHARS`].
pub fn clean_text(raw: &str) -> Result<String, FeedbackError> {
    let text = raw.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(FeedbackError::TextTooLong);
    }
    Ok(text.to_string())
}

impl Survey {
    /// A survey from form values.
    pub fn parse(satisfaction: i64, relevance: i64, comment: &str) -> Result<Self, FeedbackError> {
        Ok(Survey { satisfaction: Score::new(satisfaction)?, relevance: Score::new(relevance)?, comment: clean_text(comment)? })
    }
}

impl ProblemReport {
    /// A problem report from form values.
    pub fn parse(area: ProblemArea, description: &str) -> Result<Self, FeedbackError> {
        let description = clean_text(description)?;
        if description.is_empty() {
            return Err(FeedbackError::DescriptionMissing);
        }
        Ok(ProblemReport { area, description })
    }
}

/// Whether the survey may be answered: only once the booked slot has ended.
pub fn survey_open(slot_ends_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    slot_ends_at.is_some_and(|end| now >= end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(Score::new(1).map(Score::get), Ok(1));
        assert_eq!(Score::new(5).map(Score::get), Ok(5));
        assert_eq!(Score::new(0), Err(FeedbackError::ScoreOutOfRange(0)));
        assert_eq!(Score::new(6), Err(FeedbackError::ScoreOutOfRange(6)));
        assert_eq!(Score::new(-1), Err(FeedbackError::ScoreOutOfRange(-1)));
        assert_eq!(Score::new(261), Err(FeedbackError::ScoreOutOfRange(261)));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let s = Survey::parse(4, 5, "  流程很顺畅 \n").expect("valid");
        assert_eq!(s.comment, "流程很顺畅");
        assert!(Survey::parse(4, 5, &"长".repeat(MAX_TEXT_CHARS)).is_ok());
        assert_eq!(Survey::parse(4, 5, &"长".repeat(MAX_TEXT_CHARS + 1)), Err(FeedbackError::TextTooLong));
    }

    #[test]
    fn a_problem_needs_a_description() {
        assert_eq!(ProblemReport::parse(ProblemArea::Camera, "   "), Err(FeedbackError::DescriptionMissing));
        let r = ProblemReport::parse(ProblemArea::Camera, "画面是黑的").expect("valid");
        assert_eq!(Feedback::Problem(r).kind(), FeedbackKind::DeviceProblem);
    }

    #[test]
    fn the_survey_opens_when_the_slot_ends() {
        let end = Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap();
        assert!(!survey_open(None, end));
        assert!(!survey_open(Some(end), end - chrono::Duration::seconds(1)));
        assert!(survey_open(Some(end), end));
    }

    #[test]
    fn names_round_trip() {
        for k in FeedbackKind::ALL {
            assert_eq!(k.as_str().parse::<FeedbackKind>(), Ok(*k));
        }
        for a in ProblemArea::ALL {
            assert_eq!(a.as_str().parse::<ProblemArea>(), Ok(*a));
        }
        assert!("printer".parse::<ProblemArea>().is_err());
    }

    proptest! {
        #[test]
        fn any_rating_pair_in_range_parses(a in 1i64..=5, b in 1i64..=5, c in "\\PC{0,50}") {
            let s = Survey::parse(a, b, &c).expect("valid");
            prop_assert_eq!(i64::from(s.satisfaction.get()), a);
            prop_assert_eq!(i64::from(s.relevance.get()), b);
        }
    }
}
