//! The door to the server functions (`/api/{name}`).
//!
//! Before a server function sees a request, its form is read here, strictly: a body over the
//! limit, bytes that are not UTF-8 once decoded (never replaced), a control character, or a
//! field sent twice is refused with the reason. HR's functions are refused without an HR
//! session before their arguments are read. Whatever is refused, and whatever a server
//! function fails with that it did not answer itself, is answered in one way: a script gets
//! the error as JSON with its status; a browser's form post gets the form's own page with the
//! message in the reader's language and the error's status (the sign-in page when a session
//! is needed), never another page and never a 5xx for bad input.

use crate::security::MAX_BODY_BYTES;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos::prelude::provide_context;
use std::collections::HashSet;
use tower::ServiceExt;
use turnout_app::error::{AppError, InputProblem};
use turnout_app::forms::{form_page, needs_hr_session};
use turnout_app::server::{cookie_in, AppContext, HR_COOKIE};
use turnout_domain::text::{self, Lines};
use turnout_domain::{SitePath, TokenHash};

/// The header server functions mark their error answers with.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

/// Serves one server-function request; `pages` renders a form's page after a refusal.
pub async fn serve(app: AppContext, pages: Router, req: Request) -> Response {
    let endpoint = req.uri().path().trim_start_matches("/api/").to_string();
    let plain = accepts_html(req.headers());
    let headers = req.headers().clone();
    let (req, fields) = match admit(&app, &endpoint, req).await {
        Ok(admitted) => admitted,
        Err((error, fields)) => return refuse(&pages, &endpoint, &headers, plain, &error, &fields).await,
    };
    let ctx = app.clone();
    let res = leptos_axum::handle_server_fns_with_context(move || provide_context(ctx.clone()), req).await.into_response();
    if !res.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return res;
    }
    // A server function that finished its own form set where the browser goes; keep that.
    let answered = res.headers().get(header::LOCATION).is_some_and(|l| l.as_bytes() != b"/");
    if plain && answered {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let error = serde_json::from_slice::<AppError>(&bytes).unwrap_or_else(|_| AppError::Internal("unreadable error".into()));
    if matches!(error, AppError::Internal(_)) {
        tracing::error!(endpoint, status = %parts.status, "server function failed");
    }
    refuse(&pages, &endpoint, &headers, plain, &error, &fields).await
}

/// The form's fields, as sent.
type Fields = Vec<(String, String)>;

/// Lets a request through with its body read and checked, or says why not.
async fn admit(app: &AppContext, endpoint: &str, req: Request) -> Result<(Request, Fields), (AppError, Fields)> {
    if needs_hr_session(endpoint) && !has_hr_session(app, req.headers()).await {
        return Err((AppError::Unauthorized, Vec::new()));
    }
    if req.method() != Method::POST {
        return Ok((req, Vec::new()));
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err((AppError::InvalidInput(InputProblem::TooLarge), Vec::new()));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| (AppError::InvalidInput(InputProblem::TooLarge), Vec::new()))?;
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("application/x-www-form-urlencoded"));
    let fields = if is_form { read_form(&bytes)? } else { Vec::new() };
    Ok((Request::from_parts(parts, Body::from(bytes)), fields))
}

/// Whether the request carries a live HR session.
async fn has_hr_session(app: &AppContext, headers: &HeaderMap) -> bool {
    let Some(token) = cookie_in(headers, HR_COOKIE) else { return false };
    matches!(app.store.hr_session_user(&TokenHash::of(&token), app.clock.now()).await, Ok(Some(_)))
}

/// Reads an `application/x-www-form-urlencoded` body strictly: each name and value must be
/// UTF-8 after decoding, free of control characters other than line breaks and tabs, and
/// sent once. On a refusal, the fields that could be read come back too (to find the page).
fn read_form(body: &[u8]) -> Result<Fields, (AppError, Fields)> {
    let mut fields = Vec::new();
    let mut problem = None;
    let mut seen = HashSet::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let decoded = percent_decode(name).zip(percent_decode(value));
        let Some((name, value)) = decoded else {
            problem.get_or_insert(AppError::InvalidInput(InputProblem::Malformed));
            continue;
        };
        let checked = text::decode(&name, Lines::One).and_then(|n| Ok((n, text::decode(&value, Lines::Many)?)));
        match checked {
            Ok((name, value)) => {
                if !seen.insert(name.to_string()) {
                    problem.get_or_insert(AppError::InvalidInput(InputProblem::Malformed));
                }
                fields.push((name.to_string(), value.to_string()));
            }
            Err(p) => {
                problem.get_or_insert(AppError::from(p));
                // Keep a readable name, so the page can still be found from an id field.
                if let Ok(name) = std::str::from_utf8(&name) {
                    fields.push((name.to_string(), String::new()));
                }
            }
        }
    }
    match problem {
        Some(e) => Err((e, fields)),
        None => Ok(fields),
    }
}

/// Decodes `+` and `%XX`; `None` for a `%` not followed by two hex digits.
fn percent_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = input.get(i + 1..i + 3)?;
                let s = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(s, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Answers a refused or failed server-function request.
async fn refuse(pages: &Router, endpoint: &str, headers: &HeaderMap, plain: bool, error: &AppError, fields: &Fields) -> Response {
    let status = error.status();
    if !plain {
        let body = serde_json::to_string(error).unwrap_or_else(|_| "\"Internal\"".into());
        return (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body).into_response();
    }
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let page = SitePath::parse_or(&form_page(endpoint, field), "/");
    if *error == AppError::Unauthorized {
        let login = turnout_app::hr::login_href(&turnout_app::hr::after_sign_in(Some(page.as_str())));
        return (StatusCode::SEE_OTHER, [(header::LOCATION, login.as_str()), (header::CACHE_CONTROL, "no-store")])
            .into_response();
    }
    let joiner = if page.as_str().contains('?') { '&' } else { '?' };
    let target = format!("{page}{joiner}error={}", error.code());
    render_page(pages, &target, headers, status).await
}

/// Renders `target` as the browser would see it (same cookies and language), with `status`.
async fn render_page(pages: &Router, target: &str, headers: &HeaderMap, status: StatusCode) -> Response {
    let mut req = Request::builder().method(Method::GET).uri(target);
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE, header::USER_AGENT] {
        for v in headers.get_all(&name) {
            req = req.header(&name, v);
        }
    }
    let Ok(req) = req.header(header::ACCEPT, "text/html").body(Body::empty()) else {
        return (status, "").into_response();
    };
    let mut res = match pages.clone().oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The body of a refused request, for tests.
#[cfg(test)]
fn form(body: &str) -> Result<Fields, AppError> {
    read_form(body.as_bytes()).map_err(|(e, _)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_form_is_read_as_sent() {
        let f = form("slot=3&note=%E9%9D%A2%E8%AF%95+%E6%94%B9%E6%9C%9F%0A%E8%B0%A2%E8%B0%A2&empty=").expect("readable");
        assert_eq!(f[0], ("slot".into(), "3".into()));
        assert_eq!(f[1], ("note".into(), "面试 改期\n谢谢".into()));
        assert_eq!(f[2], ("empty".into(), String::new()));
    }

    #[test]
    fn what_cannot_be_stored_as_sent_is_refused() {
        let text = |p| AppError::InvalidInput(p);
        assert_eq!(form("slot=1&slot=2"), Err(text(InputProblem::Malformed)), "a field twice");
        assert_eq!(form("note=%C0%AF"), Err(text(InputProblem::InvalidText)), "overlong");
        assert_eq!(form("note=%ED%A0%80"), Err(text(InputProblem::InvalidText)), "surrogate");
        assert_eq!(form("note=%C3%E6%CA%D4"), Err(text(InputProblem::InvalidText)), "GBK");
        assert_eq!(form("note=a%00b"), Err(text(InputProblem::ControlCharacter)), "NUL");
        assert_eq!(form("note=%1B%5B31m"), Err(text(InputProblem::ControlCharacter)), "escape");
        assert_eq!(form("note=%G1"), Err(text(InputProblem::Malformed)), "bad escape");
        assert_eq!(form("na%0Ame=x"), Err(text(InputProblem::ControlCharacter)), "a name is one line");
        let raw_gbk = [b"note=".as_slice(), &[0xC3, 0xE6, 0xCA, 0xD4]].concat();
        assert_eq!(read_form(&raw_gbk).map_err(|(e, _)| e), Err(text(InputProblem::InvalidText)), "raw bytes");
    }

    #[test]
    fn a_refusal_keeps_the_fields_that_point_to_the_page() {
        let Err((_, fields)) = read_form(b"campaign=7&guide_zh=%FF") else { panic!("refused") };
        assert_eq!(fields[0], ("campaign".into(), "7".into()));
    }
}
