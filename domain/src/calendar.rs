//! iCalendar (RFC 5545) events, so a confirmed slot lands in the candidate's calendar.

use chrono::{DateTime, Utc};

/// One event to export.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// A stable, globally unique id (the same event re-downloaded updates in place).
    pub uid: &'a str,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Title.
    pub summary: &'a str,
    /// Details.
    pub description: &'a str,
    /// The interview link.
    pub url: &'a str,
}

/// Escapes a TEXT value.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VCALENDAR with one VEVENT and a reminder an hour before.
pub fn to_ics(ev: &CalendarEvent<'_>, now: DateTime<Utc>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Turnout//Interview//ZH".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", escape(ev.uid)),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(ev.starts_at)),
        format!("DTEND:{}", stamp(ev.ends_at)),
        format!("SUMMARY:{}", escape(ev.summary)),
        format!("DESCRIPTION:{}", escape(ev.description)),
        format!("URL:{}", ev.url),
        "BEGIN:VALARM".to_string(),
        "ACTION:DISPLAY".to_string(),
        format!("DESCRIPTION:{}", escape(ev.summary)),
        "TRIGGER:-PT1H".to_string(),
        "END:VALARM".to_string(),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_is_well_formed_and_escaped() {
        let start = DateTime::from_timestamp(1_795_000_000, 0).expect("ts");
        let ev = CalendarEvent {
            uid: "slot-1-cand-2@turnout",
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(30),
            summary: "AI 视频面试, 管培生; 上海",
            description: &"说明".repeat(40),
            url: "https://interview.example.com/x",
        };
        let ics = to_ics(&ev, start);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.contains("SUMMARY:AI 视频面试\\, 管培生\\; 上海\r\n"));
        assert!(ics.contains("DTEND:"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "line too long: {line}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
