//! The measuring, in the browser: web-sys calls only, no JavaScript libraries.
//!
//! Camera frames are drawn into a small canvas and reduced to two numbers (brightness and
//! change between frames); sound is reduced to its loudest level. Those numbers, the network
//! timings and the candidate's answers are all that is submitted. Every track is stopped and the
//! audio context closed when the check ends, when it is restarted, when the page is left
//! (`pagehide`) and when the component is cleaned up.
//!
//! Every wait has a time limit from the domain (`*_TIMEOUT_MS`): a step that runs out of time
//! reports what it saw, and a stalled network request is aborted, so the check always ends.

use super::{submit_device_check, CheckUi, StepState, LOAD_NOTICE_ID, PROBE_DOWNLOAD_PATH, PROBE_PING_PATH, PROBE_UPLOAD_PATH};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use turnout_domain::device::{
    classify_user_agent, median, next_transfer, throughput_of, transfer_millis, BrowserPlatform, BrowserSupport, CheckItem,
    DeviceReport, Measurement, PermissionOutcome, Transfer, CAMERA_START_TIMEOUT_MS, DEVICES_TIMEOUT_MS, MIC_LISTEN_MS,
    MIC_START_TIMEOUT_MS, NETWORK_TIMEOUT_MS, PERMISSION_TIMEOUT_MS, PING_COUNT, PING_TIMEOUT_MS, PROBE_TIMEOUT_MS,
    SPEAKER_ANSWER_TIMEOUT_MS, SPEECH_LEVEL_MIN, SUBMIT_TIMEOUT_MS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Frames the camera check samples, and the pause between them.
const CAMERA_FRAMES: u32 = 10;
const CAMERA_FRAME_GAP_MS: i32 = 150;
/// The size frames are reduced to before they are measured.
const SAMPLE_W: u32 = 64;
const SAMPLE_H: u32 = 48;
/// How often the level meter is read, and how long it keeps listening once speech is heard.
const METER_TICK_MS: i32 = 50;
const SPEECH_TAIL_MS: f64 = 600.0;

#[derive(Default)]
struct Inner {
    stream: Option<web_sys::MediaStream>,
    audio: Option<web_sys::AudioContext>,
    answer: Option<js_sys::Function>,
    run: u32,
    alive: bool,
}

impl Inner {
    /// Stops every track, closes the audio context and drops a pending question.
    fn release(&mut self) {
        if let Some(stream) = self.stream.take() {
            stop_tracks(&stream);
        }
        if let Some(ctx) = self.audio.take() {
            let _ = ctx.close();
        }
        self.answer = None;
    }
}

fn stop_tracks(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The page's handle on camera, microphone and audio; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Session(StoredValue<Rc<RefCell<Inner>>, LocalStorage>);

impl Session {
    /// Sets up the handle for this page: marks the check ready once hydrated, and releases
    /// every device on `pagehide` and on cleanup.
    pub fn mount(ui: CheckUi) -> Session {
        let inner = Rc::new(RefCell::new(Inner { alive: true, ..Inner::default() }));
        Effect::new(move |_| {
            let ua = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
            ui.platform.set(classify_user_agent(&ua).platform);
            ui.ready.set(true);
            // The check runs: the notice for a check that cannot load no longer applies.
            if let Some(notice) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(LOAD_NOTICE_ID)) {
                notice.remove();
            }
        });
        let on_hide = {
            let inner = inner.clone();
            Closure::<dyn FnMut()>::new(move || inner.borrow_mut().release())
        };
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        }
        let guard = SendWrapper::new((inner.clone(), on_hide));
        on_cleanup(move || {
            let (inner, on_hide) = guard.take();
            let mut i = inner.borrow_mut();
            i.alive = false;
            i.release();
            if let Some(w) = web_sys::window() {
                let _ = w.remove_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
            }
        });
        Session(StoredValue::new_local(inner))
    }

    /// Starts (or restarts) the check.
    pub fn start(self, ui: CheckUi) {
        let Some(inner) = self.0.try_get_value() else { return };
        let run = {
            let mut i = inner.borrow_mut();
            i.release();
            i.run += 1;
            i.run
        };
        // Created within the click, so the browser lets it run and play sound.
        let audio = web_sys::AudioContext::new().ok();
        if let Some(ctx) = &audio {
            let _ = ctx.resume();
        }
        inner.borrow_mut().audio = audio.clone();
        leptos::task::spawn_local(run_check(ui, inner, run, audio));
    }

    /// The candidate's answer to "did you hear the tone?".
    pub fn answer(self, heard: bool) {
        if let Some(resolve) = self.0.try_get_value().and_then(|i| i.borrow_mut().answer.take()) {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(heard));
        }
    }

    /// Plays the test tone again.
    pub fn play_tone(self) {
        if let Some(ctx) = self.0.try_get_value().and_then(|i| i.borrow().audio.clone()) {
            play_tone(&ctx);
        }
    }
}

fn is_current(inner: &Rc<RefCell<Inner>>, run: u32) -> bool {
    let i = inner.borrow();
    i.alive && i.run == run
}

fn record(ui: CheckUi, items: &mut Vec<Measurement>, m: Measurement) {
    let (verdict, reason) = m.assess();
    ui.set(m.item(), StepState::Done(verdict, reason));
    items.push(m);
}

async fn run_check(ui: CheckUi, inner: Rc<RefCell<Inner>>, run: u32, audio: Option<web_sys::AudioContext>) {
    ui.running.set(true);
    ui.saved.set(None);
    ui.steps.set([StepState::Waiting; 7]);
    ui.level.set(0.0);
    ui.resolution.set(None);
    ui.previewing.set(false);
    ui.network.set(None);
    let mut items = Vec::new();

    ui.set(CheckItem::Browser, StepState::Running);
    let support = browser_support();
    record(ui, &mut items, Measurement::Browser(support));

    let mut stream = None;
    if support.secure_context && support.media_devices && support.get_user_media {
        ui.set(CheckItem::Permissions, StepState::Running);
        let opened = open_media(ui.camera_choice.get_untracked(), ui.microphone_choice.get_untracked()).await;
        if !is_current(&inner, run) {
            if let Ok(s) = &opened {
                stop_tracks(s);
            }
            return;
        }
        let outcome = match opened {
            Ok(s) => {
                inner.borrow_mut().stream = Some(s.clone());
                stream = Some(s);
                PermissionOutcome::Granted
            }
            Err(outcome) => outcome,
        };
        record(ui, &mut items, Measurement::Permissions { outcome });
    } else {
        ui.set(CheckItem::Permissions, StepState::Skipped);
    }

    if let Some(stream) = stream {
        ui.set(CheckItem::Devices, StepState::Running);
        let devices = list_devices(ui, &stream).await;
        if !is_current(&inner, run) {
            return;
        }
        record(ui, &mut items, devices);

        ui.set(CheckItem::Camera, StepState::Running);
        let camera = sample_camera(ui, &stream).await;
        if !is_current(&inner, run) {
            return;
        }
        record(ui, &mut items, camera);

        match &audio {
            Some(ctx) if support.audio_context => {
                ui.set(CheckItem::Microphone, StepState::Running);
                let mic = listen(ui, ctx, &stream).await;
                if !is_current(&inner, run) {
                    return;
                }
                record(ui, &mut items, mic);
            }
            _ => ui.set(CheckItem::Microphone, StepState::Skipped),
        }
        // Capture ends here: nothing after this needs the camera or the microphone.
        stop_tracks(&stream);
        inner.borrow_mut().stream = None;
        ui.previewing.set(false);
        if let Some(video) = ui.video.get_untracked() {
            video.set_src_object(None);
        }
    } else {
        for item in [CheckItem::Devices, CheckItem::Camera, CheckItem::Microphone] {
            ui.set(item, StepState::Skipped);
        }
    }

    match &audio {
        Some(ctx) if support.audio_context => {
            ui.set(CheckItem::Speaker, StepState::Running);
            play_tone(ctx);
            let asked = js_sys::Promise::new(&mut |resolve, _| inner.borrow_mut().answer = Some(resolve));
            ui.asking_speaker.set(true);
            // No answer in time leaves the speaker unchecked (`None`).
            let heard = within(SPEAKER_ANSWER_TIMEOUT_MS, JsFuture::from(asked))
                .await
                .map(|v| v.ok().and_then(|v| v.as_bool()).unwrap_or(false));
            if !is_current(&inner, run) {
                return;
            }
            inner.borrow_mut().answer = None;
            ui.asking_speaker.set(false);
            record(ui, &mut items, Measurement::Speaker { heard });
        }
        _ => ui.set(CheckItem::Speaker, StepState::Skipped),
    }
    if let Some(ctx) = inner.borrow_mut().audio.take() {
        let _ = ctx.close();
    }

    ui.set(CheckItem::Network, StepState::Running);
    let network = measure_network(ui).await;
    if !is_current(&inner, run) {
        return;
    }
    record(ui, &mut items, network);

    let result = match within(SUBMIT_TIMEOUT_MS, submit_device_check(Some(DeviceReport { items }.to_json()))).await {
        Some(r) => r.map_err(Some),
        None => Err(None),
    };
    if !is_current(&inner, run) {
        return;
    }
    if let Ok(a) = &result {
        // The server's judgement is the one stored; show exactly that.
        for (item, verdict, reason) in &a.items {
            ui.set(*item, StepState::Done(*verdict, *reason));
        }
    }
    ui.saved.set(Some(result));
    ui.running.set(false);
}

fn has(target: &JsValue, key: &str) -> bool {
    js_sys::Reflect::has(target, &JsValue::from_str(key)).unwrap_or(false)
}

fn browser_support() -> BrowserSupport {
    let Some(w) = web_sys::window() else { return BrowserSupport::default() };
    let nav = w.navigator();
    let media = js_sys::Reflect::get(&nav, &JsValue::from_str("mediaDevices")).ok().filter(|v| v.is_object());
    let ua = nav.user_agent().unwrap_or_default();
    BrowserSupport {
        secure_context: w.is_secure_context(),
        media_devices: media.is_some(),
        get_user_media: media.as_ref().is_some_and(|m| has(m, "getUserMedia")),
        peer_connection: has(&w, "RTCPeerConnection"),
        audio_context: has(&w, "AudioContext"),
        webassembly: has(&js_sys::global(), "WebAssembly"),
        in_app_browser: classify_user_agent(&ua).platform == BrowserPlatform::InApp,
    }
}

fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn exact(id: &str) -> JsValue {
    object(&[("exact", &JsValue::from_str(id))])
}

/// Asks for camera and microphone (the chosen ones, if any), for at most
/// [`PERMISSION_TIMEOUT_MS`]. A stream that opens after that is closed at once.
async fn open_media(camera: Option<String>, microphone: Option<String>) -> Result<web_sys::MediaStream, PermissionOutcome> {
    let devices = web_sys::window().and_then(|w| w.navigator().media_devices().ok()).ok_or(PermissionOutcome::Other)?;
    let ideal = |n: f64| object(&[("ideal", &JsValue::from_f64(n))]);
    let (width, height) = (ideal(1280.0), ideal(720.0));
    let mut video: Vec<(&str, &JsValue)> = vec![("width", &width), ("height", &height)];
    let camera_id = camera.as_deref().map(exact);
    if let Some(id) = &camera_id {
        video.push(("deviceId", id));
    }
    let audio = match microphone.as_deref() {
        Some(id) => object(&[("deviceId", &exact(id))]),
        None => JsValue::TRUE,
    };
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(&object(&video));
    constraints.set_audio(&audio);
    let failed = |e: JsValue| PermissionOutcome::from_error_name(&error_name(&e));
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(failed)?;
    match within(PERMISSION_TIMEOUT_MS, JsFuture::from(promise.clone())).await {
        Some(Ok(s)) => s.dyn_into::<web_sys::MediaStream>().map_err(|_| PermissionOutcome::Other),
        Some(Err(e)) => Err(failed(e)),
        None => {
            leptos::task::spawn_local(async move {
                if let Some(late) = JsFuture::from(promise).await.ok().and_then(|s| s.dyn_into::<web_sys::MediaStream>().ok()) {
                    stop_tracks(&late);
                }
            });
            Err(PermissionOutcome::TimedOut)
        }
    }
}

fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("name")).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn device_id(track: &JsValue) -> Option<String> {
    let track: &web_sys::MediaStreamTrack = track.dyn_ref()?;
    let settings = track.get_settings();
    js_sys::Reflect::get(&settings, &JsValue::from_str("deviceId")).ok()?.as_string()
}

/// Lists cameras and microphones for the pickers, and counts them. When the list does not come
/// within [`DEVICES_TIMEOUT_MS`], the devices counted are the ones open.
async fn list_devices(ui: CheckUi, stream: &web_sys::MediaStream) -> Measurement {
    let mut cameras = Vec::new();
    let mut microphones = Vec::new();
    let mut listed = false;
    if let Some(promise) =
        web_sys::window().and_then(|w| w.navigator().media_devices().ok()).and_then(|d| d.enumerate_devices().ok())
    {
        if let Some(Ok(list)) = within(DEVICES_TIMEOUT_MS, JsFuture::from(promise)).await {
            listed = true;
            for info in js_sys::Array::from(&list).iter() {
                let Ok(info) = info.dyn_into::<web_sys::MediaDeviceInfo>() else { continue };
                let entry = (info.device_id(), info.label());
                match info.kind() {
                    web_sys::MediaDeviceKind::Videoinput => cameras.push(entry),
                    web_sys::MediaDeviceKind::Audioinput => microphones.push(entry),
                    _ => {}
                }
            }
        }
    }
    // The devices in use are the ones the pickers show as chosen.
    if ui.camera_choice.get_untracked().is_none() {
        ui.camera_choice.set(stream.get_video_tracks().iter().next().and_then(|t| device_id(&t)));
    }
    if ui.microphone_choice.get_untracked().is_none() {
        ui.microphone_choice.set(stream.get_audio_tracks().iter().next().and_then(|t| device_id(&t)));
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let m = if listed {
        Measurement::Devices { cameras: count(cameras.len()), microphones: count(microphones.len()) }
    } else {
        let open = |tracks: js_sys::Array| count(tracks.length() as usize);
        Measurement::Devices { cameras: open(stream.get_video_tracks()), microphones: open(stream.get_audio_tracks()) }
    };
    ui.cameras.set(cameras);
    ui.microphones.set(microphones);
    m
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Runs `work` for at most `ms` milliseconds: its output, or `None` when time ran out (the work
/// is then dropped; what it started in the browser carries on unless aborted).
async fn within<F: Future>(ms: u32, work: F) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    let mut timer = std::pin::pin!(sleep(i32::try_from(ms).unwrap_or(i32::MAX)));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

/// Shows the live preview and samples frames: size, brightness and change between frames. No
/// picture within [`CAMERA_START_TIMEOUT_MS`] is reported as no size and no frames.
async fn sample_camera(ui: CheckUi, stream: &web_sys::MediaStream) -> Measurement {
    let failed = Measurement::Camera { width: 0, height: 0, brightness: 0.0, motion: 0.0, frames: 0 };
    let Some(video) = ui.video.get_untracked() else { return failed };
    video.set_muted(true);
    video.set_src_object(Some(stream));
    ui.previewing.set(true);
    let _ = video.play();
    let started = now_ms();
    while video.ready_state() < 2 || video.video_width() == 0 {
        if now_ms() - started > f64::from(CAMERA_START_TIMEOUT_MS) {
            return failed;
        }
        sleep(100).await;
    }
    let (width, height) = (video.video_width(), video.video_height());
    ui.resolution.set(Some((width, height)));
    let Some(ctx) = sampling_canvas() else {
        return Measurement::Camera { width, height, brightness: 0.0, motion: 0.0, frames: 0 };
    };
    let mut previous: Option<Vec<f64>> = None;
    let (mut brightness_sum, mut motion, mut frames) = (0.0, 0.0_f64, 0u32);
    for _ in 0..CAMERA_FRAMES {
        if ctx.draw_image_with_html_video_element_and_dw_and_dh(&video, 0.0, 0.0, SAMPLE_W.into(), SAMPLE_H.into()).is_ok() {
            if let Ok(data) = ctx.get_image_data(0.0, 0.0, SAMPLE_W.into(), SAMPLE_H.into()) {
                let luma: Vec<f64> = data
                    .data()
                    .chunks_exact(4)
                    .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
                    .collect();
                let n = luma.len().max(1) as f64;
                brightness_sum += luma.iter().sum::<f64>() / n;
                if let Some(prev) = &previous {
                    let change = luma.iter().zip(prev).map(|(a, b)| (a - b).abs()).sum::<f64>() / n;
                    motion = motion.max(change);
                }
                previous = Some(luma);
                frames += 1;
            }
        }
        sleep(CAMERA_FRAME_GAP_MS).await;
    }
    let brightness = if frames == 0 { 0.0 } else { brightness_sum / f64::from(frames) };
    Measurement::Camera { width, height, brightness: brightness.clamp(0.0, 255.0), motion: motion.clamp(0.0, 255.0), frames }
}

fn sampling_canvas() -> Option<web_sys::CanvasRenderingContext2d> {
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(SAMPLE_W);
    canvas.set_height(SAMPLE_H);
    let options = object(&[("willReadFrequently", &JsValue::TRUE)]);
    canvas.get_context_with_context_options("2d", &options).ok()??.dyn_into().ok()
}

/// Drives the level meter and listens for speech, for at most [`MIC_LISTEN_MS`]. Sound
/// processing that does not start within [`MIC_START_TIMEOUT_MS`] is reported as never listened
/// to.
async fn listen(ui: CheckUi, ctx: &web_sys::AudioContext, stream: &web_sys::MediaStream) -> Measurement {
    let silent = Measurement::Microphone { peak_level: 0.0, listened_ms: 0 };
    if let Ok(p) = ctx.resume() {
        let _ = within(MIC_START_TIMEOUT_MS, JsFuture::from(p)).await;
    }
    // Suspended, the analyser would read silence: that is not the microphone's fault.
    if js_sys::Reflect::get(ctx, &JsValue::from_str("state")).ok().and_then(|s| s.as_string()).as_deref() != Some("running") {
        return silent;
    }
    let Ok(source) = ctx.create_media_stream_source(stream) else { return silent };
    let Ok(analyser) = ctx.create_analyser() else { return silent };
    analyser.set_fft_size(2048);
    if source.connect_with_audio_node(&analyser).is_err() {
        return silent;
    }
    let mut buf = vec![0f32; 2048];
    let started = now_ms();
    let mut peak = 0.0_f64;
    let mut heard_at: Option<f64> = None;
    loop {
        analyser.get_float_time_domain_data(&mut buf);
        let rms = (buf.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / buf.len() as f64).sqrt();
        peak = peak.max(rms);
        ui.level.set((rms * 5.0).min(1.0));
        let elapsed = now_ms() - started;
        if heard_at.is_none() && peak >= SPEECH_LEVEL_MIN {
            heard_at = Some(elapsed);
        }
        if heard_at.is_some_and(|t| elapsed - t >= SPEECH_TAIL_MS) || elapsed >= f64::from(MIC_LISTEN_MS) {
            break;
        }
        sleep(METER_TICK_MS).await;
    }
    let _ = source.disconnect();
    ui.level.set(0.0);
    Measurement::Microphone { peak_level: peak.clamp(0.0, 1.0), listened_ms: ((now_ms() - started).max(1.0)) as u32 }
}

/// A short, moderate 440 Hz tone.
fn play_tone(ctx: &web_sys::AudioContext) {
    let _ = ctx.resume();
    let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
    osc.frequency().set_value(440.0);
    gain.gain().set_value(0.25);
    if osc.connect_with_audio_node(&gain).is_err() || gain.connect_with_audio_node(&ctx.destination()).is_err() {
        return;
    }
    let _ = osc.start();
    let _ = osc.stop_with_when(ctx.current_time() + 0.8);
}

#[wasm_bindgen]
extern "C" {
    /// `AbortController` (declared here: web-sys has it behind a feature this crate does not enable).
    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
}

/// Why a probe gave no timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeFailure {
    /// Refused, or the connection failed.
    Failed,
    /// Abandoned (and aborted) at its time limit.
    TimedOut,
}

/// Fetches a probe endpoint and reads the whole answer, for at most `limit_ms`: the bytes
/// received and the milliseconds from request to last byte. A probe still running at its limit
/// is aborted, so a stalled request neither hangs the check nor keeps moving data.
async fn probe(url: &str, body: Option<&js_sys::Uint8Array>, limit_ms: f64) -> Result<(usize, f64), ProbeFailure> {
    if limit_ms < 1.0 {
        return Err(ProbeFailure::TimedOut);
    }
    let window = web_sys::window().ok_or(ProbeFailure::Failed)?;
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(b) = body {
        init.set_method("POST");
        init.set_body(b);
    }
    let controller = AbortController::new().ok();
    if let Some(c) = &controller {
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("signal"), &c.signal());
    }
    let started = now_ms();
    let exchange = async {
        let res: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.ok()?.dyn_into().ok()?;
        if !res.ok() {
            return None;
        }
        let buf = JsFuture::from(res.array_buffer().ok()?).await.ok()?;
        Some(js_sys::ArrayBuffer::from(buf).byte_length() as usize)
    };
    match within(limit_ms as u32, exchange).await {
        Some(Some(received)) => Ok((received, now_ms() - started)),
        Some(None) => Err(ProbeFailure::Failed),
        None => {
            if let Some(c) = controller {
                c.abort();
            }
            Err(ProbeFailure::TimedOut)
        }
    }
}

/// Random bytes for the upload (incompressible, and nothing the candidate recorded).
fn random_bytes(n: usize) -> js_sys::Uint8Array {
    let mut bytes = vec![0u8; n];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        for chunk in bytes.chunks_mut(65_536) {
            let _ = crypto.get_random_values_with_u8_array(chunk);
        }
    }
    js_sys::Uint8Array::from(bytes.as_slice())
}

/// Throughput one way, in megabits per second, by the domain's adaptive plan
/// ([`next_transfer`]): small transfers first, bigger ones only while the link is fast, within
/// the byte budget. Each transfer has [`PROBE_TIMEOUT_MS`] and all must end by `deadline`; the
/// flag says one ran out of time (the figure is then what was measured before it, if anything).
async fn throughput(upload: bool, rtt_ms: Option<f64>, deadline: f64) -> (Option<f64>, bool) {
    let mut done: Vec<Transfer> = Vec::new();
    while let Some(bytes) = next_transfer(&done, rtt_ms) {
        let limit = f64::from(PROBE_TIMEOUT_MS).min(deadline - now_ms());
        let result = if upload {
            let body = random_bytes(bytes);
            probe(PROBE_UPLOAD_PATH, Some(&body), limit).await.map(|(_, ms)| (bytes, ms))
        } else {
            probe(&format!("{PROBE_DOWNLOAD_PATH}?bytes={bytes}"), None, limit).await
        };
        match result {
            Ok((moved, ms)) => done.push(Transfer { bytes: moved, millis: transfer_millis(ms, rtt_ms) }),
            Err(ProbeFailure::TimedOut) => return (throughput_of(&done), true),
            Err(ProbeFailure::Failed) => break,
        }
    }
    (throughput_of(&done), false)
}

/// Round-trip time (median of [`PING_COUNT`] pings, each within [`PING_TIMEOUT_MS`]) and
/// throughput each way, all within [`NETWORK_TIMEOUT_MS`].
async fn measure_network(ui: CheckUi) -> Measurement {
    let deadline = now_ms() + f64::from(NETWORK_TIMEOUT_MS);
    let mut timed_out = false;
    let mut rtts = Vec::new();
    let mut failures = 0;
    for _ in 0..PING_COUNT {
        // Most pings must answer for the median to mean anything; stop once they cannot.
        if (PING_COUNT - failures) * 2 <= PING_COUNT {
            break;
        }
        match probe(PROBE_PING_PATH, None, f64::from(PING_TIMEOUT_MS).min(deadline - now_ms())).await {
            Ok((_, ms)) => rtts.push(ms),
            Err(failure) => {
                failures += 1;
                timed_out |= failure == ProbeFailure::TimedOut;
            }
        }
    }
    let rtt_ms = if rtts.len() * 2 > PING_COUNT { median(&rtts).map(|v| v.min(600_000.0)) } else { None };
    ui.network.set(Some((rtt_ms, None, None)));
    if rtt_ms.is_none() {
        // The server does not answer: timing transfers to it would only wait.
        return Measurement::Network { rtt_ms, down_mbps: None, up_mbps: None, timed_out };
    }
    let (down_mbps, down_timed_out) = throughput(false, rtt_ms, deadline).await;
    ui.network.set(Some((rtt_ms, down_mbps, None)));
    let (up_mbps, up_timed_out) = throughput(true, rtt_ms, deadline).await;
    ui.network.set(Some((rtt_ms, down_mbps, up_mbps)));
    Measurement::Network { rtt_ms, down_mbps, up_mbps, timed_out: timed_out || down_timed_out || up_timed_out }
}
