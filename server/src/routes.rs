//! The HTTP surface: the link exchange, the calendar file, the language switch, health, the
//! Leptos pages and server functions, and static files.

pub use crate::answers::ServerState;
use crate::answers::{device_class, enter_invitation, invalid_link_page, unavailable};
use crate::security;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use turnout_app::i18n::{Locale, LANG_COOKIE};
use turnout_app::server::{cookie_in, locale_of, AppContext, INVITATION_COOKIE};
use turnout_app::{shell, App};
use turnout_domain::calendar::{to_ics, CalendarEvent};
use turnout_domain::token::looks_like_token;
use turnout_domain::{SitePath, TokenHash};

/// The whole application router.
pub fn router(app: AppContext, leptos: LeptosOptions) -> Router {
    let state = ServerState { leptos: leptos.clone(), app: app.clone() };
    let pages = pages(&state);
    let pkg_dir = std::path::Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let server_fns = {
        let (app, pages) = (app.clone(), pages.clone());
        move |req: Request| crate::server_fns::serve(app.clone(), pages.clone(), req)
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/i/{token}", get(open_link))
        .route("/t/o/{token}", get(crate::reminders::tracking::open_pixel))
        .route("/t/c/{token}", get(crate::reminders::tracking::click))
        .route("/invitation/calendar.ics", get(calendar))
        .route("/lang/{code}", get(switch_language))
        // The WebAssembly, script and styles: a release build made with `--precompress` has
        // brotli and gzip copies beside each file, sent as they are to browsers that accept
        // them; otherwise the compression layer compresses on the fly.
        .nest_service(&format!("/{}", leptos.site_pkg_dir), pkg_files(&pkg_dir))
        .fallback_service(pages)
        .layer(RequestBodyLimitLayer::new(security::MAX_BODY_BYTES))
        // Server functions read their bodies themselves, under the same limit, so a refusal
        // can be answered with the form's page; the network probes take larger bodies.
        .route("/api/{*fn_name}", get(server_fns.clone()).post(server_fns))
        .merge(crate::probe::routes(app.clone()))
        .layer(axum::middleware::from_fn_with_state(app, security::hr_pages_need_a_session))
        .layer(axum::middleware::from_fn(security::same_origin_writes))
        .layer(axum::middleware::from_fn(security::headers))
        // Pages are made per request and small (the invitation page is about 10 KB): the
        // fastest gzip takes two thirds off one in tens of microseconds, where brotli at the
        // default quality costs several times as much CPU as rendering the page for a few
        // hundred bytes less.
        .layer(
            CompressionLayer::new()
                .no_br()
                .quality(CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(is_page)),
        )
        // Everything else (server functions' answers, files without precompressed copies) at
        // the default quality. Random probe bytes do not compress; trying only costs time and
        // skews the measurement.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/octet-stream"))
                    .and(NotForContentType::const_new("text/html")),
            ),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Whether an answer is an HTML page.
fn is_page(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// The Leptos pages and the site's other files: what a browser gets for a path that no other
/// route claims, and what a refused form post is answered with.
fn pages(state: &ServerState) -> Router {
    let routes = generate_route_list(App);
    let ctx_for_pages = state.app.clone();
    let ctx_for_files = state.app.clone();
    let leptos = state.leptos.clone();
    Router::new()
        .leptos_routes_with_context(state, routes, move || provide_context(ctx_for_pages.clone()), move || shell(leptos.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
            move || provide_context(ctx_for_files.clone()),
            shell,
        ))
        .with_state(state.clone())
}

/// The site's `pkg` folder, with its brotli and gzip copies when every one is at least as new
/// as the file it compresses (a later build without `--precompress` leaves stale copies behind,
/// which must not be served in place of the new files).
fn pkg_files(dir: &std::path::Path) -> ServeDir {
    let serve = ServeDir::new(dir);
    if precompressed_copies_are_fresh(dir) {
        serve.precompressed_br().precompressed_gzip()
    } else {
        tracing::warn!(dir = %dir.display(), "precompressed assets are older than their sources; serving without them");
        serve
    }
}

fn precompressed_copies_are_fresh(dir: &std::path::Path) -> bool {
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Ok(entries) = std::fs::read_dir(dir) else { return true };
    entries.filter_map(Result::ok).map(|e| e.path()).all(|copy| {
        let source = match copy.extension().and_then(|e| e.to_str()) {
            Some("br" | "gz") => copy.with_extension(""),
            _ => return true,
        };
        match (modified(&copy), modified(&source)) {
            (Some(c), Some(s)) => c >= s,
            _ => true,
        }
    })
}

async fn healthz(State(state): State<ServerState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// `/i/{token}`: trades the link's token for an HttpOnly cookie and sends the browser on to a
/// URL without it, so the token stays out of history, logs and referrers.
///
/// `?to=check` sends it to the device check instead of the invitation page (for reminders
/// that carry the device-check link); any other value is ignored.
async fn open_link(
    State(state): State<ServerState>,
    Path(token): Path<String>,
    to: Result<Query<LinkTarget>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let ctx = &state.app;
    let now = ctx.clock.now();
    let locale = locale_of(&headers);
    if !looks_like_token(&token) {
        return invalid_link_page(locale);
    }
    let hash = TokenHash::of(&token);
    let client = serde_json::json!({ "device": device_class(&headers) });
    let invitation = match ctx.store.invitation_by_token(&hash).await {
        Ok(Some((inv, _))) if !inv.window.has_ended(now) => inv,
        Ok(_) => return invalid_link_page(locale),
        Err(e) => {
            tracing::error!(error = %e, "link lookup failed");
            return unavailable();
        }
    };
    if let Err(e) = ctx.store.record_link_opened(&hash, now, &client).await {
        tracing::error!(error = %e, "recording link open failed");
    }
    let max_age = (invitation.window.ends_at - now).num_seconds().max(60);
    let to = to.ok().and_then(|Query(t)| t.to);
    let target = if to.as_deref() == Some("check") { turnout_app::device::CHECK_PATH } else { "/invitation" };
    enter_invitation(&token, max_age, ctx.secure_cookies, target)
}

/// Where an invitation link leads after the exchange.
#[derive(Deserialize)]
struct LinkTarget {
    to: Option<String>,
}

/// `/invitation/calendar.ics`: the confirmed slot as a calendar event.
async fn calendar(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let ctx = &state.app;
    let Some(token) = cookie_in(&headers, INVITATION_COOKIE) else {
        return invalid_link_page(locale_of(&headers));
    };
    let found = match ctx.store.invitation_by_token(&TokenHash::of(&token)).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "calendar lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some((inv, campaign)) = found else { return invalid_link_page(locale_of(&headers)) };
    let Some(slot_id) = inv.slot_id else {
        return (StatusCode::NOT_FOUND, "No confirmed interview time yet. 尚未确认面试时间。").into_response();
    };
    let slot = match ctx.store.slot(slot_id).await {
        Ok(s) => s,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let summary = format!("AI 视频面试 / AI video interview · {} · {}", campaign.bank, campaign.position);
    let description = [campaign.login_notes.as_str(), campaign.help_contact.as_str(), campaign.interview_url.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let uid = format!("invitation-{}@turnout", inv.id);
    let ics = to_ics(
        &CalendarEvent {
            uid: &uid,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            summary: &summary,
            description: &description,
            url: &campaign.interview_url,
        },
        ctx.clock.now(),
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"interview.ics\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ics,
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextPage {
    next: Option<String>,
}

/// `/lang/{code}?next=/path`: remembers a language choice and goes back to the page.
async fn switch_language(State(state): State<ServerState>, Path(code): Path<String>, Query(q): Query<NextPage>) -> Response {
    let Some(locale) = Locale::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    };
    // Only paths on this site: never an open redirect.
    let next = q.next.as_deref().and_then(SitePath::parse).unwrap_or_else(SitePath::home);
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        locale.code(),
        if state.app.secure_cookies { "; Secure" } else { "" }
    );
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, next.as_str())]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::precompressed_copies_are_fresh;
    use std::time::{Duration, SystemTime};

    #[test]
    fn stale_precompressed_copies_are_not_served() {
        let dir = std::env::temp_dir().join(format!("turnout-pkg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let write = |name: &str, age_secs: u64| {
            let f = std::fs::File::create(dir.join(name)).expect("create");
            f.set_modified(SystemTime::now() - Duration::from_secs(age_secs)).expect("set time");
        };
        write("app.wasm", 100);
        write("app.wasm.br", 50);
        write("app.wasm.gz", 50);
        write("app.css", 10);
        assert!(precompressed_copies_are_fresh(&dir), "copies newer than their sources");
        write("app.wasm", 10);
        assert!(!precompressed_copies_are_fresh(&dir), "a rebuilt source makes its copies stale");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
