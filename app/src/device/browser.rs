//! The measuring, in the browser: web-sys calls only, no JavaScript libraries.
//!
//! Camera frames are drawn into a small canvas and reduced to two numbers (brightness and
//! change between frames); sound is reduced to its loudest level. Those numbers, the network
//! timings and the candidate's answers are all that is submitted. Every track is stopped and the
//! audio context closed when the check ends, when it is restarted, when the page is left
//! (`pagehide`) and when the component is cleaned up.

use super::{submit_device_check, CheckUi, StepState, PROBE_DOWNLOAD_PATH, PROBE_PING_PATH, PROBE_UPLOAD_PATH};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::rc::Rc;
use turnout_domain::device::{
    classify_user_agent, mbps, median, BrowserPlatform, BrowserSupport, CheckItem, DeviceReport, Measurement, PermissionOutcome,
    MIC_LISTEN_MS, PING_COUNT, PROBE_FIRST_BYTES, PROBE_MAX_BYTES, PROBE_MIN_MILLIS, SPEECH_LEVEL_MIN,
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
            Err(name) => PermissionOutcome::from_error_name(&name),
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
            let heard = JsFuture::from(asked).await.ok().and_then(|v| v.as_bool());
            if !is_current(&inner, run) {
                return;
            }
            ui.asking_speaker.set(false);
            record(ui, &mut items, Measurement::Speaker { heard: heard.unwrap_or(false) });
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

    let result = submit_device_check(Some(DeviceReport { items }.to_json())).await;
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

/// Asks for camera and microphone (the chosen ones, if any); a failure is the error's name.
async fn open_media(camera: Option<String>, microphone: Option<String>) -> Result<web_sys::MediaStream, String> {
    let devices = web_sys::window().and_then(|w| w.navigator().media_devices().ok()).ok_or_else(String::new)?;
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
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| error_name(&e))?;
    match JsFuture::from(promise).await {
        Ok(s) => s.dyn_into::<web_sys::MediaStream>().map_err(|_| String::new()),
        Err(e) => Err(error_name(&e)),
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

/// Lists cameras and microphones for the pickers, and counts them.
async fn list_devices(ui: CheckUi, stream: &web_sys::MediaStream) -> Measurement {
    let mut cameras = Vec::new();
    let mut microphones = Vec::new();
    if let Some(promise) =
        web_sys::window().and_then(|w| w.navigator().media_devices().ok()).and_then(|d| d.enumerate_devices().ok())
    {
        if let Ok(list) = JsFuture::from(promise).await {
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
    let count = |v: &Vec<(String, String)>| u32::try_from(v.len()).unwrap_or(u32::MAX);
    let m = Measurement::Devices { cameras: count(&cameras), microphones: count(&microphones) };
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

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

/// Shows the live preview and samples frames: size, brightness and change between frames.
async fn sample_camera(ui: CheckUi, stream: &web_sys::MediaStream) -> Measurement {
    let failed = Measurement::Camera { width: 0, height: 0, brightness: 0.0, motion: 0.0, frames: 0 };
    let Some(video) = ui.video.get_untracked() else { return failed };
    video.set_muted(true);
    video.set_src_object(Some(stream));
    ui.previewing.set(true);
    let _ = video.play();
    let started = now_ms();
    while video.ready_state() < 2 || video.video_width() == 0 {
        if now_ms() - started > 5_000.0 {
            return failed;
        }
        sleep(100).await;
    }
    let (width, height) = (video.video_width(), video.video_height());
    ui.resolution.set(Some((width, height)));
    let Some(ctx) = sampling_canvas() else { return failed };
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

/// Drives the level meter and listens for speech, for at most [`MIC_LISTEN_MS`].
async fn listen(ui: CheckUi, ctx: &web_sys::AudioContext, stream: &web_sys::MediaStream) -> Measurement {
    let silent = Measurement::Microphone { peak_level: 0.0, listened_ms: 0 };
    if let Ok(p) = ctx.resume() {
        let _ = JsFuture::from(p).await;
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
    Measurement::Microphone { peak_level: peak.clamp(0.0, 1.0), listened_ms: (now_ms() - started).max(0.0) as u32 }
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

/// Fetches a probe endpoint; `None` unless it answers 2xx.
async fn probe(url: &str, body: Option<&js_sys::Uint8Array>) -> Option<web_sys::Response> {
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(b) = body {
        init.set_method("POST");
        init.set_body(b);
    }
    let promise = web_sys::window()?.fetch_with_str_and_init(url, &init);
    let res: web_sys::Response = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    res.ok().then_some(res)
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

/// Times a transfer of [`PROBE_FIRST_BYTES`], and again of [`PROBE_MAX_BYTES`] when the first
/// was too quick to time; megabits per second of the last one.
async fn throughput(upload: bool) -> Option<f64> {
    let mut result = None;
    for bytes in [PROBE_FIRST_BYTES, PROBE_MAX_BYTES] {
        let started;
        let moved = if upload {
            let body = random_bytes(bytes);
            started = now_ms();
            probe(PROBE_UPLOAD_PATH, Some(&body)).await?;
            bytes
        } else {
            started = now_ms();
            let res = probe(&format!("{PROBE_DOWNLOAD_PATH}?bytes={bytes}"), None).await?;
            let buf = JsFuture::from(res.array_buffer().ok()?).await.ok()?;
            js_sys::ArrayBuffer::from(buf).byte_length() as usize
        };
        let millis = now_ms() - started;
        result = mbps(moved as u64, millis.max(0.1)).map(|v| v.min(100_000.0));
        if millis >= PROBE_MIN_MILLIS {
            break;
        }
    }
    result
}

/// Round-trip time (median of [`PING_COUNT`] pings) and throughput each way.
async fn measure_network(ui: CheckUi) -> Measurement {
    let mut rtts = Vec::new();
    for _ in 0..PING_COUNT {
        let started = now_ms();
        if probe(PROBE_PING_PATH, None).await.is_some() {
            rtts.push(now_ms() - started);
        }
    }
    // Most pings must answer for the median to mean anything.
    let rtt_ms = if rtts.len() * 2 > PING_COUNT { median(&rtts).map(|v| v.min(600_000.0)) } else { None };
    ui.network.set(Some((rtt_ms, None, None)));
    let down_mbps = throughput(false).await;
    ui.network.set(Some((rtt_ms, down_mbps, None)));
    let up_mbps = throughput(true).await;
    ui.network.set(Some((rtt_ms, down_mbps, up_mbps)));
    Measurement::Network { rtt_ms, down_mbps, up_mbps }
}
