//! Hydrates the islands of the server-rendered page in the browser.

// The islands are exported from `turnout_app`; naming the crate links it into the module.
extern crate turnout_app;

/// Entry point called by the generated JavaScript once the wasm module has loaded. The loader
/// then hydrates each island on the page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets tests (and styles) tell a hydrated page from the server-rendered one. The islands are
    // hydrated in promise callbacks right after this returns; a timer runs after all of them.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
