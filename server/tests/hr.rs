//! HR sign-in and the confirmation status page, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp};
use turnout_app::server::auth::hash_password;
use turnout_store::HrRole;

on_both_backends!(
    sign_in_is_required_and_checks_the_password,
    the_status_page_shows_every_state,
    branch_hr_sees_only_their_branch,
    the_status_page_rates_attendance_risk_with_reasons,
);

async fn add_user(app: &TestApp, email: &str, role: HrRole, branch: Option<&str>) {
    let hash = hash_password("a long password").unwrap();
    app.store.upsert_hr_user(email, "测试 HR", &hash, role, branch, app.now()).await.unwrap();
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (reqwest::Client, u16) {
    let c = TestApp::client();
    let res = app.post_form(&c, "hr_login", &[("email", email), ("password", password)]).await;
    let status = res.status().as_u16();
    (c, status)
}

async fn sign_in_is_required_and_checks_the_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    // Not signed in: the page sends the browser to sign in.
    let res = TestApp::client().get(format!("{}/hr", app.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/hr/login");
    let (_, status) = sign_in(&app, "hr@bank.example", "wrong password").await;
    assert_eq!(status, 401);
    let (_, status) = sign_in(&app, "nobody@bank.example", "a long password").await;
    assert_eq!(status, 401);
    // A plain form with the wrong password comes back to the form with the message.
    let res = TestApp::client()
        .post(format!("{}/api/hr_login", app.base))
        .header("accept", "text/html")
        .form(&[("email", "hr@bank.example"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/hr/login?error=credentials");
    let (c, status) = sign_in(&app, "HR@bank.example ", "a long password").await;
    assert_eq!(status, 200);
    let res = c.get(format!("{}/hr", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("测试银行 · 柜员"));
    // Signing out ends the session.
    app.post_form(&c, "hr_logout", &[]).await;
    let res = c.get(format!("{}/hr", app.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 302);
}

async fn the_status_page_shows_every_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::HeadOffice, None).await;
    let slot = app.slot_at(0, 10, 0, 5).await;
    app.invite("未打开").await;
    let (_, opened) = app.invite("已打开").await;
    app.open(&opened).await;
    let (_, confirmed) = app.invite("已确认者").await;
    let c = app.open(&confirmed).await;
    app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await;
    let (_, declined) = app.invite("谢绝者").await;
    let c = app.open(&declined).await;
    app.post_form(&c, "decline", &[("reason", "time_conflict"), ("note", "出差")]).await;

    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let url = format!("{}/hr/campaigns/{}", app.base, app.campaign_id);
    let html = hr.get(&url).send().await.unwrap().text().await.unwrap();
    for expected in ["未打开", "未查看", "已打开", "已查看未确认", "已确认者", "10:00–10:30", "谢绝者", "时间冲突", "出差"]
    {
        assert!(html.contains(expected), "status page shows {expected}");
    }
    // The filter narrows the rows.
    let html = hr.get(format!("{url}?state=declined")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("谢绝者") && !html.contains("已确认者"));
    let html = hr.get(format!("{url}?q=%E5%B7%B2%E7%A1%AE%E8%AE%A4")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已确认者") && !html.contains("谢绝者"), "search by name");
    // Counts per state are right.
    let counts = app.store.state_counts(app.campaign_id, app.now()).await.unwrap();
    assert_eq!(counts.total(), 4);
    // After the window closes the unconfirmed become expired.
    app.set_now(app.window.ends_at);
    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let html = hr.get(format!("{url}?state=expired")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("未打开") && html.contains("已打开") && !html.contains("已确认者"));
}

async fn branch_hr_sees_only_their_branch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "bj@bank.example", HrRole::Branch, Some("北京分行")).await;
    let (hr, _) = sign_in(&app, "bj@bank.example", "a long password").await;
    let res = hr.get(format!("{}/hr/campaigns/{}", app.base, app.campaign_id)).send().await.unwrap();
    assert_eq!(res.status(), 404, "another branch's campaign does not exist for them");
    let html = hr.get(format!("{}/hr", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("测试银行 · 柜员"));
}

/// The table row (`<tr>…</tr>`) of the page that names `name`.
fn row_of<'a>(html: &'a str, name: &str) -> &'a str {
    html.split("<tr").find(|row| row.contains(name)).unwrap_or_else(|| panic!("no row for {name}"))
}

async fn the_status_page_rates_attendance_risk_with_reasons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    let slot = app.slot_at(2, 16, 0, 5).await;
    app.invite("沉默者").await;
    let (_, ready) = app.invite("准备好").await;
    let c = app.open(&ready).await;
    app.post_form(&c, "confirm", &[("slot", &slot.to_string())]).await;
    c.get(format!("{}/invitation/guide", app.base)).send().await.unwrap();
    app.post_form(&c, "guide_ack", &[]).await;

    // Late on the window's last day: the silent candidate has not even opened the link.
    app.set_now(app.window.ends_at - chrono::Duration::hours(1));
    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let html = hr.get(format!("{}/hr/campaigns/{}", app.base, app.campaign_id)).send().await.unwrap().text().await.unwrap();
    let silent = row_of(&html, "沉默者");
    assert!(silent.contains("risk-high"), "an unopened link late in the window is high risk: {silent}");
    assert!(silent.contains("邀请未打开"), "with the reason");
    let prepared = row_of(&html, "准备好");
    assert!(prepared.contains("risk-low"), "confirmed and guide read is low risk: {prepared}");
    assert!(html.contains("风险评级仅供参考"));
}
