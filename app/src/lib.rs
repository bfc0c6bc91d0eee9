//! Turnout's pages and server functions. Built with `ssr` for the server and `hydrate` for the
//! browser, never both.
//!
//! Pages are rendered on the server and work as plain HTML. Only the parts that need the
//! browser are islands, hydrated from WebAssembly: the candidate's forms posting without a
//! reload ([`enhance`]), the guide's reading tracker ([`guide::ReadingObserver`]) and the
//! device check ([`device::Check`], loaded only on its page). Nothing else is compiled into
//! the browser's bundle; HR's pages post their forms and render the result on the server.

// HR's status table is one deeply nested view type; computing its layout in a release
// `hydrate` build needs more than the default 128 levels.
#![recursion_limit = "256"]

pub mod candidate;
pub mod device;
pub mod dto;
pub mod enhance;
pub mod error;
pub mod follow_up;
pub mod forms;
pub mod guide;
pub mod hr;
pub mod i18n;
pub mod notices;
#[cfg(feature = "ssr")]
pub mod server;

use i18n::Locale;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

/// The language of this page: as provided by [`App`] on the server; read from `<html lang>`
/// inside an island in the browser, where the app's context does not exist.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(detect_locale)
}

/// The reader's language: from the request on the server, from `<html lang>` in the browser.
fn detect_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        server::request_locale()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|l| Locale::from_code(&l))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Locale::default()
        }
    }
}

/// What a plain form post came back with (see `server::finish_form`): `?error=` as the error,
/// else `?done=` as read by `done`. Pages render on the server, so this is read once.
pub fn posted<T>(done: impl Fn(&str) -> Option<T>) -> Option<Result<T, error::AppError>> {
    let query = leptos_router::hooks::use_query_map();
    let q = query.read_untracked();
    q.get("error").and_then(|c| error::AppError::from_code(&c)).map(Err).or_else(|| q.get("done").and_then(|c| done(&c)).map(Ok))
}

/// The `:id` in a page's path; `None` when it is not a number.
pub fn path_id(params: &leptos_router::params::ParamsMap) -> Option<i64> {
    params.get("id").and_then(|id| id.parse().ok())
}

/// Loads a page for the [`path_id`]; an id that is not a number is a 404.
pub async fn for_path_id<T, F>(id: Option<i64>, load: impl FnOnce(i64) -> F) -> Result<T, error::AppError>
where
    F: std::future::Future<Output = Result<T, error::AppError>>,
{
    match id {
        Some(id) => load(id).await,
        None => Err(error::AppError::NotFound),
    }
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = detect_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="no-referrer" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, routes, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = detect_locale();
    provide_context(locale);
    let s = locale.strings();
    view! {
        <Stylesheet id="turnout" href="/pkg/turnout.css" />
        <Router>
            <Header />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/invitation") view=move || view! { <Title text=s.page_title_candidate /><candidate::InvitationPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/invitation/check") view=move || view! { <Title text=device::DeviceStrings::of(locale).title /><device::DeviceCheckPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/invitation/guide") view=move || view! { <Title text=s.guide_title /><guide::GuidePage /> } ssr=SsrMode::Async />
                    <Route path=path!("/invitation/feedback") view=move || view! { <Title text=s.page_title_candidate /><follow_up::feedback::FeedbackPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/calls") view=move || view! { <Title text=s.page_title_hr /><follow_up::HrCallsPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/risk") view=move || view! { <Title text=s.page_title_hr /><follow_up::HrModelPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/candidates/:id") view=move || view! { <Title text=s.page_title_hr /><follow_up::HrCandidatePage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/campaigns/:id/feedback") view=move || view! { <Title text=s.page_title_hr /><follow_up::HrFeedbackPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/campaigns/:id/notices") view=move || view! { <Title text=s.page_title_hr /><notices::HrNoticesPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/campaigns/:id/guide") view=move || view! { <Title text=s.page_title_hr /><hr::HrGuidePage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/login") view=move || view! { <Title text=s.page_title_hr /><hr::HrLoginPage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr") view=move || view! { <Title text=s.page_title_hr /><hr::HrHomePage /> } ssr=SsrMode::Async />
                    <Route path=path!("/hr/campaigns/:id") view=move || view! { <Title text=s.page_title_hr /><hr::HrStatusPage /> } ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let locale = use_locale();
    let other = locale.other();
    let location = use_location();
    let switch_href = move || {
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        format!("/lang/{}?next={}", other.code(), url_encode(&here))
    };
    view! {
        <header class="top">
            <a class="brand" href="/">"Turnout"</a>
            <a class="lang" href=switch_href hreflang=other.tag() lang=other.tag() rel="external">{locale.strings().switch_language}</a>
        </header>
    }
}

#[component]
fn Home() -> impl IntoView {
    let s = use_locale().strings();
    view! {
        <section class="card">
            <h1>{s.home_title}</h1>
            <p>{s.home_body}</p>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::set_page_status(http::StatusCode::NOT_FOUND);
    let s = use_locale().strings();
    view! {
        <section class="card">
            <h1>{s.not_found_title}</h1>
            <p>{s.not_found_body}</p>
        </section>
    }
}
