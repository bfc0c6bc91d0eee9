//! How far away an interview is, as a notice puts it: counted from the moment the notice is
//! sent, on the calendar of the campaign's time zone.
//!
//! A notice planned "one day before" may go out on the interview day itself (a late
//! confirmation, quiet hours, a retry), so its words must never be fixed when it is planned.
//! Short gaps are told in hours and minutes, which are true whatever the calendar says (an
//! interview at 00:30 is "in 1 hour" at 23:30, not "tomorrow"); longer ones by the local day.

use crate::campaign::TimeZone;
use chrono::{DateTime, NaiveDate, Utc};

/// Below this many minutes ahead, a gap is told in hours and minutes rather than by the day.
pub const SOON_MINUTES: i64 = 6 * 60;

/// How far ahead a slot starts, seen from the moment a notice is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    /// It has started (or starts within the half minute).
    Started,
    /// Under an hour ahead: the minutes left, rounded to the nearest, 1 to 59.
    InMinutes(u32),
    /// One to six hours ahead: the whole hours and the minutes beyond them (0 to 59), the total
    /// rounded to the nearest minute.
    InHours { hours: u32, minutes: u32 },
    /// Six hours or more ahead, on the same local day.
    LaterToday,
    /// On the next local day.
    Tomorrow,
    /// Two to six local days ahead (the weekday alone names the day).
    OnWeekday(NaiveDate),
    /// A week or more ahead.
    OnDate(NaiveDate),
}

impl Relative {
    /// How a slot starting at `starts_at` is described to someone reading at `now`, in `zone`.
    pub fn of(now: DateTime<Utc>, starts_at: DateTime<Utc>, zone: TimeZone) -> Relative {
        let seconds = (starts_at - now).num_seconds();
        // Nearest minute: 59 min 40 s is "in 60 minutes", i.e. in 1 hour.
        let minutes = (seconds + 30).div_euclid(60);
        if minutes <= 0 {
            return Relative::Started;
        }
        if minutes < 60 {
            return Relative::InMinutes(minutes as u32);
        }
        if minutes < SOON_MINUTES {
            return Relative::InHours { hours: (minutes / 60) as u32, minutes: (minutes % 60) as u32 };
        }
        let tz = zone.tz();
        let today = now.with_timezone(&tz).date_naive();
        let day = starts_at.with_timezone(&tz).date_naive();
        match (day - today).num_days() {
            ..=0 => Relative::LaterToday,
            1 => Relative::Tomorrow,
            2..=6 => Relative::OnWeekday(day),
            _ => Relative::OnDate(day),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Days, Duration, NaiveTime, TimeZone as _};
    use proptest::prelude::*;

    fn zone(name: &str) -> TimeZone {
        name.parse().expect("known zone")
    }

    /// A local wall-clock time in `zone` (the earlier reading when it is ambiguous).
    fn at(zone: TimeZone, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        zone.tz().with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().expect("an existing local time").with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn twenty_hours_ahead_is_later_today_in_the_morning_and_tomorrow_in_the_evening() {
        let sh = zone("Asia/Shanghai");
        // A short notice held by quiet hours goes out at 08:00 for an 18:30 interview: today.
        assert_eq!(Relative::of(at(sh, 2026, 12, 16, 8, 0), at(sh, 2026, 12, 16, 18, 30), sh), Relative::LaterToday);
        // 20 hours ahead from the evening before: tomorrow.
        assert_eq!(Relative::of(at(sh, 2026, 12, 15, 20, 0), at(sh, 2026, 12, 16, 16, 0), sh), Relative::Tomorrow);
        // 20 hours ahead from just after midnight: still today.
        assert_eq!(Relative::of(at(sh, 2026, 12, 16, 0, 30), at(sh, 2026, 12, 16, 20, 30), sh), Relative::LaterToday);
    }

    #[test]
    fn short_gaps_across_midnight_are_told_in_hours_and_minutes() {
        let sh = zone("Asia/Shanghai");
        assert_eq!(
            Relative::of(at(sh, 2026, 12, 16, 23, 30), at(sh, 2026, 12, 17, 0, 30), sh),
            Relative::InHours { hours: 1, minutes: 0 }
        );
        assert_eq!(Relative::of(at(sh, 2026, 12, 16, 23, 50), at(sh, 2026, 12, 17, 0, 15), sh), Relative::InMinutes(25));
        // Six hours or more: by the day, even across midnight.
        assert_eq!(Relative::of(at(sh, 2026, 12, 16, 23, 0), at(sh, 2026, 12, 17, 9, 0), sh), Relative::Tomorrow);
    }

    #[test]
    fn the_countdown_says_the_minutes_really_left() {
        let sh = zone("Asia/Shanghai");
        let start = at(sh, 2026, 12, 17, 10, 0);
        assert_eq!(Relative::of(start - Duration::hours(1), start, sh), Relative::InHours { hours: 1, minutes: 0 });
        // Sent a few seconds late: still "in 1 hour" to the minute.
        assert_eq!(Relative::of(start - Duration::seconds(3580), start, sh), Relative::InHours { hours: 1, minutes: 0 });
        // Retried 15 minutes late.
        assert_eq!(Relative::of(start - Duration::minutes(45), start, sh), Relative::InMinutes(45));
        assert_eq!(Relative::of(start - Duration::minutes(100), start, sh), Relative::InHours { hours: 1, minutes: 40 });
        assert_eq!(Relative::of(start - Duration::seconds(40), start, sh), Relative::InMinutes(1));
        assert_eq!(Relative::of(start - Duration::seconds(20), start, sh), Relative::Started);
        assert_eq!(Relative::of(start + Duration::minutes(5), start, sh), Relative::Started);
    }

    #[test]
    fn days_further_ahead_are_named_by_weekday_then_by_date() {
        let sh = zone("Asia/Shanghai");
        let now = at(sh, 2026, 12, 14, 10, 0); // a Monday
        assert_eq!(Relative::of(now, at(sh, 2026, 12, 16, 9, 0), sh), Relative::OnWeekday(date(2026, 12, 16)));
        assert_eq!(Relative::of(now, at(sh, 2026, 12, 20, 23, 0), sh), Relative::OnWeekday(date(2026, 12, 20)));
        assert_eq!(Relative::of(now, at(sh, 2026, 12, 21, 9, 0), sh), Relative::OnDate(date(2026, 12, 21)));
    }

    #[test]
    fn days_are_the_campaigns_not_utcs() {
        // 08:00 UTC on the 16th is 16:00 on the 16th in Shanghai but 03:00 in New York. A slot at
        // 09:00 local on the 17th is tomorrow in both, though 17 and 30 hours away.
        let (sh, ny) = (zone("Asia/Shanghai"), zone("America/New_York"));
        let now = Utc.with_ymd_and_hms(2026, 12, 16, 8, 0, 0).single().expect("t");
        assert_eq!(Relative::of(now, at(sh, 2026, 12, 17, 9, 0), sh), Relative::Tomorrow);
        assert_eq!(Relative::of(now, at(ny, 2026, 12, 17, 9, 0), ny), Relative::Tomorrow);
        // The same instant in both zones: tomorrow in Shanghai, later today in New York.
        let slot = Utc.with_ymd_and_hms(2026, 12, 16, 17, 0, 0).single().expect("t"); // 01:00 / 12:00
        assert_eq!(Relative::of(now, slot, sh), Relative::Tomorrow);
        assert_eq!(Relative::of(now, slot, ny), Relative::LaterToday);
    }

    #[test]
    fn across_daylight_saving_changes() {
        // Berlin springs forward on 2026-03-29 (02:00 → 03:00): 23:00 to 07:00 reads 8 hours on
        // the wall clock but lasts 7, and is the next day.
        let be = zone("Europe/Berlin");
        assert_eq!(Relative::of(at(be, 2026, 3, 28, 23, 0), at(be, 2026, 3, 29, 7, 0), be), Relative::Tomorrow);
        // 00:30 to 05:30 on the change night: 4 real hours.
        assert_eq!(
            Relative::of(at(be, 2026, 3, 29, 0, 30), at(be, 2026, 3, 29, 5, 30), be),
            Relative::InHours { hours: 4, minutes: 0 }
        );
        // New York falls back on 2026-11-01 (02:00 → 01:00): 00:30 to 06:00 is 6.5 real hours,
        // the same day.
        let ny = zone("America/New_York");
        assert_eq!(Relative::of(at(ny, 2026, 11, 1, 0, 30), at(ny, 2026, 11, 1, 6, 0), ny), Relative::LaterToday);
        // 20:00 on the 31st to 19:00 on the 1st, and 23:30 to 22:30: 24 real hours each, and
        // the next local day both times.
        assert_eq!(Relative::of(at(ny, 2026, 10, 31, 20, 0), at(ny, 2026, 11, 1, 19, 0), ny), Relative::Tomorrow);
        assert_eq!(Relative::of(at(ny, 2026, 10, 31, 23, 30), at(ny, 2026, 11, 1, 22, 30), ny), Relative::Tomorrow);
        // Spring forward in New York (2026-03-08): 01:00 to 08:00 is 6 real hours, the same day.
        assert_eq!(Relative::of(at(ny, 2026, 3, 8, 1, 0), at(ny, 2026, 3, 8, 8, 0), ny), Relative::LaterToday);
        assert_eq!(
            Relative::of(at(ny, 2026, 3, 8, 1, 0), at(ny, 2026, 3, 8, 7, 30), ny),
            Relative::InHours { hours: 5, minutes: 30 }
        );
    }

    fn zones() -> impl Strategy<Value = TimeZone> {
        prop_oneof![
            Just(zone("Asia/Shanghai")),
            Just(zone("Europe/Berlin")),
            Just(zone("America/New_York")),
            Just(zone("Australia/Lord_Howe")),
        ]
    }

    proptest! {
        #[test]
        fn tomorrow_and_today_mean_the_local_calendar(
            zone in zones(),
            // Any instant in 2026–2027, minute resolution, and a gap of up to ten days.
            now_min in 29_450_000i64..30_500_000,
            gap_secs in -3_600i64..864_000,
        ) {
            let now = DateTime::<Utc>::from_timestamp(now_min * 60, 0).expect("instant");
            let start = now + Duration::seconds(gap_secs);
            let tz = zone.tz();
            let today = now.with_timezone(&tz).date_naive();
            let day = start.with_timezone(&tz).date_naive();
            match Relative::of(now, start, zone) {
                Relative::Started => prop_assert!(gap_secs < 30),
                Relative::InMinutes(m) => {
                    prop_assert!((1..60).contains(&m));
                    prop_assert!((i64::from(m) * 60 - gap_secs).abs() <= 30);
                }
                Relative::InHours { hours, minutes } => {
                    prop_assert!(minutes < 60 && hours >= 1);
                    let total = i64::from(hours * 60 + minutes);
                    prop_assert!(total < SOON_MINUTES);
                    prop_assert!((total * 60 - gap_secs).abs() <= 30);
                }
                Relative::LaterToday => {
                    prop_assert_eq!(day, today);
                    prop_assert!(gap_secs >= SOON_MINUTES * 60 - 30);
                }
                Relative::Tomorrow => prop_assert_eq!(Some(day), today.checked_add_days(Days::new(1))),
                Relative::OnWeekday(d) => {
                    prop_assert_eq!(d, day);
                    prop_assert!((2..=6).contains(&(day - today).num_days()));
                }
                Relative::OnDate(d) => {
                    prop_assert_eq!(d, day);
                    prop_assert!((day - today).num_days() >= 7);
                }
            }
        }

        #[test]
        fn later_never_reads_sooner(zone in zones(), now_min in 29_450_000i64..30_500_000, a in 0i64..864_000, b in 0i64..864_000) {
            // Of two slots, the later one is never described as nearer.
            fn rank(r: Relative, now: NaiveDate) -> (u8, i64) {
                match r {
                    Relative::Started => (0, 0),
                    Relative::InMinutes(m) => (1, i64::from(m)),
                    Relative::InHours { hours, minutes } => (1, i64::from(hours * 60 + minutes)),
                    Relative::LaterToday => (2, 0),
                    Relative::Tomorrow => (2, 1),
                    Relative::OnWeekday(d) | Relative::OnDate(d) => (2, (d - now).num_days()),
                }
            }
            let now = DateTime::<Utc>::from_timestamp(now_min * 60, 0).expect("instant");
            let (early, late) = (a.min(b), a.max(b));
            let today = now.with_timezone(&zone.tz()).date_naive();
            let r1 = Relative::of(now, now + Duration::seconds(early), zone);
            let r2 = Relative::of(now, now + Duration::seconds(late), zone);
            prop_assert!(rank(r1, today) <= rank(r2, today), "{:?} then {:?}", r1, r2);
        }
    }

    #[test]
    fn local_midnight_is_where_tomorrow_begins() {
        let sh = zone("Asia/Shanghai");
        let midnight = at(sh, 2026, 12, 17, 0, 0);
        let ten_am = midnight.with_timezone(&sh.tz()).date_naive().and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("t"));
        let slot = sh.tz().from_local_datetime(&ten_am).earliest().expect("t").with_timezone(&Utc);
        assert_eq!(Relative::of(midnight - Duration::seconds(1), slot, sh), Relative::Tomorrow);
        assert_eq!(Relative::of(midnight, slot, sh), Relative::LaterToday);
    }
}
