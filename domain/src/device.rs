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
/// The first download and upload of the network check, in bytes.
pub const PROBE_FIRST_BYTES: usize = 256 * 1024;
/// The largest probe download or upload, in bytes (the server refuses more).
pub const PROBE_MAX_BYTES: usize = 2 * 1024 * 1024;
/// A transfer shorter than this is repeated at [`PROBE_MAX_BYTES`] to be timed reliably, in milliseconds.
pub const PROBE_MIN_MILLIS: f64 = 500.0;
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
    /// No camera is listed.
    NoCamera,
    /// No microphone is listed.
    NoMicrophone,
    /// The picture is black (covered lens, camera switched off).
    BlackPicture,
    /// The picture does not change (a frozen or virtual camera).
    FrozenPicture,
    /// The picture is small enough to look poor.
    LowResolution,
    /// The picture is too small to use.
    ResolutionTooLow,
    /// Nothing was heard: likely muted or broken.
    Silent,
    /// Something was heard, but quieter than speech.
    Quiet,
    /// The candidate did not hear the test tone.
    ToneNotHeard,
    /// The server could not be reached for the network test.
    Unreachable,
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
            Reason::NoCamera => "no_camera",
            Reason::NoMicrophone => "no_microphone",
            Reason::BlackPicture => "black_picture",
            Reason::FrozenPicture => "frozen_picture",
            Reason::LowResolution => "low_resolution",
            Reason::ResolutionTooLow => "resolution_too_low",
            Reason::Silent => "silent",
            Reason::Quiet => "quiet",
            Reason::ToneNotHeard => "tone_not_heard",
            Reason::Unreachable => "unreachable",
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
    /// The sampled camera picture.
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
        /// How long it listened, in milliseconds.
        listened_ms: u32,
    },
    /// The candidate's answer to the test tone.
    Speaker {
        /// Whether they heard it.
        heard: bool,
    },
    /// Network timings; a missing figure is a probe that failed.
    Network {
        /// Median round-trip time in milliseconds.
        rtt_ms: Option<f64>,
        /// Download throughput in megabits per second.
        down_mbps: Option<f64>,
        /// Upload throughput in megabits per second.
        up_mbps: Option<f64>,
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
            Measurement::Network { rtt_ms, down_mbps, up_mbps } => {
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
            Measurement::Microphone { peak_level, .. } => assess_microphone(peak_level),
            Measurement::Speaker { heard } => assess_speaker(heard),
            Measurement::Network { rtt_ms, down_mbps, up_mbps } => assess_network(rtt_ms, down_mbps, up_mbps),
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

/// The camera: a black or frozen picture fails, and so does one too small to use; a small one warns.
pub fn assess_camera(width: u32, height: u32, brightness: f64, motion: f64, frames: u32) -> (Verdict, Reason) {
    let short_side = width.min(height);
    if frames == 0 || brightness <= BLACK_BRIGHTNESS_MAX {
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

/// The microphone: speech-level sound passes, silence fails, anything between warns.
pub fn assess_microphone(peak_level: f64) -> (Verdict, Reason) {
    if peak_level >= SPEECH_LEVEL_MIN {
        (Verdict::Pass, Reason::Ok)
    } else if peak_level <= SILENCE_LEVEL_MAX {
        (Verdict::Fail, Reason::Silent)
    } else {
        (Verdict::Warn, Reason::Quiet)
    }
}

/// The speaker: the candidate's own answer.
pub fn assess_speaker(heard: bool) -> (Verdict, Reason) {
    if heard {
        (Verdict::Pass, Reason::Ok)
    } else {
        (Verdict::Fail, Reason::ToneNotHeard)
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

/// The network: the worst of round-trip time, download and upload; a failed probe fails.
pub fn assess_network(rtt_ms: Option<f64>, down_mbps: Option<f64>, up_mbps: Option<f64>) -> (Verdict, Reason) {
    let (Some(rtt), Some(down), Some(up)) = (rtt_ms, down_mbps, up_mbps) else {
        return (Verdict::Fail, Reason::Unreachable);
    };
    let by_rtt = rtt_verdict(rtt);
    let by_throughput = throughput_verdict(down).max(throughput_verdict(up));
    if by_rtt == Verdict::Pass && by_throughput == Verdict::Pass {
        (Verdict::Pass, Reason::Ok)
    } else if by_rtt >= by_throughput {
        (by_rtt, Reason::SlowResponse)
    } else {
        (by_throughput, Reason::LowThroughput)
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
            Measurement::Speaker { heard: true },
            Measurement::Network { rtt_ms: Some(20.0), down_mbps: Some(30.0), up_mbps: Some(10.0) },
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
        assert_eq!(assess_network(Some(100.0), Some(5.0), Some(5.0)), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_network(Some(400.0), Some(5.0), Some(5.0)), (Verdict::Warn, Reason::SlowResponse));
        assert_eq!(assess_network(Some(100.0), Some(5.0), Some(0.8)), (Verdict::Warn, Reason::LowThroughput));
        assert_eq!(assess_network(Some(400.0), Some(0.5), Some(5.0)), (Verdict::Fail, Reason::LowThroughput));
        assert_eq!(assess_network(Some(700.0), Some(0.8), Some(5.0)), (Verdict::Fail, Reason::SlowResponse));
        assert_eq!(assess_network(None, Some(5.0), Some(5.0)), (Verdict::Fail, Reason::Unreachable));
        assert_eq!(assess_network(Some(10.0), Some(5.0), None), (Verdict::Fail, Reason::Unreachable));
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
        assert_eq!(assess_microphone(SPEECH_LEVEL_MIN), (Verdict::Pass, Reason::Ok));
        assert_eq!(assess_microphone(SPEECH_LEVEL_MIN - 0.001), (Verdict::Warn, Reason::Quiet));
        assert_eq!(assess_microphone(SILENCE_LEVEL_MAX + 0.0001), (Verdict::Warn, Reason::Quiet));
        assert_eq!(assess_microphone(SILENCE_LEVEL_MAX), (Verdict::Fail, Reason::Silent));
        assert_eq!(assess_microphone(0.0), (Verdict::Fail, Reason::Silent));
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
        assert_eq!(assess_speaker(false), (Verdict::Fail, Reason::ToneNotHeard));
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
        items[6] = Measurement::Network { rtt_ms: Some(400.0), down_mbps: Some(30.0), up_mbps: Some(10.0) };
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
            Measurement::Speaker { heard: true },
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
            Measurement::Speaker { heard: true },
            all_good()[6],
        ];
        let a = DeviceReport { items: denied }.assess().expect("valid report");
        assert_eq!(a.verdict, Verdict::Fail);
        assert_eq!(a.failed_items(), vec![CheckItem::Permissions]);
    }

    #[test]
    fn bad_reports_are_refused() {
        let mut items = all_good();
        items.push(Measurement::Speaker { heard: false });
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::Duplicate(CheckItem::Speaker)));

        let mut items = all_good();
        items[4] = Measurement::Microphone { peak_level: 1.5, listened_ms: 10 };
        assert_eq!(DeviceReport { items }.assess(), Err(ReportError::OutOfRange(CheckItem::Microphone)));
        let mut items = all_good();
        items[6] = Measurement::Network { rtt_ms: Some(f64::INFINITY), down_mbps: Some(1.0), up_mbps: Some(1.0) };
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
