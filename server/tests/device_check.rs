//! The device check: storing results judged on the server (steps that ran out of time
//! included), refusing bad reports, what the page says before and without its script, and the
//! network probes' bounds, data budget, authentication and rate limit, on SQLite and on
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp};
use serde_json::{json, Value};
use turnout_app::server::auth::hash_password;
use turnout_domain::device::{
    next_transfer, CheckItem, Transfer, Verdict, NETWORK_BYTE_BUDGET, PROBE_DIRECTION_BYTES, PROBE_FIRST_BYTES, PROBE_MAX_BYTES,
};
use turnout_domain::{SignalKind, TokenHash};
use turnout_store::HrRole;

on_both_backends!(
    a_check_is_judged_on_the_server_stored_and_shown_to_hr,
    steps_that_ran_out_of_time_are_judged_with_their_own_reasons,
    invalid_reports_are_refused_and_store_nothing,
    probes_need_an_invitation_and_are_bounded,
    the_probes_serve_the_adaptive_plan_within_the_byte_budget,
    probes_are_rate_limited_per_invitation,
);

const ANDROID_CHROME: &str =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

fn full_report() -> Value {
    json!({ "items": [
        { "item": "browser", "secure_context": true, "media_devices": true, "get_user_media": true,
          "peer_connection": true, "audio_context": true, "webassembly": true, "in_app_browser": false },
        { "item": "permissions", "outcome": "granted" },
        { "item": "devices", "cameras": 1, "microphones": 2 },
        { "item": "camera", "width": 1280, "height": 720, "brightness": 96.5, "motion": 2.5, "frames": 10 },
        { "item": "microphone", "peak_level": 0.12, "listened_ms": 1400 },
        { "item": "speaker", "heard": true },
        { "item": "network", "rtt_ms": 35.0, "down_mbps": 24.0, "up_mbps": 8.0 },
    ]})
}

async fn submit(app: &TestApp, c: &reqwest::Client, report: &str) -> reqwest::Response {
    c.post(format!("{}/api/device_check", app.base))
        .header("accept", "application/json")
        .header("user-agent", ANDROID_CHROME)
        .form(&[("report", report)])
        .send()
        .await
        .unwrap()
}

async fn device_signals(app: &TestApp, candidate: i64) -> Vec<Value> {
    app.store
        .signals_for_candidate(candidate)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.kind == SignalKind::DeviceCheckCompleted)
        .map(|s| s.payload)
        .collect()
}

async fn hr_page(app: &TestApp) -> String {
    let email = "admin@bank.example";
    app.store
        .upsert_hr_user(email, "HR", &hash_password("a long password").unwrap(), HrRole::Admin, None, app.now())
        .await
        .unwrap();
    let hr = TestApp::client();
    assert_eq!(app.post_form(&hr, "hr_login", &[("email", email), ("password", "a long password")]).await.status(), 200);
    app.rate_due().await;
    hr.get(format!("{}/hr/campaigns/{}", app.base, app.campaign_id)).send().await.unwrap().text().await.unwrap()
}

async fn a_check_is_judged_on_the_server_stored_and_shown_to_hr(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.invite("检测者").await;
    let c = app.open(&token).await;

    // Server-rendered first: the page says what the check needs before any script runs.
    let html = c.get(format!("{}/invitation/check", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<h1>设备检测</h1>"), "{html}");
    assert!(html.contains("设备检测需要在浏览器中运行脚本"));
    assert!(html.contains("开始检测") && html.contains("disabled"), "the start button waits for the script");
    // What to do if the check itself cannot load: rendered hidden, shown by the page's inline
    // script when the check has not started, in the reader's language.
    let notice = html.split("id=\"check-load\"").nth(1).expect("the load notice is on the page");
    let notice = &notice[..notice.find("</div>").expect("the notice ends")];
    assert!(notice.contains("hidden") && notice.contains("role=\"alert\""), "{notice}");
    for words in
        ["设备检测没有加载出来", "重新加载", "Chrome、Edge 或 Safari", "联系技术支持", "/invitation/feedback?kind=device_problem"]
    {
        assert!(notice.contains(words), "{words} in {notice}");
    }
    assert!(html.contains("getElementById('check-load')"), "the script that shows it");
    let english = app.html_in(&c, "/invitation/check", "en").await;
    assert!(english.contains("<h1>Device check</h1>") && english.contains("needs scripts"), "{english}");
    assert!(english.contains("The device check did not load") && english.contains("Reload the page"), "{english}");
    let invitation = c.get(format!("{}/invitation", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(invitation.contains("href=\"/invitation/check\""), "the invitation links to the check");

    // A reminder's link can lead straight to the check.
    let res = TestApp::client().get(format!("{}/i/{token}?to=check", app.base)).send().await.unwrap();
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/invitation/check"));
    let res = TestApp::client().get(format!("{}/i/{token}?to=https://evil.example", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/invitation");

    let res = submit(&app, &c, &full_report().to_string()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["verdict"], "pass");

    let signals = device_signals(&app, id).await;
    assert_eq!(signals.len(), 1);
    let s = &signals[0];
    assert_eq!(s["verdict"], "pass");
    assert_eq!(s["client"], "Chrome 131 / Android");
    assert_eq!(s["failed_items"], json!([]));
    assert_eq!(s["items"].as_array().unwrap().len(), 7);
    assert_eq!(s["items"][6]["item"], "network");
    assert_eq!(s["items"][6]["measurement"]["rtt_ms"], 35.0);
    let status = app.store.campaign_status(app.campaign_id, app.now(), &Default::default()).await.unwrap();
    let row = status.iter().find(|r| r.candidate_id == id).unwrap();
    assert_eq!(row.device_check.as_ref().unwrap().verdict, Verdict::Pass);
    assert!(hr_page(&app).await.contains("badge check-pass"));

    // A black camera and a silent microphone, judged by the server whatever the page thought.
    let mut report = full_report();
    report["items"][3]["brightness"] = json!(0.0);
    report["items"][4]["peak_level"] = json!(0.0);
    let res = submit(&app, &c, &report.to_string()).await;
    assert_eq!(res.status(), 200);
    let signals = device_signals(&app, id).await;
    assert_eq!(signals.len(), 2, "every run is kept");
    assert_eq!(signals[1]["verdict"], "fail");
    assert_eq!(signals[1]["failed_items"], json!(["camera", "microphone"]));
    assert_eq!(signals[1]["items"][3]["reason"], "black_picture");
    assert_eq!(signals[1]["items"][4]["reason"], "silent");
    let status = app.store.campaign_status(app.campaign_id, app.now(), &Default::default()).await.unwrap();
    let latest = status.iter().find(|r| r.candidate_id == id).unwrap().device_check.clone().unwrap();
    assert_eq!((latest.verdict, latest.failed_items), (Verdict::Fail, vec![CheckItem::Camera, CheckItem::Microphone]));
    let html = hr_page(&app).await;
    assert!(html.contains("badge check-fail") && html.contains("问题项：摄像头、麦克风"), "{html}");
    // The risk model reads the failure, and HR's call list asks for a call because of it.
    let row = app.store.follow_up_rows(turnout_store::RiskScope::Candidate(id), app.now()).await.unwrap().remove(0);
    assert_eq!(row.facts.device_check, turnout_domain::risk::DeviceCheckFact::Failed { failed_items: 2 });
    let hr = TestApp::client();
    app.post_form(&hr, "hr_login", &[("email", "admin@bank.example"), ("password", "a long password")]).await;
    let calls = hr.get(format!("{}/hr/calls", app.base)).send().await.unwrap().text().await.unwrap();
    let item = calls.split("<li data-candidate=").find(|i| i.contains("检测者")).expect("on the call list");
    assert!(item.contains("设备检测未通过"), "{item}");

    // A denied permission: the items that need it are missing, and that is a failure.
    let report = json!({ "items": [
        full_report()["items"][0],
        { "item": "permissions", "outcome": "denied" },
        full_report()["items"][5],
        full_report()["items"][6],
    ]});
    assert_eq!(submit(&app, &c, &report.to_string()).await.status(), 200);
    let signals = device_signals(&app, id).await;
    assert_eq!(signals[2]["failed_items"], json!(["permissions"]));
    assert_eq!(signals[2]["items"][1]["reason"], "permission_denied");
}

async fn steps_that_ran_out_of_time_are_judged_with_their_own_reasons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.invite("慢手机").await;
    let c = app.open(&token).await;

    // The permission prompt was never answered: nothing after it could run.
    let report = json!({ "items": [
        full_report()["items"][0],
        { "item": "permissions", "outcome": "timed_out" },
        { "item": "speaker", "heard": null },
        { "item": "network", "rtt_ms": 80.0, "down_mbps": null, "up_mbps": 3.0, "timed_out": true },
    ]});
    let res = submit(&app, &c, &report.to_string()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["verdict"], "fail");
    let s = device_signals(&app, id).await.remove(0);
    assert_eq!(s["failed_items"], json!(["permissions", "network"]));
    let reasons: Vec<&str> = s["items"].as_array().unwrap().iter().map(|i| i["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["ok", "permission_timeout", "tone_unanswered", "network_timeout"]);
    assert_eq!(s["items"][2]["verdict"], "warn", "an unanswered tone leaves the speaker unchecked, not failed");

    // A camera with no picture, a microphone that never started, and a stall after the
    // figures were measured.
    let mut report = full_report();
    report["items"][3] = json!({ "item": "camera", "width": 0, "height": 0, "brightness": 0.0, "motion": 0.0, "frames": 0 });
    report["items"][4] = json!({ "item": "microphone", "peak_level": 0.0, "listened_ms": 0 });
    report["items"][6]["timed_out"] = json!(true);
    assert_eq!(submit(&app, &c, &report.to_string()).await.status(), 200);
    let s = device_signals(&app, id).await.remove(1);
    assert_eq!(s["items"][3]["reason"], "no_picture");
    assert_eq!(s["items"][4]["reason"], "microphone_not_started");
    assert_eq!((&s["items"][6]["verdict"], &s["items"][6]["reason"]), (&json!("warn"), &json!("network_unsteady")));
    assert_eq!(s["failed_items"], json!(["camera", "microphone"]));
}

async fn invalid_reports_are_refused_and_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.invite("乱填者").await;
    let c = app.open(&token).await;

    let mut claims_overall = full_report();
    claims_overall["overall"] = json!("pass");
    let mut out_of_range = full_report();
    out_of_range["items"][4]["peak_level"] = json!(7.0);
    let mut unknown_item = full_report();
    unknown_item["items"][0]["item"] = json!("teleporter");
    let mut incomplete = full_report();
    incomplete["items"].as_array_mut().unwrap().remove(5);
    let mut duplicate = full_report();
    duplicate["items"].as_array_mut().unwrap().push(json!({ "item": "speaker", "heard": false }));
    let mut client_verdict = full_report();
    client_verdict["items"][3]["verdict"] = json!("pass");
    let too_long = format!("{{\"items\":[{}]}}", " ".repeat(9000));
    for bad in [
        "not json".to_string(),
        claims_overall.to_string(),
        out_of_range.to_string(),
        unknown_item.to_string(),
        incomplete.to_string(),
        duplicate.to_string(),
        client_verdict.to_string(),
        too_long,
        json!({ "items": [] }).to_string(),
    ] {
        let res = submit(&app, &c, &bad).await;
        assert_eq!(res.status(), 422, "{bad}");
    }
    // No report at all.
    let res = c
        .post(format!("{}/api/device_check", app.base))
        .header("accept", "application/json")
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // Without the invitation cookie nothing is stored either.
    let stranger = TestApp::client();
    assert_eq!(submit(&app, &stranger, &full_report().to_string()).await.status(), 404);

    assert!(device_signals(&app, id).await.is_empty());
    let (inv, _) = app.store.invitation_by_token(&TokenHash::of(&token)).await.unwrap().unwrap();
    let status = app.store.campaign_status(app.campaign_id, app.now(), &Default::default()).await.unwrap();
    assert!(status.iter().find(|r| r.candidate_id == inv.candidate_id).unwrap().device_check.is_none());
}

async fn probes_need_an_invitation_and_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("测速者").await;
    let c = app.open(&token).await;
    let url = |p: &str| format!("{}{p}", app.base);

    let stranger = TestApp::client();
    assert_eq!(stranger.get(url("/probe/ping")).send().await.unwrap().status(), 403);
    assert_eq!(stranger.get(url("/probe/download")).send().await.unwrap().status(), 403);
    assert_eq!(stranger.post(url("/probe/upload")).body(vec![0u8; 10]).send().await.unwrap().status(), 403);
    let forged = TestApp::client();
    let res = forged.get(url("/probe/ping")).header("cookie", "turnout_invitation=not-a-real-token").send().await.unwrap();
    assert_eq!(res.status(), 403);

    let res = c.get(url("/probe/ping")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["cache-control"], "no-store");

    let res = c.get(url("/probe/download")).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-encoding").is_none(), "random bytes are sent as they are");
    assert_eq!(res.bytes().await.unwrap().len(), PROBE_FIRST_BYTES);
    let res = c.get(url(&format!("/probe/download?bytes={PROBE_MAX_BYTES}"))).send().await.unwrap();
    assert_eq!(res.bytes().await.unwrap().len(), PROBE_MAX_BYTES);
    for bad in [format!("{}", PROBE_MAX_BYTES + 1), "0".into(), "lots".into(), "-5".into()] {
        let res = c.get(url(&format!("/probe/download?bytes={bad}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "bytes={bad}");
    }

    let res = c.post(url("/probe/upload")).body(vec![7u8; PROBE_MAX_BYTES]).send().await.unwrap();
    assert_eq!(res.status(), 204);
    // Larger than the general 256 KiB form limit, but within the probe's own.
    let res = c.post(url("/probe/upload")).body(vec![7u8; 300 * 1024]).send().await.unwrap();
    assert_eq!(res.status(), 204);
    // Over the limit with a length: refused, read from the socket since the server may answer
    // before the client has finished writing.
    assert_eq!(raw_upload(&app, &token, PROBE_MAX_BYTES + 1, false).await, 413);
    // A chunked body without a length is cut off at the limit too.
    assert_eq!(raw_upload(&app, &token, PROBE_MAX_BYTES + 64 * 1024, true).await, 413);
    assert_eq!(raw_upload(&app, &token, PROBE_MAX_BYTES, true).await, 204);
    // Pages keep the general limit.
    let res = c.post(format!("{}/api/device_check", app.base)).body(vec![b'a'; 1024 * 1024]).send().await.unwrap();
    assert_eq!(res.status(), 413);
}

/// Uploads `total` bytes to the upload probe, with or without a length; the status code.
async fn raw_upload(app: &TestApp, token: &str, total: usize, chunked: bool) -> u16 {
    app.raw_post("/probe/upload", token, &vec![b'x'; total], chunked).await
}

/// The domain's adaptive plan, run against the real probes on loopback (a fast link: the plan
/// grows until the byte budget stops it): every transfer it asks for is served, and a run moves
/// no more than the budget.
async fn the_probes_serve_the_adaptive_plan_within_the_byte_budget(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("省流量").await;
    let c = app.open(&token).await;
    let mut moved = 0;
    for upload in [false, true] {
        let mut done = Vec::new();
        while let Some(bytes) = next_transfer(&done, Some(1.0)) {
            let started = std::time::Instant::now();
            let received = if upload {
                let res = c.post(format!("{}/probe/upload", app.base)).body(vec![1u8; bytes]).send().await.unwrap();
                assert_eq!(res.status(), 204, "upload of {bytes}");
                bytes
            } else {
                let res = c.get(format!("{}/probe/download?bytes={bytes}", app.base)).send().await.unwrap();
                assert_eq!(res.status(), 200, "download of {bytes}");
                res.bytes().await.unwrap().len()
            };
            assert_eq!(received, bytes);
            done.push(Transfer { bytes, millis: started.elapsed().as_secs_f64() * 1000.0 });
        }
        let payload: usize = done.iter().map(|t| t.bytes).sum();
        assert!(payload <= PROBE_DIRECTION_BYTES, "{payload} bytes one way");
        assert!(done.len() >= 2, "a fast link grows past the first transfer: {done:?}");
        moved += payload;
    }
    assert!(moved < NETWORK_BYTE_BUDGET, "{moved} bytes of payload");
}

async fn probes_are_rate_limited_per_invitation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.invite("急性子").await;
    let (_, other) = app.invite("慢性子").await;
    let c = app.open(&token).await;
    let d = app.open(&other).await;
    let ping = format!("{}/probe/ping", app.base);
    for i in 0..turnout::probe::PROBES_PER_WINDOW {
        assert_eq!(c.get(&ping).send().await.unwrap().status(), 204, "request {i}");
    }
    let res = c.get(&ping).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let res = c.get(format!("{}/probe/download?bytes=1000", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 429, "downloads count against the same budget");
    assert_eq!(d.get(&ping).send().await.unwrap().status(), 204, "another invitation is not limited");
}
