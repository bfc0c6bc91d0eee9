//! Server-side support for the pages: the shared context, cookies, sign-in, formatting, and the
//! services server functions call.

pub mod auth;
pub mod candidate;
pub mod device;
pub mod follow_up;
pub mod format;
pub mod guide;
pub mod hr;
pub mod notices;
pub(crate) mod risk;

use crate::error::AppError;
use crate::i18n::{Locale, LANG_COOKIE};
use chrono::{DateTime, Utc};
use http::request::Parts;
use std::sync::Arc;
use turnout_store::Store;

/// The cookie that carries a candidate's invitation token (HttpOnly, SameSite=Lax).
pub const INVITATION_COOKIE: &str = "turnout_invitation";
/// The cookie that carries an HR session token (HttpOnly, SameSite=Strict).
pub const HR_COOKIE: &str = "turnout_hr";

/// Where "now" comes from: the system clock, or a fixed or shifted one in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// A clock driven by `f`.
    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// What every request shares: storage, the clock, and the public base URL.
#[derive(Clone, Debug)]
pub struct AppContext {
    /// Storage.
    pub store: Store,
    /// Time source.
    pub clock: Clock,
    /// Base of links sent to candidates, e.g. `https://interview.example.com`.
    pub base_url: String,
    /// Whether cookies are marked `Secure` (the base URL is https).
    pub secure_cookies: bool,
}

/// The shared context of this request.
pub fn app_context() -> Result<AppContext, AppError> {
    leptos::prelude::use_context::<AppContext>().ok_or_else(|| AppError::Internal("no application context".into()))
}

/// The request being served.
pub fn request_parts() -> Option<Parts> {
    leptos::prelude::use_context::<Parts>()
}

/// A cookie's value from a `Cookie` header map.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A cookie of the current request.
pub fn cookie(name: &str) -> Option<String> {
    request_parts().and_then(|p| cookie_in(&p.headers, name))
}

/// The reader's language: their explicit choice, else their browser's preference, else Chinese.
pub fn locale_of(headers: &http::HeaderMap) -> Locale {
    if let Some(l) = cookie_in(headers, LANG_COOKIE).and_then(|c| Locale::from_code(&c)) {
        return l;
    }
    headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Locale::from_accept_language).unwrap_or_default()
}

/// The hash of this request's invitation token (from its cookie); no cookie is an invalid link.
pub fn invitation_token() -> Result<turnout_domain::TokenHash, AppError> {
    cookie(INVITATION_COOKIE).map(|t| turnout_domain::TokenHash::of(&t)).ok_or(AppError::InvalidLink)
}

/// The language of the current request.
pub fn request_locale() -> Locale {
    request_parts().map(|p| locale_of(&p.headers)).unwrap_or_default()
}

/// A `Set-Cookie` value. Session cookies are HttpOnly and never readable by scripts.
pub fn cookie_header(name: &str, value: &str, same_site: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Adds a header to the response being built.
pub fn append_response_header(name: http::HeaderName, value: &str) {
    if let (Some(res), Ok(v)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
    {
        res.append_header(name, v);
    }
}

/// Whether the request is a plain HTML form post (no JavaScript), which expects a redirect.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Finishes a form's server function. Called from a script, errors keep their HTTP status.
/// Posted by a plain form, the browser is sent back to `page` with the outcome or error in
/// the query string, so the page can say what happened without JavaScript.
///
/// `page` may carry what the request sent (an id); anything but a path on this site falls
/// back to the home page, so no input can make the redirect point elsewhere or fail.
pub fn finish_form<T>(result: Result<T, AppError>, page: &str, ok_code: impl Fn(&T) -> String) -> Result<T, AppError> {
    let page = turnout_domain::SitePath::parse_or(page, "/");
    let page = page.as_str();
    let joiner = if page.contains('?') { '&' } else { '?' };
    if is_plain_form_post() {
        let target = match &result {
            Ok(v) => {
                let code = ok_code(v);
                if code.is_empty() {
                    page.to_string()
                } else {
                    format!("{page}{joiner}done={code}")
                }
            }
            Err(e) => format!("{page}{joiner}error={}", e.code()),
        };
        leptos_axum::redirect(&target);
    } else if let Err(e) = &result {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(e.status());
        }
    }
    result
}

/// Sets the response status of the page being rendered.
pub fn set_page_status(status: http::StatusCode) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_lookup() {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::COOKIE, http::HeaderValue::from_static("a=1; turnout_lang=en; b=2"));
        assert_eq!(cookie_in(&h, "turnout_lang").as_deref(), Some("en"));
        assert_eq!(cookie_in(&h, "c"), None);
        assert_eq!(locale_of(&h), Locale::En);
    }
}
