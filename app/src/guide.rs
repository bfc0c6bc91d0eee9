//! The candidate's interview guide: read it, and say so. Opening it, each section coming into
//! view, reaching the end and the acknowledgement are signals; the acknowledgement works
//! without JavaScript.

use crate::dto::{GuideView, Outcome};
use crate::error::AppError;
use crate::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use turnout_domain::guide::GuideProgress;

/// The guide page's path.
pub const GUIDE_PATH: &str = "/invitation/guide";

/// The guide for this browser's invitation (opening it is recorded).
#[server(prefix = "/api", endpoint = "guide")]
pub async fn get_guide() -> Result<GuideView, AppError> {
    crate::server::guide::guide_view(crate::server::request_locale()).await
}

/// Records a section seen (`event=section&section=s-2`) or the end reached (`event=end`).
#[server(prefix = "/api", endpoint = "guide_progress")]
pub async fn report_guide_reading(event: Option<String>, section: Option<String>) -> Result<(), AppError> {
    let result = crate::server::guide::progress(event, section).await;
    crate::server::finish_form(result, GUIDE_PATH, |_| String::new())
}

/// "I have read the guide".
#[server(prefix = "/api", endpoint = "guide_ack")]
pub async fn acknowledge_guide() -> Result<Outcome, AppError> {
    let result = crate::server::guide::acknowledge().await.map(|()| Outcome::GuideAcknowledged);
    crate::server::finish_form(result, GUIDE_PATH, |o| o.code().to_string())
}

/// `/invitation/guide`.
#[component]
pub fn GuidePage() -> impl IntoView {
    let s = use_locale().strings();
    let ack = ServerAction::<AcknowledgeGuide>::new();
    let guide = Resource::new(|| (), |_| get_guide());
    // After the acknowledgement the server sends the browser back with the outcome in the query.
    let posted = crate::posted(|c| (c == Outcome::GuideAcknowledged.code()).then_some(()));
    let acknowledged = matches!(posted, Some(Ok(())));
    let failed = StoredValue::new(posted.and_then(Result::err));
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match guide.await {
                    Err(e) => view! { <crate::candidate::InvalidLink error=e /> }.into_any(),
                    Ok(g) => {
                        let already = g.progress == GuideProgress::Acknowledged;
                        view! {
                            <p><a href="/invitation">"← "{s.guide_back}</a></p>
                            <section class="intro">
                                <p class="bank">{g.bank.clone()}" · "{g.position.clone()}</p>
                                <h1>{s.guide_title}</h1>
                                <p class="muted">{s.guide_intro}</p>
                            </section>
                            <nav class="card toc" aria-label=s.guide_title>
                                <ol>
                                    {g.sections.iter().map(|sec| view! { <li><a href=format!("#{}", sec.id)>{sec.title.clone()}</a></li> }).collect_view()}
                                </ol>
                            </nav>
                            {g.sections.iter().map(|sec| view! {
                                <section class="card guide-section" id=sec.id.clone() data-guide-section=sec.id.clone() aria-labelledby=format!("{}-h", sec.id)>
                                    <h2 id=format!("{}-h", sec.id)>{sec.title.clone()}</h2>
                                    <div class="guide-body" inner_html=sec.html.clone()></div>
                                </section>
                            }).collect_view()}
                            <div id="guide-end" class="guide-end" data-swap="">
                                {failed.get_value().map(|e| view! { <p class="notice notice-error" role="alert">{e.message(s)}</p> })}
                                {if already || acknowledged {
                                    view! { <p class="notice notice-ok" role="status">{s.done_acknowledged}</p> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=ack attr:class="ack-form">
                                            <button type="submit" class="button primary">{s.guide_ack_button}</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </div>
                            <ReadingObserver />
                            <crate::enhance::FormEnhancement />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Reports each section as it comes into view, and the end of the guide, once per visit: an
/// island with no markup of its own, watching the server-rendered sections.
#[island]
pub fn ReadingObserver() -> impl IntoView {
    // Runs once, when the island hydrates; the observer lives as long as the page.
    #[cfg(feature = "hydrate")]
    let _ = observe_reading();
}

#[cfg(feature = "hydrate")]
fn observe_reading() -> Option<web_sys::IntersectionObserver> {
    use std::cell::RefCell;
    use std::collections::HashSet;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    let document = web_sys::window()?.document()?;
    let seen = RefCell::new(HashSet::<String>::new());
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
            if !entry.is_intersecting() {
                continue;
            }
            let id = entry.target().id();
            if !seen.borrow_mut().insert(id.clone()) {
                continue;
            }
            let (event, section) = if id == "guide-end" { ("end", None) } else { ("section", Some(id)) };
            leptos::task::spawn_local(async move {
                // A lost report only loses a signal; the page goes on working.
                let _ = report_guide_reading(Some(event.to_string()), section).await;
            });
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_threshold(&JsValue::from_f64(0.5));
    let observer = web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options).ok()?;
    // The observer owns the callback for the page's life; it is disconnected on cleanup.
    callback.forget();
    let targets = document.query_selector_all("[data-guide-section], #guide-end").ok()?;
    for i in 0..targets.length() {
        if let Some(el) = targets.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
            observer.observe(&el);
        }
    }
    Some(observer)
}
