//! The device check: browser, camera and microphone access, devices, camera picture,
//! microphone level, speaker and network, measured in the browser and judged by the domain.
//!
//! Nothing the camera or microphone captures leaves the device: frames and sound are analysed
//! in the page and only the figures are submitted. Without JavaScript the page explains what
//! the check needs; when the check's own part of the WebAssembly cannot be downloaded or
//! started, the page says so and what to do instead of waiting for ever.

#[cfg(feature = "hydrate")]
mod browser;
pub mod strings;

use crate::error::AppError;
use crate::use_locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
pub use strings::{DeviceStrings, LoadStrings};
use turnout_domain::device::{BrowserPlatform, CheckItem, DeviceAssessment, Reason, Verdict};

/// The device check page's path.
pub const CHECK_PATH: &str = "/invitation/check";
/// The network check's round-trip probe (a tiny, uncached answer).
pub const PROBE_PING_PATH: &str = "/probe/ping";
/// The network check's download probe (`?bytes=n`, at most
/// [`turnout_domain::device::PROBE_MAX_BYTES`] random bytes).
pub const PROBE_DOWNLOAD_PATH: &str = "/probe/download";
/// The network check's upload probe (a body of at most
/// [`turnout_domain::device::PROBE_MAX_BYTES`], read and discarded).
pub const PROBE_UPLOAD_PATH: &str = "/probe/upload";
/// Where a candidate reports a device problem.
pub const FEEDBACK_PATH: &str = "/invitation/feedback?kind=device_problem";
/// The id of the notice shown when the check cannot start; the check removes it once it runs.
pub const LOAD_NOTICE_ID: &str = "check-load";
/// How long the check may take to start before the page says it did not load and what to do,
/// in milliseconds. A weak phone on a slow link needs several seconds for the check's
/// WebAssembly; a failed download is reported at once, without waiting for this.
pub const LOAD_TIMEOUT_MS: u32 = 20_000;

/// What the page shows around the check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCheckPage {
    /// The bank's name.
    pub bank: String,
    /// The position.
    pub position: String,
    /// Technical help contact.
    pub help_contact: String,
    /// The network thresholds as the page states them (formatted on the server, which keeps
    /// float formatting out of the WebAssembly).
    pub thresholds: String,
}

/// A stored check as the page shows it: the verdicts the server derived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCheckSaved {
    /// The overall verdict.
    pub verdict: Verdict,
    /// Each item run, in check order, with its verdict and reason.
    pub items: Vec<(CheckItem, Verdict, Reason)>,
}

impl From<&DeviceAssessment> for DeviceCheckSaved {
    fn from(a: &DeviceAssessment) -> Self {
        DeviceCheckSaved { verdict: a.verdict, items: a.items.iter().map(|r| (r.item, r.verdict, r.reason)).collect() }
    }
}

/// A figure with `tenths` digits after the point, without float formatting (which would add
/// much to the WebAssembly for two numbers).
fn figure(v: Option<f64>, tenths: bool) -> String {
    match v {
        None => "–".into(),
        Some(x) if tenths => {
            let t = (x * 10.0).round().max(0.0) as u64;
            format!("{}.{}", t / 10, t % 10)
        }
        Some(x) => (x.round().max(0.0) as u64).to_string(),
    }
}

/// The device check page of this browser's invitation.
#[server(prefix = "/api", endpoint = "device_check_page")]
pub async fn get_device_check() -> Result<DeviceCheckPage, AppError> {
    crate::server::device::page().await
}

/// Stores a finished check. `report` is a [`turnout_domain::device::DeviceReport`] as JSON:
/// measurements only; the server derives every verdict itself.
#[server(prefix = "/api", endpoint = "device_check")]
pub async fn submit_device_check(report: Option<String>) -> Result<DeviceCheckSaved, AppError> {
    let result = crate::server::device::submit(report.as_deref().unwrap_or_default()).await;
    crate::server::finish_form(result, CHECK_PATH, |_| String::new())
}

/// Round trip (ms), download and upload (Mbps); `None` for a probe that failed.
pub type NetworkFigures = (Option<f64>, Option<f64>, Option<f64>);

/// Where one step of the check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Not reached yet.
    Waiting,
    /// Being measured.
    Running,
    /// Measured and judged.
    Done(Verdict, Reason),
    /// Not run because an earlier step failed.
    Skipped,
}

/// The page's reactive state, shared by the view and the browser code that measures.
#[derive(Clone, Copy)]
pub struct CheckUi {
    /// Each step, in [`CheckItem::ALL`] order.
    pub steps: RwSignal<[StepState; 7]>,
    /// The microphone's current level (0–1).
    pub level: RwSignal<f64>,
    /// The camera picture's size.
    pub resolution: RwSignal<Option<(u32, u32)>>,
    /// The live camera preview is showing.
    pub previewing: RwSignal<bool>,
    /// Round trip, download and upload figures.
    pub network: RwSignal<Option<NetworkFigures>>,
    /// Cameras listed: (device id, label).
    pub cameras: RwSignal<Vec<(String, String)>>,
    /// Microphones listed: (device id, label).
    pub microphones: RwSignal<Vec<(String, String)>>,
    /// The camera chosen.
    pub camera_choice: RwSignal<Option<String>>,
    /// The microphone chosen.
    pub microphone_choice: RwSignal<Option<String>>,
    /// Waiting for the candidate to say whether they heard the tone.
    pub asking_speaker: RwSignal<bool>,
    /// The check is running.
    pub running: RwSignal<bool>,
    /// The page has hydrated and can run the check.
    pub ready: RwSignal<bool>,
    /// The stored result, once submitted; `Err(None)` when the server did not answer within
    /// [`turnout_domain::device::SUBMIT_TIMEOUT_MS`].
    pub saved: RwSignal<Option<Result<DeviceCheckSaved, Option<AppError>>>>,
    /// Which permission instructions apply to this browser.
    pub platform: RwSignal<BrowserPlatform>,
    /// The camera preview.
    pub video: NodeRef<leptos::html::Video>,
}

impl CheckUi {
    fn new() -> CheckUi {
        CheckUi {
            steps: RwSignal::new([StepState::Waiting; 7]),
            level: RwSignal::new(0.0),
            resolution: RwSignal::new(None),
            previewing: RwSignal::new(false),
            network: RwSignal::new(None),
            cameras: RwSignal::new(Vec::new()),
            microphones: RwSignal::new(Vec::new()),
            camera_choice: RwSignal::new(None),
            microphone_choice: RwSignal::new(None),
            asking_speaker: RwSignal::new(false),
            running: RwSignal::new(false),
            ready: RwSignal::new(false),
            saved: RwSignal::new(None),
            platform: RwSignal::new(BrowserPlatform::Other),
            video: NodeRef::new(),
        }
    }

    /// Sets one step's state.
    pub fn set(&self, item: CheckItem, state: StepState) {
        self.steps.update(|s| s[item as usize] = state);
    }

    fn step(&self, item: CheckItem) -> StepState {
        self.steps.with(|s| s[item as usize])
    }
}

/// The invitation page's card that leads to the check.
#[component]
pub fn CheckLink() -> impl IntoView {
    let d = DeviceStrings::of(use_locale());
    view! {
        <section class="card check-link">
            <h2>{d.title}</h2>
            <p class="muted">{d.link_intro}</p>
            <p><a class="button secondary" href=CHECK_PATH>{d.open_link}</a></p>
        </section>
    }
}

/// `/invitation/check`.
#[component]
pub fn DeviceCheckPage() -> impl IntoView {
    let s = use_locale().strings();
    let page = Resource::new(|| (), |_| get_device_check());
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <crate::candidate::InvalidLink error=e /> }.into_any(),
                    Ok(p) => view! { <CheckPage page=p /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Watches for the check starting: shows the load notice when it has not started within
/// [`LOAD_TIMEOUT_MS`], at once when a script or WebAssembly download fails (a failed download of
/// the check's lazily loaded part surfaces as an error or an unhandled rejection), and at once in
/// a browser without WebAssembly. The check removes the notice when it starts, so a late start
/// still replaces it.
fn load_watch_script() -> String {
    format!(
        "(function(){{var n=document.getElementById('{LOAD_NOTICE_ID}');if(!n)return;\
         function show(){{if(n.isConnected)n.hidden=false}}\
         setTimeout(show,{LOAD_TIMEOUT_MS});\
         addEventListener('error',show,true);addEventListener('unhandledrejection',show);\
         if(typeof WebAssembly!=='object')show()}})()"
    )
}

/// The page around the check, rendered on the server only: the introduction, what to do
/// without JavaScript, and what to do when the check cannot load.
#[component]
fn CheckPage(page: DeviceCheckPage) -> impl IntoView {
    let locale = use_locale();
    let d = DeviceStrings::of(locale);
    let l = LoadStrings::of(locale);
    let help = page.help_contact.clone();
    view! {
        <p><a href="/invitation">"← "{d.back}</a></p>
        <section class="intro">
            <p class="bank">{page.bank.clone()}" · "{page.position.clone()}</p>
            <h1>{d.title}</h1>
            <p class="muted">{d.intro}</p>
            <p class="privacy">{d.privacy}</p>
        </section>
        <noscript><p class="notice notice-error">{d.needs_script}</p></noscript>
        <div id=LOAD_NOTICE_ID class="notice notice-error check-load" role="alert" hidden=true>
            <p><strong>{l.heading}</strong></p>
            <p>{l.intro}</p>
            <ol>
                <li>{l.reload_step}" "<a href=CHECK_PATH>{l.reload}</a></li>
                <li>{l.browser_step}</li>
                <li>
                    {l.skip_step}
                    {(!help.is_empty()).then(|| view! { <br /><span class="prewrap">{help}</span> })}
                    <br /><a href=FEEDBACK_PATH>{d.report_problem}</a>
                </li>
            </ol>
        </div>
        <script inner_html=load_watch_script()></script>
        <Check page=page />
    }
}

/// The check itself: an island, the only part of the page that runs in the browser.
#[island(lazy)]
pub fn Check(page: DeviceCheckPage) -> impl IntoView {
    let locale = use_locale();
    let d = DeviceStrings::of(locale);
    let ui = CheckUi::new();

    #[cfg(feature = "hydrate")]
    let session = browser::Session::mount(ui);
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        session.start(ui);
    };
    let answer = move |heard: bool| {
        #[cfg(feature = "hydrate")]
        session.answer(heard);
        #[cfg(not(feature = "hydrate"))]
        let _ = heard;
    };
    let replay = move |_| {
        #[cfg(feature = "hydrate")]
        session.play_tone();
    };
    let pick = move |camera: bool, id: String| {
        let id = Some(id).filter(|i| !i.is_empty());
        if camera {
            ui.camera_choice.set(id);
        } else {
            ui.microphone_choice.set(id);
        }
        #[cfg(feature = "hydrate")]
        if !ui.running.get_untracked() {
            session.start(ui);
        }
    };

    let started = move || ui.steps.with(|s| s.iter().any(|st| *st != StepState::Waiting));
    let help = page.help_contact.clone();
    let thresholds = StoredValue::new(page.thresholds.clone());
    let any_failed = move || ui.steps.with(|s| s.iter().any(|st| matches!(st, StepState::Done(Verdict::Fail, _))));

    view! {
        <div class="check-start">
            <button type="button" class="button primary" on:click=start
                disabled=move || !ui.ready.get() || ui.running.get()>
                {move || if started() { d.again } else { d.start }}
            </button>
        </div>
        <Overall ui=ui />
        <h2 class="visually-hidden">{d.steps_heading}</h2>
        <ol class="check-steps" aria-label=d.steps_heading>
            {CheckItem::ALL.into_iter().map(|item| view! {
                <Step ui=ui item=item>
                    {match item {
                        CheckItem::Devices => view! { <DevicePickers ui=ui pick=pick /> }.into_any(),
                        CheckItem::Camera => view! {
                            <div class="preview" class:live=move || ui.previewing.get()>
                                <video node_ref=ui.video autoplay=true muted=true playsinline=true aria-label=d.preview_label></video>
                            </div>
                            {move || ui.resolution.get().map(|(w, h)| view! {
                                <p class="figure">{crate::i18n::fill(d.resolution, &[("w", &w), ("h", &h)])}</p>
                            })}
                        }.into_any(),
                        CheckItem::Microphone => view! {
                            {move || (ui.step(CheckItem::Microphone) == StepState::Running).then(|| view! {
                                <p>{d.speak_now}</p>
                                <label class="meter">
                                    <span>{d.level_label}</span>
                                    <meter min="0" max="1" low="0.1" optimum="0.5" value=move || ui.level.get()></meter>
                                </label>
                            })}
                        }.into_any(),
                        CheckItem::Speaker => view! {
                            {move || ui.asking_speaker.get().then(|| view! {
                                <div class="speaker-question" role="group" aria-label=d.tone_question>
                                    <p>{d.tone_question}</p>
                                    <div class="actions">
                                        <button type="button" class="button" on:click=move |_| answer(true)>{d.heard}</button>
                                        <button type="button" class="button secondary" on:click=move |_| answer(false)>{d.not_heard}</button>
                                        <button type="button" class="button secondary" on:click=replay>{d.play_tone}</button>
                                    </div>
                                </div>
                            })}
                        }.into_any(),
                        CheckItem::Network => view! {
                            {move || ui.network.get().map(|(rtt, down, up)| {
                                view! {
                                    <p class="figure">{crate::i18n::fill(d.network_figures, &[("rtt", &figure(rtt, false)), ("down", &figure(down, true)), ("up", &figure(up, true))])}</p>
                                }
                            })}
                            <p class="muted small">{thresholds.get_value()}</p>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                </Step>
            }).collect_view()}
        </ol>
        {move || any_failed().then(|| {
            let help = help.clone();
            view! {
                <section class="card check-help" aria-labelledby="check-help-title">
                    <h2 id="check-help-title">{d.help_heading}</h2>
                    {(!help.is_empty()).then(|| view! { <p class="prewrap">{help.clone()}</p> })}
                    <p><a class="button secondary" href=FEEDBACK_PATH>{d.report_problem}</a></p>
                </section>
            }
        })}
    }
}

#[component]
fn Overall(ui: CheckUi) -> impl IntoView {
    let locale = use_locale();
    let d = DeviceStrings::of(locale);
    let s = locale.strings();
    view! {
        {move || match ui.saved.get() {
            None if ui.running.get() && ui.steps.with(|st| st.iter().all(|x| !matches!(x, StepState::Waiting | StepState::Running))) => {
                Some(view! { <p class="notice" role="status">{d.saving}</p> }.into_any())
            }
            None => None,
            Some(Ok(a)) => {
                let class = format!("notice overall verdict-{}", a.verdict.as_str());
                Some(view! {
                    <div class=class role="status">
                        <p class="overall-verdict"><strong>{d.verdict(a.verdict)}</strong>" · "{d.overall(a.verdict)}</p>
                    </div>
                }.into_any())
            }
            Some(Err(Some(e))) => Some(view! {
                <p class="notice notice-error" role="alert">{d.save_failed}" "{e.message(s)}</p>
            }.into_any()),
            Some(Err(None)) => Some(view! {
                <p class="notice notice-error" role="alert">{d.save_timed_out}</p>
            }.into_any()),
        }}
    }
}

#[component]
fn Step(ui: CheckUi, item: CheckItem, children: Children) -> impl IntoView {
    let d = DeviceStrings::of(use_locale());
    let state = move || ui.step(item);
    let label = move || match state() {
        StepState::Waiting => d.waiting,
        StepState::Running => d.running,
        StepState::Skipped => d.skipped,
        StepState::Done(v, _) => d.verdict(v),
    };
    let class = move || match state() {
        StepState::Waiting => "waiting",
        StepState::Running => "running",
        StepState::Skipped => "skipped",
        StepState::Done(v, _) => v.as_str(),
    };
    let heading_id = format!("step-{}", item.as_str());
    view! {
        <li class=move || format!("card check-step step-{}", class()) aria-labelledby=heading_id.clone() data-item=item.as_str()>
            <div class="step-head">
                <h3 id=heading_id.clone()>{d.item(item)}</h3>
                <span class=move || format!("badge check-{}", class()) aria-live="polite">{label}</span>
            </div>
            {move || match state() {
                StepState::Done(v, reason) if v != Verdict::Pass || reason != Reason::Ok => {
                    let allow = matches!(reason, Reason::PermissionDenied).then(|| d.allow_access(ui.platform.get()));
                    Some(view! {
                        <p class="reason">{d.reason(reason)}</p>
                        {allow.map(|a| view! { <p class="remedy">{a}</p> })}
                    })
                }
                _ => None,
            }}
            {children()}
        </li>
    }
}

#[component]
fn DevicePickers<F>(ui: CheckUi, pick: F) -> impl IntoView
where
    F: Fn(bool, String) + Copy + Send + Sync + 'static,
{
    let d = DeviceStrings::of(use_locale());
    let picker =
        move |camera: bool| {
            let (list, choice, label) = if camera {
                (ui.cameras, ui.camera_choice, d.camera_label)
            } else {
                (ui.microphones, ui.microphone_choice, d.microphone_label)
            };
            move || {
                (!list.with(Vec::is_empty)).then(|| view! {
                <label class="picker">
                    <span>{label}</span>
                    <select on:change=move |ev| pick(camera, event_target_value(&ev)) prop:disabled=move || ui.running.get()>
                        {list.get().into_iter().enumerate().map(|(i, (id, name))| {
                            let selected = choice.get_untracked().as_deref() == Some(id.as_str());
                            let name = if name.is_empty() { format!("{label} {}", i + 1) } else { name };
                            view! { <option value=id selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })
            }
        };
    view! {
        <div class="pickers">
            {picker(true)}
            {picker(false)}
        </div>
    }
}

/// HR's status-table cell: the latest check's verdict and the items that failed.
#[component]
pub fn HrDeviceCell(check: Option<(Verdict, Vec<CheckItem>)>) -> impl IntoView {
    let d = DeviceStrings::of(use_locale());
    match check {
        None => view! { <span class="badge check-waiting">{d.hr_not_run}</span> }.into_any(),
        Some((verdict, failed)) => {
            let failed = failed.into_iter().map(|i| d.item(i)).collect::<Vec<_>>().join(d.list_separator);
            view! {
                <span class=format!("badge check-{}", verdict.as_str())>{d.verdict(verdict)}</span>
                {(!failed.is_empty()).then(|| view! { <span class="note">{format!(" {}{failed}", d.hr_failed)}</span> })}
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::figure;

    #[test]
    fn figures_are_rounded_without_float_formatting() {
        assert_eq!(figure(Some(35.4), false), "35");
        assert_eq!(figure(Some(35.5), false), "36");
        assert_eq!(figure(Some(1.06), true), "1.1");
        assert_eq!(figure(Some(0.04), true), "0.0");
        assert_eq!(figure(Some(284.83), true), "284.8");
        assert_eq!(figure(None, true), "–");
    }
}
