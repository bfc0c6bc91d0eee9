//! Answers and state more than one route shares: the handlers' state, the trade of an
//! invitation link for the candidate's cookie (by `/i/{token}` and by a notice's tracked link),
//! the plain "this link is not valid" page, and the answer when storage cannot be reached.

use axum::extract::FromRef;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::LeptosOptions;
use turnout_app::i18n::Locale;
use turnout_app::server::{cookie_header, AppContext, INVITATION_COOKIE};

/// What handlers share.
#[derive(Clone, Debug)]
pub struct ServerState {
    /// Leptos's options (site root, output name).
    pub leptos: LeptosOptions,
    /// Storage, clock, base URL.
    pub app: AppContext,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// Trades a link's token for the candidate cookie and sends the browser on to `target` (303,
/// not cached), so the token leaves the address bar and the history.
pub(crate) fn enter_invitation(token: &str, max_age_secs: i64, secure: bool, target: &str) -> Response {
    let cookie = cookie_header(INVITATION_COOKIE, token, "Lax", Some(max_age_secs), secure);
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The answer when storage cannot be reached: 503, in both languages.
pub(crate) fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable, please try again shortly. 服务暂时不可用，请稍后重试。")
        .into_response()
}

/// A coarse device class for the signal log (never the full user agent).
pub(crate) fn device_class(headers: &HeaderMap) -> &'static str {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ua.contains("MicroMessenger") || ua.contains("wxwork") {
        "in_app_wechat"
    } else if ua.contains("iPhone") || ua.contains("Android") && ua.contains("Mobile") {
        "phone"
    } else if ua.contains("iPad") || ua.contains("Android") {
        "tablet"
    } else if ua.is_empty() {
        "unknown"
    } else {
        "desktop"
    }
}

pub(crate) fn invalid_link_page(locale: Locale) -> Response {
    let s = locale.strings();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/turnout.css\"></head>\
         <body><header class=\"top\"><span class=\"brand\">Turnout</span></header><main id=\"main\"><section class=\"card invalid\">\
         <h1>{title}</h1><p>{body}</p></section></main></body></html>",
        lang = locale.tag(),
        title = s.invalid_link_title,
        body = s.invalid_link_body,
    );
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
