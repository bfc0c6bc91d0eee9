//! HR's follow-up: who to phone today and why, what came of a call, overrides of the risk
//! rating, and whether the candidate finally attended.

use crate::campaign::TimeZone;
use crate::invitation::InvitationState;
use crate::named::named_enum;
use crate::risk::{CandidateFacts, DeviceCheckFact, RiskLevel, OPEN_HOURS_CAP};
use crate::window::start_of_day;
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

/// An unconfirmed candidate goes on the call list this long before their window closes.
pub const CLOSING_WINDOW_HOURS: i64 = 24;
/// While a candidate's time-driven risk features grow (an unconfirmed window running out, an
/// unopened link ageing), their rating is redone this often.
pub const DRIFT_REVIEW_MINUTES: i64 = 15;
/// Longest note kept with a call or an override, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

named_enum! {
    /// What came of a phone call.
    pub enum CallOutcome ("call outcome") {
        /// Reached; the candidate confirmed they will attend.
        ReachedConfirmed => "reached_confirmed",
        /// Reached; the candidate will choose another time.
        ReachedWillReschedule => "reached_will_reschedule",
        /// Nobody answered.
        NoAnswer => "no_answer",
        /// The number is not the candidate's.
        WrongNumber => "wrong_number",
        /// Reached; the candidate declined.
        Declined => "declined",
    }
}

impl CallOutcome {
    /// Whether someone spoke to the candidate (a reached candidate leaves today's list).
    pub fn reached(self) -> bool {
        matches!(self, CallOutcome::ReachedConfirmed | CallOutcome::ReachedWillReschedule | CallOutcome::Declined)
    }
}

named_enum! {
    /// Whether the candidate attended their interview (recorded after the slot, the model's
    /// training label).
    pub enum InterviewOutcome ("interview outcome") {
        /// They attended.
        Attended => "attended",
        /// They did not attend.
        NoShow => "no_show",
    }
}

named_enum! {
    /// Why a candidate is on today's call list, most urgent first.
    pub enum CallReason ("call reason") {
        /// The risk rating (or HR's override of it) is high.
        HighRisk => "high_risk",
        /// No notice has reached the candidate on any channel (no address, or every channel
        /// skipped or failed): only a phone call can.
        Unreachable => "unreachable",
        /// A notice went unread past its follow-up time.
        UnreadNotice => "unread_notice",
        /// The latest device check failed.
        DeviceCheckFailed => "device_check_failed",
        /// No slot confirmed and the window closes within [`CLOSING_WINDOW_HOURS`].
        WindowClosing => "window_closing",
    }
}

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    /// An override needs a reason.
    #[error("a note is required")]
    Missing,
    /// Over [`MAX_NOTE_CHARS`].
    #[error("the note is longer than {MAX_NOTE_CHARS} characters")]
    TooLong,
}

/// A trimmed note of at most [`MAX_NOTE_CHARS`]; `required` refuses an empty one.
pub fn clean_note(raw: &str, required: bool) -> Result<String, NoteError> {
    let note = raw.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(NoteError::TooLong);
    }
    if required && note.is_empty() {
        return Err(NoteError::Missing);
    }
    Ok(note.to_string())
}

/// What the call list needs to know about one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallFacts {
    /// The state as of now (expired already derived).
    pub state: InvitationState,
    /// When the window to confirm closes.
    pub window_ends_at: DateTime<Utc>,
    /// When the booked slot starts, if one is booked.
    pub slot_starts_at: Option<DateTime<Utc>>,
    /// The rating HR acts on: their override if any, else the model's.
    pub level: RiskLevel,
    /// The latest device check.
    pub device_check: DeviceCheckFact,
    /// Whether a notice is unread past its follow-up time (see [`crate::reminder::is_read`]).
    pub unread_notice: bool,
    /// Whether no notice has reached the candidate on any channel, though one was due.
    pub unreachable: bool,
    /// When HR last reached the candidate by phone.
    pub last_reached_at: Option<DateTime<Utc>>,
}

/// The first instant of today in the campaign's time zone.
pub fn today_starts_at(now: DateTime<Utc>, zone: TimeZone) -> DateTime<Utc> {
    start_of_day(now.with_timezone(&zone.tz()).date_naive(), zone)
}

/// Why the candidate should be phoned today, most urgent first; empty when they should not.
///
/// Nobody is listed whose outcome is settled (declined, expired), whose interview has started,
/// or who HR already reached today in the campaign's time zone.
pub fn call_reasons(f: &CallFacts, now: DateTime<Utc>, zone: TimeZone) -> Vec<CallReason> {
    let settled = matches!(f.state, InvitationState::Declined | InvitationState::Expired);
    let started = f.slot_starts_at.is_some_and(|s| s <= now);
    let reached_today = f.last_reached_at.is_some_and(|t| t >= today_starts_at(now, zone));
    if settled || started || reached_today {
        return Vec::new();
    }
    let unconfirmed = matches!(f.state, InvitationState::Invited | InvitationState::Opened);
    let mut reasons = Vec::new();
    if f.level == RiskLevel::High {
        reasons.push(CallReason::HighRisk);
    }
    if f.unreachable {
        reasons.push(CallReason::Unreachable);
    }
    if f.unread_notice {
        reasons.push(CallReason::UnreadNotice);
    }
    if matches!(f.device_check, DeviceCheckFact::Failed { .. }) {
        reasons.push(CallReason::DeviceCheckFailed);
    }
    if unconfirmed && f.window_ends_at - now <= Duration::hours(CLOSING_WINDOW_HOURS) {
        reasons.push(CallReason::WindowClosing);
    }
    reasons
}

/// The next moment after `facts.now` at which a candidate's rating or call reasons can change
/// with no new signal; `None` when only a new signal can change them.
///
/// Those moments are: every [`DRIFT_REVIEW_MINUTES`] while a feature grows with time (an
/// unconfirmed window elapsing, an unopened link ageing up to [`OPEN_HOURS_CAP`] hours); the
/// window's closing hours and its end; a booked interview's start; and the next local midnight
/// after HR reached the candidate today (they come back on the list tomorrow).
pub fn next_review(facts: &CandidateFacts, last_reached_at: Option<DateTime<Utc>>, zone: TimeZone) -> Option<DateTime<Utc>> {
    let now = facts.now;
    let state = facts.state.at(facts.window_ends_at, now);
    let unconfirmed = matches!(state, InvitationState::Invited | InvitationState::Opened);
    let never_opened = facts.first_opened_at.is_none() && matches!(state, InvitationState::Invited | InvitationState::Expired);
    let opening_ages = never_opened && now < facts.invited_at + Duration::hours(OPEN_HOURS_CAP as i64);
    let window_runs = !state.has_booking() && state != InvitationState::Declined && now < facts.window_ends_at;
    let mut moments = Vec::with_capacity(5);
    if window_runs || opening_ages {
        moments.push(now + Duration::minutes(DRIFT_REVIEW_MINUTES));
    }
    if window_runs {
        moments.push(facts.window_ends_at);
    }
    if unconfirmed {
        moments.push(facts.window_ends_at - Duration::hours(CLOSING_WINDOW_HOURS));
    }
    if state.has_booking() {
        moments.extend(facts.slot_starts_at);
    }
    let today = today_starts_at(now, zone);
    if last_reached_at.is_some_and(|t| t >= today) {
        let tomorrow = now.with_timezone(&zone.tz()).date_naive().succ_opt();
        moments.extend(tomorrow.map(|d| start_of_day(d, zone)));
    }
    moments.into_iter().filter(|t| *t > now).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    fn shanghai() -> TimeZone {
        "Asia/Shanghai".parse().expect("known zone")
    }

    fn now() -> DateTime<Utc> {
        // 2026-11-23 10:00 in Shanghai.
        Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
    }

    fn quiet() -> CallFacts {
        CallFacts {
            state: InvitationState::Opened,
            window_ends_at: now() + Duration::hours(48),
            slot_starts_at: None,
            level: RiskLevel::Low,
            device_check: DeviceCheckFact::NotRun,
            unread_notice: false,
            unreachable: false,
            last_reached_at: None,
        }
    }

    #[test]
    fn a_low_risk_candidate_with_time_left_is_not_called() {
        assert!(call_reasons(&quiet(), now(), shanghai()).is_empty());
    }

    #[test]
    fn each_reason_puts_a_candidate_on_the_list() {
        let z = shanghai();
        assert_eq!(call_reasons(&CallFacts { level: RiskLevel::High, ..quiet() }, now(), z), [CallReason::HighRisk]);
        assert_eq!(call_reasons(&CallFacts { unread_notice: true, ..quiet() }, now(), z), [CallReason::UnreadNotice]);
        assert_eq!(call_reasons(&CallFacts { unreachable: true, ..quiet() }, now(), z), [CallReason::Unreachable]);
        let failed = CallFacts { device_check: DeviceCheckFact::Failed { failed_items: 1 }, ..quiet() };
        assert_eq!(call_reasons(&failed, now(), z), [CallReason::DeviceCheckFailed]);
        let closing = CallFacts { window_ends_at: now() + Duration::hours(CLOSING_WINDOW_HOURS), ..quiet() };
        assert_eq!(call_reasons(&closing, now(), z), [CallReason::WindowClosing]);
        let not_yet =
            CallFacts { window_ends_at: now() + Duration::hours(CLOSING_WINDOW_HOURS) + Duration::seconds(1), ..quiet() };
        assert!(call_reasons(&not_yet, now(), z).is_empty());
    }

    #[test]
    fn reasons_come_most_urgent_first() {
        let all = CallFacts {
            level: RiskLevel::High,
            unread_notice: true,
            unreachable: true,
            device_check: DeviceCheckFact::Failed { failed_items: 2 },
            window_ends_at: now() + Duration::hours(3),
            ..quiet()
        };
        assert_eq!(
            call_reasons(&all, now(), shanghai()),
            [
                CallReason::HighRisk,
                CallReason::Unreachable,
                CallReason::UnreadNotice,
                CallReason::DeviceCheckFailed,
                CallReason::WindowClosing
            ]
        );
    }

    #[test]
    fn a_confirmed_candidate_is_not_called_for_the_closing_window() {
        let f = CallFacts {
            state: InvitationState::Confirmed,
            window_ends_at: now() + Duration::hours(2),
            slot_starts_at: Some(now() + Duration::hours(5)),
            ..quiet()
        };
        assert!(call_reasons(&f, now(), shanghai()).is_empty());
    }

    #[test]
    fn settled_or_started_candidates_are_never_called() {
        let z = shanghai();
        for state in [InvitationState::Declined, InvitationState::Expired] {
            assert!(call_reasons(&CallFacts { state, level: RiskLevel::High, ..quiet() }, now(), z).is_empty());
        }
        let started =
            CallFacts { state: InvitationState::Confirmed, slot_starts_at: Some(now()), level: RiskLevel::High, ..quiet() };
        assert!(call_reasons(&started, now(), z).is_empty());
    }

    #[test]
    fn reached_today_leaves_the_list_until_local_midnight() {
        let z = shanghai();
        let high = CallFacts { level: RiskLevel::High, ..quiet() };
        // 00:30 in Shanghai today (16:30 UTC yesterday) counts as today.
        let early = Utc.with_ymd_and_hms(2026, 11, 22, 16, 30, 0).unwrap();
        assert!(call_reasons(&CallFacts { last_reached_at: Some(early), ..high }, now(), z).is_empty());
        // 23:30 in Shanghai yesterday does not.
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 22, 15, 30, 0).unwrap();
        assert_eq!(call_reasons(&CallFacts { last_reached_at: Some(yesterday), ..high }, now(), z), [CallReason::HighRisk]);
    }

    #[test]
    fn only_spoken_outcomes_count_as_reached() {
        let reached: Vec<_> = CallOutcome::ALL.iter().filter(|o| o.reached()).map(|o| o.as_str()).collect();
        assert_eq!(reached, ["reached_confirmed", "reached_will_reschedule", "declined"]);
        assert_eq!("no_answer".parse::<CallOutcome>(), Ok(CallOutcome::NoAnswer));
        assert!("maybe".parse::<CallOutcome>().is_err());
        assert_eq!("no_show".parse::<InterviewOutcome>(), Ok(InterviewOutcome::NoShow));
    }

    #[test]
    fn notes_are_trimmed_bounded_and_required_for_overrides() {
        assert_eq!(clean_note("  已电话确认 ", true), Ok("已电话确认".into()));
        assert_eq!(clean_note("   ", true), Err(NoteError::Missing));
        assert_eq!(clean_note("   ", false), Ok(String::new()));
        assert_eq!(clean_note(&"字".repeat(MAX_NOTE_CHARS + 1), false), Err(NoteError::TooLong));
    }

    fn call_facts(f: &CandidateFacts, level: RiskLevel, reached: Option<DateTime<Utc>>) -> CallFacts {
        CallFacts {
            state: f.state.at(f.window_ends_at, f.now),
            window_ends_at: f.window_ends_at,
            slot_starts_at: f.slot_starts_at,
            level,
            device_check: f.device_check,
            unread_notice: false,
            unreachable: false,
            last_reached_at: reached,
        }
    }

    #[test]
    fn an_unconfirmed_candidate_is_reviewed_while_the_window_runs_and_at_its_closing_hours() {
        let f = crate::risk::test_support::just_invited();
        assert_eq!(next_review(&f, None, shanghai()), Some(f.now + Duration::minutes(DRIFT_REVIEW_MINUTES)));
        let late = CandidateFacts { now: f.window_ends_at - Duration::hours(24) - Duration::minutes(5), ..f };
        assert_eq!(next_review(&late, None, shanghai()), Some(f.window_ends_at - Duration::hours(24)));
        let last = CandidateFacts { now: f.window_ends_at - Duration::minutes(5), ..f };
        assert_eq!(next_review(&last, None, shanghai()), Some(f.window_ends_at));
    }

    #[test]
    fn a_booked_candidate_is_reviewed_at_the_interview_and_after_midnight_once_reached() {
        let f = crate::risk::test_support::confirmed();
        assert_eq!(next_review(&f, None, shanghai()), f.slot_starts_at);
        let reached = Some(f.now - Duration::minutes(1));
        let midnight = today_starts_at(f.now, shanghai()) + Duration::days(1);
        assert_eq!(next_review(&f, reached, shanghai()), Some(midnight.min(f.slot_starts_at.expect("booked"))));
        let after = CandidateFacts { now: f.slot_starts_at.expect("booked") + Duration::minutes(1), ..f };
        assert_eq!(next_review(&after, None, shanghai()), None, "an interview under way changes nothing more");
    }

    proptest! {
        /// Between two reviews the call reasons stay as they were, and with no review due the
        /// rating itself stays: re-rating only at those moments loses nothing.
        #[test]
        fn nothing_changes_before_the_next_review(
            f in crate::risk::test_support::arb_facts(),
            reached in prop::option::of(0i64..3000),
            step in 1i64..(300 * 60),
            high in any::<bool>(),
        ) {
            let zone = shanghai();
            let reached = reached.map(|m| f.now - Duration::minutes(m));
            let due = next_review(&f, reached, zone);
            let later = CandidateFacts { now: f.now + Duration::minutes(step), ..f };
            prop_assume!(due.is_none_or(|d| later.now < d));
            let level = if high { RiskLevel::High } else { RiskLevel::Low };
            prop_assert_eq!(
                call_reasons(&call_facts(&f, level, reached), f.now, zone),
                call_reasons(&call_facts(&later, level, reached), later.now, zone)
            );
            if due.is_none() {
                prop_assert_eq!(crate::risk::features(&f), crate::risk::features(&later));
            }
        }

        #[test]
        fn today_starts_within_a_day_before_now(secs in 1_700_000_000i64..1_900_000_000) {
            let t = DateTime::from_timestamp(secs, 0).expect("in range");
            for zone in ["Asia/Shanghai", "America/New_York", "America/Santiago"] {
                let start = today_starts_at(t, zone.parse().expect("known zone"));
                prop_assert!(start <= t);
                prop_assert!(t - start < Duration::hours(25));
            }
        }
    }
}
