//! Protections every response and request goes through.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use turnout_app::forms::{HR_HOME_PATH, HR_LOGIN_PATH};
use turnout_app::hr::{after_sign_in, login_href};
use turnout_app::server::{cookie_in, AppContext, HR_COOKIE};
use turnout_domain::TokenHash;

/// The largest request body accepted (forms are small: the largest is a guide of 10,000
/// characters in two languages, percent-encoded); anything bigger is refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Adds security headers. `Referrer-Policy: no-referrer` keeps the page address (and any
/// token that was in it) from reaching other sites.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(self), microphone=(self), geolocation=()"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // Pages and answers may hold personal data: a shared phone's back button or a proxy must
    // not keep them. Only the site's static files (scripts, styles, images) may be cached.
    if !h.contains_key(header::CACHE_CONTROL) && !is_static_file(h) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Whether a response is one of the site's static files, judged by what it is.
fn is_static_file(h: &axum::http::HeaderMap) -> bool {
    let kind = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    ["text/css", "text/javascript", "application/javascript", "application/wasm", "image/", "font/"]
        .iter()
        .any(|k| kind.starts_with(k))
}

/// HR's pages need an HR session: without one the browser goes to the sign-in page, which
/// brings it back here afterwards (never an empty page that looks like "nothing to do").
pub async fn hr_pages_need_a_session(State(app): State<AppContext>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_hr_page = (path == HR_HOME_PATH || path.starts_with("/hr/")) && path != HR_LOGIN_PATH;
    if !is_hr_page || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let token = cookie_in(req.headers(), HR_COOKIE);
    let signed_in = match token {
        Some(t) => app.store.hr_session_user(&TokenHash::of(&t), app.clock.now()).await,
        None => Ok(None),
    };
    match signed_in {
        Ok(Some(_)) => next.run(req).await,
        Ok(None) => {
            let here = req.uri().path_and_query().map_or(path, |p| p.as_str());
            let login = login_href(&after_sign_in(Some(here)));
            (StatusCode::SEE_OTHER, [(header::LOCATION, login.as_str())]).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            crate::answers::unavailable()
        }
    }
}

/// Refuses state-changing requests that come from another site (CSRF). Browsers say where a
/// request comes from in `Sec-Fetch-Site`; older ones in `Origin`. Requests without either
/// (API clients, tests) carry no ambient browser credentials' risk and pass.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match site {
        Some(s) => !matches!(s, "same-origin" | "none"),
        None => {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            match (origin, host) {
                (Some(o), Some(h)) if o != "null" => o.split("://").nth(1) != Some(h),
                _ => false,
            }
        }
    };
    if cross {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}
