//! The model's fixed list of named features, and how facts become their values.
//!
//! Every value lies in [0, 1], so weights are comparable: a weight is the change in log-odds of
//! not attending between the feature's lowest and highest value.

use super::defaults::BASE_NO_SHOW_RATE;
use super::{CandidateFacts, DeviceCheckFact, GuideProgress};
use crate::invitation::InvitationState;
use chrono::{DateTime, Utc};

/// How many features the model has.
pub const FEATURE_COUNT: usize = 14;

/// Hours to open beyond which a late open counts the same (the default window is three days).
pub const OPEN_HOURS_CAP: f64 = 72.0;
/// Reschedules beyond which more count the same.
pub const RESCHEDULES_CAP: u32 = 3;
/// Days between confirmation and slot beyond which a longer wait counts the same.
pub const LEAD_TIME_DAYS_CAP: f64 = 14.0;
/// How many earlier interviews, at the base rate, the past no-show rate is shrunk towards.
pub const PAST_PRIOR_INTERVIEWS: f64 = 2.0;

/// Whether a high value of a feature is expected to raise or lower the risk of not attending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// A high value raises risk (its default weight is positive).
    RaisesRisk,
    /// A high value lowers risk (its default weight is negative).
    LowersRisk,
}

/// One feature of the model. The discriminant is its index in a [`FeatureVector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeatureId {
    /// 1 while the invitation has never been opened.
    NeverOpened,
    /// Hours from invitation to first open (so far, if unopened), capped at 72, over 72.
    HoursToOpen,
    /// Share of the window gone by without a confirmed slot; 0 once confirmed.
    UnconfirmedWindowElapsed,
    /// Share of the reminders sent that were neither opened nor clicked; 0 with none sent.
    RemindersUnread,
    /// 1 when no device check has been run.
    DeviceCheckNotRun,
    /// 0 unless the device check failed; 0.6 for one failed item, 0.8 for two, 1 for three or more.
    DeviceCheckFailed,
    /// 1 when the device check passed with warnings.
    DeviceCheckWarned,
    /// 1 when the interview guide was never opened.
    GuideNotOpened,
    /// 1 when the guide was read to the end or acknowledged.
    GuideFinishedOrAcknowledged,
    /// 1 when a slot is booked (confirmed or rescheduled).
    SlotConfirmed,
    /// Reschedules, capped at 3, over 3.
    Reschedules,
    /// Days from confirmation to the slot, capped at 14, over 14; 0 without a booking.
    LeadTimeDays,
    /// Earlier no-show rate above the base rate, shrunk towards it for short histories, over
    /// (1 − base rate); 0 without history or at or below the base rate.
    PastNoShowRate,
    /// 1 when the person attended at least one earlier interview.
    HasPastAttendance,
}

impl FeatureId {
    /// Every feature, in vector order.
    pub const ALL: [FeatureId; FEATURE_COUNT] = [
        FeatureId::NeverOpened,
        FeatureId::HoursToOpen,
        FeatureId::UnconfirmedWindowElapsed,
        FeatureId::RemindersUnread,
        FeatureId::DeviceCheckNotRun,
        FeatureId::DeviceCheckFailed,
        FeatureId::DeviceCheckWarned,
        FeatureId::GuideNotOpened,
        FeatureId::GuideFinishedOrAcknowledged,
        FeatureId::SlotConfirmed,
        FeatureId::Reschedules,
        FeatureId::LeadTimeDays,
        FeatureId::PastNoShowRate,
        FeatureId::HasPastAttendance,
    ];

    /// The feature's position in a [`FeatureVector`] and in a model's weights.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The stable name used in storage, logs and reason ids.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureId::NeverOpened => "never_opened",
            FeatureId::HoursToOpen => "hours_to_open",
            FeatureId::UnconfirmedWindowElapsed => "unconfirmed_window_elapsed",
            FeatureId::RemindersUnread => "reminders_unread_share",
            FeatureId::DeviceCheckNotRun => "device_check_not_run",
            FeatureId::DeviceCheckFailed => "device_check_failed",
            FeatureId::DeviceCheckWarned => "device_check_warned",
            FeatureId::GuideNotOpened => "guide_not_opened",
            FeatureId::GuideFinishedOrAcknowledged => "guide_finished_or_acknowledged",
            FeatureId::SlotConfirmed => "slot_confirmed",
            FeatureId::Reschedules => "reschedules",
            FeatureId::LeadTimeDays => "lead_time_days",
            FeatureId::PastNoShowRate => "past_no_show_rate",
            FeatureId::HasPastAttendance => "has_past_attendance",
        }
    }

    /// The reason shown to HR in Chinese when this feature raises a candidate's risk.
    pub fn reason_zh(self) -> &'static str {
        match self {
            FeatureId::NeverOpened => "邀请未打开",
            FeatureId::HoursToOpen => "很晚才打开邀请",
            FeatureId::UnconfirmedWindowElapsed => "确认期限将至，仍未确认面试时间",
            FeatureId::RemindersUnread => "提醒未读",
            FeatureId::DeviceCheckNotRun => "未做设备检测",
            FeatureId::DeviceCheckFailed => "设备检测未通过",
            FeatureId::DeviceCheckWarned => "设备检测有警告",
            FeatureId::GuideNotOpened => "未打开面试指南",
            FeatureId::GuideFinishedOrAcknowledged => "已读完面试指南",
            FeatureId::SlotConfirmed => "已确认面试时间",
            FeatureId::Reschedules => "多次改期",
            FeatureId::LeadTimeDays => "确认后距面试时间较长",
            FeatureId::PastNoShowRate => "以往面试有缺席记录",
            FeatureId::HasPastAttendance => "以往参加过面试",
        }
    }

    /// The reason shown to HR in English when this feature raises a candidate's risk.
    pub fn reason_en(self) -> &'static str {
        match self {
            FeatureId::NeverOpened => "Invitation not opened",
            FeatureId::HoursToOpen => "Opened the invitation late",
            FeatureId::UnconfirmedWindowElapsed => "Window running out with no slot confirmed",
            FeatureId::RemindersUnread => "Reminders not read",
            FeatureId::DeviceCheckNotRun => "Device check not run",
            FeatureId::DeviceCheckFailed => "Device check failed",
            FeatureId::DeviceCheckWarned => "Device check gave warnings",
            FeatureId::GuideNotOpened => "Interview guide not opened",
            FeatureId::GuideFinishedOrAcknowledged => "Read the interview guide",
            FeatureId::SlotConfirmed => "Slot confirmed",
            FeatureId::Reschedules => "Rescheduled",
            FeatureId::LeadTimeDays => "Long wait between confirmation and interview",
            FeatureId::PastNoShowRate => "Missed earlier interviews",
            FeatureId::HasPastAttendance => "Attended earlier interviews",
        }
    }

    /// Whether a high value is expected to raise risk; the default weights follow it.
    pub fn direction(self) -> Direction {
        match self {
            FeatureId::GuideFinishedOrAcknowledged | FeatureId::SlotConfirmed | FeatureId::HasPastAttendance => {
                Direction::LowersRisk
            }
            _ => Direction::RaisesRisk,
        }
    }
}

/// A candidate's feature values, indexed by [`FeatureId::index`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureVector([f64; FEATURE_COUNT]);

impl FeatureVector {
    /// Wraps values already computed (from storage, or synthetic data); [`features`] is the usual way.
    pub fn from_values(values: [f64; FEATURE_COUNT]) -> Self {
        FeatureVector(values)
    }

    /// The values, in [`FeatureId::ALL`] order.
    pub fn values(&self) -> &[f64; FEATURE_COUNT] {
        &self.0
    }

    /// One feature's value.
    pub fn get(&self, id: FeatureId) -> f64 {
        self.0[id.index()]
    }

    fn set(&mut self, id: FeatureId, value: f64) {
        self.0[id.index()] = value;
    }
}

/// Hours from `from` to `to`, never negative (clock skew between sources reads as zero).
fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_seconds() as f64 / 3600.0).max(0.0)
}

/// `value / cap`, clamped to [0, 1].
fn scaled(value: f64, cap: f64) -> f64 {
    (value / cap).clamp(0.0, 1.0)
}

/// The feature values for a candidate. Every value is in [0, 1] and finite.
pub fn features(f: &CandidateFacts) -> FeatureVector {
    let mut v = FeatureVector([0.0; FEATURE_COUNT]);
    let state = f.state.at(f.window_ends_at, f.now);
    let booked = state.has_booking();
    let declined = state == InvitationState::Declined;
    // Opened, Confirmed, Rescheduled and Declined all imply the link was opened, even if the
    // caller has no timestamp for it.
    let never_opened = f.first_opened_at.is_none() && matches!(state, InvitationState::Invited | InvitationState::Expired);

    v.set(FeatureId::NeverOpened, if never_opened { 1.0 } else { 0.0 });

    // While unopened, the time so far is a lower bound on the time to open, so the value grows.
    let hours_to_open = match f.first_opened_at {
        Some(opened) => hours_between(f.invited_at, opened),
        None if never_opened => hours_between(f.invited_at, f.now),
        None => 0.0,
    };
    v.set(FeatureId::HoursToOpen, scaled(hours_to_open, OPEN_HOURS_CAP));

    if !booked && !declined {
        let window = hours_between(f.invited_at, f.window_ends_at);
        let elapsed = if window > 0.0 { scaled(hours_between(f.invited_at, f.now), window) } else { 1.0 };
        v.set(FeatureId::UnconfirmedWindowElapsed, elapsed);
    }

    if f.reminders_sent > 0 {
        let read = f.reminders_read.min(f.reminders_sent);
        v.set(FeatureId::RemindersUnread, f64::from(f.reminders_sent - read) / f64::from(f.reminders_sent));
    }

    match f.device_check {
        DeviceCheckFact::NotRun => v.set(FeatureId::DeviceCheckNotRun, 1.0),
        DeviceCheckFact::Passed => {}
        DeviceCheckFact::Warned => v.set(FeatureId::DeviceCheckWarned, 1.0),
        DeviceCheckFact::Failed { failed_items } => {
            // One failed item (no camera, say) can already stop an online interview.
            let items = f64::from(failed_items.clamp(1, 3));
            v.set(FeatureId::DeviceCheckFailed, 0.4 + 0.2 * items);
        }
    }

    match f.guide {
        GuideProgress::NotOpened => v.set(FeatureId::GuideNotOpened, 1.0),
        GuideProgress::Opened => {}
        GuideProgress::Finished | GuideProgress::Acknowledged => v.set(FeatureId::GuideFinishedOrAcknowledged, 1.0),
    }

    if booked {
        v.set(FeatureId::SlotConfirmed, 1.0);
        if let (Some(confirmed), Some(starts)) = (f.confirmed_at, f.slot_starts_at) {
            v.set(FeatureId::LeadTimeDays, scaled(hours_between(confirmed, starts) / 24.0, LEAD_TIME_DAYS_CAP));
        }
    }

    // A "rescheduled" state means at least one change, even if the count is missing.
    let reschedules = if state == InvitationState::Rescheduled { f.reschedules.max(1) } else { f.reschedules };
    v.set(FeatureId::Reschedules, f64::from(reschedules.min(RESCHEDULES_CAP)) / f64::from(RESCHEDULES_CAP));

    v.set(FeatureId::PastNoShowRate, past_no_show_excess(f.past_attended, f.past_no_shows));
    v.set(FeatureId::HasPastAttendance, if f.past_attended > 0 { 1.0 } else { 0.0 });
    v
}

/// The earlier no-show rate, shrunk towards the base rate by [`PAST_PRIOR_INTERVIEWS`] imaginary
/// interviews, minus the base rate, over (1 − base rate), floored at 0.
///
/// Shrinking keeps one missed interview out of one from reading as a certain no-show; measuring
/// only the excess keeps newcomers and reliable attendees at 0, so the feature never appears as
/// a reason for someone with a clean record.
fn past_no_show_excess(attended: u32, no_shows: u32) -> f64 {
    let total = f64::from(attended) + f64::from(no_shows);
    if total == 0.0 {
        return 0.0;
    }
    let smoothed = (f64::from(no_shows) + PAST_PRIOR_INTERVIEWS * BASE_NO_SHOW_RATE) / (total + PAST_PRIOR_INTERVIEWS);
    ((smoothed - BASE_NO_SHOW_RATE) / (1.0 - BASE_NO_SHOW_RATE)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::test_support::{arb_facts, at, confirmed, just_invited};
    use chrono::Duration;
    use proptest::prelude::*;

    fn value(f: &CandidateFacts, id: FeatureId) -> f64 {
        features(f).get(id)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ids_are_unique_and_in_vector_order() {
        for (i, id) in FeatureId::ALL.into_iter().enumerate() {
            assert_eq!(id.index(), i);
        }
        let mut names: Vec<_> = FeatureId::ALL.iter().map(|id| id.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FEATURE_COUNT);
    }

    #[test]
    fn every_feature_has_reasons_in_both_languages() {
        for id in FeatureId::ALL {
            assert!(!id.reason_zh().is_empty() && !id.reason_en().is_empty(), "{id:?}");
            assert!(id.reason_zh().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{id:?} zh is Chinese");
            assert!(id.reason_en().is_ascii(), "{id:?} en is English");
        }
    }

    #[test]
    fn just_invited_candidate() {
        let f = just_invited();
        let v = features(&f);
        let on: Vec<_> = FeatureId::ALL.into_iter().filter(|id| v.get(*id) != 0.0).collect();
        assert_eq!(on, vec![FeatureId::NeverOpened, FeatureId::DeviceCheckNotRun, FeatureId::GuideNotOpened]);
    }

    #[test]
    fn never_opened_only_while_invited_or_expired() {
        let mut f = just_invited();
        assert_eq!(value(&f, FeatureId::NeverOpened), 1.0);
        f.first_opened_at = Some(f.invited_at + Duration::hours(1));
        f.state = InvitationState::Opened;
        assert_eq!(value(&f, FeatureId::NeverOpened), 0.0);
        // A confirmation without an open timestamp (HR confirmed for them) is not "never opened".
        let mut c = confirmed();
        c.first_opened_at = None;
        assert_eq!(value(&c, FeatureId::NeverOpened), 0.0);
        // Past the window, still unopened.
        let mut e = just_invited();
        e.now = e.window_ends_at + Duration::hours(1);
        assert_eq!(value(&e, FeatureId::NeverOpened), 1.0);
    }

    #[test]
    fn hours_to_open_scales_and_caps() {
        let mut f = just_invited();
        f.first_opened_at = Some(f.invited_at + Duration::hours(18));
        f.state = InvitationState::Opened;
        f.now = f.invited_at + Duration::hours(30);
        assert!(close(value(&f, FeatureId::HoursToOpen), 0.25));
        f.first_opened_at = Some(f.invited_at + Duration::hours(100));
        assert_eq!(value(&f, FeatureId::HoursToOpen), 1.0, "capped at 72 hours");
        // Opened "before" the invitation (clock skew) reads as zero.
        f.first_opened_at = Some(f.invited_at - Duration::hours(1));
        assert_eq!(value(&f, FeatureId::HoursToOpen), 0.0);
        // Unopened: time so far.
        let mut u = just_invited();
        u.now = u.invited_at + Duration::hours(36);
        assert!(close(value(&u, FeatureId::HoursToOpen), 0.5));
    }

    #[test]
    fn unconfirmed_window_elapsed_only_without_a_booking() {
        let mut f = just_invited();
        assert_eq!(value(&f, FeatureId::UnconfirmedWindowElapsed), 0.0);
        f.now = f.invited_at + Duration::hours(54);
        assert!(close(value(&f, FeatureId::UnconfirmedWindowElapsed), 0.75));
        f.now = f.window_ends_at + Duration::hours(5);
        assert_eq!(value(&f, FeatureId::UnconfirmedWindowElapsed), 1.0);
        let mut c = confirmed();
        c.now = c.window_ends_at - Duration::hours(1);
        assert_eq!(value(&c, FeatureId::UnconfirmedWindowElapsed), 0.0);
        // A window that ends before the invitation (bad data) counts as used up.
        let mut bad = just_invited();
        bad.window_ends_at = bad.invited_at;
        bad.now = bad.invited_at - Duration::hours(1);
        assert_eq!(value(&bad, FeatureId::UnconfirmedWindowElapsed), 1.0);
    }

    #[test]
    fn reminders_unread_share() {
        let mut f = just_invited();
        assert_eq!(value(&f, FeatureId::RemindersUnread), 0.0, "no reminders sent: nothing unread");
        f.reminders_sent = 4;
        f.reminders_read = 1;
        assert!(close(value(&f, FeatureId::RemindersUnread), 0.75));
        f.reminders_read = 4;
        assert_eq!(value(&f, FeatureId::RemindersUnread), 0.0);
        f.reminders_read = 9;
        assert_eq!(value(&f, FeatureId::RemindersUnread), 0.0, "more reads than sends is clamped");
        f.reminders_read = 0;
        assert_eq!(value(&f, FeatureId::RemindersUnread), 1.0);
    }

    #[test]
    fn device_check_is_one_hot_with_failure_severity() {
        let ids = [FeatureId::DeviceCheckNotRun, FeatureId::DeviceCheckFailed, FeatureId::DeviceCheckWarned];
        let cases = [
            (DeviceCheckFact::NotRun, [1.0, 0.0, 0.0]),
            (DeviceCheckFact::Passed, [0.0, 0.0, 0.0]),
            (DeviceCheckFact::Warned, [0.0, 0.0, 1.0]),
            (DeviceCheckFact::Failed { failed_items: 0 }, [0.0, 0.6, 0.0]),
            (DeviceCheckFact::Failed { failed_items: 1 }, [0.0, 0.6, 0.0]),
            (DeviceCheckFact::Failed { failed_items: 2 }, [0.0, 0.8, 0.0]),
            (DeviceCheckFact::Failed { failed_items: 3 }, [0.0, 1.0, 0.0]),
            (DeviceCheckFact::Failed { failed_items: 40 }, [0.0, 1.0, 0.0]),
        ];
        for (check, expected) in cases {
            let mut f = confirmed();
            f.device_check = check;
            for (id, e) in ids.iter().zip(expected) {
                assert!(close(value(&f, *id), e), "{check:?} {id:?}");
            }
        }
    }

    #[test]
    fn guide_progress() {
        let cases = [
            (GuideProgress::NotOpened, 1.0, 0.0),
            (GuideProgress::Opened, 0.0, 0.0),
            (GuideProgress::Finished, 0.0, 1.0),
            (GuideProgress::Acknowledged, 0.0, 1.0),
        ];
        for (guide, not_opened, done) in cases {
            let mut f = confirmed();
            f.guide = guide;
            assert_eq!(value(&f, FeatureId::GuideNotOpened), not_opened, "{guide:?}");
            assert_eq!(value(&f, FeatureId::GuideFinishedOrAcknowledged), done, "{guide:?}");
        }
    }

    #[test]
    fn slot_confirmed_and_lead_time() {
        assert_eq!(value(&just_invited(), FeatureId::SlotConfirmed), 0.0);
        assert_eq!(value(&just_invited(), FeatureId::LeadTimeDays), 0.0, "no slot yet");
        let mut c = confirmed();
        assert_eq!(value(&c, FeatureId::SlotConfirmed), 1.0);
        c.slot_starts_at = c.confirmed_at.map(|t| t + Duration::days(7));
        assert!(close(value(&c, FeatureId::LeadTimeDays), 0.5));
        c.slot_starts_at = c.confirmed_at.map(|t| t + Duration::days(30));
        assert_eq!(value(&c, FeatureId::LeadTimeDays), 1.0, "capped at 14 days");
        c.slot_starts_at = None;
        assert_eq!(value(&c, FeatureId::LeadTimeDays), 0.0, "booked but slot time unknown");
        // A booked state past the window end stays booked.
        let mut late = confirmed();
        late.now = late.window_ends_at + Duration::days(1);
        assert_eq!(value(&late, FeatureId::SlotConfirmed), 1.0);
    }

    #[test]
    fn reschedules_scale_and_cap() {
        let mut c = confirmed();
        assert_eq!(value(&c, FeatureId::Reschedules), 0.0);
        c.reschedules = 1;
        assert!(close(value(&c, FeatureId::Reschedules), 1.0 / 3.0));
        c.reschedules = 7;
        assert_eq!(value(&c, FeatureId::Reschedules), 1.0);
        c.reschedules = 0;
        c.state = InvitationState::Rescheduled;
        assert!(close(value(&c, FeatureId::Reschedules), 1.0 / 3.0), "a rescheduled state means at least one");
    }

    #[test]
    fn past_no_show_rate_is_shrunk_and_excess_only() {
        let mut f = just_invited();
        assert_eq!(value(&f, FeatureId::PastNoShowRate), 0.0, "newcomer");
        f.past_no_shows = 1;
        // (1 + 0.24) / 3 = 0.4133; (0.4133 - 0.12) / 0.88 = 1/3.
        assert!(close(value(&f, FeatureId::PastNoShowRate), 1.0 / 3.0));
        f.past_no_shows = 0;
        f.past_attended = 5;
        assert_eq!(value(&f, FeatureId::PastNoShowRate), 0.0, "clean record");
        f.past_no_shows = 5;
        // (5 + 0.24) / 12 = 0.43667; (0.43667 - 0.12) / 0.88 = 0.35985.
        assert!((value(&f, FeatureId::PastNoShowRate) - 0.359_848).abs() < 1e-5);
        f.past_attended = 0;
        f.past_no_shows = 1000;
        assert!(value(&f, FeatureId::PastNoShowRate) > 0.99 && value(&f, FeatureId::PastNoShowRate) <= 1.0);
    }

    #[test]
    fn has_past_attendance() {
        let mut f = just_invited();
        assert_eq!(value(&f, FeatureId::HasPastAttendance), 0.0);
        f.past_no_shows = 2;
        assert_eq!(value(&f, FeatureId::HasPastAttendance), 0.0);
        f.past_attended = 1;
        assert_eq!(value(&f, FeatureId::HasPastAttendance), 1.0);
    }

    #[test]
    fn helper_dates_are_consistent() {
        let f = just_invited();
        assert_eq!(f.window_ends_at - f.invited_at, Duration::hours(72));
        assert_eq!(f.now, at(0));
    }

    proptest! {
        #[test]
        fn every_value_is_finite_and_in_unit_range(f in arb_facts()) {
            for (id, x) in FeatureId::ALL.into_iter().zip(features(&f).values()) {
                prop_assert!(x.is_finite() && (0.0..=1.0).contains(x), "{:?} = {}", id, x);
            }
        }

        #[test]
        fn more_past_no_shows_never_lower_the_rate(att in 0u32..50, ns in 0u32..50) {
            let mut f = just_invited();
            f.past_attended = att;
            f.past_no_shows = ns;
            let before = value(&f, FeatureId::PastNoShowRate);
            f.past_no_shows += 1;
            prop_assert!(value(&f, FeatureId::PastNoShowRate) >= before);
            f.past_no_shows -= 1;
            f.past_attended += 1;
            prop_assert!(value(&f, FeatureId::PastNoShowRate) <= before);
        }
    }
}
