//! Dates and times as a person reads them, in the campaign's zone and the reader's language.

use crate::i18n::Locale;
use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc, Weekday};
use turnout_domain::when::Relative;
use turnout_domain::window::start_of_day;
use turnout_domain::TimeZone;

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// A day, e.g. "11月24日 周二" or "Tue 24 Nov".
pub fn day(d: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{}月{}日 {}", d.month(), d.day(), weekday_zh(d.weekday())),
        Locale::En => d.format("%a %-d %b").to_string(),
    }
}

/// A time range within a day, e.g. "10:00–10:30".
pub fn time_range(start: DateTime<Utc>, end: DateTime<Utc>, zone: TimeZone) -> String {
    let tz = zone.tz();
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    // Written out rather than through a format string, which is parsed anew on every call: the
    // invitation page writes one per slot.
    format!("{:02}:{:02}–{:02}:{:02}", s.hour(), s.minute(), e.hour(), e.minute())
}

/// A slot with its day, e.g. "11月24日 周二 10:00–10:30".
pub fn slot(start: DateTime<Utc>, end: DateTime<Utc>, zone: TimeZone, locale: Locale) -> String {
    format!("{} {}", day(start.with_timezone(&zone.tz()).date_naive(), locale), time_range(start, end, zone))
}

/// An instant, e.g. "11月22日 周日 14:05".
pub fn instant(t: DateTime<Utc>, zone: TimeZone, locale: Locale) -> String {
    let local = t.with_timezone(&zone.tz());
    format!("{} {}", day(local.date_naive(), locale), local.format("%H:%M"))
}

/// A run of days, e.g. "11月23日 周一 至 11月25日 周三".
pub fn day_range(first: NaiveDate, last: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{} 至 {}", day(first, locale), day(last, locale)),
        Locale::En => format!("{} to {}", day(first, locale), day(last, locale)),
    }
}

/// The moment a window closes, as the time by which to act: an end at local midnight is the end
/// of the day before, the last one the window includes ("12月17日 周四 当天结束前", "by the end of
/// Thu 17 Dec"), never the next day at 00:00. Any other end is shown as "before" that instant.
pub fn deadline(ends_at: DateTime<Utc>, zone: TimeZone, locale: Locale) -> String {
    let starts_day = ends_at.with_timezone(&zone.tz()).date_naive();
    let last_day = (start_of_day(starts_day, zone) == ends_at).then(|| starts_day.checked_sub_days(Days::new(1))).flatten();
    match (last_day, locale) {
        (Some(d), Locale::ZhCn) => format!("{} 当天结束前", day(d, locale)),
        (Some(d), Locale::En) => format!("by the end of {}", day(d, locale)),
        (None, Locale::ZhCn) => format!("{} 前", instant(ends_at, zone, locale)),
        (None, Locale::En) => format!("before {}", instant(ends_at, zone, locale)),
    }
}

/// When a slot starts, from `now` (the moment the words are sent or shown), on the zone's
/// calendar: "45 分钟后" / "in 45 minutes", "1 小时 20 分钟后" / "in 1 hour 20 minutes",
/// "今天 18:30" / "today at 18:30", "明天 09:00" / "tomorrow at 09:00", or the date
/// ("12月17日 周四 10:00" / "on Thu 17 Dec at 10:00"). Fits after "将在"… "开始" and after
/// "starts".
pub fn relative(now: DateTime<Utc>, starts_at: DateTime<Utc>, zone: TimeZone, locale: Locale) -> String {
    let clock = starts_at.with_timezone(&zone.tz()).format("%H:%M");
    let zh = locale == Locale::ZhCn;
    let plural = |n: u32, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match Relative::of(now, starts_at, zone) {
        Relative::Started if zh => "1 分钟内".to_string(),
        Relative::Started => "within a minute".to_string(),
        Relative::InMinutes(m) if zh => format!("{m} 分钟后"),
        Relative::InMinutes(m) => format!("in {}", plural(m, "minute", "minutes")),
        Relative::InHours { hours, minutes: 0 } if zh => format!("{hours} 小时后"),
        Relative::InHours { hours, minutes } if zh => format!("{hours} 小时 {minutes} 分钟后"),
        Relative::InHours { hours, minutes: 0 } => format!("in {}", plural(hours, "hour", "hours")),
        Relative::InHours { hours, minutes } => {
            format!("in {} {}", plural(hours, "hour", "hours"), plural(minutes, "minute", "minutes"))
        }
        Relative::LaterToday if zh => format!("今天 {clock}"),
        Relative::LaterToday => format!("today at {clock}"),
        Relative::Tomorrow if zh => format!("明天 {clock}"),
        Relative::Tomorrow => format!("tomorrow at {clock}"),
        Relative::OnWeekday(d) | Relative::OnDate(d) if zh => format!("{} {clock}", day(d, locale)),
        Relative::OnWeekday(d) | Relative::OnDate(d) => format!("on {} at {clock}", day(d, locale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_zone_and_language() {
        let zone: TimeZone = "Asia/Shanghai".parse().expect("zone");
        let start = DateTime::parse_from_rfc3339("2026-11-24T02:00:00Z").expect("t").with_timezone(&Utc);
        let end = start + chrono::Duration::minutes(30);
        assert_eq!(slot(start, end, zone, Locale::ZhCn), "11月24日 周二 10:00–10:30");
        assert_eq!(slot(start, end, zone, Locale::En), "Tue 24 Nov 10:00–10:30");
        let early = start - chrono::Duration::minutes(55);
        assert_eq!(time_range(early, early + chrono::Duration::minutes(5), zone), "09:05–09:10");
    }

    fn at(zone: TimeZone, local: &str) -> DateTime<Utc> {
        use chrono::TimeZone as _;
        let t = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("local time");
        zone.tz().from_local_datetime(&t).earliest().expect("exists").with_timezone(&Utc)
    }

    #[test]
    fn a_window_ending_at_midnight_ends_with_the_day_before() {
        let zone: TimeZone = "Asia/Shanghai".parse().expect("zone");
        // The window of Tue 15 to Thu 17 Dec ends (exclusively) at Fri 18 Dec 00:00.
        let ends = at(zone, "2026-12-18 00:00");
        assert_eq!(deadline(ends, zone, Locale::En), "by the end of Thu 17 Dec");
        assert_eq!(deadline(ends, zone, Locale::ZhCn), "12月17日 周四 当天结束前");
        assert_eq!(deadline(at(zone, "2026-12-17 18:00"), zone, Locale::En), "before Thu 17 Dec 18:00");
        // Where a DST change skips midnight the day starts at 01:00, and still ends the day before.
        let santiago: TimeZone = "America/Santiago".parse().expect("zone");
        let ends = turnout_domain::window::start_of_day(NaiveDate::from_ymd_opt(2026, 9, 6).expect("date"), santiago);
        assert_eq!(deadline(ends, santiago, Locale::En), "by the end of Sat 5 Sep");
    }

    #[test]
    fn relative_words_follow_the_send_time_and_the_local_calendar() {
        let zone: TimeZone = "Asia/Shanghai".parse().expect("zone");
        let slot = at(zone, "2026-12-17 18:30");
        let say = |now: &str, locale| relative(at(zone, now), slot, zone, locale);
        assert_eq!(say("2026-12-16 20:00", Locale::En), "tomorrow at 18:30");
        assert_eq!(say("2026-12-16 20:00", Locale::ZhCn), "明天 18:30");
        assert_eq!(say("2026-12-17 08:00", Locale::En), "today at 18:30");
        assert_eq!(say("2026-12-17 08:00", Locale::ZhCn), "今天 18:30");
        assert_eq!(say("2026-12-17 17:30", Locale::En), "in 1 hour");
        assert_eq!(say("2026-12-17 17:30", Locale::ZhCn), "1 小时后");
        assert_eq!(say("2026-12-17 17:45", Locale::En), "in 45 minutes");
        assert_eq!(say("2026-12-17 17:45", Locale::ZhCn), "45 分钟后");
        assert_eq!(say("2026-12-17 18:29", Locale::En), "in 1 minute");
        assert_eq!(say("2026-12-17 15:10", Locale::En), "in 3 hours 20 minutes");
        assert_eq!(say("2026-12-17 15:10", Locale::ZhCn), "3 小时 20 分钟后");
        assert_eq!(say("2026-12-14 10:00", Locale::En), "on Thu 17 Dec at 18:30");
        assert_eq!(say("2026-12-14 10:00", Locale::ZhCn), "12月17日 周四 18:30");
    }
}
