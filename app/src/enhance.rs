//! Candidate forms that post without reloading the page.
//!
//! Every candidate form is a plain HTML form: the server function answers a browser's post
//! with a redirect back to the page, which renders the outcome. With scripts on, this island
//! posts the same form with `fetch`, follows the same redirect and swaps in the part of the
//! new page that the form lives in (its closest `[data-swap]` element, matched by `id`). The
//! server stays the one place that renders pages, and the island needs no view code, which
//! keeps the candidate's WebAssembly small.
//!
//! If the server cannot be reached, the page says so and the form keeps what was entered.

use crate::use_locale;
use leptos::prelude::*;

/// The attribute that marks a region a form's answer replaces; the region needs an `id`.
pub const SWAP_ATTR: &str = "data-swap";
/// The id of the template holding the "could not reach the server" notice.
const OFFLINE_NOTICE_ID: &str = "offline-notice";

/// Makes the page's `[data-swap]` forms post without a reload. Rendered once per page.
#[component]
pub fn FormEnhancement() -> impl IntoView {
    let s = use_locale().strings();
    view! {
        // The notice is rendered here, on the server, so no text needs to be in the WebAssembly.
        <template id=OFFLINE_NOTICE_ID>
            <p class="notice notice-error" role="alert">{s.err_offline}</p>
        </template>
        <FormEnhancer />
    }
}

/// The island: installs one `submit` listener on the document.
#[island]
fn FormEnhancer() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::install();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{OFFLINE_NOTICE_ID, SWAP_ATTR};
    use std::cell::Cell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Element, HtmlElement, HtmlFormElement, SubmitEvent};

    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
    }

    /// Listens for form submissions, once per page (a swapped-in region may bring the island
    /// again).
    pub fn install() {
        if INSTALLED.with(|i| i.replace(true)) {
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let listener = Closure::<dyn FnMut(SubmitEvent)>::new(on_submit);
        if document.add_event_listener_with_callback("submit", listener.as_ref().unchecked_ref()).is_ok() {
            // The listener lives as long as the page.
            listener.forget();
        }
    }

    fn on_submit(ev: SubmitEvent) {
        if ev.default_prevented() {
            return;
        }
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        if !form.method().eq_ignore_ascii_case("post") {
            return;
        }
        let Some(region) = form.closest(&format!("[{SWAP_ATTR}]")).ok().flatten().filter(|r| !r.id().is_empty()) else {
            return;
        };
        ev.prevent_default();
        if form.get_attribute("aria-busy").as_deref() == Some("true") {
            // Already on its way: a second tap must not post twice.
            return;
        }
        set_busy(&form, true);
        wasm_bindgen_futures::spawn_local(async move {
            if post(&form, &region).await.is_err() {
                set_busy(&form, false);
                show_offline(&region, &form);
            }
        });
    }

    /// Posts the form as the browser would, then swaps in the region from the page the server
    /// answered with.
    async fn post(form: &HtmlFormElement, region: &Element) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let document = window.document().ok_or(JsValue::NULL)?;
        let data = web_sys::FormData::new_with_form(form)?;
        let body = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)?;
        let headers = web_sys::Headers::new()?;
        // The server function answers a page request (not a script call) with a redirect back.
        headers.set("Accept", "text/html")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&body);
        init.set_headers(&headers);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let request = web_sys::Request::new_with_str_and_init(&form.action(), &init)?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
        let is_html = response.headers().get("content-type")?.is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            return Err(JsValue::NULL);
        }
        let html = JsFuture::from(response.text()?).await?.as_string().ok_or(JsValue::NULL)?;
        let page = web_sys::DomParser::new()?.parse_from_string(&html, web_sys::SupportedType::TextHtml)?;

        // Refused (a form the server could not read, a body too large): the answer is the page
        // with the reason. Show the reason above the form and keep what was entered.
        if !response.ok() {
            let notice = page
                .get_element_by_id(&region.id())
                .or_else(|| page.get_element_by_id("main"))
                .and_then(|r| r.query_selector("[role=alert]").ok().flatten())
                .ok_or(JsValue::NULL)?;
            let notice = document.adopt_node(&notice)?.dyn_into::<HtmlElement>()?;
            set_busy(form, false);
            place_notice(region, form, notice);
            return Ok(());
        }

        // The same region on the new page; an invalid link's page has none, so then the whole
        // main part is replaced.
        let (old, new) = match page.get_element_by_id(&region.id()) {
            Some(new) => (region.clone(), new),
            None => {
                (document.get_element_by_id("main").ok_or(JsValue::NULL)?, page.get_element_by_id("main").ok_or(JsValue::NULL)?)
            }
        };
        let new = document.adopt_node(&new)?.dyn_into::<Element>()?;
        old.replace_with_with_node_1(&new)?;
        document.set_title(&page.title());
        // The address says what a reload would show, as after a plain post.
        window.history()?.replace_state_with_url(&JsValue::NULL, "", Some(&response.url()))?;
        hydrate_islands(&new);
        announce(&new);
        Ok(())
    }

    /// Hydrates islands that came with the new region, through the loader's hook.
    fn hydrate_islands(root: &Element) {
        let Some(window) = web_sys::window() else { return };
        let Ok(hook) = js_sys::Reflect::get(&window, &JsValue::from_str("__hydrateIsland")) else { return };
        let Some(hook) = hook.dyn_ref::<js_sys::Function>() else { return };
        let Ok(islands) = root.query_selector_all("leptos-island") else { return };
        for i in 0..islands.length() {
            if let Some(island) = islands.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                if let Some(id) = island.dataset().get("component") {
                    let _ = hook.call2(&JsValue::NULL, &island, &JsValue::from_str(&id));
                }
            }
        }
    }

    /// Moves focus to the new notice (or the region), so screen readers read the outcome.
    fn announce(region: &Element) {
        let target = region.query_selector("[role=alert], [role=status]").ok().flatten().unwrap_or_else(|| region.clone());
        if let Ok(target) = target.dyn_into::<HtmlElement>() {
            if !target.has_attribute("tabindex") {
                let _ = target.set_attribute("tabindex", "-1");
            }
            let _ = target.focus();
        }
    }

    /// Marks the form as posting and disables its buttons, or undoes that.
    fn set_busy(form: &HtmlFormElement, busy: bool) {
        let _ = form.set_attribute("aria-busy", if busy { "true" } else { "false" });
        if let Ok(buttons) = form.query_selector_all("button[type=submit]") {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = if busy { b.set_attribute("disabled", "") } else { b.remove_attribute("disabled") };
                }
            }
        }
    }

    /// Says above the form that the server could not be reached; what was entered stays.
    fn show_offline(region: &Element, form: &HtmlFormElement) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(template) =
            document.get_element_by_id(OFFLINE_NOTICE_ID).and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
        else {
            return;
        };
        let Some(notice) = template.content().first_element_child() else { return };
        let Ok(notice) = document.import_node_with_deep(&notice, true) else { return };
        let Ok(notice) = notice.dyn_into::<HtmlElement>() else { return };
        place_notice(region, form, notice);
    }

    /// Puts `notice` above the form in place of an earlier one, and moves focus to it.
    fn place_notice(region: &Element, form: &HtmlFormElement, notice: HtmlElement) {
        if let Ok(Some(old)) = region.query_selector("[data-offline]") {
            old.remove();
        }
        let _ = notice.set_attribute("data-offline", "");
        let _ = notice.set_attribute("tabindex", "-1");
        if form.before_with_node_1(&notice).is_ok() {
            let _ = notice.focus();
        }
    }
}
