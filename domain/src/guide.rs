//! The interview guide: how far a candidate has read it, and the guide Turnout ships with.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::invitation::UnknownValue;

/// How far a candidate has got with the guide. Progress only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuideProgress {
    /// Never opened.
    NotOpened,
    /// Opened.
    Opened,
    /// Scrolled to the end.
    Finished,
    /// Said "I have read it".
    Acknowledged,
}

impl GuideProgress {
    /// Every step, in order.
    pub const ALL: [GuideProgress; 4] =
        [GuideProgress::NotOpened, GuideProgress::Opened, GuideProgress::Finished, GuideProgress::Acknowledged];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            GuideProgress::NotOpened => "not_opened",
            GuideProgress::Opened => "opened",
            GuideProgress::Finished => "finished",
            GuideProgress::Acknowledged => "acknowledged",
        }
    }

    /// The progress after reaching `step`: never backwards.
    pub fn advance(self, step: GuideProgress) -> GuideProgress {
        self.max(step)
    }
}

impl FromStr for GuideProgress {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GuideProgress::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| UnknownValue { what: "guide progress", value: s.to_string() })
    }
}

/// The longest time on the guide that counts as reading (a tab left open overnight is not).
pub const MAX_READING_SECONDS: i64 = 2 * 60 * 60;

/// Seconds spent reading between opening and `now`, capped at [`MAX_READING_SECONDS`].
pub fn reading_seconds(opened_at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> i64 {
    (now - opened_at).num_seconds().clamp(0, MAX_READING_SECONDS)
}

/// A section id as the page names it: lowercase ASCII letters, digits and dashes, at most 64.
pub fn is_section_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The guide Turnout ships with (Simplified Chinese). Each `## ` heading starts a section.
pub const DEFAULT_GUIDE_ZH: &str = "\
## 如何登录面试平台
1. 在面试开始前 10 分钟，点击确认页上的“打开面试链接”。
2. 使用报名时填写的手机号登录，验证码将以短信发送。
3. 推荐使用手机自带浏览器或电脑上的 Chrome、Edge、Safari；在微信等应用内打开时，如摄像头无法使用，请选择“在浏览器中打开”。

## 设备与网络要求
- 摄像头和麦克风可以正常使用，并已允许浏览器访问。
- 网络稳定，建议使用 Wi-Fi 或信号良好的 4G/5G。
- 手机电量充足，或连接充电器。
- 面试前一天请完成设备检测。

## 需要准备什么
- 一个安静、光线充足的地方，背景简洁。
- 身份证件，以备核验。
- 着装整洁，如同参加现场面试。
- 了解应聘岗位和我行的基本情况。

## 面试流程
1. 系统依次展示问题，每题有准备时间和作答时间。
2. 请看着摄像头作答，回答会被录制。
3. 全部作答后提交，整个过程约 30 分钟。
4. 中途断线时，请在原链接重新登录，可以从中断处继续。

## 常见问题
**可以改时间吗？** 可以在邀请页改期，改期次数和截止时间以页面提示为准。

**作答时可以重录吗？** 以面试平台每题的提示为准，多数题目不能重录。

**无法参加怎么办？** 请在邀请页选择“无法参加”并告诉我们原因。

## 技术支持
如遇到登录、摄像头、麦克风或网络问题，请联系邀请页底部的技术支持。
";

/// The guide Turnout ships with (English).
pub const DEFAULT_GUIDE_EN: &str = "\
## How to log in
1. Ten minutes before your time, tap “Open the interview link” on the confirmation page.
2. Sign in with the mobile number you applied with; a code is sent by text message.
3. Use your phone's own browser, or Chrome, Edge or Safari on a computer. If the camera does not work inside a chat app, choose “Open in browser”.

## Device and network
- A working camera and microphone, and the browser allowed to use them.
- A stable connection: Wi-Fi or good 4G/5G.
- A charged phone, or a charger nearby.
- Please run the device check the day before.

## What to prepare
- A quiet, well-lit place with a plain background.
- Your ID, in case it is checked.
- Tidy clothes, as for an interview in person.
- Knowledge of the position and of the bank.

## How the interview runs
1. Questions appear one at a time, each with time to prepare and time to answer.
2. Answer looking at the camera; your answers are recorded.
3. Submit when all are answered; the whole interview takes about 30 minutes.
4. If you are disconnected, sign in again with the same link and carry on where you stopped.

## Questions
**Can I change my time?** Yes, on your invitation page, within the number of changes and the deadline it shows.

**Can I re-record an answer?** Follow the platform's instructions for each question; most cannot be re-recorded.

**What if I cannot attend?** Choose “Can't attend?” on your invitation page and tell us why.

## Technical help
For trouble with signing in, the camera, the microphone or the network, contact technical help at the bottom of your invitation page.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_moves_forward() {
        assert_eq!(GuideProgress::NotOpened.advance(GuideProgress::Opened), GuideProgress::Opened);
        assert_eq!(GuideProgress::Acknowledged.advance(GuideProgress::Opened), GuideProgress::Acknowledged);
        assert_eq!(GuideProgress::Finished.advance(GuideProgress::Acknowledged), GuideProgress::Acknowledged);
        for g in GuideProgress::ALL {
            assert_eq!(g.as_str().parse::<GuideProgress>(), Ok(g));
        }
    }

    #[test]
    fn reading_time_is_capped() {
        let t = chrono::DateTime::from_timestamp(1_000_000, 0).expect("ts");
        assert_eq!(reading_seconds(t, t + chrono::Duration::seconds(95)), 95);
        assert_eq!(reading_seconds(t, t - chrono::Duration::seconds(5)), 0);
        assert_eq!(reading_seconds(t, t + chrono::Duration::days(1)), MAX_READING_SECONDS);
    }

    #[test]
    fn section_ids() {
        assert!(is_section_id("s-1"));
        assert!(!is_section_id(""));
        assert!(!is_section_id("<script>"));
        assert!(!is_section_id(&"a".repeat(65)));
    }

    #[test]
    fn default_guides_have_the_same_sections() {
        let count = |g: &str| g.lines().filter(|l| l.starts_with("## ")).count();
        assert_eq!(count(DEFAULT_GUIDE_ZH), 6);
        assert_eq!(count(DEFAULT_GUIDE_EN), count(DEFAULT_GUIDE_ZH));
    }
}
