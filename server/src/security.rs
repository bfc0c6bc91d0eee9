//! Protections every response and request goes through.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
    res
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
