//! The device check's words, in both languages (kept apart from [`crate::i18n::Strings`] so the
//! check can grow without touching every page's strings).

use crate::i18n::{fill, Locale};
use turnout_domain::device::{
    BrowserPlatform, CheckItem, Reason, Verdict, RTT_GOOD_BELOW_MS, RTT_WARN_BELOW_MS, THROUGHPUT_GOOD_MBPS, THROUGHPUT_WARN_MBPS,
};

/// Every string of the device check.
#[derive(Debug)]
pub struct DeviceStrings {
    /// Page title and heading.
    pub title: &'static str,
    /// What the check does, before it runs.
    pub intro: &'static str,
    /// The promise that nothing recorded leaves the device.
    pub privacy: &'static str,
    /// Shown without JavaScript: what the check needs.
    pub needs_script: &'static str,
    /// The start button.
    pub start: &'static str,
    /// The button to run the check again.
    pub again: &'static str,
    /// Back to the invitation.
    pub back: &'static str,
    /// The link on the invitation page.
    pub open_link: &'static str,
    /// The invitation page's short description of the check.
    pub link_intro: &'static str,
    /// Heading of the step list.
    pub steps_heading: &'static str,
    /// Per item: its title.
    pub items: [&'static str; 7],
    /// A step not yet run.
    pub waiting: &'static str,
    /// A step running.
    pub running: &'static str,
    /// A step skipped because an earlier one failed.
    pub skipped: &'static str,
    /// The verdict labels: pass, warn, fail.
    pub verdicts: [&'static str; 3],
    /// Label of the camera picker.
    pub camera_label: &'static str,
    /// Label of the microphone picker.
    pub microphone_label: &'static str,
    /// The camera preview's label.
    pub preview_label: &'static str,
    /// The resolution measured, `{w}`×`{h}`.
    pub resolution: &'static str,
    /// The level meter's label.
    pub level_label: &'static str,
    /// What to do during the microphone step.
    pub speak_now: &'static str,
    /// The speaker question.
    pub tone_question: &'static str,
    /// Play the tone again.
    pub play_tone: &'static str,
    /// "I heard it".
    pub heard: &'static str,
    /// "I did not hear it".
    pub not_heard: &'static str,
    /// The network figures: `{rtt}`, `{down}`, `{up}`.
    pub network_figures: &'static str,
    /// The network thresholds: `{good_rtt}`, `{warn_rtt}`, `{good_mbps}`, `{warn_mbps}`.
    pub network_thresholds: &'static str,
    /// Overall verdict headings: pass, warn, fail.
    pub overall: [&'static str; 3],
    /// Saving the result.
    pub saving: &'static str,
    /// The result could not be saved.
    pub save_failed: &'static str,
    /// The server did not answer the save within [`turnout_domain::device::SUBMIT_TIMEOUT_MS`].
    pub save_timed_out: &'static str,
    /// The link to report a problem.
    pub report_problem: &'static str,
    /// Heading above the technical-help contact.
    pub help_heading: &'static str,
    /// HR's column header.
    pub hr_column: &'static str,
    /// HR's cell when no check has run.
    pub hr_not_run: &'static str,
    /// HR's label before the failed items.
    pub hr_failed: &'static str,
    /// Between the items of a list.
    pub list_separator: &'static str,
    /// Reasons and what to do, per [`Reason`] (see [`DeviceStrings::reason`]).
    reasons: ReasonTexts,
    /// Instructions to allow camera and microphone, per [`BrowserPlatform`].
    allow: [&'static str; 5],
}

#[derive(Debug)]
struct ReasonTexts {
    ok: &'static str,
    insecure_context: &'static str,
    missing_media_api: &'static str,
    missing_audio_api: &'static str,
    in_app_browser: &'static str,
    permission_denied: &'static str,
    device_not_found: &'static str,
    device_in_use: &'static str,
    overconstrained: &'static str,
    media_error: &'static str,
    permission_timeout: &'static str,
    no_camera: &'static str,
    no_microphone: &'static str,
    no_picture: &'static str,
    black_picture: &'static str,
    frozen_picture: &'static str,
    low_resolution: &'static str,
    resolution_too_low: &'static str,
    microphone_not_started: &'static str,
    silent: &'static str,
    quiet: &'static str,
    tone_not_heard: &'static str,
    tone_unanswered: &'static str,
    unreachable: &'static str,
    network_timeout: &'static str,
    network_unsteady: &'static str,
    slow_response: &'static str,
    low_throughput: &'static str,
}

impl DeviceStrings {
    /// The strings for `locale`.
    pub fn of(locale: Locale) -> &'static DeviceStrings {
        match locale {
            Locale::ZhCn => &ZH,
            Locale::En => &EN,
        }
    }

    /// An item's title.
    pub fn item(&self, item: CheckItem) -> &'static str {
        self.items[item as usize]
    }

    /// A verdict's label.
    pub fn verdict(&self, v: Verdict) -> &'static str {
        self.verdicts[v as usize]
    }

    /// The overall heading for a verdict.
    pub fn overall(&self, v: Verdict) -> &'static str {
        self.overall[v as usize]
    }

    /// What happened and what to do, in plain words.
    pub fn reason(&self, r: Reason) -> &'static str {
        let t = &self.reasons;
        match r {
            Reason::Ok => t.ok,
            Reason::InsecureContext => t.insecure_context,
            Reason::MissingMediaApi => t.missing_media_api,
            Reason::MissingAudioApi => t.missing_audio_api,
            Reason::InAppBrowser => t.in_app_browser,
            Reason::PermissionDenied => t.permission_denied,
            Reason::DeviceNotFound => t.device_not_found,
            Reason::DeviceInUse => t.device_in_use,
            Reason::Overconstrained => t.overconstrained,
            Reason::MediaError => t.media_error,
            Reason::PermissionTimeout => t.permission_timeout,
            Reason::NoCamera => t.no_camera,
            Reason::NoMicrophone => t.no_microphone,
            Reason::NoPicture => t.no_picture,
            Reason::BlackPicture => t.black_picture,
            Reason::FrozenPicture => t.frozen_picture,
            Reason::LowResolution => t.low_resolution,
            Reason::ResolutionTooLow => t.resolution_too_low,
            Reason::MicrophoneNotStarted => t.microphone_not_started,
            Reason::Silent => t.silent,
            Reason::Quiet => t.quiet,
            Reason::ToneNotHeard => t.tone_not_heard,
            Reason::ToneUnanswered => t.tone_unanswered,
            Reason::Unreachable => t.unreachable,
            Reason::NetworkTimeout => t.network_timeout,
            Reason::NetworkUnsteady => t.network_unsteady,
            Reason::SlowResponse => t.slow_response,
            Reason::LowThroughput => t.low_throughput,
        }
    }

    /// How to allow camera and microphone in this kind of browser.
    pub fn allow_access(&self, p: BrowserPlatform) -> &'static str {
        self.allow[match p {
            BrowserPlatform::DesktopChromium => 0,
            BrowserPlatform::AndroidChrome => 1,
            BrowserPlatform::IosSafari => 2,
            BrowserPlatform::InApp => 3,
            BrowserPlatform::Other => 4,
        }]
    }

    /// The thresholds the network is judged by, as the page states them.
    pub fn thresholds(&self) -> String {
        fill(
            self.network_thresholds,
            &[
                ("good_rtt", &RTT_GOOD_BELOW_MS),
                ("warn_rtt", &RTT_WARN_BELOW_MS),
                ("good_mbps", &THROUGHPUT_GOOD_MBPS),
                ("warn_mbps", &THROUGHPUT_WARN_MBPS),
            ],
        )
    }
}

/// Simplified Chinese.
pub const ZH: DeviceStrings = DeviceStrings {
    title: "设备检测",
    intro: "面试前花一两分钟检查摄像头、麦克风、扬声器、浏览器和网络，当天就不会因为设备问题错过面试。",
    privacy: "摄像头画面和麦克风声音只在你的设备上分析，不会上传；只保存每一项的检测结果。",
    needs_script: "设备检测需要在浏览器中运行脚本：请在手机或电脑的浏览器（Chrome、Edge、Safari 等）中打开本页，并允许使用摄像头和麦克风。检测包括：浏览器是否支持视频面试、摄像头画面、麦克风声音、扬声器声音和网络速度。",
    start: "开始检测",
    again: "重新检测",
    back: "返回面试邀请",
    open_link: "检测设备",
    link_intro: "提前检查摄像头、麦克风、扬声器和网络，约需两分钟。",
    steps_heading: "检测步骤",
    items: ["浏览器", "摄像头和麦克风权限", "设备", "摄像头", "麦克风", "扬声器", "网络"],
    waiting: "等待",
    running: "检测中…",
    skipped: "未检测",
    verdicts: ["通过", "注意", "未通过"],
    camera_label: "摄像头",
    microphone_label: "麦克风",
    preview_label: "摄像头预览",
    resolution: "画面分辨率 {w}×{h}",
    level_label: "麦克风音量",
    speak_now: "请正常音量说几句话，例如读出你的名字。",
    tone_question: "刚才播放了一段提示音。你听到了吗？",
    play_tone: "再播放一次",
    heard: "听到了",
    not_heard: "没听到",
    network_figures: "往返时间 {rtt} 毫秒 · 下载 {down} Mbps · 上传 {up} Mbps",
    network_thresholds: "标准：往返时间低于 {good_rtt} 毫秒、上下行不低于 {good_mbps} Mbps 为良好；低于 {warn_rtt} 毫秒、不低于 {warn_mbps} Mbps 为可用。",
    overall: ["全部通过，你的设备可以参加 AI 视频面试。", "基本可用，但有需要注意的地方，请看下面的提示。", "有检测项未通过，请按提示处理后重新检测。"],
    saving: "正在保存检测结果…",
    save_failed: "检测结果未能保存，请重新检测。",
    save_timed_out: "服务器在 20 秒内没有回应，检测结果没有保存。请检查网络后重新检测。",
    report_problem: "反馈设备问题",
    help_heading: "技术支持",
    hr_column: "设备检测",
    hr_not_run: "未检测",
    hr_failed: "问题项：",
    list_separator: "、",
    reasons: ReasonTexts {
        ok: "正常。",
        insecure_context: "本页没有通过安全连接（https）打开，浏览器不允许使用摄像头。请使用短信或邮件中的原始链接打开。",
        missing_media_api: "这个浏览器不支持视频面试所需的摄像头或实时视频功能。请换用最新版的 Chrome、Edge 或 Safari。",
        missing_audio_api: "这个浏览器缺少部分音频功能，面试中可能出问题。建议换用最新版的 Chrome、Edge 或 Safari。",
        in_app_browser: "你正在微信等应用的内置浏览器中，面试时摄像头可能无法使用。请点右上角“···”，选择“在浏览器中打开”。",
        permission_denied: "摄像头或麦克风的使用权限被拒绝了。",
        device_not_found: "没有找到摄像头或麦克风。请连接设备（或换用带摄像头的手机）后重新检测。",
        device_in_use: "摄像头或麦克风正被其他程序占用（例如视频会议软件）。请关闭这些程序后重新检测。",
        overconstrained: "所选设备无法提供所需的画面。请换一个摄像头或麦克风后重新检测。",
        media_error: "无法打开摄像头或麦克风。请重启浏览器后重新检测。",
        permission_timeout: "浏览器在 30 秒内没有回应摄像头和麦克风的使用请求。如果页面上有询问弹窗，请选择“允许”；如果没有，请刷新本页或换用 Chrome、Edge、Safari，然后重新检测。",
        no_camera: "没有找到摄像头。请连接摄像头或换用手机后重新检测。",
        no_microphone: "没有找到麦克风。请连接耳机或麦克风后重新检测。",
        no_picture: "摄像头在 10 秒内没有出现画面。请关闭其他正在使用摄像头的程序，或在上面换一个摄像头，然后重新检测；仍然不行请重启浏览器。",
        black_picture: "摄像头画面是黑的。请检查镜头是否被遮挡、摄像头开关是否打开，或在上面换一个摄像头。",
        frozen_picture: "摄像头画面没有变化，可能卡住了。请关闭其他使用摄像头的程序，或换一个摄像头。",
        low_resolution: "画面分辨率偏低，面试官可能看不清。可以的话请换用更好的摄像头。",
        resolution_too_low: "画面分辨率太低，无法用于面试。请换一个摄像头。",
        microphone_not_started: "浏览器在 5 秒内没有开始处理声音，麦克风没能检测。请刷新本页后重新检测；仍然不行请重启浏览器或换一个浏览器。",
        silent: "麦克风没有收到声音，可能被静音或已损坏。请检查静音开关和系统声音设置，或在上面换一个麦克风。",
        quiet: "麦克风声音很小。请靠近麦克风说话，或调高输入音量。",
        tone_not_heard: "没听到提示音：请调高音量，取消静音，检查耳机或蓝牙设备是否已连接。",
        tone_unanswered: "90 秒内没有回答是否听到提示音，扬声器没有检测。方便听声音时请重新检测。",
        unreachable: "无法连接服务器测试网络。请检查网络连接后重新检测。",
        network_timeout: "测网速时连接卡住了，服务器的数据迟迟没有到达：网络很弱或已中断。请换到信号更好的 Wi-Fi 或 4G/5G 网络，然后重新检测。",
        network_unsteady: "网速达标，但测试中连接卡住过一次，面试中画面可能会冻结。请尽量换用更稳定的网络，面试时靠近路由器。",
        slow_response: "网络响应较慢，面试中画面可能卡顿。请靠近路由器，或换用更稳定的网络。",
        low_throughput: "网速偏低，面试中画面可能卡顿。请换用更快的 Wi-Fi 或 4G/5G 网络，并关闭其他下载。",
    },
    allow: [
        "点击地址栏左侧的锁形（或摄像头）图标，把“摄像头”和“麦克风”设为“允许”，然后点“重新检测”。",
        "点击地址栏左侧的图标，进入“权限”，允许摄像头和麦克风；如果仍不行，在手机“设置 → 应用 → Chrome → 权限”中打开摄像头和麦克风，然后点“重新检测”。",
        "在 iPhone“设置 → Safari 浏览器”中，把“摄像头”和“麦克风”设为“询问”或“允许”，然后回到本页点“重新检测”，在弹窗中选择“允许”。",
        "微信等应用的内置浏览器常常无法使用摄像头。请点右上角“···”，选择“在浏览器中打开”，在系统浏览器中重新检测。",
        "请在浏览器的网站设置中允许本网站使用摄像头和麦克风，然后点“重新检测”。",
    ],
};

/// English.
pub const EN: DeviceStrings = DeviceStrings {
    title: "Device check",
    intro: "Take a minute or two to check your camera, microphone, speaker, browser and network before the interview, so a device problem cannot make you miss it.",
    privacy: "Your camera picture and microphone sound are analysed on your device only and never uploaded; only the result of each item is saved.",
    needs_script: "The device check runs in your browser and needs scripts: open this page in your phone's or computer's browser (Chrome, Edge, Safari…) and allow the camera and microphone. It checks browser support for video interviews, the camera picture, the microphone, the speaker and your network speed.",
    start: "Start the check",
    again: "Check again",
    back: "Back to your invitation",
    open_link: "Check your device",
    link_intro: "Check your camera, microphone, speaker and network in advance; it takes about two minutes.",
    steps_heading: "Steps",
    items: ["Browser", "Camera and microphone access", "Devices", "Camera", "Microphone", "Speaker", "Network"],
    waiting: "Waiting",
    running: "Checking…",
    skipped: "Not checked",
    verdicts: ["Passed", "Warning", "Failed"],
    camera_label: "Camera",
    microphone_label: "Microphone",
    preview_label: "Camera preview",
    resolution: "Picture {w}×{h}",
    level_label: "Microphone level",
    speak_now: "Say a few words at a normal volume, for example your name.",
    tone_question: "A test tone was just played. Did you hear it?",
    play_tone: "Play it again",
    heard: "I heard it",
    not_heard: "I did not hear it",
    network_figures: "Round trip {rtt} ms · download {down} Mbps · upload {up} Mbps",
    network_thresholds: "Good: round trip under {good_rtt} ms and at least {good_mbps} Mbps each way; usable: under {warn_rtt} ms and at least {warn_mbps} Mbps.",
    overall: ["Everything passed: your device is ready for the AI video interview.", "Usable, with warnings: see the advice below.", "Some items failed: follow the advice below, then check again."],
    saving: "Saving the result…",
    save_failed: "The result could not be saved; please check again.",
    save_timed_out: "The server did not answer within 20 seconds, so the result was not saved. Check your connection, then check again.",
    report_problem: "Report a device problem",
    help_heading: "Technical help",
    hr_column: "Device check",
    hr_not_run: "Not run",
    hr_failed: "Failed items: ",
    list_separator: ", ",
    reasons: ReasonTexts {
        ok: "Working.",
        insecure_context: "This page is not on a secure (https) connection, so the browser blocks the camera. Open the original link from your SMS or e-mail.",
        missing_media_api: "This browser lacks the camera or real-time video features a video interview needs. Use an up-to-date Chrome, Edge or Safari.",
        missing_audio_api: "This browser lacks some audio features, which may cause trouble. An up-to-date Chrome, Edge or Safari is recommended.",
        in_app_browser: "You are in an app's built-in browser (WeChat or similar), where the camera often fails. Tap ··· at the top right and choose Open in browser.",
        permission_denied: "Access to the camera or microphone was refused.",
        device_not_found: "No camera or microphone was found. Connect one (or use a phone with a camera), then check again.",
        device_in_use: "Another program (a video-meeting app, say) is using the camera or microphone. Close it, then check again.",
        overconstrained: "The chosen device cannot give the picture needed. Choose another camera or microphone, then check again.",
        media_error: "The camera or microphone could not be opened. Restart the browser, then check again.",
        permission_timeout: "The browser did not answer the request for the camera and microphone within 30 seconds. If it is asking, choose Allow; if nothing is asking, reload this page or use Chrome, Edge or Safari, then check again.",
        no_camera: "No camera was found. Connect a camera or use a phone, then check again.",
        no_microphone: "No microphone was found. Connect a headset or microphone, then check again.",
        no_picture: "The camera showed no picture within 10 seconds. Close other programs using the camera, or choose another camera above, then check again; if that does not help, restart the browser.",
        black_picture: "The camera picture is black. Check that nothing covers the lens and the camera is switched on, or choose another camera above.",
        frozen_picture: "The camera picture does not change; it may be stuck. Close other programs using the camera, or choose another camera.",
        low_resolution: "The picture is small and may look blurred. Use a better camera if you can.",
        resolution_too_low: "The picture is too small for an interview. Choose another camera.",
        microphone_not_started: "The browser did not start processing sound within 5 seconds, so the microphone could not be checked. Reload this page and check again; if that does not help, restart the browser or try another one.",
        silent: "The microphone heard nothing: it is likely muted or broken. Check its mute switch and your sound settings, or choose another microphone above.",
        quiet: "The microphone is very quiet. Speak closer to it or raise the input volume.",
        tone_not_heard: "You did not hear the tone: turn the volume up, unmute, and check that your headphones or Bluetooth device are connected.",
        tone_unanswered: "You did not say within 90 seconds whether you heard the tone, so the speaker was not checked. Check again when you can listen.",
        unreachable: "Our server could not be reached to test the network. Check your connection, then check again.",
        network_timeout: "The network test stalled: data from our server stopped arriving, so your connection is very weak or has dropped. Move to stronger Wi-Fi or 4G/5G, then check again.",
        network_unsteady: "The speed is good, but the connection stalled once during the test, so the video may freeze. Use a steadier network if you can, and stay close to the router during the interview.",
        slow_response: "The network responds slowly; the video may stutter. Move closer to the router or use a steadier network.",
        low_throughput: "The network is slow; the video may stutter. Use faster Wi-Fi or 4G/5G and stop other downloads.",
    },
    allow: [
        "Click the lock (or camera) icon at the left of the address bar, set Camera and Microphone to Allow, then press Check again.",
        "Tap the icon at the left of the address bar, open Permissions and allow Camera and Microphone; if that does not help, allow them in Settings → Apps → Chrome → Permissions, then press Check again.",
        "In the iPhone's Settings → Safari, set Camera and Microphone to Ask or Allow, come back, press Check again and choose Allow.",
        "App browsers (WeChat and similar) often cannot use the camera. Tap ··· at the top right, choose Open in browser, and run the check there.",
        "Allow this site to use the camera and microphone in your browser's site settings, then press Check again.",
    ],
};

/// What the page says when the check itself cannot start (its part of the WebAssembly did not
/// download, or this browser cannot run it). Rendered on the server only, so these words add
/// nothing to what the browser downloads.
#[derive(Debug)]
pub struct LoadStrings {
    /// The notice's heading.
    pub heading: &'static str,
    /// What may have happened.
    pub intro: &'static str,
    /// First: reload.
    pub reload_step: &'static str,
    /// The reload link.
    pub reload: &'static str,
    /// Then: another browser.
    pub browser_step: &'static str,
    /// Or: skip the check and ask for help.
    pub skip_step: &'static str,
}

impl LoadStrings {
    /// The words for `locale`.
    pub fn of(locale: Locale) -> &'static LoadStrings {
        match locale {
            Locale::ZhCn => &LOAD_ZH,
            Locale::En => &LOAD_EN,
        }
    }
}

/// Simplified Chinese.
pub const LOAD_ZH: LoadStrings = LoadStrings {
    heading: "设备检测没有加载出来",
    intro: "可能是网络中断了，或者这个浏览器无法运行检测。请按顺序试试：",
    reload_step: "重新加载本页。",
    reload: "重新加载",
    browser_step: "仍然不行的话，用最新版的 Chrome、Edge 或 Safari 打开面试邀请中的链接（不要在微信等应用里直接打开）。",
    skip_step: "也可以先跳过检测，联系技术支持。",
};

/// English.
pub const LOAD_EN: LoadStrings = LoadStrings {
    heading: "The device check did not load",
    intro: "The connection may have dropped, or this browser cannot run the check. Try, in order:",
    reload_step: "Reload this page.",
    reload: "Reload the page",
    browser_step: "If it still does not load, open the link in your invitation in an up-to-date Chrome, Edge or Safari (not inside WeChat or another app).",
    skip_step: "Or skip the check for now and contact technical help.",
};

#[cfg(test)]
mod tests {
    use super::*;

    const REASONS: [Reason; 28] = [
        Reason::Ok,
        Reason::InsecureContext,
        Reason::MissingMediaApi,
        Reason::MissingAudioApi,
        Reason::InAppBrowser,
        Reason::PermissionDenied,
        Reason::DeviceNotFound,
        Reason::DeviceInUse,
        Reason::Overconstrained,
        Reason::MediaError,
        Reason::PermissionTimeout,
        Reason::NoCamera,
        Reason::NoMicrophone,
        Reason::BlackPicture,
        Reason::NoPicture,
        Reason::FrozenPicture,
        Reason::LowResolution,
        Reason::ResolutionTooLow,
        Reason::MicrophoneNotStarted,
        Reason::Silent,
        Reason::Quiet,
        Reason::ToneNotHeard,
        Reason::ToneUnanswered,
        Reason::Unreachable,
        Reason::NetworkTimeout,
        Reason::NetworkUnsteady,
        Reason::SlowResponse,
        Reason::LowThroughput,
    ];

    #[test]
    fn every_reason_and_item_has_distinct_words_in_both_languages() {
        for d in [&ZH, &EN] {
            let texts: std::collections::HashSet<_> = REASONS.iter().map(|r| d.reason(*r)).collect();
            assert_eq!(texts.len(), REASONS.len(), "one text per reason");
            assert!(CheckItem::ALL.iter().all(|i| !d.item(*i).is_empty()));
            for p in [
                BrowserPlatform::DesktopChromium,
                BrowserPlatform::AndroidChrome,
                BrowserPlatform::IosSafari,
                BrowserPlatform::InApp,
                BrowserPlatform::Other,
            ] {
                assert!(!d.allow_access(p).is_empty());
            }
        }
        assert_eq!(ZH.item(CheckItem::Network), "网络");
        assert_eq!(EN.verdict(Verdict::Warn), "Warning");
    }

    #[test]
    fn the_time_limits_stated_are_the_ones_applied() {
        use turnout_domain::device::{
            CAMERA_START_TIMEOUT_MS, MIC_START_TIMEOUT_MS, PERMISSION_TIMEOUT_MS, SPEAKER_ANSWER_TIMEOUT_MS, SUBMIT_TIMEOUT_MS,
        };
        for (text, ms) in [
            (Reason::PermissionTimeout, PERMISSION_TIMEOUT_MS),
            (Reason::NoPicture, CAMERA_START_TIMEOUT_MS),
            (Reason::MicrophoneNotStarted, MIC_START_TIMEOUT_MS),
            (Reason::ToneUnanswered, SPEAKER_ANSWER_TIMEOUT_MS),
        ]
        .map(|(r, ms)| ([ZH.reason(r), EN.reason(r)], ms))
        .into_iter()
        .chain([([ZH.save_timed_out, EN.save_timed_out], SUBMIT_TIMEOUT_MS)])
        {
            let seconds = ms / 1000;
            assert!(text[0].contains(&format!("{seconds} 秒")), "{}", text[0]);
            assert!(text[1].contains(&format!("{seconds} seconds")), "{}", text[1]);
        }
        for l in [&LOAD_ZH, &LOAD_EN] {
            assert!([l.heading, l.intro, l.reload_step, l.reload, l.browser_step, l.skip_step].iter().all(|t| !t.is_empty()));
        }
    }

    #[test]
    fn the_stated_thresholds_are_the_ones_applied() {
        assert_eq!(
            ZH.thresholds(),
            "标准：往返时间低于 300 毫秒、上下行不低于 1.1 Mbps 为良好；低于 600 毫秒、不低于 0.7 Mbps 为可用。"
        );
        assert!(EN.thresholds().contains("under 300 ms and at least 1.1 Mbps"));
    }
}
