//! The invitation window: a run of whole consecutive days in the campaign's time zone.

use crate::campaign::{TimeZone, WindowDays};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

/// The days within which an invited candidate must take a slot, as an instant range
/// `[starts_at, ends_at)` in UTC together with the local days it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationWindow {
    /// First local day of the window.
    pub first_day: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// The instant the first day begins in the campaign's zone.
    pub starts_at: DateTime<Utc>,
    /// The instant the day after the last one begins (exclusive end).
    pub ends_at: DateTime<Utc>,
}

impl InvitationWindow {
    /// The default window: `days` days starting the local day after `issued_at`.
    pub fn starting_day_after(issued_at: DateTime<Utc>, zone: TimeZone, days: WindowDays) -> Self {
        let issued_local = issued_at.with_timezone(&zone.tz()).date_naive();
        let first_day = issued_local.checked_add_days(Days::new(1)).unwrap_or(issued_local);
        Self::from_first_day(first_day, zone, days)
    }

    /// A window of `days` days beginning on `first_day` in `zone`.
    pub fn from_first_day(first_day: NaiveDate, zone: TimeZone, days: WindowDays) -> Self {
        let after_last = first_day.checked_add_days(Days::new(u64::from(days.get()))).unwrap_or(first_day);
        InvitationWindow {
            first_day,
            days: days.get(),
            starts_at: start_of_day(first_day, zone),
            ends_at: start_of_day(after_last, zone),
        }
    }

    /// The local days the window covers, in order.
    pub fn local_days(&self) -> Vec<NaiveDate> {
        (0..self.days).filter_map(|d| self.first_day.checked_add_days(Days::new(u64::from(d)))).collect()
    }

    /// The last local day of the window.
    pub fn last_day(&self) -> NaiveDate {
        self.first_day.checked_add_days(Days::new(u64::from(self.days.saturating_sub(1)))).unwrap_or(self.first_day)
    }

    /// Whether a slot `[start, end)` lies wholly inside the window.
    pub fn contains_slot(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start >= self.starts_at && end <= self.ends_at && start < end
    }

    /// Whether the window has closed at `now`.
    pub fn has_ended(&self, now: DateTime<Utc>) -> bool {
        now >= self.ends_at
    }
}

/// The first instant of a local day. Where a DST change skips midnight, the day starts at the
/// first local time that exists.
pub fn start_of_day(day: NaiveDate, zone: TimeZone) -> DateTime<Utc> {
    let tz = zone.tz();
    let mut local = day.and_time(NaiveTime::MIN);
    // A DST gap lasts at most a few hours; step through it a quarter hour at a time.
    for _ in 0..=16 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += chrono::Duration::minutes(15);
    }
    // Unreachable for real zones; fall back to reading the local midnight as UTC.
    day.and_time(NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn zone(name: &str) -> TimeZone {
        name.parse().expect("known zone")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("rfc3339").with_timezone(&Utc)
    }

    #[test]
    fn shanghai_window_starts_next_local_day() {
        // 2026-11-22 23:30 in Shanghai is 15:30 UTC; the window starts on the 23rd, local midnight.
        let w = InvitationWindow::starting_day_after(utc("2026-11-22T15:30:00Z"), zone("Asia/Shanghai"), WindowDays::DEFAULT);
        assert_eq!(w.first_day, NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"));
        assert_eq!(w.starts_at, utc("2026-11-22T16:00:00Z"));
        assert_eq!(w.ends_at, utc("2026-11-25T16:00:00Z"));
        assert_eq!(w.last_day(), NaiveDate::from_ymd_opt(2026, 11, 25).expect("date"));
        assert_eq!(w.local_days().len(), 3);
    }

    #[test]
    fn issued_just_after_local_midnight_counts_that_local_day() {
        // 16:05 UTC is 00:05 on the 23rd in Shanghai, so the window starts on the 24th.
        let w = InvitationWindow::starting_day_after(utc("2026-11-22T16:05:00Z"), zone("Asia/Shanghai"), WindowDays::DEFAULT);
        assert_eq!(w.first_day, NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"));
    }

    #[test]
    fn window_across_spring_forward_is_71_hours() {
        // New York springs forward on 2026-03-08; a window over it loses an hour.
        let w = InvitationWindow::from_first_day(
            NaiveDate::from_ymd_opt(2026, 3, 7).expect("date"),
            zone("America/New_York"),
            WindowDays::DEFAULT,
        );
        assert_eq!(w.ends_at - w.starts_at, chrono::Duration::hours(71));
        assert_eq!(w.starts_at, utc("2026-03-07T05:00:00Z"));
        assert_eq!(w.ends_at, utc("2026-03-10T04:00:00Z"));
    }

    #[test]
    fn window_across_fall_back_is_73_hours() {
        let w = InvitationWindow::from_first_day(
            NaiveDate::from_ymd_opt(2026, 10, 31).expect("date"),
            zone("America/New_York"),
            WindowDays::DEFAULT,
        );
        assert_eq!(w.ends_at - w.starts_at, chrono::Duration::hours(73));
    }

    #[test]
    fn midnight_skipped_by_dst_starts_at_first_existing_time() {
        // Santiago springs forward at local midnight: 2026-09-06 00:00 does not exist.
        let start = start_of_day(NaiveDate::from_ymd_opt(2026, 9, 6).expect("date"), zone("America/Santiago"));
        let local = start.with_timezone(&zone("America/Santiago").tz());
        assert_eq!(local.format("%Y-%m-%d %H:%M").to_string(), "2026-09-06 01:00");
    }

    #[test]
    fn slot_boundaries() {
        let w = InvitationWindow::from_first_day(
            NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
            zone("Asia/Shanghai"),
            WindowDays::DEFAULT,
        );
        let h = chrono::Duration::hours(1);
        assert!(w.contains_slot(w.starts_at, w.starts_at + h));
        assert!(w.contains_slot(w.ends_at - h, w.ends_at));
        assert!(!w.contains_slot(w.starts_at - h, w.starts_at), "the evening before is outside");
        assert!(!w.contains_slot(w.ends_at - h, w.ends_at + h), "a slot running past the end is outside");
        assert!(!w.contains_slot(w.ends_at, w.ends_at + h));
        assert!(!w.contains_slot(w.starts_at + h, w.starts_at), "an empty or reversed slot is never inside");
    }

    proptest! {
        #[test]
        fn window_always_starts_after_issue_and_covers_whole_local_days(
            secs in 1_600_000_000i64..2_200_000_000i64,
            days in 1i64..=14,
            zi in 0usize..5,
        ) {
            let zones = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago"];
            let z = zone(zones[zi]);
            let issued = DateTime::from_timestamp(secs, 0).expect("timestamp");
            let w = InvitationWindow::starting_day_after(issued, z, WindowDays::new(days).expect("days"));
            prop_assert!(w.starts_at > issued);
            prop_assert_eq!(w.local_days().len() as i64, days);
            // Each window day is between 23 and 25 hours long, and the whole window is `days` days ± DST.
            let hours = (w.ends_at - w.starts_at).num_minutes() as f64 / 60.0;
            prop_assert!(hours >= days as f64 * 24.0 - 2.0 && hours <= days as f64 * 24.0 + 2.0);
            // The window begins on the local day after the issue.
            let issued_day = issued.with_timezone(&z.tz()).date_naive();
            prop_assert_eq!(w.first_day, issued_day.succ_opt().expect("next day"));
            // Its start is within the first local day and its end within the day after the last.
            prop_assert_eq!(w.starts_at.with_timezone(&z.tz()).date_naive(), w.first_day);
            prop_assert_eq!(w.ends_at.with_timezone(&z.tz()).date_naive(), w.last_day().succ_opt().expect("day"));
        }
    }
}
