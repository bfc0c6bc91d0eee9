//! The interview guide: reading signals, the acknowledgement, and HR's editing, on SQLite and
//! on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{Backend, TestApp};
use turnout_app::server::auth::hash_password;
use turnout_domain::guide::GuideProgress;
use turnout_domain::{SignalKind, TokenHash};
use turnout_store::HrRole;

on_both_backends!(reading_the_guide_is_recorded_and_hr_sees_it, hr_edits_the_guide_and_it_is_rendered_safely);

async fn progress(app: &TestApp, token: &str) -> (GuideProgress, i64) {
    let (inv, _) = app.store.invitation_by_token(&TokenHash::of(token)).await.unwrap().unwrap();
    (inv.guide_progress, inv.guide_seconds)
}

async fn hr_client(app: &TestApp, role: HrRole) -> reqwest::Client {
    let email = format!("{}@bank.example", role.as_str());
    app.store.upsert_hr_user(&email, "HR", &hash_password("a long password").unwrap(), role, None, app.now()).await.unwrap();
    let c = TestApp::client();
    let res = app.post_form(&c, "hr_login", &[("email", &email), ("password", "a long password")]).await;
    assert_eq!(res.status(), 200);
    c
}

async fn reading_the_guide_is_recorded_and_hr_sees_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.invite("读者").await;
    let c = app.open(&token).await;
    assert_eq!(progress(&app, &token).await.0, GuideProgress::NotOpened);

    let html = c.get(format!("{}/invitation/guide", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("如何登录面试平台") && html.contains("设备与网络要求"), "the default guide is shown");
    assert!(html.contains("我已阅读面试指南"));
    assert_eq!(progress(&app, &token).await.0, GuideProgress::Opened);

    assert_eq!(app.post_form(&c, "guide_progress", &[("event", "section"), ("section", "s-2")]).await.status(), 200);
    assert_eq!(app.post_form(&c, "guide_progress", &[("event", "section"), ("section", "<b>")]).await.status(), 400);
    assert_eq!(app.post_form(&c, "guide_progress", &[("event", "jump")]).await.status(), 400);
    app.set_now(app.now() + Duration::seconds(95));
    assert_eq!(app.post_form(&c, "guide_progress", &[("event", "end")]).await.status(), 200);
    assert_eq!(progress(&app, &token).await, (GuideProgress::Finished, 95));

    // The acknowledgement as a plain form (no JavaScript).
    app.set_now(app.now() + Duration::seconds(10));
    let res =
        c.post(format!("{}/api/guide_ack", app.base)).header("accept", "text/html").form(&[("x", "")]).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/invitation/guide?done=acknowledged");
    assert_eq!(progress(&app, &token).await, (GuideProgress::Acknowledged, 105));
    let html = c.get(format!("{}/invitation/guide?done=acknowledged", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已确认你读过面试指南"));

    let kinds: Vec<SignalKind> = app.store.signals_for_candidate(id).await.unwrap().into_iter().map(|s| s.kind).collect();
    for k in [SignalKind::GuideOpened, SignalKind::GuideSectionSeen, SignalKind::GuideFinished, SignalKind::GuideAcknowledged] {
        assert!(kinds.contains(&k), "{k:?} recorded");
    }
    let openings = kinds.iter().filter(|k| **k == SignalKind::GuideOpened).count();
    assert_eq!(openings, 1, "the page the acknowledgement comes back to is not another opening");
    // Opening it again later never moves progress back.
    c.get(format!("{}/invitation/guide", app.base)).send().await.unwrap();
    assert_eq!(progress(&app, &token).await.0, GuideProgress::Acknowledged);

    let hr = hr_client(&app, HrRole::Admin).await;
    let html = hr.get(format!("{}/hr/campaigns/{}", app.base, app.campaign_id)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("读者") && html.contains("已确认阅读"));
}

async fn hr_edits_the_guide_and_it_is_rendered_safely(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("看客").await;
    let c = app.open(&token).await;
    let admin = hr_client(&app, HrRole::Admin).await;
    let campaign = app.campaign_id.to_string();
    let guide_zh = "## 报到须知\n请提前 <script>alert(1)</script> 10 分钟登录。\n[帮助](javascript:alert(1))\n";
    let res = app.post_form(&admin, "hr_save_guide", &[("campaign", &campaign), ("guide_zh", guide_zh), ("guide_en", "")]).await;
    assert_eq!(res.status(), 200);
    let html = c.get(format!("{}/invitation/guide", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("报到须知") && html.contains("请提前"));
    assert!(!html.contains("alert(1)"), "scripts and javascript: links are removed");
    // English falls back to the default guide when HR left it empty.
    let html = app.html_in(&c, "/invitation/guide", "en").await;
    assert!(html.contains("How to log in"));

    let too_long = "长".repeat(10_001);
    let res = app.post_form(&admin, "hr_save_guide", &[("campaign", &campaign), ("guide_zh", &too_long), ("guide_en", "")]).await;
    assert_eq!(res.status(), 400);
    let reader = hr_client(&app, HrRole::ReadOnly).await;
    let res = app.post_form(&reader, "hr_save_guide", &[("campaign", &campaign), ("guide_zh", "## x"), ("guide_en", "")]).await;
    assert_eq!(res.status(), 403);
    let res = app
        .post_form(&TestApp::client(), "hr_save_guide", &[("campaign", &campaign), ("guide_zh", "## x"), ("guide_en", "")])
        .await;
    assert_eq!(res.status(), 401);
    let html = c.get(format!("{}/invitation/guide", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("报到须知"), "refused saves changed nothing");
}
