//! Reminder planning: which notice goes out on which channel and when, SMS quiet hours, and the
//! unread follow-up. Pure: the store turns a plan into outbox messages, a dispatcher sends them.

use crate::campaign::TimeZone;
use crate::invitation::UnknownValue;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use thiserror::Error;

/// A way of reaching a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// SMS through an HTTP gateway.
    Sms,
    /// Work chat (WeCom application messages).
    WorkChat,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::WorkChat];

    /// The name used in storage and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::WorkChat => "work_chat",
        }
    }
}

impl FromStr for Channel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownValue { what: "channel", value: s.to_string() })
    }
}

/// What a notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The invitation itself, with the link.
    Invitation,
    /// Days before: the link, the process and where to get technical help.
    Detailed,
    /// A day before: the time and the link.
    Short,
    /// An hour before: a countdown with the device-check link.
    Countdown,
    /// A marked-important second notice after one went unread.
    FollowUp,
    /// Sent again by HR.
    Resend,
}

impl NoticeKind {
    /// Every kind.
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::Invitation,
        NoticeKind::Detailed,
        NoticeKind::Short,
        NoticeKind::Countdown,
        NoticeKind::FollowUp,
        NoticeKind::Resend,
    ];

    /// The kinds a campaign's plan schedules before a booked slot, in order.
    pub const BEFORE_SLOT: [NoticeKind; 3] = [NoticeKind::Detailed, NoticeKind::Short, NoticeKind::Countdown];

    /// The name used in storage and signal payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Invitation => "invitation",
            NoticeKind::Detailed => "detailed",
            NoticeKind::Short => "short",
            NoticeKind::Countdown => "countdown",
            NoticeKind::FollowUp => "follow_up",
            NoticeKind::Resend => "resend",
        }
    }

    /// Whether the notice is about a booked slot (re-planned when the slot changes).
    pub fn is_about_slot(self) -> bool {
        matches!(self, NoticeKind::Detailed | NoticeKind::Short | NoticeKind::Countdown)
    }

    /// Whether going unread raises a follow-up. The countdown comes too late for one, and a
    /// follow-up is never followed up itself.
    pub fn has_follow_up(self) -> bool {
        matches!(self, NoticeKind::Invitation | NoticeKind::Detailed | NoticeKind::Short | NoticeKind::Resend)
    }
}

impl FromStr for NoticeKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoticeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "notice kind", value: s.to_string() })
    }
}

/// A reminder plan that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    /// A step's lead time is outside 1 hour..=14 days.
    #[error("a reminder is sent between 1 and 336 hours before the interview, not {0}")]
    LeadTime(i64),
    /// The unread follow-up delay is outside 1..=168 hours.
    #[error("an unread notice is followed up after 1 to 168 hours, not {0}")]
    UnreadAfter(i64),
    /// A quiet-hours time is not `HH:MM`.
    #[error("quiet hours are given as HH:MM, not `{0}`")]
    QuietHours(String),
    /// A step is not one of the notices sent before a slot.
    #[error("`{0}` is not a notice sent before the interview")]
    NotAStep(&'static str),
}

/// Local hours in which no SMS is sent (except the one-hour countdown). `start > end` wraps
/// past midnight (22:00–08:00); `start == end` means no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// First quiet minute.
    pub start: NaiveTime,
    /// First allowed minute again.
    pub end: NaiveTime,
}

impl QuietHours {
    /// 22:00–08:00.
    pub fn default_hours() -> QuietHours {
        QuietHours { start: hm(22, 0), end: hm(8, 0) }
    }

    /// Parses `HH:MM` bounds.
    pub fn parse(start: &str, end: &str) -> Result<QuietHours, PlanError> {
        let p = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| PlanError::QuietHours(s.chars().take(20).collect()))
        };
        Ok(QuietHours { start: p(start)?, end: p(end)? })
    }

    /// Whether a local wall-clock time is quiet.
    pub fn is_quiet(&self, t: NaiveTime) -> bool {
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => t >= self.start && t < self.end,
            std::cmp::Ordering::Greater => t >= self.start || t < self.end,
        }
    }

    /// The first instant at or after `at` outside quiet hours in `zone`. Where the end of quiet
    /// hours falls in a DST gap, the first local time that exists after it is used.
    pub fn next_allowed(&self, at: DateTime<Utc>, zone: TimeZone) -> DateTime<Utc> {
        let local = at.with_timezone(&zone.tz());
        let time = local.time();
        if !self.is_quiet(time) {
            return at;
        }
        let day = local.date_naive();
        // Quiet hours that wrap midnight and began this evening end tomorrow.
        let end_day = if self.start > self.end && time >= self.start { day.succ_opt().unwrap_or(day) } else { day };
        let end = local_instant(end_day, self.end, zone);
        if end >= at {
            return end;
        }
        // The end's wall-clock time came twice (the clock went back) and `at` is past the
        // first one: quiet hours end at the second.
        zone.tz()
            .from_local_datetime(&end_day.and_time(self.end))
            .latest()
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t >= at)
            .unwrap_or(at)
    }
}

/// `h:m` as a time (in range by construction).
fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// The instant a local wall-clock time happens: the earlier one when the clock goes back, the
/// first existing time after a skipped one when it goes forward.
pub fn local_instant(day: NaiveDate, time: NaiveTime, zone: TimeZone) -> DateTime<Utc> {
    let tz = zone.tz();
    let wanted = day.and_time(time);
    if let Some(t) = tz.from_local_datetime(&wanted).earliest() {
        return t.with_timezone(&Utc);
    }
    // In a gap (at most a few hours): the first quarter hour after the wanted time that exists.
    let mut local = wanted.with_minute(0).unwrap_or(wanted);
    for _ in 0..=16 {
        local += Duration::minutes(15);
        if local <= wanted {
            continue;
        }
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    wanted.and_utc()
}

/// One notice sent before a booked slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderStep {
    /// Which notice.
    pub notice: NoticeKind,
    /// How long before the slot starts, in minutes.
    pub minutes_before: u32,
    /// On which channels.
    pub channels: Vec<Channel>,
}

/// A campaign's reminder plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPlan {
    /// Channels the invitation itself goes out on.
    pub invitation_channels: Vec<Channel>,
    /// The notices before a booked slot.
    pub steps: Vec<ReminderStep>,
    /// A notice neither opened nor clicked this many minutes after it was sent is followed up.
    pub unread_after_minutes: u32,
    /// Local hours without SMS.
    pub quiet_hours: QuietHours,
}

impl Default for ReminderPlan {
    /// The plan of the source articles: 3 days before a detailed notice by e-mail and work
    /// chat; 1 day before a short SMS; 1 hour before a countdown by work chat and SMS; a
    /// follow-up after 24 unread hours; no SMS from 22:00 to 08:00.
    fn default() -> Self {
        ReminderPlan {
            invitation_channels: vec![Channel::Email, Channel::Sms, Channel::WorkChat],
            steps: vec![
                ReminderStep {
                    notice: NoticeKind::Detailed,
                    minutes_before: 3 * 24 * 60,
                    channels: vec![Channel::Email, Channel::WorkChat],
                },
                ReminderStep { notice: NoticeKind::Short, minutes_before: 24 * 60, channels: vec![Channel::Sms] },
                ReminderStep {
                    notice: NoticeKind::Countdown,
                    minutes_before: 60,
                    channels: vec![Channel::WorkChat, Channel::Sms],
                },
            ],
            unread_after_minutes: 24 * 60,
            quiet_hours: QuietHours::default_hours(),
        }
    }
}

/// A notice on one channel, due at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedNotice {
    /// Which notice.
    pub notice: NoticeKind,
    /// On which channel.
    pub channel: Channel,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

impl ReminderPlan {
    /// Checks a plan: steps are the notices sent before a slot, each once, 1 hour to 14 days
    /// ahead; follow-up after 1 to 168 hours; channels listed once each, in a fixed order.
    pub fn validated(mut self) -> Result<ReminderPlan, PlanError> {
        for step in &mut self.steps {
            if !step.notice.is_about_slot() {
                return Err(PlanError::NotAStep(step.notice.as_str()));
            }
            if !(60..=14 * 24 * 60).contains(&step.minutes_before) {
                return Err(PlanError::LeadTime(i64::from(step.minutes_before / 60)));
            }
            step.channels.sort();
            step.channels.dedup();
        }
        let mut kinds: Vec<&str> = self.steps.iter().map(|s| s.notice.as_str()).collect();
        kinds.sort_unstable();
        if let Some(w) = kinds.windows(2).find(|w| w[0] == w[1]) {
            return Err(PlanError::NotAStep(NoticeKind::from_str(w[0]).map(|k| k.as_str()).unwrap_or("step")));
        }
        if !(60..=168 * 60).contains(&self.unread_after_minutes) {
            return Err(PlanError::UnreadAfter(i64::from(self.unread_after_minutes / 60)));
        }
        self.invitation_channels.sort();
        self.invitation_channels.dedup();
        Ok(self)
    }

    /// The step for a notice kind, if the plan has it.
    pub fn step(&self, notice: NoticeKind) -> Option<&ReminderStep> {
        self.steps.iter().find(|s| s.notice == notice)
    }

    /// When a notice on `channel` planned for `at` may go out: SMS waits for the end of quiet
    /// hours, except the countdown, which is only useful on time.
    pub fn allowed_at(&self, notice: NoticeKind, channel: Channel, at: DateTime<Utc>, zone: TimeZone) -> DateTime<Utc> {
        if channel == Channel::Sms && notice != NoticeKind::Countdown {
            self.quiet_hours.next_allowed(at, zone)
        } else {
            at
        }
    }

    /// The invitation on each of its channels, issued at `now`.
    pub fn invitation_notices(&self, now: DateTime<Utc>, zone: TimeZone) -> Vec<PlannedNotice> {
        self.invitation_channels
            .iter()
            .map(|&channel| PlannedNotice {
                notice: NoticeKind::Invitation,
                channel,
                due_at: self.allowed_at(NoticeKind::Invitation, channel, now, zone),
            })
            .collect()
    }

    /// The notices before a slot starting at `slot_start`, planned at `now` (on confirming, or
    /// again after a reschedule).
    ///
    /// A step whose time has passed is skipped, except the latest such one, which goes out at
    /// once (a candidate confirming two days ahead still gets the detailed notice). A notice
    /// held back by quiet hours is dropped when it would arrive at or after the next step's
    /// time, or after the slot starts.
    pub fn slot_notices(&self, slot_start: DateTime<Utc>, now: DateTime<Utc>, zone: TimeZone) -> Vec<PlannedNotice> {
        if slot_start <= now {
            return Vec::new();
        }
        let mut steps: Vec<&ReminderStep> = self.steps.iter().collect();
        steps.sort_by_key(|s| std::cmp::Reverse(s.minutes_before));
        let nominal = |s: &ReminderStep| slot_start - Duration::minutes(i64::from(s.minutes_before));
        let latest_past = steps.iter().rposition(|s| nominal(s) <= now);
        let mut out = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let at = match latest_past {
                Some(p) if i < p => continue,
                Some(p) if i == p => now,
                _ => nominal(step),
            };
            // A held-back notice must still arrive before the next step, and before the start.
            let limit = steps.get(i + 1).map(|next| nominal(next)).unwrap_or(slot_start).min(slot_start);
            for &channel in &step.channels {
                let due_at = self.allowed_at(step.notice, channel, at, zone);
                if due_at == at || due_at < limit {
                    out.push(PlannedNotice { notice: step.notice, channel, due_at });
                }
            }
        }
        out
    }

    /// When to check whether a notice first sent at `sent_at` was read, and if not send the
    /// important follow-up by SMS. `None` when that would come at or after `deadline` (the
    /// slot's start, or the end of the window for the invitation), too late to help.
    pub fn follow_up_at(
        &self,
        notice: NoticeKind,
        sent_at: DateTime<Utc>,
        deadline: DateTime<Utc>,
        zone: TimeZone,
    ) -> Option<DateTime<Utc>> {
        if !notice.has_follow_up() {
            return None;
        }
        let at = sent_at + Duration::minutes(i64::from(self.unread_after_minutes));
        let at = self.allowed_at(NoticeKind::FollowUp, Channel::Sms, at, zone);
        (at < deadline).then_some(at)
    }
}

/// Whether a notice has been read. This is the one meaning of "read" in Turnout, used by the
/// unread follow-up, the risk model's features, HR's call list, HR's notices page and the
/// analytics:
///
/// a notice is read once it has reached the candidate on at least one channel (a provider
/// accepted it) and the candidate has been seen since: they opened or clicked any notice,
/// opened their invitation link, or did anything on their invitation pages. A notice that
/// reached nobody (skipped or failed on every channel) is neither read nor unread: it was
/// never delivered, and following it up as unread would be untrue.
pub fn is_read(delivered_at: Option<DateTime<Utc>>, candidate_seen_at: Option<DateTime<Utc>>) -> bool {
    matches!((delivered_at, candidate_seen_at), (Some(d), Some(seen)) if seen >= d)
}

/// What to do with a notice's unread follow-up when it comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpDecision {
    /// The notice was read ([`is_read`]): no follow-up.
    Read,
    /// Some channel is still sending the notice: look again later.
    StillSending,
    /// Every channel has settled and none delivered it: there is nothing to follow up.
    NeverDelivered,
    /// Delivered, but the follow-up delay has not passed yet: look again at this time.
    WaitUntil(DateTime<Utc>),
    /// Delivered and unread for the whole delay: send the follow-up, mark the notice unread.
    Unread,
}

/// Decides a follow-up from the notice's delivery and the candidate's last sign of life.
pub fn follow_up_decision(
    delivered_at: Option<DateTime<Utc>>,
    candidate_seen_at: Option<DateTime<Utc>>,
    still_sending: bool,
    unread_after: Duration,
    now: DateTime<Utc>,
) -> FollowUpDecision {
    if is_read(delivered_at, candidate_seen_at) {
        return FollowUpDecision::Read;
    }
    match delivered_at {
        // A channel may still deliver it; its time then starts the delay.
        _ if still_sending => FollowUpDecision::StillSending,
        None => FollowUpDecision::NeverDelivered,
        Some(d) if d + unread_after > now => FollowUpDecision::WaitUntil(d + unread_after),
        Some(_) => FollowUpDecision::Unread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn read_means_seen_after_delivery() {
        let t = utc("2026-12-10T02:00:00Z");
        assert!(is_read(Some(t), Some(t + Duration::minutes(5))));
        assert!(is_read(Some(t), Some(t)), "seen the moment it arrived");
        assert!(!is_read(Some(t), Some(t - Duration::minutes(5))), "seen before it arrived is not reading it");
        assert!(!is_read(None, Some(t)), "never delivered is never read");
        assert!(!is_read(Some(t), None));
    }

    #[test]
    fn follow_ups_only_for_notices_delivered_and_unread() {
        let sent = utc("2026-12-10T02:00:00Z");
        let day = Duration::hours(24);
        let decide = |delivered, seen, sending, now| follow_up_decision(delivered, seen, sending, day, now);
        assert_eq!(decide(None, None, false, sent + day * 2), FollowUpDecision::NeverDelivered);
        assert_eq!(decide(None, None, true, sent + day * 2), FollowUpDecision::StillSending);
        assert_eq!(decide(Some(sent), None, true, sent + day * 2), FollowUpDecision::StillSending);
        assert_eq!(decide(Some(sent), None, false, sent + Duration::hours(3)), FollowUpDecision::WaitUntil(sent + day));
        assert_eq!(decide(Some(sent), None, false, sent + day), FollowUpDecision::Unread);
        let seen_after = Some(sent + Duration::hours(30));
        assert_eq!(decide(Some(sent), seen_after, false, sent + Duration::hours(31)), FollowUpDecision::Read);
        let seen_before = Some(sent - Duration::hours(1));
        assert_eq!(decide(Some(sent), seen_before, false, sent + day), FollowUpDecision::Unread);
    }

    fn zone(name: &str) -> TimeZone {
        name.parse().expect("known zone")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("rfc3339").with_timezone(&Utc)
    }

    fn local(t: DateTime<Utc>, z: TimeZone) -> String {
        t.with_timezone(&z.tz()).format("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        for k in NoticeKind::ALL {
            assert_eq!(k.as_str().parse::<NoticeKind>(), Ok(k));
        }
        assert!("fax".parse::<Channel>().is_err());
    }

    #[test]
    fn default_plan_three_days_ahead_in_shanghai() {
        let sh = zone("Asia/Shanghai");
        // Slot on 26 Nov at 10:00 Shanghai; confirmed on 22 Nov at 09:00 (more than 3 days ahead).
        let slot = utc("2026-11-26T02:00:00Z");
        let now = utc("2026-11-22T01:00:00Z");
        let plan = ReminderPlan::default();
        let got: Vec<(NoticeKind, Channel, String)> =
            plan.slot_notices(slot, now, sh).into_iter().map(|p| (p.notice, p.channel, local(p.due_at, sh))).collect();
        assert_eq!(
            got,
            vec![
                (NoticeKind::Detailed, Channel::Email, "2026-11-23 10:00".into()),
                (NoticeKind::Detailed, Channel::WorkChat, "2026-11-23 10:00".into()),
                (NoticeKind::Short, Channel::Sms, "2026-11-25 10:00".into()),
                (NoticeKind::Countdown, Channel::WorkChat, "2026-11-26 09:00".into()),
                (NoticeKind::Countdown, Channel::Sms, "2026-11-26 09:00".into()),
            ]
        );
    }

    #[test]
    fn confirming_late_catches_up_the_latest_past_step_only() {
        let sh = zone("Asia/Shanghai");
        let slot = utc("2026-11-26T02:00:00Z"); // 26 Nov 10:00
        let now = utc("2026-11-24T06:00:00Z"); // 24 Nov 14:00: the 3-day step has passed
        let got = ReminderPlan::default().slot_notices(slot, now, sh);
        let detailed: Vec<_> = got.iter().filter(|p| p.notice == NoticeKind::Detailed).collect();
        assert_eq!(detailed.len(), 2);
        assert!(detailed.iter().all(|p| p.due_at == now), "the detailed notice goes out at once");
        assert_eq!(got.iter().filter(|p| p.notice == NoticeKind::Short).count(), 1);

        // 20 hours before: the detailed notice is skipped, the short one caught up.
        let now = slot - Duration::hours(20);
        let got = ReminderPlan::default().slot_notices(slot, now, sh);
        assert!(got.iter().all(|p| p.notice != NoticeKind::Detailed));
        assert_eq!(got.iter().find(|p| p.notice == NoticeKind::Short).map(|p| p.due_at), Some(now));
    }

    #[test]
    fn sms_waits_for_quiet_hours_to_end_but_the_countdown_does_not() {
        let sh = zone("Asia/Shanghai");
        // Slot at 07:30 local: the 1-day SMS would be 07:30 the day before, in quiet hours.
        let slot = utc("2026-11-25T23:30:00Z"); // 26 Nov 07:30
        let now = utc("2026-11-22T01:00:00Z");
        let got = ReminderPlan::default().slot_notices(slot, now, sh);
        let short = got.iter().find(|p| p.notice == NoticeKind::Short).expect("short");
        assert_eq!(local(short.due_at, sh), "2026-11-25 08:00");
        let countdown_sms = got.iter().find(|p| p.notice == NoticeKind::Countdown && p.channel == Channel::Sms).expect("sms");
        assert_eq!(local(countdown_sms.due_at, sh), "2026-11-26 06:30", "the countdown ignores quiet hours");
    }

    #[test]
    fn caught_up_sms_that_would_collide_with_the_next_step_is_dropped() {
        let sh = zone("Asia/Shanghai");
        // Confirmed at 23:00 for 09:00 the next morning: the short SMS would wait until 08:00,
        // the countdown is due at 08:00, so only the countdown goes.
        let slot = utc("2026-11-26T01:00:00Z"); // 26 Nov 09:00
        let now = utc("2026-11-25T15:00:00Z"); // 25 Nov 23:00
        let got = ReminderPlan::default().slot_notices(slot, now, sh);
        assert!(got.iter().all(|p| p.notice == NoticeKind::Countdown), "{got:?}");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn quiet_hours_end_in_a_dst_gap_moves_to_the_first_existing_time() {
        // New York springs forward at 02:00 on 8 Mar 2026; quiet hours 22:00–02:30 end in the gap.
        let ny = zone("America/New_York");
        let q = QuietHours::parse("22:00", "02:30").expect("valid");
        let at = utc("2026-03-08T04:00:00Z"); // 23:00 EST on 7 Mar
        let allowed = q.next_allowed(at, ny);
        assert_eq!(local(allowed, ny), "2026-03-08 03:00");
        // Fall back: 01:30 happens twice on 1 Nov 2026; the earlier one is used.
        let q = QuietHours::parse("22:00", "01:30").expect("valid");
        let allowed = q.next_allowed(utc("2026-11-01T03:00:00Z"), ny); // 23:00 EDT on 31 Oct
        assert_eq!(allowed, utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn quiet_hours_shapes() {
        let q = QuietHours::default_hours();
        assert!(q.is_quiet(hm(22, 0)) && q.is_quiet(hm(3, 0)) && q.is_quiet(hm(7, 59)));
        assert!(!q.is_quiet(hm(8, 0)) && !q.is_quiet(hm(21, 59)));
        let day = QuietHours::parse("12:00", "13:00").expect("valid");
        assert!(day.is_quiet(hm(12, 30)) && !day.is_quiet(hm(13, 0)));
        let none = QuietHours::parse("00:00", "00:00").expect("valid");
        assert!(!none.is_quiet(hm(3, 0)));
        assert!(QuietHours::parse("25:00", "08:00").is_err());
    }

    #[test]
    fn follow_up_timing() {
        let sh = zone("Asia/Shanghai");
        let plan = ReminderPlan::default();
        let sent = utc("2026-11-22T02:00:00Z"); // 10:00
        let deadline = sent + Duration::days(3);
        assert_eq!(plan.follow_up_at(NoticeKind::Invitation, sent, deadline, sh), Some(sent + Duration::hours(24)));
        // Sent at 23:30 local: the follow-up SMS waits for 08:00.
        let late = utc("2026-11-22T15:30:00Z");
        assert_eq!(
            plan.follow_up_at(NoticeKind::Detailed, late, deadline + Duration::days(1), sh).map(|t| local(t, sh)),
            Some("2026-11-24 08:00".into())
        );
        assert_eq!(plan.follow_up_at(NoticeKind::Short, sent, sent + Duration::hours(24), sh), None, "too late to help");
        assert_eq!(plan.follow_up_at(NoticeKind::Countdown, sent, deadline, sh), None);
        assert_eq!(plan.follow_up_at(NoticeKind::FollowUp, sent, deadline, sh), None);
    }

    #[test]
    fn invitation_sms_respects_quiet_hours() {
        let sh = zone("Asia/Shanghai");
        let now = utc("2026-11-22T15:00:00Z"); // 23:00
        let got = ReminderPlan::default().invitation_notices(now, sh);
        assert_eq!(got.len(), 3);
        for p in got {
            match p.channel {
                Channel::Sms => assert_eq!(local(p.due_at, sh), "2026-11-23 08:00"),
                _ => assert_eq!(p.due_at, now),
            }
        }
    }

    #[test]
    fn validation() {
        assert!(ReminderPlan::default().validated().is_ok());
        let mut p = ReminderPlan::default();
        p.steps[0].minutes_before = 30;
        assert_eq!(p.validated(), Err(PlanError::LeadTime(0)));
        let p = ReminderPlan { unread_after_minutes: 200 * 60, ..ReminderPlan::default() };
        assert_eq!(p.validated(), Err(PlanError::UnreadAfter(200)));
        let mut p = ReminderPlan::default();
        p.steps.push(ReminderStep { notice: NoticeKind::FollowUp, minutes_before: 120, channels: vec![] });
        assert!(p.validated().is_err());
        let mut p = ReminderPlan::default();
        p.steps[1].notice = NoticeKind::Detailed;
        assert!(p.validated().is_err(), "a step appears once");
        let mut p = ReminderPlan::default();
        p.steps[0].channels = vec![Channel::WorkChat, Channel::Email, Channel::WorkChat];
        assert_eq!(p.validated().map(|p| p.steps[0].channels.clone()), Ok(vec![Channel::Email, Channel::WorkChat]));
    }

    #[test]
    fn a_reschedule_moves_every_notice_with_the_slot() {
        let sh = zone("Asia/Shanghai");
        let plan = ReminderPlan::default();
        let now = utc("2026-11-20T02:00:00Z");
        let old = plan.slot_notices(utc("2026-11-26T02:00:00Z"), now, sh);
        let new = plan.slot_notices(utc("2026-11-27T06:00:00Z"), now, sh);
        assert_eq!(old.len(), new.len());
        for (o, n) in old.iter().zip(&new) {
            assert_eq!((o.notice, o.channel), (n.notice, n.channel));
            assert_eq!(n.due_at - o.due_at, Duration::hours(28));
        }
    }

    proptest! {
        #[test]
        fn planned_notices_are_timely_and_quiet(
            now_secs in 1_700_000_000i64..1_900_000_000i64,
            ahead_minutes in 1i64..(10 * 24 * 60),
            zi in 0usize..5,
            q_start in 0u32..24, q_end in 0u32..24,
        ) {
            let zones = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago"];
            let z = zone(zones[zi]);
            let now = DateTime::from_timestamp(now_secs, 0).expect("ts");
            let slot = now + Duration::minutes(ahead_minutes);
            let plan = ReminderPlan { quiet_hours: QuietHours { start: hm(q_start, 0), end: hm(q_end, 0) }, ..ReminderPlan::default() };
            let got = plan.slot_notices(slot, now, z);
            for p in &got {
                prop_assert!(p.due_at >= now, "never in the past");
                prop_assert!(p.due_at < slot, "never after the start");
                if p.channel == Channel::Sms && p.notice != NoticeKind::Countdown {
                    prop_assert!(!plan.quiet_hours.is_quiet(p.due_at.with_timezone(&z.tz()).time()), "no SMS in quiet hours");
                }
            }
            // Each step goes out at most once per channel, and the countdown is always there
            // when more than an hour is left.
            let mut keys: Vec<(&str, &str)> = got.iter().map(|p| (p.notice.as_str(), p.channel.as_str())).collect();
            let n = keys.len();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), n);
            if ahead_minutes > 60 {
                prop_assert_eq!(got.iter().filter(|p| p.notice == NoticeKind::Countdown).count(), 2);
                prop_assert!(got.iter().filter(|p| p.notice == NoticeKind::Countdown).all(|p| p.due_at == slot - Duration::hours(1)));
            }
        }

        #[test]
        fn next_allowed_is_the_first_allowed_minute(secs in 1_700_000_000i64..1_900_000_000i64, zi in 0usize..5, s in 0u32..24, e in 0u32..24) {
            let zones = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago"];
            let z = zone(zones[zi]);
            let q = QuietHours { start: hm(s, 0), end: hm(e, 0) };
            let at = DateTime::from_timestamp(secs, 0).expect("ts");
            let allowed = q.next_allowed(at, z);
            prop_assert!(allowed >= at);
            prop_assert!(!q.is_quiet(allowed.with_timezone(&z.tz()).time()));
            prop_assert!(allowed - at <= Duration::hours(25));
            if allowed > at {
                // The minute before was still quiet (no allowed time skipped).
                let before = allowed - Duration::minutes(1);
                prop_assert!(before < at || q.is_quiet(before.with_timezone(&z.tz()).time()));
            }
        }
    }
}
