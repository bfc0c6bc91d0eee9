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
    the_status_page_walks_a_campaign_page_by_page,
    hr_pages_and_functions_refuse_without_a_session,
    hr_text_with_control_characters_is_refused,
    sign_in_load_does_not_stall_other_requests,
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
    assert_eq!(res.status(), 303);
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
    assert_eq!(res.status(), 303);
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
    app.rate_due().await;
    let html = hr.get(format!("{}/hr/campaigns/{}", app.base, app.campaign_id)).send().await.unwrap().text().await.unwrap();
    let silent = row_of(&html, "沉默者");
    assert!(silent.contains("risk-high"), "an unopened link late in the window is high risk: {silent}");
    assert!(silent.contains("邀请未打开"), "with the reason");
    let prepared = row_of(&html, "准备好");
    assert!(prepared.contains("risk-low"), "confirmed and guide read is low risk: {prepared}");
    assert!(html.contains("风险评级仅供参考"));
}

/// The `href` of the page's link with `rel`, unescaped.
fn link_rel(html: &str, rel: &str) -> Option<String> {
    let tag = html.split("<a ").find(|a| a.contains(&format!(r#"rel="{rel}""#)))?;
    let href = tag.split(r#"href=""#).nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

/// The candidates' names on a status page, in order.
fn names(html: &str) -> Vec<String> {
    html.split(r#"<th scope="row"><a href="/hr/candidates/"#)
        .skip(1)
        .filter_map(|row| row.split('>').nth(1)?.split('<').next().map(str::to_string))
        .collect()
}

async fn the_status_page_walks_a_campaign_page_by_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    // 230 candidates, many sharing a moment of last activity (ties are broken by invitation).
    let mut invited = Vec::new();
    for n in 0..230 {
        if n % 40 == 0 {
            app.set_now(app.now() + chrono::Duration::minutes(1));
        }
        let name = format!("候选人{n:03}");
        let (_, token) = app.invite(&name).await;
        if n % 3 == 0 {
            app.open(&token).await;
        }
        invited.push(name);
    }
    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let first = format!("/hr/campaigns/{}", app.campaign_id);
    for filter in ["", "?state=opened", "?q=%E5%80%99%E9%80%89%E4%BA%BA1"] {
        let mut seen = Vec::new();
        let mut path = Some(format!("{first}{filter}"));
        let mut pages = 0;
        while let Some(p) = path {
            let html = hr.get(format!("{}{p}", app.base)).send().await.unwrap().text().await.unwrap();
            let rows = names(&html);
            assert!(rows.len() <= 100, "a page holds at most 100 rows");
            seen.extend(rows);
            pages += 1;
            if pages > 1 {
                assert_eq!(link_rel(&html, "first").as_deref(), Some(format!("{first}{filter}").as_str()));
            }
            path = link_rel(&html, "next");
        }
        let expected: Vec<&String> = invited
            .iter()
            .enumerate()
            .filter(|(n, name)| match filter {
                "?state=opened" => n % 3 == 0,
                "" => true,
                _ => name.starts_with("候选人1"),
            })
            .map(|(_, name)| name)
            .collect();
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "{filter}: no candidate twice");
        assert_eq!(sorted.iter().collect::<Vec<_>>(), expected, "{filter}: every candidate once");
        if filter.is_empty() {
            assert_eq!(pages, 3);
        }
    }
    // A cursor that is not one is a page that does not exist.
    for bad in ["abc", "1.2.3", "1"] {
        let res = hr.get(format!("{}{first}?after={bad}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }
}

/// Every HR server function, with a plausible form.
const HR_FUNCTIONS: [(&str, &str); 16] = [
    ("hr_logout", ""),
    ("hr_campaigns", ""),
    ("hr_status", "campaign=1"),
    ("hr_guide", "campaign=1"),
    ("hr_save_guide", "campaign=1%0A&guide_zh=x&guide_en=y"),
    ("hr_notices", "campaign=1"),
    ("hr_save_plan", "campaign=1&unread_hours=24"),
    ("hr_resend", "campaign=1&sms=on"),
    ("hr_calls", ""),
    ("hr_record_call", "candidate=1&outcome=no_answer"),
    ("hr_candidate", "candidate=1"),
    ("hr_override", "candidate=1&level=high&note=x"),
    ("hr_outcome", "candidate=1&outcome=attended"),
    ("hr_feedback", "campaign=1"),
    ("hr_train_model", ""),
    ("hr_thresholds", "medium=0.3&high=0.6"),
];

async fn hr_pages_and_functions_refuse_without_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    let (_, token) = app.invite("候选人").await;
    let candidate = app.open(&token).await;
    for client in [TestApp::client(), candidate] {
        // Pages send the browser to sign in, and say where to come back to.
        for (page, login) in [
            ("/hr/calls", "/hr/login?next=/hr/calls"),
            ("/hr/risk", "/hr/login?next=/hr/risk"),
            ("/hr/candidates/1", "/hr/login?next=/hr/candidates/1"),
            ("/hr/campaigns/1?state=confirmed", "/hr/login?next=/hr/campaigns/1%3Fstate%3Dconfirmed"),
        ] {
            let res = client.get(format!("{}{page}", app.base)).send().await.unwrap();
            assert_eq!(res.status(), 303, "{page}");
            assert_eq!(res.headers()["location"], login, "{page}");
        }
        for (endpoint, body) in HR_FUNCTIONS {
            // A script: 401 and the error, before any argument is read.
            let res = app.post_body(&client, endpoint, body, "application/json", "zh-CN").await;
            assert_eq!(res.status(), 401, "{endpoint}");
            assert_eq!(res.json::<serde_json::Value>().await.unwrap(), serde_json::json!("Unauthorized"), "{endpoint}");
            // A form: the sign-in page.
            let res = app.post_body(&client, endpoint, body, "text/html", "zh-CN").await;
            assert_eq!(res.status(), 303, "{endpoint}");
            assert!(res.headers()["location"].to_str().unwrap().starts_with("/hr/login"), "{endpoint}");
        }
    }
    // Signed in, the id that once panicked the server is refused with its page.
    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let res = app.post_body(&hr, "hr_save_guide", "campaign=1%0A&guide_zh=x&guide_en=y", "text/html", "zh-CN").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/hr?error=malformed");
    let html = hr.get(format!("{}/hr?error=malformed", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("提交的内容无效"), "HR's home page says what went wrong");
    // After signing in from a page, the browser goes back to it; never to another site.
    for (next, to) in [("/hr/calls", "/hr/calls"), ("//evil.example", "/hr"), ("/invitation", "/hr"), ("/hr/login", "/hr")] {
        let c = TestApp::client();
        let res = c
            .post(format!("{}/api/hr_login", app.base))
            .header("accept", "text/html")
            .form(&[("email", "hr@bank.example"), ("password", "a long password"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], to, "{next}");
    }
    // The sign-in page carries the page to come back to.
    let html = TestApp::client().get(format!("{}/hr/login?next=/hr/calls", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="next" value="/hr/calls""#), "{html}");
}

async fn hr_text_with_control_characters_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    let (candidate, _) = app.invite("被呼叫者").await;
    let (hr, _) = sign_in(&app, "hr@bank.example", "a long password").await;
    let body = format!("candidate={candidate}&outcome=no_answer&note=a%00b");
    let res = app.post_body(&hr, "hr_record_call", &body, "application/json", "zh-CN").await;
    assert_eq!(res.status(), 422);
    assert!(app
        .store
        .signals_for_candidate(candidate)
        .await
        .unwrap()
        .iter()
        .all(|s| s.kind != turnout_domain::SignalKind::CallRecorded));
    let res = hr.get(format!("{}/hr/campaigns/{}?q=%00", app.base, app.campaign_id)).send().await.unwrap();
    assert_eq!(res.status(), 422, "a search with a NUL is refused alike on both databases");
    assert!(res.text().await.unwrap().contains("控制字符"));
    let res = hr.get(format!("{}/hr/campaigns/{}?q=%E8%A2%AB", app.base, app.campaign_id)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("被呼叫者"));
}

async fn sign_in_load_does_not_stall_other_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "hr@bank.example", HrRole::Admin, None).await;
    // How long one password check takes here (debug builds are slower than release).
    let phc = hash_password("a long password").unwrap();
    let started = std::time::Instant::now();
    assert!(!turnout_app::server::auth::verify_password("wrong", &phc));
    let one_check = started.elapsed();

    // 64 wrong sign-ins at once, far more than the server has worker threads.
    let burst = std::time::Instant::now();
    let attempts: Vec<_> = (0..64)
        .map(|i| {
            let base = app.base.clone();
            tokio::spawn(async move {
                let form = [("email", "hr@bank.example".to_string()), ("password", format!("wrong {i}"))];
                TestApp::client().post(format!("{base}/api/hr_login")).form(&form).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    tokio::time::sleep(one_check * 2).await;
    // A request that needs no database, so only the threads are measured.
    let client = TestApp::client();
    let started = std::time::Instant::now();
    let res = client.get(format!("{}/lang/en?next=/", app.base)).send().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(res.status(), 303);
    let pending = attempts.iter().filter(|a| !a.is_finished()).count();
    assert!(pending > 0, "the sign-ins were still being checked while the other request ran");
    for a in attempts {
        assert_eq!(a.await.unwrap(), 401);
    }
    // Compared within this run (the machine may be busy): on the request threads the other
    // request would wait behind most of the burst; off them it waits for a small part of it.
    let whole_burst = burst.elapsed();
    assert!(waited < whole_burst / 4, "another request waited {waited:?} during a burst of sign-ins that took {whole_burst:?}");
}
