//! Reminders end to end, on SQLite and PostgreSQL, against real providers on loopback: an
//! SMTP server (aiosmtpd), and an HTTP server standing in for the SMS gateway and WeCom.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use chrono::Duration;
use common::{Backend, TestApp};
use std::time::Duration as StdDuration;
use support::{channels, counts_by, Gateway, Reply, SmtpSink, SMS_SECRET};
use turnout::config::ReminderSettings;
use turnout::reminders::Dispatcher;
use turnout_domain::{Channel, NoticeKind, SignalKind, TokenHash};
use turnout_store::{secret::new_token, MessageStatus, NewCandidate, NoticeMessage};

on_both_backends!(
    a_three_day_plan_runs_through_every_channel_with_read_tracking,
    a_provider_outage_is_retried_until_delivery_and_a_dead_number_fails_once,
    no_notice_after_a_decline_and_notices_follow_a_reschedule,
    wecom_token_is_cached_and_refreshed_when_expired,
    a_killed_server_delivers_every_notice_once_after_restart,
    hr_sees_each_notice_per_channel_edits_the_plan_and_resends,
    two_dispatchers_never_claim_the_same_message,
    every_word_about_time_is_true_when_the_notice_is_sent,
    the_call_list_dials_e164_and_the_page_counts_places_in_words,
);

fn dispatcher(app: &TestApp, settings: &ReminderSettings) -> Dispatcher {
    Dispatcher::new(app.store.clone(), app.clock(), &app.base, settings).unwrap()
}

/// Invites a candidate with an e-mail address, a mobile number and a work-chat id.
async fn invite(app: &TestApp, name: &str, phone: &str) -> (i64, String) {
    let (token, hash) = new_token();
    let id = app
        .store
        .invite_candidate(
            app.campaign_id,
            &NewCandidate { full_name: name.into(), email: Some(format!("{phone}@example.com")), phone: Some(phone.into()) },
            &hash,
            &app.window,
            app.now(),
        )
        .await
        .unwrap();
    app.store.set_work_chat_id(id, Some(&format!("wx-{phone}"))).await.unwrap();
    (id, token)
}

async fn messages(app: &TestApp, candidate: i64) -> Vec<NoticeMessage> {
    app.store.notice_messages(&[candidate]).await.unwrap()
}

fn find(ms: &[NoticeMessage], notice: NoticeKind, channel: Channel) -> Vec<NoticeMessage> {
    ms.iter().filter(|m| m.notice == notice && m.channel == channel).cloned().collect()
}

async fn signals(app: &TestApp, candidate: i64, kind: SignalKind) -> Vec<serde_json::Value> {
    app.store.signals_for_candidate(candidate).await.unwrap().into_iter().filter(|s| s.kind == kind).map(|s| s.payload).collect()
}

async fn a_three_day_plan_runs_through_every_channel_with_read_tracking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let smtp = SmtpSink::start();
    let gw = Gateway::start().await;
    let d = dispatcher(&app, &channels(Some(&smtp), Some(&gw), true, true));
    let t0 = app.now(); // 10:00 in Shanghai
    let slot = app.slot_at(2, 10, 0, 5).await; // 72 hours later
    let (id, _) = invite(&app, "王芳", "13800000001").await;

    // The invitation goes out on all three channels at once.
    let r = d.tick().await.unwrap();
    assert_eq!((r.claimed, r.sent), (3, 3), "{r:?}");
    let mails = smtp.wait_for(1, StdDuration::from_secs(10)).await;
    let invitation = &mails[0];
    assert!(
        invitation.subject.contains("AI 视频面试邀请") && invitation.subject.contains("Invitation"),
        "{}",
        invitation.subject
    );
    assert_eq!(invitation.content_type, "multipart/alternative");
    assert_eq!(invitation.rcpt_tos, vec!["13800000001@example.com".to_string()]);
    assert!(invitation.to.contains("王芳"));
    assert!(invitation.message_id.contains(&invitation.idempotency_key) && invitation.idempotency_key.ends_with("-email"));
    let text = invitation.text.clone().unwrap();
    assert!(text.contains("测试银行") && text.contains("400-000-0000") && text.contains("用手机号登录"), "{text}");
    assert!(invitation.html.clone().unwrap().contains("/t/o/"), "the HTML has an open pixel");
    let sms = gw.sms_delivered();
    assert_eq!(sms.len(), 1);
    assert!(sms[0].signature_ok && sms[0].key == sms[0].header_key && sms[0].to == "13800000001");
    assert!(sms[0].text.contains("/t/c/") && !sms[0].important);
    let chat = gw.wecom_messages();
    assert_eq!(chat.len(), 1);
    assert_eq!(chat[0]["touser"], "wx-13800000001");
    assert_eq!(chat[0]["agentid"], 1000002);

    // The candidate follows the e-mail's link: recorded, and they land on their page holding
    // a cookie, with no token in the address.
    let client = TestApp::client();
    let res = client.get(format!("{}/t/c/{}", app.base, invitation.click_token())).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/invitation");
    assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("turnout_invitation="));
    let page = client.get(format!("{}/invitation", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("王芳"));
    let clicked = signals(&app, id, SignalKind::ReminderClicked).await;
    assert_eq!(clicked.len(), 1);
    assert_eq!((clicked[0]["notice"].as_str(), clicked[0]["channel"].as_str()), (Some("invitation"), Some("email")));
    assert_eq!(signals(&app, id, SignalKind::InvitationOpened).await.len(), 1);

    // Confirming through that cookie plans the notices before the slot; the detailed one
    // (due 72 hours before, i.e. now) goes out by e-mail and work chat.
    let res = app.post_form(&client, "confirm", &[("slot", &slot.to_string())]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let r = d.tick().await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    let mails = smtp.wait_for(2, StdDuration::from_secs(10)).await;
    let detailed = &mails[1];
    assert!(detailed.subject.contains("面试须知"), "{}", detailed.subject);
    assert!(detailed.text.clone().unwrap().contains("面试时间"));
    assert_eq!(d.tick().await.unwrap().claimed, 0, "nothing else is due yet");

    // The candidate has confirmed: the invitation's follow-up is dropped.
    let follow_up = find(&messages(&app, id).await, NoticeKind::FollowUp, Channel::Sms);
    assert_eq!(follow_up.len(), 2, "one for the invitation, one for the detailed notice");
    assert_eq!((follow_up[0].status, follow_up[0].last_error.as_deref()), (MessageStatus::Cancelled, Some("confirmed")));

    // A day later the detailed notice is still unread: an important SMS follows, the risk
    // signal is recorded and the candidate shows up as having an open unread follow-up.
    app.set_now(t0 + Duration::hours(24));
    let r = d.tick().await.unwrap();
    assert_eq!((r.claimed, r.sent), (1, 1), "{r:?}");
    let sms = gw.sms_delivered();
    assert_eq!(sms.len(), 2);
    assert!(sms[1].important && sms[1].text.contains("【重要】"), "{}", sms[1].text);
    let unread = signals(&app, id, SignalKind::ReminderUnread).await;
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0]["notice"], "detailed");
    let reads = app.store.notice_reads(&[id]).await.unwrap()[&id];
    assert_eq!((reads.sent, reads.read, reads.unread_follow_up_open), (3, 1, true));
    // The risk model counts the notices, and HR's call list shows the unread one.
    let row = app.store.follow_up_rows(turnout_store::RiskScope::Candidate(id), app.now()).await.unwrap().remove(0);
    assert_eq!((row.facts.reminders_sent, row.facts.reminders_read, row.unread_notice), (3, 1, true));
    let hash = turnout_app::server::auth::hash_password("a long password").unwrap();
    app.store.upsert_hr_user("hr@bank.example", "HR", &hash, turnout_store::HrRole::Admin, None, app.now()).await.unwrap();
    let hr = TestApp::client();
    app.post_form(&hr, "hr_login", &[("email", "hr@bank.example"), ("password", "a long password")]).await;
    app.rate_due().await;
    let calls = hr.get(format!("{}/hr/calls", app.base)).send().await.unwrap().text().await.unwrap();
    let item =
        calls.split("<li data-candidate=").find(|i| i.contains(&format!("/hr/candidates/{id}\""))).expect("on the call list");
    assert!(item.contains("通知未读"), "{item}");

    // Opening the detailed mail (its pixel) marks it read and closes the follow-up.
    let res = reqwest::get(format!("{}/t/o/{}", app.base, detailed.open_token())).await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/gif");
    reqwest::get(format!("{}/t/o/{}", app.base, detailed.open_token())).await.unwrap();
    let opened = signals(&app, id, SignalKind::ReminderOpened).await;
    assert_eq!(opened.len(), 1, "an open counts once per message");
    assert_eq!((opened[0]["notice"].as_str(), opened[0]["channel"].as_str()), (Some("detailed"), Some("email")));
    // Seen after every notice so far reached them, the candidate has read all three (the
    // follow-up SMS included): one meaning of "read" for the page, the model and the list.
    let reads = app.store.notice_reads(&[id]).await.unwrap()[&id];
    assert_eq!((reads.sent, reads.read, reads.unread_follow_up_open), (3, 3, false));
    let row = app.store.follow_up_rows(turnout_store::RiskScope::Candidate(id), app.now()).await.unwrap().remove(0);
    assert_eq!((row.facts.reminders_sent, row.facts.reminders_read, row.unread_notice), (3, 3, false));

    // 24 hours before: the short SMS with the time.
    app.set_now(t0 + Duration::hours(48));
    assert_eq!(d.tick().await.unwrap().sent, 1);
    let sms = gw.sms_delivered();
    assert_eq!(sms.len(), 3);
    assert!(sms[2].text.contains("10:00") && !sms[2].important, "{}", sms[2].text);

    // One hour before: the countdown on work chat and SMS; its link leads to the device check.
    app.set_now(t0 + Duration::hours(71));
    assert_eq!(d.tick().await.unwrap().sent, 2);
    let sms = gw.sms_delivered();
    assert_eq!(sms.len(), 4);
    assert!(sms[3].text.contains("1 小时"), "{}", sms[3].text);
    let token = support::token_after(&sms[3].link, "/t/c/").unwrap();
    let res = TestApp::client().get(format!("{}/t/c/{token}", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/invitation/check");
    assert_eq!(gw.wecom_messages().len(), 3);

    // After the interview nothing more goes out, and nothing went out twice.
    app.set_now(t0 + Duration::hours(80));
    assert_eq!(d.tick().await.unwrap().claimed, 0);
    assert_eq!(smtp.mails().len(), 2);
    assert!(counts_by(&gw.sms_requests(), |r| r.key.clone()).values().all(|n| *n == 1));
    assert!(counts_by(&smtp.mails(), |m| m.message_id.clone()).values().all(|n| *n == 1));
    let sent = signals(&app, id, SignalKind::ReminderSent).await;
    assert_eq!(sent.len(), 9, "3 invitation + 2 detailed + follow-up + short + 2 countdown");
    let ms = messages(&app, id).await;
    assert!(ms.iter().all(|m| matches!(m.status, MessageStatus::Sent | MessageStatus::Cancelled)), "{ms:?}");

    // Reissuing the candidate's link revokes the links in their notices, and the cookie one of
    // them left behind.
    app.set_now(t0 + Duration::hours(2));
    let (_, fresh) = new_token();
    app.store.reissue_link(id, &fresh, turnout_domain::SignalSource::Hr, app.now()).await.unwrap();
    let res = TestApp::client().get(format!("{}/t/c/{}", app.base, detailed.click_token())).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = client.get(format!("{}/invitation", app.base)).send().await.unwrap();
    assert!(!res.text().await.unwrap().contains("王芳"), "the old cookie no longer opens the invitation");
}

async fn a_provider_outage_is_retried_until_delivery_and_a_dead_number_fails_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    // Only SMS is configured: e-mail and work-chat notices are recorded as skipped.
    let d = dispatcher(&app, &channels(None, Some(&gw), true, false));
    gw.state.sms_script.lock().unwrap().extend([Reply::Status(503), Reply::Status(502), Reply::Hang(StdDuration::from_secs(4))]);
    gw.state.sms_down_for.lock().unwrap().insert("13800000099".into());
    let (a, _) = invite(&app, "李雷", "13800000002").await;

    let r = d.tick().await.unwrap();
    assert_eq!((r.retried, r.skipped), (1, 2), "{r:?}");
    assert_eq!(d.tick().await.unwrap().claimed, 0, "a retry waits for its backoff");
    for _ in 0..5 {
        app.set_now(app.now() + Duration::hours(2));
        if d.tick().await.unwrap().sent == 1 {
            break;
        }
    }
    let requests: Vec<_> = gw.sms_requests().into_iter().filter(|r| r.to == "13800000002").collect();
    assert_eq!(requests.len(), 4, "503, 502, a timeout, then delivery");
    assert!(requests.iter().all(|r| r.signature_ok && r.key == requests[0].key && r.header_key == r.key));
    assert_eq!(gw.sms_delivered().len(), 1);
    let ms = messages(&app, a).await;
    let sms = find(&ms, NoticeKind::Invitation, Channel::Sms);
    assert_eq!((sms[0].status, sms[0].attempts), (MessageStatus::Sent, 4));
    for channel in [Channel::Email, Channel::WorkChat] {
        let m = &find(&ms, NoticeKind::Invitation, channel)[0];
        assert_eq!(m.status, MessageStatus::Skipped);
        assert_eq!(m.last_error.as_deref(), Some("channel not configured"));
    }
    assert_eq!(signals(&app, a, SignalKind::ReminderSent).await.len(), 1);
    assert!(signals(&app, a, SignalKind::ReminderFailed).await.is_empty());

    // A number the gateway always refuses: six attempts, then one failure signal.
    let (b, _) = invite(&app, "韩梅梅", "13800000099").await;
    for _ in 0..8 {
        d.tick().await.unwrap();
        app.set_now(app.now() + Duration::hours(2));
    }
    assert_eq!(gw.sms_requests().iter().filter(|r| r.to == "13800000099").count(), 6);
    let failed = signals(&app, b, SignalKind::ReminderFailed).await;
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0]["channel"].as_str(), failed[0]["attempt"].as_u64()), (Some("sms"), Some(6)));
    assert!(failed[0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(find(&messages(&app, b).await, NoticeKind::Invitation, Channel::Sms)[0].status, MessageStatus::Failed);
}

async fn no_notice_after_a_decline_and_notices_follow_a_reschedule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    let d = dispatcher(&app, &channels(None, Some(&gw), true, true));
    let t0 = app.now();
    let morning = app.slot_at(2, 10, 0, 5).await;
    let afternoon = app.slot_at(2, 16, 0, 5).await;
    let (declines, token_a) = invite(&app, "张三", "13800000010").await;
    let (moves, token_b) = invite(&app, "李四", "13800000011").await;
    d.tick().await.unwrap();
    for token in [&token_a, &token_b] {
        app.store.confirm_slot(&TokenHash::of(token), morning, t0).await.unwrap();
    }
    d.tick().await.unwrap();

    // One declines an hour later; the other moves to the afternoon.
    app.set_now(t0 + Duration::hours(1));
    let note = turnout_domain::DeclineNote::parse(turnout_domain::DeclineReason::TimeConflict, "").unwrap();
    app.store
        .decline(
            &TokenHash::of(&token_a),
            &turnout_store::Decline { reason: turnout_domain::DeclineReason::TimeConflict, note },
            app.now(),
        )
        .await
        .unwrap();
    app.store.confirm_slot(&TokenHash::of(&token_b), afternoon, app.now()).await.unwrap();
    let declined_at = app.now();

    for hours in [2, 6, 24, 30, 48, 54, 71, 77, 90] {
        app.set_now(t0 + Duration::hours(hours));
        d.tick().await.unwrap();
    }
    // Nothing reached the one who declined after the decline.
    let after: Vec<_> = app
        .store
        .signals_for_candidate(declines)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.kind == SignalKind::ReminderSent && s.occurred_at > declined_at)
        .collect();
    assert!(after.is_empty(), "{after:?}");
    let ms = messages(&app, declines).await;
    assert!(ms.iter().filter(|m| m.due_at > declined_at).all(|m| m.status == MessageStatus::Cancelled), "{ms:?}");
    assert_eq!(gw.sms_delivered().iter().filter(|s| s.to == "13800000010").count(), 1, "only the invitation");

    // The one who moved got the short and countdown notices for the afternoon, not the morning.
    let ms = messages(&app, moves).await;
    let afternoon_start = app.store.slot(afternoon).await.unwrap().starts_at;
    let morning_start = app.store.slot(morning).await.unwrap().starts_at;
    let short = find(&ms, NoticeKind::Short, Channel::Sms);
    assert_eq!(short.len(), 2);
    assert_eq!((short[0].status, short[0].due_at), (MessageStatus::Cancelled, morning_start - Duration::hours(24)));
    assert_eq!((short[1].status, short[1].due_at), (MessageStatus::Sent, afternoon_start - Duration::hours(24)));
    let countdown: Vec<_> =
        find(&ms, NoticeKind::Countdown, Channel::Sms).into_iter().filter(|m| m.status == MessageStatus::Sent).collect();
    assert_eq!(countdown.len(), 1);
    assert_eq!(countdown[0].due_at, afternoon_start - Duration::hours(1));
    let texts: Vec<String> = gw.sms_delivered().into_iter().filter(|s| s.to == "13800000011").map(|s| s.text).collect();
    assert!(texts.iter().any(|t| t.contains("16:00")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("10:00–")), "{texts:?}");
}

async fn wecom_token_is_cached_and_refreshed_when_expired(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    let d = dispatcher(&app, &channels(None, Some(&gw), false, true));
    invite(&app, "赵六", "13800000020").await;
    assert_eq!(d.tick().await.unwrap().sent, 1);
    invite(&app, "钱七", "13800000021").await;
    assert_eq!(d.tick().await.unwrap().sent, 1);
    assert_eq!(gw.state.wecom_tokens.load(std::sync::atomic::Ordering::SeqCst), 1, "the token is cached");
    gw.state.wecom_expire_next.store(true, std::sync::atomic::Ordering::SeqCst);
    invite(&app, "孙八", "13800000022").await;
    assert_eq!(d.tick().await.unwrap().sent, 1, "an expired token is refreshed and the message resent");
    assert_eq!(gw.state.wecom_tokens.load(std::sync::atomic::Ordering::SeqCst), 2);
    let chat = gw.wecom_messages();
    assert_eq!(chat.len(), 3);
    assert_eq!(chat[2]["touser"], "wx-13800000022");
    assert_eq!(chat[2]["msgtype"], "text");
    assert!(chat[2]["text"]["content"].as_str().unwrap().contains("/t/c/"));
}

async fn a_killed_server_delivers_every_notice_once_after_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    *gw.state.sms_delay.lock().unwrap() = StdDuration::from_millis(150);
    // The real server runs on the system clock: SMS only, no quiet hours, sent from now.
    let plan = turnout_domain::ReminderPlan {
        invitation_channels: vec![Channel::Sms],
        quiet_hours: turnout_domain::reminder::QuietHours::parse("00:00", "00:00").unwrap(),
        ..Default::default()
    };
    app.store.set_reminder_plan(app.campaign_id, &plan, app.now()).await.unwrap();
    let real_now = chrono::Utc::now() - Duration::minutes(1);
    let window = turnout_domain::InvitationWindow::starting_day_after(real_now, app.zone, turnout_domain::WindowDays::DEFAULT);
    let total = 40;
    for i in 0..total {
        let (_, hash) = new_token();
        app.store
            .invite_candidate(
                app.campaign_id,
                &NewCandidate { full_name: format!("候选人{i}"), email: None, phone: Some(format!("1390000{i:04}")) },
                &hash,
                &window,
                real_now,
            )
            .await
            .unwrap();
    }
    let serve = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_turnout"))
            .arg("serve")
            .env("DATABASE_URL", &app.url)
            .env("TURNOUT_ADDR", format!("127.0.0.1:{port}"))
            .env("TURNOUT_SMS_URL", format!("{}/sms", gw.base))
            .env("TURNOUT_SMS_KEY", "acct-1")
            .env("TURNOUT_SMS_SECRET", SMS_SECRET)
            .env("TURNOUT_DISPATCH_INTERVAL_SECS", "1")
            .env("TURNOUT_DISPATCH_LEASE_SECS", "2")
            .env("TURNOUT_PROVIDER_TIMEOUT_SECS", "1")
            .env("TURNOUT_DISPATCH_BATCH", "4")
            .env("TURNOUT_DISPATCH_CONCURRENCY", "4")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut first = serve(port);
    // Kill it (SIGKILL, no goodbye) while a batch is with the provider.
    let started = std::time::Instant::now();
    while gw.sms_requests().len() < 6 {
        assert!(started.elapsed() < StdDuration::from_secs(60), "the server never started sending");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let before_restart = gw.sms_delivered().len();
    assert!(before_restart < total, "the server was killed before it finished");

    let mut second = serve(port);
    let started = std::time::Instant::now();
    let everyone: Vec<i64> = app
        .store
        .follow_up_rows(turnout_store::RiskScope::Campaign(app.campaign_id), app.now())
        .await
        .unwrap()
        .iter()
        .map(|r| r.candidate_id)
        .collect();
    loop {
        let done = app.store.notice_reads(&everyone).await.unwrap().values().filter(|r| r.sent == 1).count();
        if done == total {
            break;
        }
        assert!(started.elapsed() < StdDuration::from_secs(90), "only {done} of {total} notices were marked sent");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let delivered = gw.sms_delivered();
    assert_eq!(delivered.len(), total, "every notice delivered");
    assert!(counts_by(&delivered, |r| r.to.clone()).values().all(|n| *n == 1), "to each candidate once");
    let requests = gw.sms_requests();
    assert!(requests.len() > total, "some messages were in flight at the kill and were sent again with their key");
    // Exactly one sent signal per message, whatever happened in between.
    for id in app.store.candidate_ids(app.campaign_id).await.unwrap() {
        assert_eq!(signals(&app, id, SignalKind::ReminderSent).await.len(), 1);
    }
}

async fn hr_sees_each_notice_per_channel_edits_the_plan_and_resends(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    let mut settings = channels(None, Some(&gw), true, false);
    settings.dispatch.max_attempts = 1;
    let d = dispatcher(&app, &settings);
    gw.state.sms_down_for.lock().unwrap().insert("13800000031".into());
    let (reader, _) = invite(&app, "周一", "13800000030").await;
    let (unreached, _) = invite(&app, "吴二", "13800000031").await;
    d.tick().await.unwrap();
    let sms = gw.sms_delivered();
    let token = support::token_after(&sms[0].link, "/t/c/").unwrap();
    TestApp::client().get(format!("{}/t/c/{token}", app.base)).send().await.unwrap();

    let hash = turnout_app::server::auth::hash_password("a long password").unwrap();
    app.store.upsert_hr_user("hr@bank.example", "HR", &hash, turnout_store::HrRole::Admin, None, app.now()).await.unwrap();
    app.store.upsert_hr_user("ro@bank.example", "RO", &hash, turnout_store::HrRole::ReadOnly, None, app.now()).await.unwrap();
    let hr = TestApp::client();
    let res = app.post_form(&hr, "hr_login", &[("email", "hr@bank.example"), ("password", "a long password")]).await;
    assert_eq!(res.status(), 200);
    let status = app.html_in(&hr, &format!("/hr/campaigns/{}", app.campaign_id), "zh-CN").await;
    assert!(status.contains(&format!("/hr/campaigns/{}/notices", app.campaign_id)), "the status page links to notices");

    let page = app.html_in(&hr, &format!("/hr/campaigns/{}/notices", app.campaign_id), "zh-CN").await;
    for expected in ["周一", "吴二", "已发送", "发送失败", "未发送（渠道未配置或无联系方式）", "已点击", "提醒计划", "1 / 1"]
    {
        assert!(page.contains(expected), "the notices page shows {expected}");
    }
    let page = app.html_in(&hr, &format!("/hr/campaigns/{}/notices?q=%E5%90%B4", app.campaign_id), "en").await;
    assert!(page.contains("Failed") && !page.contains("周一"), "the search filters candidates");

    // A plan with a value out of range is refused with a clear message and changes nothing.
    let form = |unread: &'static str| {
        vec![
            ("campaign", app.campaign_id.to_string()),
            ("invitation_email", "on".into()),
            ("invitation_sms", "on".into()),
            ("detailed_hours", "48".into()),
            ("detailed_email", "on".into()),
            ("short_hours", "24".into()),
            ("short_sms", "on".into()),
            ("countdown_hours", "2".into()),
            ("countdown_sms", "on".into()),
            ("unread_hours", unread.into()),
            ("quiet_start", "21:00".into()),
            ("quiet_end", "09:00".into()),
        ]
    };
    let post = |endpoint: &'static str, client: &reqwest::Client, body: Vec<(&'static str, String)>| {
        client.post(format!("{}/api/{endpoint}", app.base)).header("accept", "text/html").form(&body).send()
    };
    let res = post("hr_save_plan", &hr, form("500")).await.unwrap();
    assert_eq!(res.headers()["location"], format!("/hr/campaigns/{}/notices?done=invalid-unread", app.campaign_id));
    assert_eq!(app.store.reminder_plan(app.campaign_id).await.unwrap(), turnout_domain::ReminderPlan::default());
    let page = app.html_in(&hr, res.headers()["location"].to_str().unwrap(), "zh-CN").await;
    assert!(page.contains("未读跟进须在 1 至 168 小时之间"));
    let res = post("hr_save_plan", &hr, form("12")).await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().ends_with("done=saved"));
    let plan = app.store.reminder_plan(app.campaign_id).await.unwrap();
    assert_eq!(plan.invitation_channels, vec![Channel::Email, Channel::Sms]);
    assert_eq!(plan.step(NoticeKind::Countdown).map(|s| (s.minutes_before, s.channels.clone())), Some((120, vec![Channel::Sms])));
    assert_eq!(plan.unread_after_minutes, 12 * 60);

    // Resend by SMS to the candidates matching a search: only 周一.
    let body = vec![("campaign", app.campaign_id.to_string()), ("q", "周一".into()), ("sms", "on".into())];
    let res = post("hr_resend", &hr, body.clone()).await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().contains("done=resent-1"), "{:?}", res.headers()["location"]);
    assert_eq!(d.tick().await.unwrap().sent, 1);
    let resent = find(&messages(&app, reader).await, NoticeKind::Resend, Channel::Sms);
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0].status, MessageStatus::Sent);
    assert_eq!(gw.sms_delivered().iter().filter(|s| s.to == "13800000030").count(), 2);

    // A day on, the invitation 周一 read needs no follow-up; nor does 吴二's, which reached
    // nobody: not "unread", but a candidate no channel can reach.
    app.set_now(app.now() + Duration::hours(25));
    d.tick().await.unwrap();
    let read_follow_up = find(&messages(&app, reader).await, NoticeKind::FollowUp, Channel::Sms);
    assert_eq!(read_follow_up[0].status, MessageStatus::Cancelled);
    assert_eq!(read_follow_up[0].last_error.as_deref(), Some("the notice was read"));
    // (The resent notice, unread for the plan's new 12 hours, is followed up in its turn.)
    let reader_unread: Vec<_> =
        signals(&app, reader, SignalKind::ReminderUnread).await.into_iter().map(|p| p["notice"].clone()).collect();
    assert_eq!(reader_unread, vec![serde_json::json!("resend")]);
    assert!(signals(&app, unreached, SignalKind::ReminderUnread).await.is_empty());
    let unreached_follow_up = find(&messages(&app, unreached).await, NoticeKind::FollowUp, Channel::Sms);
    assert_eq!(unreached_follow_up[0].status, MessageStatus::Cancelled);
    assert_eq!(unreached_follow_up[0].last_error.as_deref(), Some("the notice reached no one on any channel"));
    let unreached_reads = app.store.notice_reads(&[unreached]).await.unwrap()[&unreached];
    assert_eq!((unreached_reads.unread_follow_up_open, unreached_reads.unreachable), (false, true));
    let row = app.store.follow_up_rows(turnout_store::RiskScope::Candidate(unreached), app.now()).await.unwrap().remove(0);
    assert_eq!((row.unread_notice, row.unreachable), (false, true));

    // Read-only HR may look but not resend.
    let ro = TestApp::client();
    app.post_form(&ro, "hr_login", &[("email", "ro@bank.example"), ("password", "a long password")]).await;
    let res = app.post_form(&ro, "hr_resend", &[("campaign", &app.campaign_id.to_string()), ("sms", "on")]).await;
    assert_eq!(res.status(), 403);
}

async fn two_dispatchers_never_claim_the_same_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    *gw.state.sms_delay.lock().unwrap() = StdDuration::from_millis(20);
    let plan = turnout_domain::ReminderPlan { invitation_channels: vec![Channel::Sms], ..Default::default() };
    app.store.set_reminder_plan(app.campaign_id, &plan, app.now()).await.unwrap();
    let total = 120;
    for i in 0..total {
        invite(&app, &format!("并发{i}"), &format!("1370000{i:04}")).await;
    }
    // Two servers' dispatchers, each with its own connection pool, drain the same outbox.
    let mut settings = channels(None, Some(&gw), true, false);
    settings.dispatch.batch = 10;
    let other_store = turnout_store::Store::connect(&app.url).await.unwrap();
    let one = dispatcher(&app, &settings);
    let two = Dispatcher::new(other_store, app.clock(), &app.base, &settings).unwrap();
    let (a, b) = tokio::join!(one.drain(), two.drain());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, total, "{a:?} {b:?}");
    assert!(a.sent > 0 && b.sent > 0, "both took part: {a:?} {b:?}");
    let requests = gw.sms_requests();
    assert_eq!(requests.len(), total, "no message was handed to the gateway twice");
    assert!(counts_by(&requests, |r| r.key.clone()).values().all(|n| *n == 1));
}

/// A local wall-clock time on window day `day` (0-based) in the campaign's zone.
fn local_time(app: &TestApp, day: usize, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone as _;
    let date = app.window.local_days()[day];
    app.zone.tz().from_local_datetime(&date.and_hms_opt(hour, minute, 0).unwrap()).earliest().unwrap().with_timezone(&chrono::Utc)
}

async fn every_word_about_time_is_true_when_the_notice_is_sent(backend: Backend) {
    use turnout_app::i18n::Locale;
    use turnout_app::server::format;
    let app = TestApp::spawn(backend).await;
    let gw = Gateway::start().await;
    let d = dispatcher(&app, &channels(None, Some(&gw), true, true));
    let afternoon = app.slot_at(1, 16, 0, 5).await;
    let evening = app.slot_at(1, 18, 30, 5).await;
    let (early, token_early) = invite(&app, "林早", "13800000040").await;
    let (late, token_late) = invite(&app, "林晚", "13800000041").await;
    let sms_to = |to: &str| gw.sms_delivered().into_iter().filter(|s| s.to == to).map(|s| s.text).collect::<Vec<_>>();

    // The invitation gives the window's last day, not the midnight after it.
    d.tick().await.unwrap();
    let invitation = sms_to("13800000040").remove(0);
    let last_day_en = format::day(app.window.last_day(), Locale::En);
    let last_day_zh = format::day(app.window.last_day(), Locale::ZhCn);
    assert!(invitation.contains(&format!("by the end of {last_day_en}")), "{invitation}");
    assert!(invitation.contains(&format!("请在 {last_day_zh} 当天结束前选择面试时间")), "{invitation}");
    assert!(!invitation.contains("00:00"), "{invitation}");

    // At 20:00 the day before, one confirms for 16:00 tomorrow (20 hours ahead): the short
    // SMS goes out at once and says tomorrow, which it is.
    app.set_now(local_time(&app, 0, 20, 0));
    app.store.confirm_slot(&TokenHash::of(&token_early), afternoon, app.now()).await.unwrap();
    d.tick().await.unwrap();
    let short = sms_to("13800000040").into_iter().find(|t| t.contains("提醒您")).expect("the short SMS");
    assert!(short.contains("明天 16:00") && short.contains("tomorrow at 16:00"), "{short}");

    // At 22:30 the other confirms for 18:30 tomorrow (20 hours ahead). Quiet hours hold the
    // short SMS until 08:00, the interview day itself: it must say today, not tomorrow.
    app.set_now(local_time(&app, 0, 22, 30));
    app.store.confirm_slot(&TokenHash::of(&token_late), evening, app.now()).await.unwrap();
    d.tick().await.unwrap();
    let reminded = |to: &str| sms_to(to).into_iter().filter(|t| t.contains("提醒您")).collect::<Vec<_>>();
    assert!(reminded("13800000041").is_empty(), "no short SMS in quiet hours");
    app.set_now(local_time(&app, 1, 8, 0));
    d.tick().await.unwrap();
    let short = reminded("13800000041").pop().expect("the short SMS at 08:00");
    assert!(short.contains("今天 18:30") && short.contains("today at 18:30"), "{short}");
    assert!(!short.contains("明天") && !short.contains("明日") && !short.contains("tomorrow"), "{short}");
    let ms = messages(&app, late).await;
    let sent = find(&ms, NoticeKind::Short, Channel::Sms);
    assert_eq!((sent.len(), sent[0].status), (1, MessageStatus::Sent));

    // The countdown, due an hour before, goes out 45 minutes before (say, after a retry): it
    // says 45 minutes on both channels, never "1 hour".
    app.set_now(local_time(&app, 1, 17, 45));
    d.tick().await.unwrap();
    let countdown = sms_to("13800000041").into_iter().find(|t| t.contains("检查摄像头")).expect("the countdown SMS");
    assert!(countdown.contains("45 分钟后开始") && countdown.contains("starts in 45 minutes"), "{countdown}");
    assert!(!countdown.contains("1 小时") && !countdown.contains("1 hour"), "{countdown}");
    let chat = gw.wecom_messages();
    let chat = chat.iter().rev().find(|m| m["touser"] == "wx-13800000041").unwrap()["text"]["content"].as_str().unwrap();
    assert!(chat.contains("45 分钟后") && chat.contains("in 45 minutes") && !chat.contains("1 小时"), "{chat}");
    assert!(chat.contains("18:30–19:00"), "the local time is given with the minutes: {chat}");
    // The one whose interview started at 16:00 got no countdown this late.
    assert!(sms_to("13800000040").iter().all(|t| !t.contains("检查摄像头")), "{:?}", sms_to("13800000040"));
    assert!(signals(&app, early, SignalKind::ReminderSent).await.len() >= 2);
}

async fn the_call_list_dials_e164_and_the_page_counts_places_in_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.slot_at(1, 10, 0, 1).await;
    app.slot_at(1, 11, 0, 2).await;
    let (hash_token, hash) = new_token();
    let id = app
        .store
        .invite_candidate(
            app.campaign_id,
            &NewCandidate { full_name: "黄拨号".into(), email: None, phone: Some("(+86)13900131001".into()) },
            &hash,
            &app.window,
            app.now(),
        )
        .await
        .unwrap();

    // The candidate's page: one place is a place, two are places.
    let client = app.open(&hash_token).await;
    let page = app.html_in(&client, "/invitation", "en").await;
    assert!(page.contains("1 place left") && page.contains("2 places left"), "{page}");
    assert!(!page.contains("1 places left"));
    let page = app.html_in(&client, "/invitation", "zh-CN").await;
    assert!(page.contains("剩余 1 个名额") && page.contains("剩余 2 个名额"));

    // Twelve hours before the window closes with no slot taken, HR is to phone them: the link
    // dials the number in E.164 form.
    app.set_now(app.window.ends_at - Duration::hours(12));
    let hash = turnout_app::server::auth::hash_password("a long password").unwrap();
    app.store.upsert_hr_user("hr@bank.example", "HR", &hash, turnout_store::HrRole::Admin, None, app.now()).await.unwrap();
    let hr = TestApp::client();
    app.post_form(&hr, "hr_login", &[("email", "hr@bank.example"), ("password", "a long password")]).await;
    app.rate_due().await;
    let calls = app.html_in(&hr, "/hr/calls", "zh-CN").await;
    assert!(calls.contains(&format!("/hr/candidates/{id}\"")), "on the call list: {calls}");
    assert!(calls.contains("href=\"tel:+8613900131001\""), "{calls}");
    assert!(!calls.contains("tel:("), "{calls}");
}
