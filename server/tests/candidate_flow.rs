//! The candidate journey through the real router, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{Backend, TestApp};
use turnout_domain::{InvitationState, ReschedulePolicy, SignalKind};

on_both_backends!(
    health_check_answers,
    opening_a_link_sets_a_cookie_and_drops_the_token_from_the_url,
    unknown_malformed_and_expired_links_are_not_valid,
    confirming_books_a_place_and_is_idempotent,
    plain_form_posts_redirect_with_the_outcome,
    a_full_slot_is_refused_with_its_availability,
    fifty_concurrent_confirmations_never_overbook_a_single_place,
    fifty_concurrent_confirmations_never_overbook_five_places,
    sixty_pairs_moving_crosswise_at_once_are_never_refused,
    rescheduling_follows_the_policy,
    declining_releases_the_slot_and_closes_the_invitation,
    bad_input_is_refused_and_changes_nothing,
    the_calendar_file_holds_the_booked_slot,
    signals_are_append_only,
    the_page_speaks_the_readers_language,
    malformed_forms_come_back_to_their_page_with_a_message,
    text_that_cannot_be_stored_as_sent_is_refused,
    a_language_switch_only_returns_to_this_site,
    pages_with_personal_data_are_never_stored,
);

async fn signal_kinds(app: &TestApp, candidate: i64) -> Vec<SignalKind> {
    app.store.signals_for_candidate(candidate).await.unwrap().into_iter().map(|s| s.kind).collect()
}

async fn state_of(app: &TestApp, token: &str) -> InvitationState {
    let (inv, _) = app.store.invitation_by_token(&turnout_domain::TokenHash::of(token)).await.unwrap().unwrap();
    inv.state
}

async fn health_check_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
}

async fn opening_a_link_sets_a_cookie_and_drops_the_token_from_the_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.slot_at(0, 10, 0, 3).await;
    let (id, token) = app.invite("李雷").await;
    let client = TestApp::client();
    let res = client.get(format!("{}/i/{token}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/invitation");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(state_of(&app, &token).await, InvitationState::Opened);
    assert_eq!(signal_kinds(&app, id).await, vec![SignalKind::InvitationIssued, SignalKind::InvitationOpened]);

    let page = client.get(format!("{}/invitation", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains("李雷，你好"), "greets the candidate");
    assert!(html.contains("剩余 3 个名额"), "shows places left");
    assert!(!html.contains(&token), "the token never appears in the page");
}

async fn unknown_malformed_and_expired_links_are_not_valid(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("韩梅梅").await;
    for bad in ["A".repeat(43), "short".to_string(), format!("{}x", &token[..42])] {
        let res = TestApp::client().get(format!("{}/i/{bad}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{bad}");
        let html = res.text().await.unwrap();
        assert!(html.contains("此链接无效"));
        assert!(!html.contains("韩梅梅") && !html.contains("测试银行"), "reveals nothing");
    }
    // Without a cookie the invitation page is the same plain refusal.
    let res = TestApp::client().get(format!("{}/invitation", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // Once the window has ended the link stops working.
    app.set_now(app.window.ends_at + Duration::minutes(1));
    let res = TestApp::client().get(format!("{}/i/{token}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

async fn confirming_books_a_place_and_is_idempotent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(1, 9, 0, 3).await;
    let (id, token) = app.invite("王芳").await;
    let c = app.open(&token).await;
    let res = app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "\"Confirmed\"");
    assert_eq!(app.booked(slot).await, 1);
    assert_eq!(state_of(&app, &token).await, InvitationState::Confirmed);
    // The same slot again: nothing changes.
    let res = app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.booked(slot).await, 1);
    assert_eq!(signal_kinds(&app, id).await.iter().filter(|k| **k == SignalKind::SlotConfirmed).count(), 1);
    let html = c.get(format!("{}/invitation", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("你的面试时间已确认"));
    assert!(html.contains("09:00–09:30"));
}

async fn plain_form_posts_redirect_with_the_outcome(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(0, 14, 0, 1).await;
    let (_, a) = app.invite("甲").await;
    let (_, b) = app.invite("乙").await;
    for (token, expected) in [(a, "/invitation?done=confirmed"), (b, "/invitation?error=slot_full")] {
        let c = app.open(&token).await;
        let res = c
            .post(format!("{}/api/confirm", app.base))
            .header("accept", "text/html,application/xhtml+xml")
            .form(&[("slot", slot.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
        assert_eq!(res.headers()["location"], expected);
    }
    // The page reached by the redirect says what happened.
    let (_, c) = app.invite("丙").await;
    let c = app.open(&c).await;
    let html = c.get(format!("{}/invitation?error=slot_full", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("这个时间刚刚约满了"));
    assert!(html.contains("已约满"));
}

async fn a_full_slot_is_refused_with_its_availability(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(2, 16, 0, 1).await;
    let (_, a) = app.invite("A").await;
    let (b_id, b) = app.invite("B").await;
    let ca = app.open(&a).await;
    let cb = app.open(&b).await;
    assert_eq!(app.post_form(&ca, "confirm", &[("slot", &slot.to_string())]).await.status(), 200);
    let res = app.post_form(&cb, "confirm", &[("slot", &slot.to_string())]).await;
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"Refused": "SlotFull"}));
    assert_eq!(app.booked(slot).await, 1);
    assert_eq!(state_of(&app, &b).await, InvitationState::Opened);
    assert!(signal_kinds(&app, b_id).await.contains(&SignalKind::SlotFull), "the refusal is a signal");
}

async fn concurrent_confirmations(backend: Backend, capacity: i64) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let slot = app.slot_at(1, 10, 30, capacity).await;
    let mut clients = Vec::new();
    for i in 0..50 {
        let (_, token) = app.invite(&format!("候选人{i}")).await;
        clients.push(app.open(&token).await);
    }
    let mut tasks = Vec::new();
    for c in clients {
        let app = app.clone();
        tasks.push(tokio::spawn(
            async move { app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await.status().as_u16() },
        ));
    }
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            409 => full += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, capacity, "exactly the capacity is booked");
    assert_eq!(full, 50 - capacity);
    assert_eq!(i64::from(app.booked(slot).await), capacity);
    let counts = app.store.state_counts(app.campaign_id, app.now()).await.unwrap();
    assert_eq!(counts.get(InvitationState::Confirmed), capacity);
}

async fn fifty_concurrent_confirmations_never_overbook_a_single_place(backend: Backend) {
    concurrent_confirmations(backend, 1).await;
}

async fn fifty_concurrent_confirmations_never_overbook_five_places(backend: Backend) {
    concurrent_confirmations(backend, 5).await;
}

/// Sixty pairs of candidates, each pair on two slots of its own with room for both, swap
/// slots crosswise all at once, back and forth for three rounds. Capacity and the policy allow
/// every move, so every answer must be a success: a move that meets its partner's crossing
/// move in the database (a deadlock) must not reach the candidate as a refusal.
async fn sixty_pairs_moving_crosswise_at_once_are_never_refused(backend: Backend) {
    const PAIRS: usize = 60;
    const ROUNDS: usize = 3;
    let policy = ReschedulePolicy { max_changes: 10, cutoff_hours: 12 };
    let app = std::sync::Arc::new(TestApp::spawn_with_policy(backend, policy).await);
    // (first slot, second slot, [(token, client, the slot held)] for the pair's two candidates)
    let mut pairs = Vec::new();
    for p in 0..PAIRS {
        let (day, hour) = ((p % 3) as u32, 8 + ((p / 3) % 12) as u32);
        let slots = [app.slot_at(day, hour, 0, 2).await, app.slot_at(day, hour, 30, 2).await];
        let mut members = Vec::new();
        for (i, &slot) in slots.iter().enumerate() {
            let (_, token) = app.invite(&format!("候选人{p}-{i}")).await;
            let c = app.open(&token).await;
            assert_eq!(app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await.status(), 200);
            members.push((token, c, slot));
        }
        pairs.push((slots, members));
    }
    let moves = 2 * PAIRS;
    for round in 1..=ROUNDS {
        // Every candidate moves to the slot their partner holds, all released at the same instant.
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(moves));
        let mut tasks = Vec::new();
        for (slots, members) in &mut pairs {
            for (_, c, held) in members.iter_mut() {
                let to = if *held == slots[0] { slots[1] } else { slots[0] };
                *held = to;
                let (app, c, start) = (app.clone(), c.clone(), start.clone());
                tasks.push(tokio::spawn(async move {
                    start.wait().await;
                    app.post_form(&c, "confirm", &[("slot", &to.to_string())]).await.status().as_u16()
                }));
            }
        }
        let mut answers = std::collections::BTreeMap::<u16, usize>::new();
        for t in tasks {
            *answers.entry(t.await.unwrap()).or_default() += 1;
        }
        assert_eq!(answers, std::collections::BTreeMap::from([(200, moves)]), "round {round}: every crossing move succeeds");
        for (slots, members) in &pairs {
            for slot in slots {
                assert_eq!(app.booked(*slot).await, 1, "round {round}: slot {slot} holds one candidate");
            }
            for (token, _, held) in members {
                let (inv, _) = app.store.invitation_by_token(&turnout_domain::TokenHash::of(token)).await.unwrap().unwrap();
                assert_eq!((inv.state, inv.slot_id), (InvitationState::Rescheduled, Some(*held)), "round {round}");
                assert_eq!(inv.reschedules, round as u32, "round {round}");
            }
        }
    }
}

async fn rescheduling_follows_the_policy(backend: Backend) {
    let app = TestApp::spawn_with_policy(backend, ReschedulePolicy { max_changes: 2, cutoff_hours: 12 }).await;
    let s1 = app.slot_at(0, 9, 0, 2).await;
    let s2 = app.slot_at(1, 9, 0, 2).await;
    let s3 = app.slot_at(2, 9, 0, 2).await;
    let (id, token) = app.invite("赵六").await;
    let c = app.open(&token).await;
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &s1.to_string())]).await.status(), 200);
    let res = app.post_form(&c, "confirm", &[("slot", &s2.to_string())]).await;
    assert_eq!(res.text().await.unwrap(), "\"Rescheduled\"");
    assert_eq!((app.booked(s1).await, app.booked(s2).await), (0, 1), "the old place is freed");
    assert_eq!(state_of(&app, &token).await, InvitationState::Rescheduled);
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &s3.to_string())]).await.status(), 200);
    // A third change is over the limit; the booking stays where it was.
    let res = app.post_form(&c, "confirm", &[("slot", &s1.to_string())]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"Refused": {"RescheduleLimit": {"max": 2}}}));
    assert_eq!((app.booked(s1).await, app.booked(s3).await), (0, 1));
    assert!(signal_kinds(&app, id).await.contains(&SignalKind::RescheduleRefused));

    // Too close to the start: a second candidate, 11 hours before their slot.
    let (_, t2) = app.invite("钱七").await;
    let c2 = app.open(&t2).await;
    assert_eq!(app.post_form(&c2, "confirm", &[("slot", &s2.to_string())]).await.status(), 200);
    let s2_start = app.store.slot(s2).await.unwrap().starts_at;
    app.set_now(s2_start - Duration::hours(11));
    let res = app.post_form(&c2, "confirm", &[("slot", &s3.to_string())]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"Refused": {"TooCloseToStart": {"cutoff_hours": 12}}})
    );
    let html = c2.get(format!("{}/invitation", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("面试开始前 12 小时内不能在线改期"));
}

async fn declining_releases_the_slot_and_closes_the_invitation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(0, 16, 0, 1).await;
    let (id, token) = app.invite("孙八").await;
    let c = app.open(&token).await;
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await.status(), 200);
    let res = app.post_form(&c, "decline", &[("reason", "accepted_another_offer"), ("note", "已入职")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.booked(slot).await, 0, "the place is free again");
    let (inv, _) = app.store.invitation_by_token(&turnout_domain::TokenHash::of(&token)).await.unwrap().unwrap();
    assert_eq!(inv.state, InvitationState::Declined);
    assert_eq!(inv.decline_note.as_deref(), Some("已入职"));
    assert_eq!(signal_kinds(&app, id).await.last(), Some(&SignalKind::Declined));
    // Nothing more can be booked, and declining twice is refused.
    assert_eq!(app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await.status(), 409);
    assert_eq!(app.post_form(&c, "decline", &[("reason", "time_conflict")]).await.status(), 409);
    let html = c.get(format!("{}/invitation", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("你已谢绝本次面试"));
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(0, 9, 0, 2).await;
    let other_campaign = app
        .store
        .create_campaign(
            &turnout_store::NewCampaign {
                bank: "别的银行".into(),
                branch: "北京分行".into(),
                interview_url: "https://x.example.com".into(),
                ..common::campaign("客户经理", app.zone)
            },
            app.now(),
        )
        .await
        .unwrap();
    let foreign = app.slot_in(other_campaign, 0, 9, 0, 2).await;
    let outside = app
        .store
        .add_slot(
            app.campaign_id,
            app.window.ends_at,
            app.window.ends_at + Duration::minutes(30),
            turnout_domain::Capacity::new(2).unwrap(),
        )
        .await
        .unwrap();
    let (id, token) = app.invite("周九").await;
    let c = app.open(&token).await;
    let before = signal_kinds(&app, id).await.len();

    /// (endpoint, form fields, expected status)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, u16);
    let cases: Vec<Case> = vec![
        ("confirm", vec![("slot", "abc".into())], 400),
        ("confirm", vec![("slot", "1e9999".into())], 400),
        ("confirm", vec![], 400),
        ("confirm", vec![("slot", foreign.to_string())], 422),
        ("confirm", vec![("slot", "987654".into())], 422),
        ("confirm", vec![("slot", outside.to_string())], 409),
        ("decline", vec![("reason", "drop table".into())], 400),
        ("decline", vec![("reason", "other".into()), ("note", " ".into())], 400),
        ("decline", vec![("reason", "time_conflict".into()), ("note", "长".repeat(501))], 400),
    ];
    for (endpoint, form, status) in cases {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post_form(&c, endpoint, &form).await;
        assert_eq!(res.status().as_u16(), status, "{endpoint} {form:?}");
    }
    // A huge body is cut off before it is read.
    let huge = format!("reason=other&note={}", "x".repeat(1024 * 1024));
    assert_eq!(app.raw_post("/api/decline", &token, huge.as_bytes(), false).await, 413);
    // A cross-site form post is refused.
    let res = c
        .post(format!("{}/api/confirm", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("slot", slot.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Without the cookie the action is refused as an invalid link.
    let res = app.post_form(&TestApp::client(), "confirm", &[("slot", &slot.to_string())]).await;
    assert_eq!(res.status(), 404);

    assert_eq!((app.booked(slot).await, app.booked(foreign).await, app.booked(outside).await), (0, 0, 0));
    assert_eq!(state_of(&app, &token).await, InvitationState::Opened);
    assert_eq!(signal_kinds(&app, id).await.len(), before, "no signal for rejected input");
}

async fn the_calendar_file_holds_the_booked_slot(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(1, 14, 0, 2).await;
    let (_, token) = app.invite("吴十").await;
    let c = app.open(&token).await;
    let res = c.get(format!("{}/invitation/calendar.ics", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 404, "nothing to export before confirming");
    app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await;
    let res = c.get(format!("{}/invitation/calendar.ics", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    let start = app.store.slot(slot).await.unwrap().starts_at;
    assert!(ics.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))), "{ics}");
    assert!(ics.contains("URL:https://interview.example.com/room"));
}

async fn signals_are_append_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.invite("郑十一").await;
    let _ = backend;
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.url).await.unwrap();
    let result =
        sqlx::query("UPDATE signals SET kind = 'slot_confirmed' WHERE candidate_id = $1").bind(id).execute(&mut conn).await;
    assert!(result.is_err(), "updating a signal must fail");
    assert_eq!(signal_kinds(&app, id).await, vec![SignalKind::InvitationIssued]);
}

async fn the_page_speaks_the_readers_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.slot_at(0, 9, 0, 2).await;
    let (_, token) = app.invite("Lin").await;
    let c = app.open(&token).await;
    let html = app.html_in(&c, "/invitation", "en-GB,en;q=0.9").await;
    assert!(html.contains("Hello Lin") && html.contains("lang=\"en\""));
    let res = c.get(format!("{}/lang/zh?next=/invitation", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/invitation");
    let html = app.html_in(&c, "/invitation", "en").await;
    assert!(html.contains("Lin，你好"), "the explicit choice beats the browser's preference");
    let res = c.get(format!("{}/lang/en?next=//evil.example.com", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/", "no open redirect");
}

/// Posts `body` as a browser's plain form would (no JavaScript), in `language`.
async fn plain_post(app: &TestApp, client: &reqwest::Client, endpoint: &str, body: &str, language: &str) -> reqwest::Response {
    app.post_body(client, endpoint, body, "text/html,application/xhtml+xml", language).await
}

async fn malformed_forms_come_back_to_their_page_with_a_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slot = app.slot_at(0, 11, 0, 2).await;
    let other = app.slot_at(0, 12, 0, 2).await;
    let (id, token) = app.invite("钱七").await;
    let c = app.open(&token).await;
    let before = signal_kinds(&app, id).await.len();

    // A field sent twice: the invitation page again, with the message, not the home page.
    let res = plain_post(&app, &c, "confirm", &format!("slot={slot}&slot={other}"), "zh-CN").await;
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none(), "answered in place, not redirected");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("钱七，你好"), "the form's own page");
    assert!(html.contains("提交的内容无效"), "with the message");
    // The same in English for an English reader.
    let html = plain_post(&app, &c, "confirm", &format!("slot={slot}&slot={other}"), "en").await.text().await.unwrap();
    assert!(html.contains("What was sent is not valid"));
    // A script gets the error and its status.
    let res = app.post_body(&c, "confirm", &format!("slot={slot}&slot={other}"), "application/json", "zh-CN").await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"InvalidInput": "Malformed"}));
    // A value the function reads and refuses itself goes back to the page with the outcome.
    let res = plain_post(&app, &c, "confirm", "slot=abc", "zh-CN").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/invitation?error=malformed");

    // A chunked body over the limit: 413 with the page, for the form and for a script.
    let huge = format!("reason=other&note={}", "x".repeat(1024 * 1024));
    let (status, answer) = app.raw_post_as("/api/decline", &token, huge.as_bytes(), true, "text/html").await;
    assert_eq!(status, 413);
    assert!(answer.contains("提交的内容太长"), "says why");
    assert_eq!(app.raw_post("/api/decline", &token, huge.as_bytes(), true).await, 413);

    // Nothing was booked, declined or recorded.
    assert_eq!(state_of(&app, &token).await, InvitationState::Opened);
    assert_eq!((app.booked(slot).await, app.booked(other).await), (0, 0));
    assert_eq!(signal_kinds(&app, id).await.len(), before);
}

async fn text_that_cannot_be_stored_as_sent_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.invite("孙八").await;
    let c = app.open(&token).await;
    let before = signal_kinds(&app, id).await.len();
    // Percent-encoded bytes that are not UTF-8: an overlong "/", a surrogate half, and "面试" in GBK.
    for note in ["%C0%AF", "%ED%A0%80", "%C3%E6%CA%D4"] {
        let res = plain_post(&app, &c, "decline", &format!("reason=other&note={note}"), "zh-CN").await;
        assert_eq!(res.status(), 422, "{note}");
        assert!(res.text().await.unwrap().contains("无法识别的字符"), "{note}");
        let res = app.post_form(&c, "feedback_problem", &[("area", "camera"), ("description", "ok")]).await;
        assert_eq!(res.status(), 200, "a readable report still goes through");
    }
    let res = plain_post(&app, &c, "feedback_problem", "area=camera&description=%C3%E6%CA%D4", "zh-CN").await;
    assert_eq!(res.status(), 422);
    // The same bytes sent raw, as an old phone's keyboard would.
    let raw = [b"reason=other&note=".as_slice(), &[0xC3, 0xE6, 0xCA, 0xD4]].concat();
    let (status, answer) = app.raw_post_as("/api/decline", &token, &raw, false, "text/html").await;
    assert_eq!(status, 422, "{answer}");
    // A NUL or an escape is refused with a message on both databases, a line break is kept.
    for note in ["a%00b", "%1B%5B2J"] {
        let res = plain_post(&app, &c, "decline", &format!("reason=other&note={note}"), "zh-CN").await;
        assert_eq!(res.status(), 422, "{note}");
        assert!(res.text().await.unwrap().contains("控制字符"), "{note}");
        let res = plain_post(&app, &c, "feedback_problem", &format!("area=camera&description={note}"), "zh-CN").await;
        assert_eq!(res.status(), 422, "{note}");
    }
    assert_eq!(state_of(&app, &token).await, InvitationState::Opened, "nothing was declined");
    let declines = signal_kinds(&app, id).await.into_iter().filter(|k| *k == SignalKind::Declined).count();
    assert_eq!(declines, 0);
    assert!(signal_kinds(&app, id).await.len() > before, "the readable reports were stored");
    let res = app.post_form(&c, "decline", &[("reason", "other"), ("note", "第一行\n第二行")]).await;
    assert_eq!(res.status(), 200);
    let (inv, _) = app.store.invitation_by_token(&turnout_domain::TokenHash::of(&token)).await.unwrap().unwrap();
    assert_eq!(inv.state, InvitationState::Declined);
}

async fn a_language_switch_only_returns_to_this_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = TestApp::client();
    let location = |next: &'static str| {
        let c = c.clone();
        let url = format!("{}/lang/en?next={next}", app.base);
        async move {
            let res = c.get(url).send().await.unwrap();
            assert_eq!(res.status(), 303, "{next}");
            res.headers()["location"].to_str().unwrap().to_string()
        }
    };
    for bad in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/%5C/evil.example",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%0D%0ALocation:%20//evil.example",
        "/%0A/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "%20//evil.example",
    ] {
        assert_eq!(location(bad).await, "/", "{bad}");
    }
    assert_eq!(location("/invitation").await, "/invitation");
    assert_eq!(location("/hr/campaigns/3%3Fstate%3Dconfirmed").await, "/hr/campaigns/3?state=confirmed");
}

async fn pages_with_personal_data_are_never_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("周九").await;
    let c = app.open(&token).await;
    for page in ["/invitation", "/invitation/check", "/invitation/guide", "/invitation/feedback", "/hr/login", "/"] {
        let res = c.get(format!("{}{page}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{page}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{page}");
    }
    let res = app.post_form(&c, "decline", &[("reason", "time_conflict")]).await;
    assert_eq!(res.headers()["cache-control"], "no-store", "server function answers");
}
