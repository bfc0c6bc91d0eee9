//! The browser device check: what each item measures, the thresholds that turn a measurement
//! into pass / warn / fail with a reason, the overall verdict, and the validation of a report a
//! browser submits.
//!
//! The browser measures; it never decides. A submitted [`DeviceReport`] carries only
//! measurements, and [`DeviceReport::assess`] derives every item's verdict and the overall one
//! here, the same function on the page (to show progress) and on the server (to store).

use crate::risk::DeviceCheckFact;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Round-trip time below which the network is good, in milliseconds.
pub const RTT_GOOD_BELOW_MS: f64 = 300.0;
/// Round-trip time below which the network is usable (a warning), in milliseconds.
pub const RTT_WARN_BELOW_MS: f64 = 600.0;
/// Throughput (each way) from which the network is good, in megabits per second.
pub const THROUGHPUT_GOOD_MBPS: f64 = 1.1;
/// Throughput (each way) from which the network is usable (a warning), in megabits per second.
pub const THROUGHPUT_WARN_MBPS: f64 = 0.7;
/// Average brightness (0–255) at or below which a picture is black.
pub const BLACK_BRIGHTNESS_MAX: f64 = 8.0;
/// Largest average change between sampled frames (0–255) at or below which the picture is frozen.
pub const FROZEN_MOTION_MAX: f64 = 0.05;
/// Shorter side of the picture, in pixels, from which the resolution is good.
pub const RESOLUTION_GOOD_MIN: u32 = 360;
/// Shorter side of the picture, in pixels, from which the resolution is usable (a warning).
pub const RESOLUTION_WARN_MIN: u32 = 240;
/// Frames the camera check samples before it judges.
pub const CAMERA_MIN_FRAMES: u32 = 3;
/// Loudest level (RMS of the signal, 0–1) from which the microphone heard speech.
pub const SPEECH_LEVEL_MIN: f64 = 0.02;
/// Loudest level (RMS, 0–1) at or below which the microphone heard nothing at all.
pub const SILENCE_LEVEL_MAX: f64 = 0.003;
/// How long the microphone check listens for speech at most, in milliseconds.
pub const MIC_LISTEN_MS: u32 = 6_000;
/// Round trips the network check times (their median is the result).
pub const PING_COUNT: usize = 7;

// Time limits. Every step that waits on the browser, the network or the candidate gives up
// after its limit and reports what it saw, so a stalled step never holds up the check.

/// How long the browser may take to answer the request for camera and microphone (the
/// candidate answering its prompt included), in milliseconds; then [`PermissionOutcome::TimedOut`].
pub const PERMISSION_TIMEOUT_MS: u32 = 30_000;
/// How long listing the devices may take; then the check counts the devices it has open.
pub const DEVICES_TIMEOUT_MS: u32 = 5_000;
/// How long the camera may take to show a picture, in milliseconds; then it is reported with no
/// size and no frames ([`Reason::NoPicture`]).
pub const CAMERA_START_TIMEOUT_MS: u32 = 10_000;
/// How long the browser may take to start processing sound, in milliseconds; then the
/// microphone is reported as never listened to ([`Reason::MicrophoneNotStarted`]).
pub const MIC_START_TIMEOUT_MS: u32 = 5_000;
/// How long the candidate has to say whether they heard the test tone, in milliseconds; then
/// the speaker is reported unanswered ([`Reason::ToneUnanswered`]).
pub const SPEAKER_ANSWER_TIMEOUT_MS: u32 = 90_000;
/// How long one ping may take before it is abandoned, in milliseconds.
pub const PING_TIMEOUT_MS: u32 = 3_000;
/// How long one download or upload may take before it is abandoned, in milliseconds.
pub const PROBE_TIMEOUT_MS: u32 = 10_000;
/// How long the whole network check may take, in milliseconds: a probe still running then is
/// abandoned and the figures not measured are missing.
pub const NETWORK_TIMEOUT_MS: u32 = 30_000;
/// How long saving the result may take before the page says it was not saved, in milliseconds.
pub const SUBMIT_TIMEOUT_MS: u32 = 20_000;

// The network check's data budget. A run starts with small transfers and makes the next one
// bigger only while the link is fast, so a slow (and often metered) link moves little data; a
// fast link stops at the byte budget.

/// Bytes one run of the network check may move in all (pings, downloads and uploads, requests
/// and answers, headers included): 1 MB.
pub const NETWORK_BYTE_BUDGET: usize = 1_000_000;
/// What the plan allows each probe request for its request and answer headers, in bytes
/// (Chromium's come to about 900 both ways with the invitation cookie; a long in-app
/// `User-Agent` adds some).
pub const PROBE_HEADER_ALLOWANCE: usize = 4_096;
/// Transfers each way at most.
pub const PROBE_MAX_TRANSFERS: usize = 4;
/// Payload bytes each way: what the budget leaves after every request's header allowance,
/// split evenly between download and upload.
pub const PROBE_DIRECTION_BYTES: usize =
    (NETWORK_BYTE_BUDGET - (PING_COUNT + 2 * PROBE_MAX_TRANSFERS) * PROBE_HEADER_ALLOWANCE) / 2;
/// The first download and upload, in bytes: a second or two even on a 2G link.
pub const PROBE_FIRST_BYTES: usize = 16 * 1024;
/// The largest probe download or upload, in bytes (the server refuses more).
pub const PROBE_MAX_BYTES: usize = 512 * 1024;
/// A transfer that spent at least this long moving data is timed well enough to stop, in
/// milliseconds.
pub const PROBE_MIN_MILLIS: f64 = 500.0;
/// What the next transfer is sized to take at the speed just measured, in milliseconds.
pub const PROBE_TARGET_MILLIS: f64 = 1_000.0;
/// How much bigger than the last one the next transfer is at least (so a link whose round trip
/// dwarfs small transfers soon gets one big enough to time).
pub const PROBE_MIN_GROWTH: usize = 4;
/// How much bigger than the last one the next transfer may be.
pub const PROBE_MAX_GROWTH: usize = 8;
/// Time each way after which no further transfer starts, in milliseconds.
pub const PROBE_DIRECTION_MILLIS: f64 = 4_000.0;

// The budget holds every request a run can make, the server accepts the largest transfer the
// plan asks for, and each probe's time limit fits in the network check's.
const _: () =
    assert!(2 * PROBE_DIRECTION_BYTES + (PING_COUNT + 2 * PROBE_MAX_TRANSFERS) * PROBE_HEADER_ALLOWANCE <= NETWORK_BYTE_BUDGET);
const _: () = assert!(PROBE_FIRST_BYTES < PROBE_DIRECTION_BYTES && PROBE_DIRECTION_BYTES <= PROBE_MAX_BYTES);
const _: () = assert!(PING_TIMEOUT_MS < PROBE_TIMEOUT_MS && PROBE_TIMEOUT_MS < NETWORK_TIMEOUT_MS);

/// The largest submitted report accepted, in bytes of JSON.
pub const MAX_REPORT_BYTES: usize = 8 * 1024;

/// The items of the check, in the order the page runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckItem {
    /// The browser has what a video interview needs.
    Browser,
    /// The candidate allowed camera and microphone.
    Permissions,
    /// A camera and a microphone are present.
    Devices,
    /// The camera shows a live, lit picture.
    Camera,
    /// The microphone hears speech.
    Microphone,
    /// The candidate hears a test tone.
    Speaker,
    /// Round-trip time and throughput to Turnout's server.
    Network,
}

impl CheckItem {
    /// Every item, in order.
    pub const ALL: [CheckItem; 7] = [
        CheckItem::Browser,
        CheckItem::Permissions,
        CheckItem::Devices,
        CheckItem::Camera,
        CheckItem::Microphone,
        CheckItem::Speaker,
        CheckItem::Network,
    ];

    /// The name used in storage and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckItem::Browser => "browser",
            CheckItem::Permissions => "permissions",
            CheckItem::Devices => "devices",
            CheckItem::Camera => "camera",
            CheckItem::Microphone => "microphone",
            CheckItem::Speaker => "speaker",
            CheckItem::Network => "network",
        }
    }

    /// Parses [`CheckItem::as_str`].
    pub fn from_name(name: &str) -> Option<CheckItem> {
        CheckItem::ALL.into_iter().find(|i| i.as_str() == name)
    }
}

/// The result of one item, or of the whole check. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Works.
    Pass,
    /// Works, but may cause trouble.
    Warn,
    /// Does not work: the interview is at risk.
    Fail,
}

impl Verdict {
    /// The name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// Parses [`Verdict::as_str`].
    pub fn from_name(name: &str) -> Option<Verdict> {
        [Verdict::Pass, Verdict::Warn, Verdict::Fail].into_iter().find(|v| v.as_str() == name)
    }
}

/// Why an item ended as it did; the page turns each into a plain-language reason and remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Everything needed is there and works.
    Ok,
    /// The page is not on a secure (https) connection, so the browser hides camera and microphone.
    InsecureContext,
    /// The browser lacks camera/microphone access or WebRTC.
    MissingMediaApi,
    /// The browser lacks audio processing or WebAssembly.
    MissingAudioApi,
    /// A built-in browser of a chat app, known to block or break camera access.
    InAppBrowser,
    /// The candidate or the browser refused access (NotAllowedError).
    PermissionDenied,
    /// No camera or microphone was found (NotFoundError).
    DeviceNotFound,
    /// Another application holds the device (NotReadableError).
    DeviceInUse,
    /// The chosen device cannot give what was asked (OverconstrainedError).
    Overconstrained,
    /// Access failed for another reason.
    MediaError,
    /// The browser did not answer the request for access within [`PERMISSION_TIMEOUT_MS`].
    PermissionTimeout,
    /// No camera is listed.
    NoCamera,
    /// No microphone is listed.
    NoMicrophone,
    /// The camera gave no picture within [`CAMERA_START_TIMEOUT_MS`].
    NoPicture,
    /// The picture is black (covered lens, camera switched off).
    BlackPicture,
    /// The picture does not change (a frozen or virtual camera).
    FrozenPicture,
    /// The picture is small enough to look poor.
    LowResolution,
    /// The picture is too small to use.
    ResolutionTooLow,
    /// Sound processing did not start within [`MIC_START_TIMEOUT_MS`], so nothing was listened to.
    MicrophoneNotStarted,
    /// Nothing was heard: likely muted or broken.
    Silent,
    /// Something was heard, but quieter than speech.
    Quiet,
    /// The candidate did not hear the test tone.
    ToneNotHeard,
    /// The candidate did not say within [`SPEAKER_ANSWER_TIMEOUT_MS`] whether they heard it.
    ToneUnanswered,
    /// The server could not be reached for the network test.
    Unreachable,
    /// A probe stalled past its time limit before a figure was measured.
    NetworkTimeout,
    /// The figures are good, but a probe stalled past its time limit on the way.
    NetworkUnsteady,
    /// The round-trip time is high.
    SlowResponse,
    /// The throughput is low.
    LowThroughput,
}

impl Reason {
    /// The name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Ok => "ok",
            Reason::InsecureContext => "insecure_context",
            Reason::MissingMediaApi => "missing_media_api",
            Reason::MissingAudioApi => "missing_audio_api",
            Reason::InAppBrowser => "in_app_browser",
            Reason::PermissionDenied => "permission_denied",
            Reason::DeviceNotFound => "device_not_found",
            Reason::DeviceInUse => "device_in_use",
            Reason::Overconstrained => "overconstrained",
            Reason::MediaError => "media_error",
            Reason::PermissionTimeout => "permission_timeout",
            Reason::NoCamera => "no_camera",
            Reason::NoMicrophone => "no_microphone",
            Reason::NoPicture => "no_picture",
            Reason::BlackPicture => "black_picture",
            Reason::FrozenPicture => "frozen_picture",
            Reason::LowResolution => "low_resolution",
            Reason::ResolutionTooLow => "resolution_too_low",
            Reason::MicrophoneNotStarted => "microphone_not_started",
            Reason::Silent => "silent",
            Reason::Quiet => "quiet",
            Reason::ToneNotHeard => "tone_not_heard",
            Reason::ToneUnanswered => "tone_unanswered",
            Reason::Unreachable => "unreachable",
            Reason::NetworkTimeout => "network_timeout",
            Reason::NetworkUnsteady => "network_unsteady",
            Reason::SlowResponse => "slow_response",
            Reason::LowThroughput => "low_throughput",
        }
    }
}

/// What the browser offers (each flag: the feature is present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserSupport {
    /// `window.isSecureContext`.
    pub secure_context: bool,
    /// `navigator.mediaDevices`.
    pub media_devices: bool,
    /// `navigator.mediaDevices.getUserMedia`.
    pub get_user_media: bool,
    /// `RTCPeerConnection`.
    pub peer_connection: bool,
    /// `AudioContext`.
    pub audio_context: bool,
    /// `WebAssembly`.
    pub webassembly: bool,
    /// A chat app's built-in browser (WeChat and the like).
    pub in_app_browser: bool,
}

/// How asking for camera and microphone ended (the `DOMException` name, for failures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionOutcome {
    /// Access granted.
    Granted,
    /// `NotAllowedError` (also `SecurityError`).
    Denied,
    /// `NotFoundError`.
    NotFound,
    /// `NotReadableError` (also `AbortError`): the device is in use or failed.
    InUse,
    /// `OverconstrainedError`.
    Overconstrained,
    /// Any other error.
    Other,
    /// No answer within [`PERMISSION_TIMEOUT_MS`] (a prompt left open, or a browser that hangs).
    TimedOut,
}

impl PermissionOutcome {
    /// The outcome for a `DOMException`'s `name`.
    pub fn from_error_name(name: &str) -> PermissionOutcome {
        match name {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => PermissionOutcome::Denied,
            "NotFoundError" | "DevicesNotFoundError" => PermissionOutcome::NotFound,
            "NotReadableError" | "TrackStartError" | "AbortError" => PermissionOutcome::InUse,
            "OverconstrainedError" | "ConstraintNotSatisfiedError" => PermissionOutcome::Overconstrained,
            _ => PermissionOutcome::Other,
        }
    }
}

/// What one item measured. Only measurements: verdicts are derived from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case", deny_unknown_fields)]
pub enum Measurement {
    /// The browser's features.
    Browser(BrowserSupport),
    /// How the request for access ended.
    Permissions {
        /// The outcome.
        outcome: PermissionOutcome,
    },
    /// Devices listed by `enumerateDevices`.
    Devices {
        /// Video inputs.
        cameras: u32,
        /// Audio inputs.
        microphones: u32,
    },
    /// The sampled camera picture; no size and no frames when no picture came within
    /// [`CAMERA_START_TIMEOUT_MS`].
    Camera {
        /// Picture width in pixels.
        width: u32,
        /// Picture height in pixels.
        height: u32,
        /// Average brightness of the sampled frames (0–255).
        brightness: f64,
        /// Largest average change between consecutive sampled frames (0–255).
        motion: f64,
        /// Frames sampled.
        frames: u32,
    },
    /// The microphone's loudest level while listening.
    Microphone {
        /// Loudest RMS level (0–1).
        peak_level: f64,
        /// How long it listened, in milliseconds (0: sound processing never started).
        listened_ms: u32,
    },
    /// The candidate's answer to the test tone.
    Speaker {
        /// Whether they heard it; `None` when they did not answer within
        /// [`SPEAKER_ANSWER_TIMEOUT_MS`].
        heard: Option<bool>,
    },
    /// Network timings; a missing figure is a probe that failed or ran out of time.
    Network {
        /// Median round-trip time in milliseconds.
        rtt_ms: Option<f64>,
        /// Download throughput in megabits per second.
        down_mbps: Option<f64>,
        /// Upload throughput in megabits per second.
        up_mbps: Option<f64>,
        /// A probe was abandoned at its time limit (or the network check's).
        #[serde(default)]
        timed_out: bool,
    },
}

impl Measurement {
    /// The item this measures.
    pub fn item(&self) -> CheckItem {
        match self {
            Measurement::Browser(_) => CheckItem::Browser,
            Measurement::Permissions { .. } => CheckItem::Permissions,
            Measurement::Devices { .. } => CheckItem::Devices,
            Measurement::Camera { .. } => CheckItem::Camera,
            Measurement::Microphone { .. } => CheckItem::Microphone,
            Measurement::Speaker { .. } => CheckItem::Speaker,
            Measurement::Network { .. } => CheckItem::Network,
        }
    }

    /// Checks that every figure is finite and within what a browser can measure.
    pub fn validate(&self) -> Result<(), ReportError> {
        let within = |v: f64, max: f64| v.is_finite() && (0.0..=max).contains(&v);
        let ok = match *self {
            Measurement::Browser(_) | Measurement::Permissions { .. } | Measurement::Speaker { .. } => true,
            Measurement::Devices { cameras, microphones } => cameras <= 64 && microphones <= 64,
            Measurement::Camera { width, height, brightness, motion, frames } => {
                width <= 16_384 && height <= 16_384 && within(brightness, 255.0) && within(motion, 255.0) && frames <= 10_000
            }
            Measurement::Microphone { peak_level, listened_ms } => within(peak_level, 1.0) && listened_ms <= 600_000,
            Measurement::Network { rtt_ms, down_mbps, up_mbps, .. } => {
                rtt_ms.is_none_or(|v| within(v, 600_000.0))
                    && down_mbps.is_none_or(|v| within(v, 1_000_000.0))
                    && up_mbps.is_none_or(|v| within(v, 1_000_000.0))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(ReportError::OutOfRange(self.item()))
        }
    }

    /// The verdict and its reason.
    pub fn assess(&self) -> (Verdict, Reason) {
        match *self {
            Measurement::Browser(b) => assess_browser(&b),
            Measurement::Permissions { outcome } => assess_permissions(outcome),
            Measurement::Devices { cameras, microphones } => assess_devices(cameras, microphones),
            Measurement::Camera { width, height, brightness, motion, frames } => {
                assess_camera(width, height, brightness, motion, frames)
            }
            Measurement::Microphone { peak_level, listened_ms } => assess_microphone(peak_level, listened_ms),
            Measurement::Speaker { heard } => assess_speaker(heard),
            Measurement::Network { rtt_ms, down_mbps, up_mbps, timed_out } => {
                assess_network(rtt_ms, down_mbps, up_mbps, timed_out)
            }
        }
    }
}

/// Browser support: camera, microphone and WebRTC are required; audio processing and a normal
/// (not in-app) browser are advised.
pub fn assess_browser(b: &BrowserSupport) -> (Verdict, Reason) {
    if !b.secure_context {
        (Verdict::Fail, Reason::InsecureContext)
    } else if !(b.media_devices && b.get_user_media && b.peer_connection) {
        (Verdict::Fail, Reason::MissingMediaApi)
    } else if !(b.audio_context && b.webassembly) {
        (Verdict::Warn, Reason::MissingAudioApi)
    } else if b.in_app_browser {
        (Verdict::Warn, Reason::InAppBrowser)
    } else {
        (Verdict::Pass, Reason::Ok)
    }
}

/// Access to camera and microphone: anything but a grant fails.
pub fn assess_permissions(outcome: PermissionOutcome) -> (Verdict, Reason) {
    match outcome {
        PermissionOutcome::Granted => (Verdict::Pass, Reason::Ok),
        PermissionOutcome::Denied => (Verdict::Fail, Reason::PermissionDenied),
        PermissionOutcome::NotFound => (Verdict::Fail, Reason::DeviceNotFound),
        PermissionOutcome::InUse => (Verdict::Fail, Reason::DeviceInUse),
        PermissionOutcome::Overconstrained => (Verdict::Fail, Reason::Overconstrained),
        PermissionOutcome::Other => (Verdict::Fail, Reason::MediaError),
        PermissionOutcome::TimedOut => (Verdict::Fail, Reason::PermissionTimeout),
    }
}

/// At least one camera and one microphone.
pub fn assess_devices(cameras: u32, microphones: u32) -> (Verdict, Reason) {
    if cameras == 0 {
        (Verdict::Fail, Reason::NoCamera)
    } else if microphones == 0 {
        (Verdict::Fail, Reason::NoMicrophone)
    } else {
        (Verdict::Pass, Reason::Ok)
    }
}

/// The camera: no picture at all, a black or frozen picture fail, and so does one too small to
/// use; a small one warns.
pub fn assess_camera(width: u32, height: u32, brightness: f64, motion: f64, frames: u32) -> (Verdict, Reason) {
    let short_side = width.min(height);
    if frames == 0 && width == 0 && height == 0 {
        (Verdict::Fail, Reason::NoPicture)
    } else if frames == 0 || brightness <= BLACK_BRIGHTNESS_MAX {
        (Verdict::Fail, Reason::BlackPicture)
    } else if frames >= CAMERA_MIN_FRAMES && motion <= FROZEN_MOTION_MAX {
        (Verdict::Fail, Reason::FrozenPicture)
    } else if short_side < RESOLUTION_WARN_MIN {
        (Verdict::Fail, Reason::ResolutionTooLow)
    } else if short_side < RESOLUTION_GOOD_MIN {
        (Verdict::Warn, Reason::LowResolution)
    } else {
        (Verdict::Pass, Reason::Ok)
    }
}

/// The microphone: speech-level sound passes, silence fails, anything between warns; a
/// microphone never listened to (sound processing did not start) fails.
pub fn assess_microphone(peak_level: f64, listened_ms: u32) -> (Verdict, Reason) {
    if listened_ms == 0 {
        (Verdict::Fail, Reason::MicrophoneNotStarted)
    } else if peak_level >= SPEECH_LEVEL_MIN {
        (Verdict::Pass, Reason::Ok)
    } else if peak_level <= SILENCE_LEVEL_MAX {
        (Verdict::Fail, Reason::Silent)
    } else {
        (Verdict::Warn, Reason::Quiet)
    }
}

/// The speaker: the candidate's own answer; no answer in time leaves it unchecked (a warning).
pub fn assess_speaker(heard: Option<bool>) -> (Verdict, Reason) {
    match heard {
        Some(true) => (Verdict::Pass, Reason::Ok),
        Some(false) => (Verdict::Fail, Reason::ToneNotHeard),
        None => (Verdict::Warn, Reason::ToneUnanswered),
    }
}

/// The verdict of a round-trip time alone.
pub fn rtt_verdict(rtt_ms: f64) -> Verdict {
    if rtt_ms < RTT_GOOD_BELOW_MS {
        Verdict::Pass
    } else if rtt_ms < RTT_WARN_BELOW_MS {
        Verdict::Warn
    } else {
        Verdict::Fail
    }
}

/// The verdict of a throughput (either way) alone.
pub fn throughput_verdict(mbps: f64) -> Verdict {
    if mbps >= THROUGHPUT_GOOD_MBPS {
        Verdict::Pass
    } else if mbps >= THROUGHPUT_WARN_MBPS {
        Verdict::Warn
    } else {
        Verdict::Fail
    }
}

/// The network: the worst of round-trip time, download and upload. A missing figure fails (as
/// a stall when a probe ran out of time); a stall after every figure was measured warns at least.
pub fn assess_network(rtt_ms: Option<f64>, down_mbps: Option<f64>, up_mbps: Option<f64>, timed_out: bool) -> (Verdict, Reason) {
    let (Some(rtt), Some(down), Some(up)) = (rtt_ms, down_mbps, up_mbps) else {
        return (Verdict::Fail, if timed_out { Reason::NetworkTimeout } else { Reason::Unreachable });
    };
    let by_rtt = rtt_verdict(rtt);
    let by_throughput = throughput_verdict(down).max(throughput_verdict(up));
    let judged = if by_rtt == Verdict::Pass && by_throughput == Verdict::Pass {
        (Verdict::Pass, Reason::Ok)
    } else if by_rtt >= by_throughput {
        (by_rtt, Reason::SlowResponse)
    } else {
        (by_throughput, Reason::LowThroughput)
    };
    if timed_out && judged.0 != Verdict::Fail {
        (Verdict::Warn, Reason::NetworkUnsteady)
    } else {
        judged
    }
}

/// The median of some timings (`None` for none).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 })
}

/// Megabits per second for `bytes` moved in `millis` milliseconds (`None` when no time was measured).
pub fn mbps(bytes: u64, millis: f64) -> Option<f64> {
    (millis.is_finite() && millis > 0.0).then(|| bytes as f64 * 8.0 / (millis / 1000.0) / 1_000_000.0)
}

/// One timed download or upload of the network check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    /// Payload bytes moved.
    pub bytes: usize,
    /// Milliseconds spent moving them ([`transfer_millis`]).
    pub millis: f64,
}

/// The time a transfer spent moving data: from request to last byte, less one round trip (the
/// request's own latency, which the pings measured), but never less than half the whole, so a
/// noisy round trip cannot make a short transfer look instant.
pub fn transfer_millis(total_ms: f64, rtt_ms: Option<f64>) -> f64 {
    let total = if total_ms.is_finite() { total_ms.max(0.0) } else { 0.0 };
    let rtt = rtt_ms.filter(|r| r.is_finite() && *r > 0.0).unwrap_or(0.0);
    (total - rtt).max(total / 2.0)
}

/// The size of the next transfer one way, given the ones done so far and the round trip the
/// pings measured, or `None` to stop.
///
/// The first is [`PROBE_FIRST_BYTES`]. The next is sized to take [`PROBE_TARGET_MILLIS`] at the
/// speed the last one showed, [`PROBE_MIN_GROWTH`] to [`PROBE_MAX_GROWTH`] times its size.
/// The check stops once a transfer spent [`PROBE_MIN_MILLIS`] and at least a round trip moving
/// data (long enough to time, and not mostly latency), after [`PROBE_MAX_TRANSFERS`], after
/// [`PROBE_DIRECTION_MILLIS`], or when [`PROBE_DIRECTION_BYTES`] leaves no room for a bigger
/// one. A slow link therefore stops after one or two small transfers, and no run moves more
/// than the budget.
pub fn next_transfer(done: &[Transfer], rtt_ms: Option<f64>) -> Option<usize> {
    let Some(last) = done.last() else { return Some(PROBE_FIRST_BYTES.min(PROBE_DIRECTION_BYTES)) };
    let moved: usize = done.iter().map(|t| t.bytes).sum();
    let spent: f64 = done.iter().map(|t| t.millis).sum();
    let long_enough = PROBE_MIN_MILLIS.max(rtt_ms.filter(|r| r.is_finite()).unwrap_or(0.0));
    if done.len() >= PROBE_MAX_TRANSFERS || last.millis >= long_enough || spent >= PROBE_DIRECTION_MILLIS {
        return None;
    }
    let per_ms = last.bytes as f64 / last.millis.max(1.0);
    let wanted = (per_ms * PROBE_TARGET_MILLIS).min(PROBE_MAX_BYTES as f64) as usize;
    let next = wanted
        .clamp(last.bytes.saturating_mul(PROBE_MIN_GROWTH), last.bytes.saturating_mul(PROBE_MAX_GROWTH))
        .min(PROBE_DIRECTION_BYTES.saturating_sub(moved))
        .min(PROBE_MAX_BYTES);
    // A transfer no bigger than the last would time nothing better.
    (next > last.bytes).then_some(next)
}

/// The throughput one way, in megabits per second: that of the last (largest) transfer.
pub fn throughput_of(done: &[Transfer]) -> Option<f64> {
    let last = done.last()?;
    mbps(last.bytes as u64, last.millis).map(|v| v.min(100_000.0))
}

/// The overall verdict: the worst of the items'.
pub fn overall(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts.into_iter().max().unwrap_or(Verdict::Fail)
}

/// A report as a browser submits it: the measured items, in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceReport {
    /// One measurement per item run.
    pub items: Vec<Measurement>,
}

/// Why a submitted report is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Too long, not JSON, or not the expected shape.
    #[error("malformed device-check report")]
    Malformed,
    /// An item appears twice.
    #[error("item {} reported twice", .0.as_str())]
    Duplicate(CheckItem),
    /// A figure is out of range or not finite.
    #[error("item {} has a figure out of range", .0.as_str())]
    OutOfRange(CheckItem),
    /// Items are missing although nothing failed (only a failure may cut the check short).
    #[error("item {} is missing although nothing failed", .0.as_str())]
    Incomplete(CheckItem),
}

/// One assessed item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Which item.
    pub item: CheckItem,
    /// Its verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: Reason,
    /// What was measured.
    pub measurement: Measurement,
}

/// A whole assessed check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceAssessment {
    /// Each item run, in check order.
    pub items: Vec<ItemResult>,
    /// The overall verdict.
    pub verdict: Verdict,
}

impl DeviceAssessment {
    /// The items that failed, in check order.
    pub fn failed_items(&self) -> Vec<CheckItem> {
        self.items.iter().filter(|r| r.verdict == Verdict::Fail).map(|r| r.item).collect()
    }

    /// The fact the risk model reads.
    pub fn fact(&self) -> DeviceCheckFact {
        fact_of(self.verdict, self.failed_items().len())
    }
}

/// The risk model's fact for a stored verdict and its number of failed items.
pub fn fact_of(verdict: Verdict, failed_items: usize) -> DeviceCheckFact {
    match verdict {
        Verdict::Pass => DeviceCheckFact::Passed,
        Verdict::Warn => DeviceCheckFact::Warned,
        Verdict::Fail => DeviceCheckFact::Failed { failed_items: u32::try_from(failed_items.max(1)).unwrap_or(u32::MAX) },
    }
}

impl DeviceReport {
    /// Parses and validates a submitted report (JSON, at most [`MAX_REPORT_BYTES`]).
    pub fn parse(json: &str) -> Result<DeviceReport, ReportError> {
        if json.len() > MAX_REPORT_BYTES {
            return Err(ReportError::Malformed);
        }
        let report: DeviceReport = serde_json::from_str(json).map_err(|_| ReportError::Malformed)?;
        report.assess()?;
        Ok(report)
    }

    /// The report as JSON, as [`DeviceReport::parse`] reads it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Validates the report and derives every verdict. Items may be missing only when one that
    /// was run failed (a denied permission leaves nothing to test the camera with).
    pub fn assess(&self) -> Result<DeviceAssessment, ReportError> {
        if self.items.is_empty() {
            return Err(ReportError::Malformed);
        }
        let mut items: Vec<ItemResult> = Vec::with_capacity(self.items.len());
        for m in &self.items {
            m.validate()?;
            if items.iter().any(|r| r.item == m.item()) {
                return Err(ReportError::Duplicate(m.item()));
            }
            let (verdict, reason) = m.assess();
            items.push(ItemResult { item: m.item(), verdict, reason, measurement: *m });
        }
        items.sort_by_key(|r| r.item);
        let verdict = overall(items.iter().map(|r| r.verdict));
        // Without audio processing the microphone and speaker cannot be tested (the browser
        // item already warns about it).
        let no_audio = items.iter().any(|r| matches!(r.measurement, Measurement::Browser(b) if !b.audio_context));
        let required = |i: &CheckItem| !(no_audio && matches!(i, CheckItem::Microphone | CheckItem::Speaker));
        if verdict != Verdict::Fail {
            if let Some(missing) = CheckItem::ALL.into_iter().filter(required).find(|i| !items.iter().any(|r| r.item == *i)) {
                return Err(ReportError::Incomplete(missing));
            }
        }
        Ok(DeviceAssessment { items, verdict })
    }
}

/// A coarse browser and system from a `User-Agent`, e.g. "Chrome 131 / Android": never the
/// full string, which identifies a device far more precisely than HR needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSummary {
    /// Browser family and major version, e.g. "Chrome 131", "WeChat 8".
    pub browser: String,
    /// Operating system family, e.g. "Android", "iOS", "Windows".
    pub os: String,
    /// Which kind of permission instructions apply.
    pub platform: BrowserPlatform,
}

impl fmt::Display for ClientSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.browser, self.os)
    }
}

/// The families whose permission settings differ, for the instructions the page gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrowserPlatform {
    /// Chrome or Edge on a computer.
    DesktopChromium,
    /// Chrome (or a Chromium browser) on Android.
    AndroidChrome,
    /// Safari (or any browser) on iPhone or iPad.
    IosSafari,
    /// WeChat, WeCom, or another app's built-in browser.
    InApp,
    /// Anything else (Firefox, desktop Safari, …).
    Other,
}

fn major_after(ua: &str, marker: &str) -> Option<String> {
    let rest = &ua[ua.find(marker)? + marker.len()..];
    let v: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!v.is_empty()).then_some(v)
}

/// Reads a coarse [`ClientSummary`] from a `User-Agent` header.
pub fn classify_user_agent(ua: &str) -> ClientSummary {
    let os = if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("HarmonyOS") || ua.contains("OpenHarmony") {
        "HarmonyOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "other"
    };
    let named = |name: &str, marker: &str| match major_after(ua, marker) {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    };
    let in_app =
        [("wxwork/", "WeCom"), ("MicroMessenger/", "WeChat"), ("DingTalk/", "DingTalk"), ("Lark/", "Feishu"), ("QQ/", "QQ")]
            .into_iter()
            .find(|(marker, _)| ua.contains(marker));
    let (browser, platform) = if let Some((marker, name)) = in_app {
        (named(name, marker), BrowserPlatform::InApp)
    } else if ua.contains("Edg/") {
        (named("Edge", "Edg/"), if os == "Android" { BrowserPlatform::AndroidChrome } else { BrowserPlatform::DesktopChromium })
    } else if os == "iOS" {
        if ua.contains("CriOS/") {
            (named("Chrome", "CriOS/"), BrowserPlatform::IosSafari)
        } else {
            (named("Safari", "Version/"), BrowserPlatform::IosSafari)
        }
    } else if ua.contains("Firefox/") {
        (named("Firefox", "Firefox/"), BrowserPlatform::Other)
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        let b = named("Chrome", "Chrome/");
        match os {
            "Android" => (b, BrowserPlatform::AndroidChrome),
            "Windows" | "macOS" | "Linux" | "ChromeOS" => (b, BrowserPlatform::DesktopChromium),
            _ => (b, BrowserPlatform::Other),
        }
    } else if ua.contains("Safari/") {
        (named("Safari", "Version/"), BrowserPlatform::Other)
    } else {
        ("other".to_string(), BrowserPlatform::Other)
    };
    ClientSummary { browser, os: os.to_string(), platform }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_good() -> Vec<Measurement> {
        vec![
            Measurement::Browser(BrowserSupport {
                secure_context: true,
                media_devices: true,
                get_user_media: true,
                peer_connection: true,
                audio_context: true,
                webassembly: true,
                in_app_browser: false,
            }),
            Measurement::Permissions { outcome: PermissionOutcome::Granted },
            Measurement::Devices { cameras: 1, microphones: 1 },
            Measurement::Camera { width: 640, height: 480, brightness: 90.0, motion: 3.0, frames: 8 },
            Measurement::Microphone { peak_level: 0.2, listened_ms: 900 },
            Measurement::Speaker { heard: Some(true) },
            Measurement::Network { rtt_ms: Some(20.0), down_mbps: Some(30.0), up_mbps: Some(10.0), timed_out: false },
        ]
    }

    #[test]
    fn rtt_thresholds() {
        assert_eq!(rtt_verdict(0.0), Verdict::Pass);
        assert_eq!(rtt_verdict(299.9), Verdict::Pass);
        assert_eq!(rtt_verdict(300.0), Verdict::Warn);
        assert_eq!(rtt_verdict(599.9), Verdict::Warn);
        assert_eq!(rtt_verdict(600.0), Verdict::Fail);
    }

    #[test]
    fn throughput_thresholds() {
        assert_eq!(throughput_verdict(1.1), Verdict::Pass);
        assert_eq!(throughput_verdict(1.0999), Verdict::Warn);
        assert_eq!(throughput_verdict(0.7), Verdict::Warn);
        assert_eq!(throughput_verdict(0.6999), Verdict::Fail);
        assert_eq!(throughput_verdict(0.0), Verdict::Fail);
    }

    #[test]
    fn network_is_the_worst_of_its_figures() {
        assert_eq!(assess_network(Some(100.0), Some(5.0), Some(5.0), false), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_network(Some(400.0), Some(5.0), Some(5.0), false), (Verdict::Warn, Reason::SlowResponse));
        assert_eq!(assess_network(Some(100.0), Some(5.0), Some(0.8), false), (Verdict::Warn, Reason::LowThroughput));
        assert_eq!(assess_network(Some(400.0), Some(0.5), Some(5.0), false), (Verdict::Fail, Reason::LowThroughput));
        assert_eq!(assess_network(Some(700.0), Some(0.8), Some(5.0), false), (Verdict::Fail, Reason::SlowResponse));
        assert_eq!(assess_network(None, Some(5.0), Some(5.0), false), (Verdict::Fail, Reason::Unreachable));
        assert_eq!(assess_network(Some(10.0), Some(5.0), None, false), (Verdict::Fail, Reason::Unreachable));
    }

    #[test]
    fn every_time_limit_has_its_own_verdict() {
        assert_eq!(assess_permissions(PermissionOutcome::TimedOut), (Verdict::Fail, Reason::PermissionTimeout));
        assert_eq!(assess_camera(0, 0, 0.0, 0.0, 0), (Verdict::Fail, Reason::NoPicture));
        assert_eq!(assess_camera(640, 480, 0.0, 0.0, 0), (Verdict::Fail, Reason::BlackPicture), "a picture, but none sampled");
        assert_eq!(assess_microphone(0.0, 0), (Verdict::Fail, Reason::MicrophoneNotStarted));
        assert_eq!(assess_speaker(None), (Verdict::Warn, Reason::ToneUnanswered));
        // A probe that stalled before its figure was measured.
        assert_eq!(assess_network(Some(40.0), None, Some(5.0), true), (Verdict::Fail, Reason::NetworkTimeout));
        assert_eq!(assess_network(None, None, None, true), (Verdict::Fail, Reason::NetworkTimeout));
        // A stall after every figure was measured: good figures warn, bad ones keep their reason.
        assert_eq!(assess_network(Some(40.0), Some(5.0), Some(5.0), true), (Verdict::Warn, Reason::NetworkUnsteady));
        assert_eq!(assess_network(Some(400.0), Some(5.0), Some(5.0), true), (Verdict::Warn, Reason::NetworkUnsteady));
        assert_eq!(assess_network(Some(40.0), Some(0.2), Some(5.0), true), (Verdict::Fail, Reason::LowThroughput));
    }

    #[test]
    fn a_timed_out_permission_and_an_unanswered_tone_round_trip() {
        let m: Measurement = serde_json::from_str(r#"{"item":"permissions","outcome":"timed_out"}"#).expect("parses");
        assert_eq!(m, Measurement::Permissions { outcome: PermissionOutcome::TimedOut });
        let m: Measurement = serde_json::from_str(r#"{"item":"speaker","heard":null}"#).expect("parses");
        assert_eq!(m.assess(), (Verdict::Warn, Reason::ToneUnanswered));
        // Reports from before the time limits (no `timed_out`) still parse.
        let m: Measurement =
            serde_json::from_str(r#"{"item":"network","rtt_ms":20.0,"down_mbps":3.0,"up_mbps":2.0}"#).expect("parses");
        assert_eq!(m.assess(), (Verdict::Pass, Reason::Ok));
    }

    /// Runs the plan one way over a link of `mbps` with `rtt_ms` latency; the transfers made.
    fn simulate(mbps: f64, rtt_ms: f64) -> Vec<Transfer> {
        let mut done = Vec::new();
        while let Some(bytes) = next_transfer(&done, Some(rtt_ms)) {
            let total = rtt_ms + bytes as f64 * 8.0 / (mbps * 1000.0);
            done.push(Transfer { bytes, millis: transfer_millis(total, Some(rtt_ms)) });
            assert!(done.len() <= PROBE_MAX_TRANSFERS, "the plan ends");
        }
        done
    }

    #[test]
    fn the_plan_stays_within_the_byte_budget_on_any_link() {
        for mbps in [0.05, 0.2, 0.5, 0.7, 1.1, 2.0, 5.0, 20.0, 100.0, 1000.0, 10_000.0] {
            for rtt in [1.0, 40.0, 150.0, 400.0, 900.0] {
                let down = simulate(mbps, rtt);
                let up = simulate(mbps, rtt);
                let payload: usize = down.iter().chain(&up).map(|t| t.bytes).sum();
                let requests = PING_COUNT + down.len() + up.len();
                let total = payload + requests * PROBE_HEADER_ALLOWANCE;
                assert!(total <= NETWORK_BYTE_BUDGET, "{mbps} Mbps, {rtt} ms: {total} bytes");
                assert!(!down.is_empty());
            }
        }
    }

    #[test]
    fn a_slow_link_moves_little_data_and_a_fast_one_stops_at_the_budget() {
        // 2G-like: one small transfer already takes long enough to time.
        let slow = simulate(0.1, 300.0);
        assert_eq!(slow.iter().map(|t| t.bytes).collect::<Vec<_>>(), vec![PROBE_FIRST_BYTES]);
        // A round trip longer than the transfer: grows until moving data outlasts the latency.
        let distant = simulate(0.5, 900.0);
        assert_eq!(distant.len(), 2, "{distant:?}");
        assert!(distant.last().is_some_and(|t| t.millis >= 900.0), "{distant:?}");
        // A slow 4G link (1.6 Mbps, 150 ms): grows once, to about a second's worth.
        let modest = simulate(1.6, 150.0);
        assert_eq!(modest.len(), 2, "{modest:?}");
        assert!(modest.iter().map(|t| t.bytes).sum::<usize>() < 250 * 1024, "{modest:?}");
        // Loopback: grows as fast as allowed and stops exactly at the budget.
        let fast = simulate(10_000.0, 1.0);
        assert_eq!(fast.iter().map(|t| t.bytes).sum::<usize>(), PROBE_DIRECTION_BYTES, "{fast:?}");
        assert!(fast.windows(2).all(|w| w[1].bytes > w[0].bytes), "every transfer is bigger than the last");
    }

    #[test]
    fn the_figure_is_meaningful_on_every_link() {
        // The last (largest) transfer, with the round trip taken out, gives the link's speed:
        // within 1% where it matters for the verdict (about 1 Mbps, on a round trip that does
        // not fail the network by itself). On fast links with long round trips the budget ends
        // the growth early and the figure is low, but never inflated and never below "good".
        for mbps in [0.1, 0.5, 0.69, 0.71, 1.09, 1.11, 1.6, 3.0, 10.0, 50.0, 500.0] {
            for rtt in [5.0, 20.0, 150.0, 400.0, 900.0] {
                let measured = throughput_of(&simulate(mbps, rtt)).expect("a figure");
                assert!(measured <= mbps * 1.0001, "{mbps} Mbps at {rtt} ms measured {measured}: never inflated");
                if mbps <= 3.0 && rtt < RTT_WARN_BELOW_MS {
                    assert!((measured - mbps).abs() / mbps < 0.01, "{mbps} Mbps at {rtt} ms measured {measured}");
                }
                assert_eq!(throughput_verdict(measured), throughput_verdict(mbps), "{mbps} Mbps at {rtt} ms: {measured}");
            }
        }
        // Even where half the time is latency, the figure is at worst halved, never inflated.
        let measured =
            throughput_of(&[Transfer { bytes: 16_384, millis: transfer_millis(100.0, Some(900.0)) }]).expect("a figure");
        assert!((measured - 16_384.0 * 8.0 / 50_000.0).abs() < 1e-9);
        assert_eq!(throughput_of(&[]), None);
        assert_eq!(transfer_millis(300.0, None), 300.0);
        assert_eq!(transfer_millis(300.0, Some(100.0)), 200.0);
        assert_eq!(transfer_millis(f64::NAN, Some(100.0)), 0.0);
    }

    #[test]
    fn the_plan_stops_on_a_long_transfer_on_the_count_and_on_time() {
        assert_eq!(next_transfer(&[], None), Some(PROBE_FIRST_BYTES));
        assert_eq!(next_transfer(&[Transfer { bytes: 16_384, millis: PROBE_MIN_MILLIS }], Some(40.0)), None);
        // 16 KiB in 100 ms: about 160 KiB would take a second; growth is 4× to 8×.
        assert_eq!(next_transfer(&[Transfer { bytes: 16_384, millis: 100.0 }], Some(40.0)), Some(131_072));
        assert_eq!(next_transfer(&[Transfer { bytes: 16_384, millis: 200.0 }], Some(40.0)), Some(81_920));
        assert_eq!(next_transfer(&[Transfer { bytes: 16_384, millis: 400.0 }], Some(40.0)), Some(65_536));
        // Moving data took less than a round trip: not timed well enough yet.
        assert_eq!(next_transfer(&[Transfer { bytes: 16_384, millis: 600.0 }], Some(800.0)), Some(65_536));
        let many = [Transfer { bytes: 1_000, millis: 10.0 }; PROBE_MAX_TRANSFERS];
        assert_eq!(next_transfer(&many, None), None);
        let slow_start = [Transfer { bytes: 16_384, millis: PROBE_DIRECTION_MILLIS }];
        assert_eq!(next_transfer(&slow_start, None), None);
    }

    #[test]
    fn camera_thresholds() {
        assert_eq!(assess_camera(640, 480, 90.0, 2.0, 8), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_camera(640, 480, BLACK_BRIGHTNESS_MAX, 2.0, 8), (Verdict::Fail, Reason::BlackPicture));
        assert_eq!(assess_camera(640, 480, BLACK_BRIGHTNESS_MAX + 0.1, 2.0, 8), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_camera(640, 480, 90.0, 2.0, 0), (Verdict::Fail, Reason::BlackPicture));
        assert_eq!(assess_camera(640, 480, 90.0, FROZEN_MOTION_MAX, 8), (Verdict::Fail, Reason::FrozenPicture));
        assert_eq!(assess_camera(640, 480, 90.0, FROZEN_MOTION_MAX + 0.01, 8), (Verdict::Pass, Reason::Ok));
        // Too few frames to tell a frozen picture from a still one.
        assert_eq!(assess_camera(640, 480, 90.0, 0.0, CAMERA_MIN_FRAMES - 1), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_camera(480, 640, 90.0, 2.0, 8), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_camera(640, RESOLUTION_GOOD_MIN, 90.0, 2.0, 8), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_camera(640, RESOLUTION_GOOD_MIN - 1, 90.0, 2.0, 8), (Verdict::Warn, Reason::LowResolution));
        assert_eq!(assess_camera(RESOLUTION_WARN_MIN, 640, 90.0, 2.0, 8), (Verdict::Warn, Reason::LowResolution));
        assert_eq!(assess_camera(RESOLUTION_WARN_MIN - 1, 640, 90.0, 2.0, 8), (Verdict::Fail, Reason::ResolutionTooLow));
    }

    #[test]
    fn microphone_thresholds() {
        assert_eq!(assess_microphone(SPEECH_LEVEL_MIN, 6_000), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_microphone(SPEECH_LEVEL_MIN - 0.001, 6_000), (Verdict::Warn, Reason::Quiet));
        assert_eq!(assess_microphone(SILENCE_LEVEL_MAX + 0.0001, 6_000), (Verdict::Warn, Reason::Quiet));
        assert_eq!(assess_microphone(SILENCE_LEVEL_MAX, 6_000), (Verdict::Fail, Reason::Silent));
        assert_eq!(assess_microphone(0.0, 6_000), (Verdict::Fail, Reason::Silent));
    }

    #[test]
    fn browser_support() {
        let full = BrowserSupport {
            secure_context: true,
            media_devices: true,
            get_user_media: true,
            peer_connection: true,
            audio_context: true,
            webassembly: true,
            in_app_browser: false,
        };
        assert_eq!(assess_browser(&full), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_browser(&BrowserSupport { secure_context: false, ..full }), (Verdict::Fail, Reason::InsecureContext));
        assert_eq!(assess_browser(&BrowserSupport { peer_connection: false, ..full }), (Verdict::Fail, Reason::MissingMediaApi));
        assert_eq!(assess_browser(&BrowserSupport { get_user_media: false, ..full }), (Verdict::Fail, Reason::MissingMediaApi));
        assert_eq!(assess_browser(&BrowserSupport { audio_context: false, ..full }), (Verdict::Warn, Reason::MissingAudioApi));
        assert_eq!(assess_browser(&BrowserSupport { in_app_browser: true, ..full }), (Verdict::Warn, Reason::InAppBrowser));
    }

    #[test]
    fn permission_errors_by_name() {
        assert_eq!(PermissionOutcome::from_error_name("NotAllowedError"), PermissionOutcome::Denied);
        assert_eq!(PermissionOutcome::from_error_name("NotFoundError"), PermissionOutcome::NotFound);
        assert_eq!(PermissionOutcome::from_error_name("NotReadableError"), PermissionOutcome::InUse);
        assert_eq!(PermissionOutcome::from_error_name("OverconstrainedError"), PermissionOutcome::Overconstrained);
        assert_eq!(PermissionOutcome::from_error_name("TypeError"), PermissionOutcome::Other);
        assert_eq!(assess_permissions(PermissionOutcome::Granted).0, Verdict::Pass);
        assert_eq!(assess_permissions(PermissionOutcome::InUse), (Verdict::Fail, Reason::DeviceInUse));
        assert_eq!(assess_devices(0, 1), (Verdict::Fail, Reason::NoCamera));
        assert_eq!(assess_devices(1, 0), (Verdict::Fail, Reason::NoMicrophone));
        assert_eq!(assess_speaker(Some(false)), (Verdict::Fail, Reason::ToneNotHeard));
    }

    #[test]
    fn median_and_throughput() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 2.0]), Some(2.0));
        assert_eq!(mbps(125_000, 1000.0), Some(1.0));
        assert_eq!(mbps(1, 0.0), None);
    }

    #[test]
    fn overall_is_the_worst_item() {
        let good = DeviceReport { items: all_good() }.assess().expect("valid report");
        assert_eq!(good.verdict, Verdict::Pass);
        assert_eq!(good.fact(), DeviceCheckFact::Passed);
        assert_eq!(good.items.len(), 7);

        let mut items = all_good();
        items[6] = Measurement::Network { rtt_ms: Some(400.0), down_mbps: Some(30.0), up_mbps: Some(10.0), timed_out: false };
        let warned = DeviceReport { items }.assess().expect("valid report");
        assert_eq!(warned.verdict, Verdict::Warn);
        assert_eq!(warned.fact(), DeviceCheckFact::Warned);

        let mut items = all_good();
        items[3] = Measurement::Camera { width: 640, height: 480, brightness: 0.0, motion: 0.0, frames: 8 };
        items[4] = Measurement::Microphone { peak_level: 0.0, listened_ms: 6000 };
        items.reverse();
        let failed = DeviceReport { items }.assess().expect("valid report");
        assert_eq!(failed.verdict, Verdict::Fail);
        assert_eq!(failed.failed_items(), vec![CheckItem::Camera, CheckItem::Microphone]);
        assert_eq!(failed.fact(), DeviceCheckFact::Failed { failed_items: 2 });
        assert_eq!(failed.items[0].item, CheckItem::Browser, "sorted into check order");
    }

    #[test]
    fn a_report_may_stop_short_only_after_a_failure() {
        let mut items = all_good();
        items.remove(5);
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::Incomplete(CheckItem::Speaker)));

        let denied = vec![
            all_good()[0],
            Measurement::Permissions { outcome: PermissionOutcome::Denied },
            Measurement::Speaker { heard: Some(true) },
            all_good()[6],
        ];
        let a = DeviceReport { items: denied }.assess().expect("valid report");
        assert_eq!(a.verdict, Verdict::Fail);

        // A browser without audio processing cannot test microphone or speaker.
        let mut items = all_good();
        items[0] = Measurement::Browser(BrowserSupport {
            secure_context: true,
            media_devices: true,
            get_user_media: true,
            peer_connection: true,
            audio_context: false,
            webassembly: true,
            in_app_browser: false,
        });
        items.retain(|m| !matches!(m.item(), CheckItem::Microphone | CheckItem::Speaker));
        let a = DeviceReport { items }.assess().expect("valid report");
        assert_eq!(a.verdict, Verdict::Warn);

        let denied = vec![
            all_good()[0],
            Measurement::Permissions { outcome: PermissionOutcome::Denied },
            Measurement::Speaker { heard: Some(true) },
            all_good()[6],
        ];
        let a = DeviceReport { items: denied }.assess().expect("valid report");
        assert_eq!(a.verdict, Verdict::Fail);
        assert_eq!(a.failed_items(), vec![CheckItem::Permissions]);
    }

    #[test]
    fn bad_reports_are_refused() {
        let mut items = all_good();
        items.push(Measurement::Speaker { heard: Some(false) });
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::Duplicate(CheckItem::Speaker)));

        let mut items = all_good();
        items[4] = Measurement::Microphone { peak_level: 1.5, listened_ms: 10 };
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::OutOfRange(CheckItem::Microphone)));
        let mut items = all_good();
        items[6] =
            Measurement::Network { rtt_ms: Some(f64::INFINITY), down_mbps: Some(1.0), up_mbps: Some(1.0), timed_out: false };
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::OutOfRange(CheckItem::Network)));
        let mut items = all_good();
        items[3] = Measurement::Camera { width: 640, height: 480, brightness: -1.0, motion: 1.0, frames: 3 };
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::OutOfRange(CheckItem::Camera)));

        assert_eq!(DeviceReport { items: vec![] }.assess(), Err(ReportError::Malformed));
        assert_eq!(DeviceReport::parse("not json"), Err(ReportError::Malformed));
        assert_eq!(DeviceReport::parse(r#"{"items":[{"item":"teleporter"}]}"#), Err(ReportError::Malformed));
        assert_eq!(DeviceReport::parse(r#"{"items":[],"overall":"pass"}"#), Err(ReportError::Malformed));
        assert_eq!(DeviceReport::parse(&" ".repeat(MAX_REPORT_BYTES + 1)), Err(ReportError::Malformed));
    }

    #[test]
    fn reports_round_trip_through_json() {
        let report = DeviceReport { items: all_good() };
        let json = serde_json::to_string(&report).expect("serialises");
        assert!(json.contains(r#""item":"camera""#), "{json}");
        assert_eq!(DeviceReport::parse(&json).expect("parses"), report);
    }

    #[test]
    fn user_agents_are_summarised_coarsely() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        let s = classify_user_agent(android);
        assert_eq!(s.to_string(), "Chrome 131 / Android");
        assert_eq!(s.platform, BrowserPlatform::AndroidChrome);

        let wechat = "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
        let s = classify_user_agent(wechat);
        assert_eq!(s.to_string(), "WeChat 8 / Android");
        assert_eq!(s.platform, BrowserPlatform::InApp);

        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(classify_user_agent(iphone).to_string(), "Safari 17 / iOS");
        assert_eq!(classify_user_agent(iphone).platform, BrowserPlatform::IosSafari);

        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70";
        assert_eq!(classify_user_agent(edge).to_string(), "Edge 131 / Windows");
        assert_eq!(classify_user_agent(edge).platform, BrowserPlatform::DesktopChromium);

        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(classify_user_agent(firefox).to_string(), "Firefox 133 / Linux");
        assert_eq!(classify_user_agent("").to_string(), "other / other");
    }
}
