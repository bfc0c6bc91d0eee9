//! Dates and times as a person reads them, in the campaign's zone and the reader's language.

use crate::i18n::Locale;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
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
    format!("{}–{}", start.with_timezone(&tz).format("%H:%M"), end.with_timezone(&tz).format("%H:%M"))
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
    }
}
