//! A recruiting season on the test clock, on SQLite and PostgreSQL: candidates who behave as
//! real ones do, driven day by day through the real links, forms and tracked links, with
//! e-mail, SMS and work chat on stand-ins. It checks what each candidate received and when,
//! that every notice's words about time are true when it is sent, that a notice which reached
//! nobody is never followed up as unread, that reading or acting clears a follow-up, and who is
//! on HR's call list each morning and why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use common::{Backend, TestApp};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration as StdDuration;
use support::{channels, token_after, Gateway, SmtpSink};
use turnout::reminders::Dispatcher;
use turnout_domain::{Channel, NoticeKind, SignalKind};
use turnout_store::{secret::new_token, MessageStatus, NewCandidate, NoticeMessage};

on_both_backends!(a_season_on_the_test_clock_tells_the_truth);

/// How a simulated candidate behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Persona {
    /// Never opens anything.
    Silent,
    /// Follows every link they receive at once, on any channel, and confirms early.
    Engaged,
    /// Reads only SMS: follows SMS links, never opens e-mail or work chat.
    SmsOnly,
    /// Ignores everything until the window's last morning, then opens the link and books that day.
    Late,
    /// Gave no e-mail, no phone, no work chat: no channel can reach them.
    Unreachable,
    /// Phone only, unknown to work chat: only SMS reaches them. Books the first day.
    PhoneOnly,
    /// Opens the link and declines at once.
    Decliner,
    /// Opens the invitation e-mail (its pixel) a day and a half later, never books.
    SlowReader,
}

impl Persona {
    const ALL: [Persona; 8] = [
        Persona::Silent,
        Persona::Engaged,
        Persona::SmsOnly,
        Persona::Late,
        Persona::Unreachable,
        Persona::PhoneOnly,
        Persona::Decliner,
        Persona::SlowReader,
    ];
}

struct Candidate {
    persona: Persona,
    id: i64,
    token: String,
    phone: Option<String>,
    email: Option<String>,
    work_chat: Option<String>,
    client: reqwest::Client,
    /// The slot booked, once booked: (id, start).
    slot: Option<(i64, DateTime<Utc>)>,
}

/// The call list's reasons, as HR reads them in English.
const HIGH_RISK: &str = "High attendance risk";
const UNREACHABLE: &str = "Cannot be reached by any channel";
const UNREAD: &str = "Notice unread";
const WINDOW_CLOSING: &str = "Unconfirmed, window closes within 24 hours";

struct Season {
    app: TestApp,
    smtp: SmtpSink,
    gw: Gateway,
    dispatcher: Dispatcher,
    hr: reqwest::Client,
    people: Vec<Candidate>,
    /// Every SMS, e-mail and work-chat message delivered, with the time it went out: (to, text, sent at).
    delivered: Vec<(String, String, DateTime<Utc>)>,
    mails_seen: usize,
    sms_seen: usize,
    chats_seen: usize,
}

impl Season {
    fn local(&self, t: DateTime<Utc>) -> chrono::NaiveDateTime {
        t.with_timezone(&self.app.zone.tz()).naive_local()
    }

    /// The instant of local `day` (0 = the day invitations go out) at `h`:`m`.
    fn at(&self, day: i64, h: u32, m: u32) -> DateTime<Utc> {
        let date = self.local(self.start()).date() + Duration::days(day);
        self.app
            .zone
            .tz()
            .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn start(&self) -> DateTime<Utc> {
        self.app.window.starts_at - Duration::hours(14)
    }

    fn who(&self, p: Persona) -> &Candidate {
        self.people.iter().find(|c| c.persona == p).unwrap()
    }

    fn by_id(&self, id: i64) -> &Candidate {
        self.people.iter().find(|c| c.id == id).unwrap()
    }

    /// Moves the clock to `t` and drains the outbox, noting what went out.
    async fn advance_to(&mut self, t: DateTime<Utc>) {
        self.app.set_now(t);
        loop {
            let r = self.dispatcher.tick().await.unwrap();
            if r.claimed == 0 {
                break;
            }
        }
        let sms = self.gw.sms_delivered();
        for s in &sms[self.sms_seen..] {
            self.delivered.push((s.to.clone(), s.text.clone(), t));
        }
        self.sms_seen = sms.len();
        let chats = self.gw.wecom_messages();
        for m in &chats[self.chats_seen..] {
            let to = m["touser"].as_str().unwrap_or_default().to_string();
            self.delivered.push((to, m["text"]["content"].as_str().unwrap_or_default().to_string(), t));
        }
        self.chats_seen = chats.len();
        let sent_mails = self.sent_count(Channel::Email).await;
        let mails = self.smtp.wait_for(sent_mails, StdDuration::from_secs(10)).await;
        for m in &mails[self.mails_seen..] {
            let text = format!("{}\n{}", m.subject, m.text.clone().unwrap_or_default());
            self.delivered.push((m.rcpt_tos[0].clone(), text, t));
        }
        self.mails_seen = mails.len();
    }

    async fn sent_count(&self, channel: Channel) -> usize {
        let ids: Vec<i64> = self.people.iter().map(|c| c.id).collect();
        let all = self.app.store.notice_messages(&ids).await.unwrap();
        all.iter().filter(|m| m.channel == channel && m.status == MessageStatus::Sent).count()
    }

    async fn messages(&self, p: Persona) -> Vec<NoticeMessage> {
        self.app.store.notice_messages(&[self.who(p).id]).await.unwrap()
    }

    /// SMS delivered to a persona since `since`.
    fn sms_to(&self, p: Persona, since: DateTime<Utc>) -> Vec<(String, DateTime<Utc>)> {
        let Some(phone) = self.who(p).phone.clone() else { return Vec::new() };
        self.delivered
            .iter()
            .filter(|(to, _, at)| *to == phone && *at >= since)
            .map(|(_, text, at)| (text.clone(), *at))
            .collect()
    }

    /// Follows the tracked link of a persona's SMS sent at or after `since`.
    async fn follow_sms(&self, p: Persona, since: DateTime<Utc>) {
        let phone = self.who(p).phone.clone().unwrap();
        let requests = self.gw.sms_delivered();
        let sms = requests.iter().rev().find(|s| s.to == phone).unwrap();
        assert!(self.sms_to(p, since).iter().any(|(text, _)| *text == sms.text), "{p:?} has a new SMS to follow");
        let token = token_after(&sms.link, "/t/c/").expect("a tracked link");
        let res = self.who(p).client.get(format!("{}/t/c/{token}", self.app.base)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{p:?} follows their SMS");
    }

    /// Follows the tracked link of a persona's latest e-mail.
    async fn follow_mail(&self, p: Persona) {
        let email = self.who(p).email.clone().unwrap();
        let mail = self.smtp.mails().into_iter().rev().find(|m| m.rcpt_tos.contains(&email)).unwrap();
        let res = self.who(p).client.get(format!("{}/t/c/{}", self.app.base, mail.click_token())).send().await.unwrap();
        assert_eq!(res.status(), 303);
    }

    async fn confirm(&mut self, p: Persona, slot: (i64, DateTime<Utc>)) {
        let c = self.who(p);
        let res = self.app.post_form(&c.client, "confirm", &[("slot", &slot.0.to_string())]).await;
        assert_eq!(res.status(), 200, "{p:?} confirms");
        self.people.iter_mut().find(|c| c.persona == p).unwrap().slot = Some(slot);
    }

    /// Today's call list, as HR sees it: candidate → the reasons shown.
    async fn call_list(&self) -> BTreeMap<Persona, BTreeSet<String>> {
        // An HR session lasts a working day: HR signs in each morning.
        let form = [("email", "hr@bank.example"), ("password", "a long password")];
        assert_eq!(self.app.post_form(&self.hr, "hr_login", &form).await.status(), 200);
        self.app.rate_due().await;
        let html = self.app.html_in(&self.hr, "/hr/calls", "en").await;
        let mut out = BTreeMap::new();
        for item in html.split("<li data-candidate=\"").skip(1) {
            let id: i64 = item.split('"').next().unwrap().parse().unwrap();
            let why = item.split("<p class=\"why\">").nth(1).unwrap().split("</p>").next().unwrap();
            let why = why.rsplit("</strong>").next().unwrap();
            out.insert(self.by_id(id).persona, why.split('；').map(str::to_string).collect());
        }
        out
    }
}

/// Says "today" / "tomorrow" only when true of the slot's local date, as seen at `sent`.
fn time_words_are_true(text: &str, sent: NaiveDate, slot: Option<NaiveDate>) -> Result<(), String> {
    let says = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if says(&["明天", "明日", "tomorrow", "Tomorrow"]) && slot != sent.succ_opt() {
        return Err(format!("says tomorrow, sent {sent}, slot {slot:?}: {text}"));
    }
    if says(&["今天", "今日", "today", "Today"]) && slot != Some(sent) {
        return Err(format!("says today, sent {sent}, slot {slot:?}: {text}"));
    }
    Ok(())
}

async fn a_season_on_the_test_clock_tells_the_truth(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let smtp = SmtpSink::start();
    let gw = Gateway::start().await;
    let dispatcher =
        Dispatcher::new(app.store.clone(), app.clock(), &app.base, &channels(Some(&smtp), Some(&gw), true, true)).unwrap();
    let hash = turnout_app::server::auth::hash_password("a long password").unwrap();
    app.store.upsert_hr_user("hr@bank.example", "HR", &hash, turnout_store::HrRole::Admin, None, app.now()).await.unwrap();
    let hr = TestApp::client();

    // The window is local days 1–3; a slot on each.
    let day1 = (app.slot_at(0, 14, 0, 10).await, 1);
    let day2 = (app.slot_at(1, 10, 0, 10).await, 2);
    let day3 = (app.slot_at(2, 15, 0, 10).await, 3);

    let mut people = Vec::new();
    for (i, persona) in Persona::ALL.into_iter().enumerate() {
        let n = i + 10;
        let (phone, email, work_chat) = match persona {
            Persona::Unreachable => (None, None, None),
            Persona::PhoneOnly => (Some(format!("139000000{n}")), None, None),
            _ => (Some(format!("139000000{n}")), Some(format!("c{n}@example.com")), Some(format!("wx-{n}"))),
        };
        let (token, hash) = new_token();
        let id = app
            .store
            .invite_candidate(
                app.campaign_id,
                &NewCandidate { full_name: format!("{persona:?}"), email: email.clone(), phone: phone.clone() },
                &hash,
                &app.window,
                app.now(),
            )
            .await
            .unwrap();
        app.store.set_work_chat_id(id, work_chat.as_deref()).await.unwrap();
        people.push(Candidate { persona, id, token, phone, email, work_chat, client: TestApp::client(), slot: None });
    }
    // Work chat falls back to the mobile number, which WeCom does not know for this one.
    let phone_only = people.iter().find(|c| c.persona == Persona::PhoneOnly).unwrap().phone.clone().unwrap();
    gw.state.wecom_unknown_users.lock().unwrap().insert(phone_only);

    let mut s =
        Season { app, smtp, gw, dispatcher, hr, people, delivered: Vec::new(), mails_seen: 0, sms_seen: 0, chats_seen: 0 };
    let t0 = s.app.now();
    assert_eq!(s.local(t0).time(), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    let slot_of = |s: &Season, (id, day): (i64, i64)| {
        let start = match day {
            1 => s.at(1, 14, 0),
            2 => s.at(2, 10, 0),
            _ => s.at(3, 15, 0),
        };
        (id, start)
    };
    let (day1, day2, day3) = (slot_of(&s, day1), slot_of(&s, day2), slot_of(&s, day3));

    // Who should be on the call list each morning (09:00 on days 1–3), and for which reasons
    // other than the model's rating. A high rating is allowed only for a candidate truly at
    // risk that morning (unconfirmed, unreachable, or silent since a notice reached them).
    let mut expected: BTreeMap<i64, BTreeMap<Persona, BTreeSet<&str>>> = BTreeMap::new();
    let set = |reasons: &[&'static str]| reasons.iter().copied().collect::<BTreeSet<_>>();
    expected.insert(1, BTreeMap::from([(Persona::Unreachable, set(&[UNREACHABLE]))]));
    expected.insert(
        2,
        BTreeMap::from([
            (Persona::Silent, set(&[UNREAD])),
            (Persona::Late, set(&[UNREAD])),
            (Persona::Unreachable, set(&[UNREACHABLE])),
        ]),
    );
    expected.insert(
        3,
        BTreeMap::from([
            (Persona::Silent, set(&[UNREAD, WINDOW_CLOSING])),
            (Persona::Unreachable, set(&[UNREACHABLE, WINDOW_CLOSING])),
            (Persona::SlowReader, set(&[WINDOW_CLOSING])),
        ]),
    );
    let mut listed = 0;
    let mut truly_at_risk = 0;

    // Day 0, 10:00: the invitations go out.
    s.advance_to(t0).await;
    for p in [Persona::Engaged, Persona::SmsOnly, Persona::Late, Persona::PhoneOnly, Persona::Decliner] {
        assert_eq!(s.sms_to(p, t0).len(), 1, "{p:?} got the invitation by SMS at once");
    }
    let skipped = s.messages(Persona::Unreachable).await;
    let invitation = skipped.iter().filter(|m| m.notice == NoticeKind::Invitation);
    assert!(invitation.clone().count() == 3 && invitation.clone().all(|m| m.status == MessageStatus::Skipped), "{skipped:?}");

    // Then the season runs in quarter hours, the candidates acting as they would.
    let end = s.app.window.ends_at;
    let mut t = t0;
    while t < end {
        t += Duration::minutes(15);
        s.advance_to(t).await;
        let local = s.local(t);
        let day = (local.date() - s.local(t0).date()).num_days();
        let hm = (local.time().format("%H:%M").to_string(), day);
        match (hm.0.as_str(), hm.1) {
            ("10:15", 0) => {
                s.follow_mail(Persona::Engaged).await;
                s.confirm(Persona::Engaged, day2).await;
                s.follow_sms(Persona::SmsOnly, t0).await;
                s.confirm(Persona::SmsOnly, day2).await;
                s.follow_sms(Persona::PhoneOnly, t0).await;
                s.confirm(Persona::PhoneOnly, day1).await;
                s.follow_sms(Persona::Decliner, t0).await;
                let res = s.app.post_form(&s.who(Persona::Decliner).client, "decline", &[("reason", "time_conflict")]).await;
                assert_eq!(res.status(), 200);
            }
            ("20:00", 1) => {
                // The slow reader's mail client loads the invitation's pixel.
                let email = s.who(Persona::SlowReader).email.clone().unwrap();
                let mail = s.smtp.mails().into_iter().find(|m| m.rcpt_tos.contains(&email)).unwrap();
                reqwest::get(format!("{}/t/o/{}", s.app.base, mail.open_token())).await.unwrap();
            }
            ("08:30", 3) => {
                let c = s.who(Persona::Late);
                let res = c.client.get(format!("{}/i/{}", s.app.base, c.token)).send().await.unwrap();
                assert_eq!(res.status(), 303);
                s.confirm(Persona::Late, day3).await;
            }
            ("09:00", 1..=3) => {
                let list = s.call_list().await;
                let want = &expected[&day];
                // Truly at risk that morning: not booked, or no channel reaches them.
                let at_risk = |p: &Persona| match day {
                    1 | 2 => matches!(p, Persona::Silent | Persona::Late | Persona::Unreachable | Persona::SlowReader),
                    _ => matches!(p, Persona::Silent | Persona::Unreachable | Persona::SlowReader),
                };
                for (p, reasons) in &list {
                    let mut reasons: BTreeSet<&str> = reasons.iter().map(String::as_str).collect();
                    reasons.remove(HIGH_RISK);
                    listed += 1;
                    truly_at_risk += usize::from(at_risk(p));
                    assert!(at_risk(p), "day {day}: {p:?} is on the call list with no true reason: {list:?}");
                    assert_eq!(reasons, want.get(p).cloned().unwrap_or_default(), "day {day}: {p:?}'s reasons: {list:?}");
                }
                for p in want.keys() {
                    assert!(list.contains_key(p), "day {day}: {p:?} should be on the call list: {list:?}");
                }
            }
            _ => {}
        }
        // What the actions caused goes out now; the readers of SMS follow each new one.
        s.advance_to(t).await;
        for p in [Persona::Engaged, Persona::SmsOnly, Persona::PhoneOnly] {
            if s.sms_to(p, t).iter().any(|(_, at)| *at == t) {
                s.follow_sms(p, t).await;
            }
        }
    }

    // What each received, and when.
    let at_local = |s: &Season, m: &NoticeMessage| m.sent_at.map(|t| s.local(t).format("%d %H:%M").to_string());
    let silent = s.messages(Persona::Silent).await;
    let follow_ups: Vec<_> =
        silent.iter().filter(|m| m.notice == NoticeKind::FollowUp && m.status == MessageStatus::Sent).collect();
    assert_eq!(follow_ups.len(), 1, "one important reminder for the unread invitation: {silent:?}");
    assert_eq!(at_local(&s, follow_ups[0]), Some(s.local(t0 + Duration::hours(24)).format("%d %H:%M").to_string()));
    // The phone-only candidate's detailed notice reached no one (no e-mail, work chat refused):
    // no follow-up, no unread signal, not unreachable (SMS reaches them).
    let phone_only = s.messages(Persona::PhoneOnly).await;
    let detailed: Vec<_> = phone_only.iter().filter(|m| m.notice == NoticeKind::Detailed).collect();
    assert!(detailed.iter().all(|m| matches!(m.status, MessageStatus::Skipped | MessageStatus::Failed)), "{detailed:?}");
    assert!(phone_only.iter().filter(|m| m.notice == NoticeKind::FollowUp).all(|m| m.status != MessageStatus::Sent));
    let signals = |id| s.app.store.signals_for_candidate(id);
    let unread_of =
        |sig: Vec<turnout_store::SignalRecord>| sig.into_iter().filter(|x| x.kind == SignalKind::ReminderUnread).count();
    assert_eq!(unread_of(signals(s.who(Persona::PhoneOnly).id).await.unwrap()), 0);
    assert_eq!(unread_of(signals(s.who(Persona::Unreachable).id).await.unwrap()), 0, "nothing reached them to go unread");
    assert_eq!(unread_of(signals(s.who(Persona::Engaged).id).await.unwrap()), 0);
    assert_eq!(unread_of(signals(s.who(Persona::SmsOnly).id).await.unwrap()), 0, "a later SMS read the e-mailed notice too");
    // The late candidate got the short notice at once on booking, and the countdown an hour before.
    let late = s.messages(Persona::Late).await;
    let sent_at = |kind, channel| late.iter().find(|m| m.notice == kind && m.channel == channel).and_then(|m| m.sent_at);
    assert_eq!(sent_at(NoticeKind::Short, Channel::Sms), Some(s.at(3, 8, 30)));
    assert_eq!(sent_at(NoticeKind::Countdown, Channel::Sms), Some(s.at(3, 14, 0)));
    // Nothing after a decline.
    let decliner = s.messages(Persona::Decliner).await;
    assert!(decliner.iter().all(|m| m.notice == NoticeKind::Invitation || m.status != MessageStatus::Sent), "{decliner:?}");

    // Every delivered SMS, e-mail and work-chat message speaks truly of time, judged at the moment it went out.
    let mut checked = 0;
    for (to, text, at) in &s.delivered {
        let addressed = |c: &&Candidate| [&c.phone, &c.email, &c.work_chat].into_iter().any(|a| a.as_deref() == Some(to));
        let c = s.people.iter().find(addressed).unwrap();
        let slot = c.slot.filter(|(_, start)| *start > *at).map(|(_, start)| s.local(start).date());
        if let Err(e) = time_words_are_true(text, s.local(*at).date(), slot) {
            panic!("{:?}: {e}", c.persona);
        }
        checked += 1;
    }
    assert!(checked >= 35, "{checked} messages checked");
    println!("call list precision on the simulated season: {truly_at_risk}/{listed}; {checked} messages checked for time words");
    assert_eq!(truly_at_risk, listed);
}
