//! The two languages Turnout speaks: Simplified Chinese first, English too.
//!
//! Every string a person reads is a field of [`Strings`], so a missing translation does not
//! compile.

use serde::{Deserialize, Serialize};
use turnout_domain::{DeclineReason, InvitationState};

/// The cookie that remembers a chosen language.
pub const LANG_COOKIE: &str = "turnout_lang";

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    /// Simplified Chinese (the default).
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The short code used in URLs and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh",
            Locale::En => "en",
        }
    }

    /// Parses a URL or cookie code, or a `lang` attribute.
    pub fn from_code(code: &str) -> Option<Locale> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Locale::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Locale::En),
            _ => None,
        }
    }

    /// The preferred supported language in an `Accept-Language` header (Chinese when nothing matches).
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            let locale = if tag.starts_with("zh") {
                Locale::ZhCn
            } else if tag.starts_with("en") {
                Locale::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }

    /// This language's strings.
    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::ZhCn => &ZH,
            Locale::En => &EN,
        }
    }
}

/// Everything Turnout says, in one language.
pub struct Strings {
    pub locale: Locale,
    pub language_name: &'static str,
    pub label_sep: &'static str,
    pub switch_language: &'static str,
    pub page_title_candidate: &'static str,
    pub page_title_hr: &'static str,
    pub loading: &'static str,
    pub invalid_link_title: &'static str,
    pub invalid_link_body: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub home_title: &'static str,
    pub home_body: &'static str,
    pub greeting: &'static str,
    pub invited_to: &'static str,
    pub about_heading: &'static str,
    pub about_body: &'static str,
    pub window_heading: &'static str,
    pub times_in_zone: &'static str,
    pub status_heading: &'static str,
    pub choose_heading: &'static str,
    pub choose_hint: &'static str,
    pub places_left: &'static str,
    /// `places_left` when there is exactly one.
    pub place_left: &'static str,
    pub slot_full: &'static str,
    pub slot_yours: &'static str,
    pub confirm_button: &'static str,
    pub reschedule_button: &'static str,
    pub no_slots: &'static str,
    pub confirmed_heading: &'static str,
    pub add_to_calendar: &'static str,
    pub open_interview: &'static str,
    pub login_notes_heading: &'static str,
    pub help_heading: &'static str,
    pub reschedule_heading: &'static str,
    pub reschedule_rule: &'static str,
    pub reschedule_closed_limit: &'static str,
    pub reschedule_closed_time: &'static str,
    pub decline_heading: &'static str,
    pub decline_reason_legend: &'static str,
    pub decline_note_label: &'static str,
    pub decline_button: &'static str,
    pub declined_heading: &'static str,
    pub declined_body: &'static str,
    pub expired_heading: &'static str,
    pub expired_body: &'static str,
    pub done_confirmed: &'static str,
    pub done_rescheduled: &'static str,
    pub done_declined: &'static str,
    pub err_slot_full: &'static str,
    pub err_outside_window: &'static str,
    pub err_slot_started: &'static str,
    pub err_unknown_slot: &'static str,
    pub err_reschedule_limit: &'static str,
    pub err_too_close: &'static str,
    pub err_declined: &'static str,
    pub err_expired: &'static str,
    pub err_choose_slot: &'static str,
    pub err_choose_reason: &'static str,
    pub err_note_required: &'static str,
    pub err_note_too_long: &'static str,
    pub err_malformed: &'static str,
    /// Text that is not UTF-8 (another encoding pasted in).
    pub err_invalid_text: &'static str,
    /// Text with a control character.
    pub err_control_character: &'static str,
    /// A form too large to accept.
    pub err_too_large: &'static str,
    pub err_unavailable: &'static str,
    /// A form posted without a reload could not reach the server.
    pub err_offline: &'static str,
    pub err_generic: &'static str,
    pub err_forbidden: &'static str,
    pub err_session: &'static str,
    pub hr_sign_in: &'static str,
    pub hr_email: &'static str,
    pub hr_password: &'static str,
    pub hr_sign_in_button: &'static str,
    pub hr_bad_credentials: &'static str,
    pub hr_sign_out: &'static str,
    pub hr_campaigns: &'static str,
    pub hr_no_campaigns: &'static str,
    pub hr_candidates: &'static str,
    pub hr_status_heading: &'static str,
    pub hr_all: &'static str,
    pub hr_search_label: &'static str,
    pub hr_search_button: &'static str,
    pub hr_col_name: &'static str,
    pub hr_col_contact: &'static str,
    pub hr_col_state: &'static str,
    pub hr_col_slot: &'static str,
    pub hr_col_reason: &'static str,
    pub hr_col_activity: &'static str,
    pub hr_no_candidates: &'static str,
    pub hr_back: &'static str,
    pub hr_rescheduled_times: &'static str,
    pub hr_next_page: &'static str,
    pub hr_first_page: &'static str,
    pub state_invited: &'static str,
    pub state_opened: &'static str,
    pub state_confirmed: &'static str,
    pub state_rescheduled: &'static str,
    pub state_declined: &'static str,
    pub state_expired: &'static str,
    pub reason_time_conflict: &'static str,
    pub reason_technical_problem: &'static str,
    pub reason_accepted_another_offer: &'static str,
    pub reason_no_longer_interested: &'static str,
    pub reason_other: &'static str,
    pub guide_title: &'static str,
    pub guide_intro: &'static str,
    pub guide_open_link: &'static str,
    pub guide_ack_button: &'static str,
    pub guide_back: &'static str,
    pub done_acknowledged: &'static str,
    pub guide_not_opened: &'static str,
    pub guide_opened: &'static str,
    pub guide_finished: &'static str,
    pub guide_acknowledged: &'static str,
    pub hr_col_guide: &'static str,
    pub hr_edit_guide: &'static str,
    pub hr_guide_zh: &'static str,
    pub hr_guide_en: &'static str,
    pub hr_save: &'static str,
    pub hr_saved: &'static str,
    pub err_guide_too_long: &'static str,
    pub hr_col_risk: &'static str,
    pub risk_high: &'static str,
    pub risk_medium: &'static str,
    pub risk_low: &'static str,
    pub hr_risk_note: &'static str,
}

impl Strings {
    /// How many places a slot has left: "1 place left", "2 places left" (Chinese has no plural).
    pub fn places(&self, n: u32) -> String {
        if n == 1 {
            self.place_left.to_string()
        } else {
            fill(self.places_left, &[("n", &n)])
        }
    }

    /// The label of a state.
    pub fn state(&self, s: InvitationState) -> &'static str {
        match s {
            InvitationState::Invited => self.state_invited,
            InvitationState::Opened => self.state_opened,
            InvitationState::Confirmed => self.state_confirmed,
            InvitationState::Rescheduled => self.state_rescheduled,
            InvitationState::Declined => self.state_declined,
            InvitationState::Expired => self.state_expired,
        }
    }

    /// The label of a guide reading step.
    pub fn guide(&self, g: turnout_domain::guide::GuideProgress) -> &'static str {
        use turnout_domain::guide::GuideProgress;
        match g {
            GuideProgress::NotOpened => self.guide_not_opened,
            GuideProgress::Opened => self.guide_opened,
            GuideProgress::Finished => self.guide_finished,
            GuideProgress::Acknowledged => self.guide_acknowledged,
        }
    }

    /// The label of a risk level (`high`, `medium`, `low`).
    pub fn risk(&self, level: &str) -> &'static str {
        match level {
            "high" => self.risk_high,
            "medium" => self.risk_medium,
            _ => self.risk_low,
        }
    }

    /// The label of a decline reason.
    pub fn reason(&self, r: DeclineReason) -> &'static str {
        match r {
            DeclineReason::TimeConflict => self.reason_time_conflict,
            DeclineReason::TechnicalProblem => self.reason_technical_problem,
            DeclineReason::AcceptedAnotherOffer => self.reason_accepted_another_offer,
            DeclineReason::NoLongerInterested => self.reason_no_longer_interested,
            DeclineReason::Other => self.reason_other,
        }
    }
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    values.iter().fold(template.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), &v.to_string()))
}

/// Simplified Chinese.
pub static ZH: Strings = Strings {
    locale: Locale::ZhCn,
    language_name: "中文",
    label_sep: "：",
    switch_language: "English",
    page_title_candidate: "面试邀请 · Turnout",
    page_title_hr: "Turnout 招聘工作台",
    loading: "正在加载…",
    invalid_link_title: "此链接无效",
    invalid_link_body: "链接可能已过期或已被新的邀请替换。请使用你最近收到的邀请链接，或联系招聘方。",
    not_found_title: "页面不存在",
    not_found_body: "请检查链接是否完整。",
    home_title: "Turnout 面试邀请",
    home_body: "请通过短信、邮件或企业微信中收到的邀请链接打开你的面试安排。",
    greeting: "{name}，你好",
    invited_to: "{bank}邀请你参加「{position}」岗位的 AI 视频面试（{branch}）。",
    about_heading: "关于 AI 视频面试",
    about_body: "AI 视频面试在手机或电脑上完成，约 30 分钟。系统逐一展示问题，你对着摄像头作答并录制回答。请准备一个安静、光线充足的地方，并提前确认摄像头、麦克风和网络正常。",
    window_heading: "请在以下日期内选择面试时间",
    times_in_zone: "所有时间均为 {zone} 时间。",
    status_heading: "当前状态",
    choose_heading: "选择面试时间",
    choose_hint: "选择一个时间后点击确认。名额有限，以确认先后为准。",
    places_left: "剩余 {n} 个名额",
    place_left: "剩余 1 个名额",
    slot_full: "已约满",
    slot_yours: "你的时间",
    confirm_button: "确认此时间",
    reschedule_button: "改到此时间",
    no_slots: "当前窗口内没有可选时间，请联系招聘方。",
    confirmed_heading: "你的面试时间已确认",
    add_to_calendar: "添加到日历（.ics）",
    open_interview: "打开面试链接",
    login_notes_heading: "登录说明",
    help_heading: "技术支持",
    reschedule_heading: "需要换个时间？",
    reschedule_rule: "你还可以改期 {n} 次，最晚在面试开始前 {h} 小时。",
    reschedule_closed_limit: "你已用完改期次数（最多 {n} 次）。如需帮助，请联系招聘方。",
    reschedule_closed_time: "面试开始前 {h} 小时内不能在线改期。如需帮助，请联系招聘方。",
    decline_heading: "无法参加？",
    decline_reason_legend: "请告诉我们原因",
    decline_note_label: "补充说明（选择“其他”时必填）",
    decline_button: "谢绝本次面试",
    declined_heading: "你已谢绝本次面试",
    declined_body: "感谢你告知我们。如情况有变，请联系招聘方。",
    expired_heading: "选择时间的期限已过",
    expired_body: "本次邀请的可选日期已经结束。如仍希望参加面试，请联系招聘方。",
    done_confirmed: "已确认，期待你的面试。",
    done_rescheduled: "已改期，新的时间如下。",
    done_declined: "已收到你的回复。",
    err_slot_full: "这个时间刚刚约满了，请选择其他时间。下面是最新的剩余名额。",
    err_outside_window: "这个时间不在你的可选日期内，请从列表中选择。",
    err_slot_started: "这个时间已经开始或已过去，请选择其他时间。",
    err_unknown_slot: "找不到这个时间，请从列表中重新选择。",
    err_reschedule_limit: "改期次数已用完（最多 {n} 次），你的原定时间保持不变。",
    err_too_close: "面试开始前 {h} 小时内不能改期，你的原定时间保持不变。",
    err_declined: "你已谢绝本次面试，无法再选择时间。",
    err_expired: "可选日期已经结束。",
    err_choose_slot: "请先选择一个时间。",
    err_choose_reason: "请选择一个原因。",
    err_note_required: "选择“其他”时，请简单说明原因。",
    err_note_too_long: "补充说明请不要超过 500 字。",
    err_malformed: "提交的内容无效，请刷新页面后重试。",
    err_invalid_text: "填写的文字中有无法识别的字符（可能是从其他编码复制来的），没有保存。请删除这些字符或重新输入后再提交。",
    err_control_character: "填写的文字中有不可见的控制字符，没有保存。请删除它们或重新输入后再提交。",
    err_too_large: "提交的内容太长，没有保存。请缩短后再试。",
    err_unavailable: "服务暂时繁忙，你的选择没有保存，请稍后重试。",
    err_offline: "无法连接到服务器，这次提交没有完成。你填写的内容还在，请检查网络后再试一次。",
    err_generic: "出了点问题，你的选择没有保存，请稍后重试。",
    err_forbidden: "你没有查看此内容的权限。",
    err_session: "请先登录。",
    hr_sign_in: "HR 登录",
    hr_email: "邮箱",
    hr_password: "密码",
    hr_sign_in_button: "登录",
    hr_bad_credentials: "邮箱或密码不正确。",
    hr_sign_out: "退出登录",
    hr_campaigns: "招聘批次",
    hr_no_campaigns: "还没有招聘批次。",
    hr_candidates: "候选人",
    hr_status_heading: "确认状态",
    hr_all: "全部",
    hr_search_label: "搜索姓名、邮箱或手机号",
    hr_search_button: "搜索",
    hr_col_name: "姓名",
    hr_col_contact: "联系方式",
    hr_col_state: "状态",
    hr_col_slot: "面试时间",
    hr_col_reason: "谢绝原因",
    hr_col_activity: "最近活动",
    hr_no_candidates: "没有符合条件的候选人。",
    hr_back: "返回招聘批次",
    hr_rescheduled_times: "改期 {n} 次",
    hr_next_page: "下一页",
    hr_first_page: "回到第一页",
    state_invited: "未查看",
    state_opened: "已查看未确认",
    state_confirmed: "已确认",
    state_rescheduled: "已改期",
    state_declined: "已谢绝",
    state_expired: "已过期",
    reason_time_conflict: "时间冲突",
    reason_technical_problem: "设备或网络问题",
    reason_accepted_another_offer: "已接受其他工作机会",
    reason_no_longer_interested: "不再考虑该岗位",
    reason_other: "其他",
    guide_title: "面试指南",
    guide_intro: "请在面试前读完这份指南，读完后点击页面底部的按钮告诉我们。",
    guide_open_link: "阅读面试指南",
    guide_ack_button: "我已阅读面试指南",
    guide_back: "返回面试邀请",
    done_acknowledged: "已确认你读过面试指南，祝面试顺利！",
    guide_not_opened: "未打开",
    guide_opened: "已打开",
    guide_finished: "已读完",
    guide_acknowledged: "已确认阅读",
    hr_col_guide: "面试指南",
    hr_edit_guide: "编辑面试指南",
    hr_guide_zh: "中文指南（Markdown，每个“## ”标题开始一节）",
    hr_guide_en: "英文指南（Markdown）",
    hr_save: "保存",
    hr_saved: "已保存。",
    err_guide_too_long: "每种语言的指南请不要超过 10000 字。",
    hr_col_risk: "缺席风险",
    risk_high: "高",
    risk_medium: "中",
    risk_low: "低",
    hr_risk_note: "风险评级仅供参考，用于安排跟进，不会自动作出任何决定。",
};

/// English.
pub static EN: Strings = Strings {
    locale: Locale::En,
    language_name: "English",
    label_sep: ": ",
    switch_language: "中文",
    page_title_candidate: "Interview invitation · Turnout",
    page_title_hr: "Turnout for HR",
    loading: "Loading…",
    invalid_link_title: "This link is not valid",
    invalid_link_body: "It may have expired or been replaced by a newer invitation. Use the most recent invitation you received, or contact the recruiter.",
    not_found_title: "Page not found",
    not_found_body: "Please check that the link is complete.",
    home_title: "Turnout interview invitations",
    home_body: "Open your interview invitation with the link you received by text message, e-mail or work chat.",
    greeting: "Hello {name}",
    invited_to: "{bank} invites you to an AI video interview for the {position} position ({branch}).",
    about_heading: "About the AI video interview",
    about_body: "The AI video interview takes about 30 minutes on your phone or computer. Questions appear one at a time and you record your answers to the camera. Find a quiet, well-lit place and make sure your camera, microphone and network work beforehand.",
    window_heading: "Choose a time on one of these days",
    times_in_zone: "All times are in {zone} time.",
    status_heading: "Status",
    choose_heading: "Choose your interview time",
    choose_hint: "Pick a time and confirm it. Places are limited and go to whoever confirms first.",
    places_left: "{n} places left",
    place_left: "1 place left",
    slot_full: "Full",
    slot_yours: "Your time",
    confirm_button: "Confirm this time",
    reschedule_button: "Change to this time",
    no_slots: "There are no times left in your window. Please contact the recruiter.",
    confirmed_heading: "Your interview is confirmed",
    add_to_calendar: "Add to calendar (.ics)",
    open_interview: "Open the interview link",
    login_notes_heading: "How to log in",
    help_heading: "Technical help",
    reschedule_heading: "Need another time?",
    reschedule_rule: "You can change your time {n} more time(s), up to {h} hours before the start.",
    reschedule_closed_limit: "You have used all your changes (at most {n}). Contact the recruiter if you need help.",
    reschedule_closed_time: "Times cannot be changed online within {h} hours of the start. Contact the recruiter if you need help.",
    decline_heading: "Can't attend?",
    decline_reason_legend: "Please tell us why",
    decline_note_label: "Anything to add (required for “Other”)",
    decline_button: "Decline this interview",
    declined_heading: "You have declined this interview",
    declined_body: "Thank you for letting us know. If things change, please contact the recruiter.",
    expired_heading: "The time to choose has passed",
    expired_body: "The days offered in this invitation are over. If you still wish to take the interview, please contact the recruiter.",
    done_confirmed: "Confirmed. We look forward to your interview.",
    done_rescheduled: "Changed. Your new time is below.",
    done_declined: "Thank you, we have your answer.",
    err_slot_full: "That time has just filled up. Please choose another; the places left are updated below.",
    err_outside_window: "That time is outside your days. Please choose one from the list.",
    err_slot_started: "That time has already started or passed. Please choose another.",
    err_unknown_slot: "That time does not exist. Please choose again from the list.",
    err_reschedule_limit: "You have used all your changes (at most {n}); your booked time stays as it was.",
    err_too_close: "Times cannot be changed within {h} hours of the start; your booked time stays as it was.",
    err_declined: "You have declined this interview, so no time can be chosen.",
    err_expired: "The days to choose from are over.",
    err_choose_slot: "Please choose a time first.",
    err_choose_reason: "Please choose a reason.",
    err_note_required: "Please say briefly why when you choose “Other”.",
    err_note_too_long: "Please keep the note under 500 characters.",
    err_malformed: "What was sent is not valid. Please reload the page and try again.",
    err_invalid_text: "The text has characters that cannot be read (perhaps pasted from another encoding), so it was not saved. Please remove them or retype the text and send it again.",
    err_control_character: "The text has invisible control characters, so it was not saved. Please remove them or retype the text and send it again.",
    err_too_large: "What was sent is too long, so it was not saved. Please shorten it and try again.",
    err_unavailable: "The service is busy and your choice was not saved. Please try again shortly.",
    err_offline: "Could not reach the server, so this was not sent. What you entered is still here; check your connection and try again.",
    err_generic: "Something went wrong and your choice was not saved. Please try again shortly.",
    err_forbidden: "You do not have access to this.",
    err_session: "Please sign in first.",
    hr_sign_in: "HR sign-in",
    hr_email: "E-mail",
    hr_password: "Password",
    hr_sign_in_button: "Sign in",
    hr_bad_credentials: "The e-mail or password is not correct.",
    hr_sign_out: "Sign out",
    hr_campaigns: "Campaigns",
    hr_no_campaigns: "No campaigns yet.",
    hr_candidates: "candidates",
    hr_status_heading: "Confirmation status",
    hr_all: "All",
    hr_search_label: "Search name, e-mail or phone",
    hr_search_button: "Search",
    hr_col_name: "Name",
    hr_col_contact: "Contact",
    hr_col_state: "State",
    hr_col_slot: "Interview time",
    hr_col_reason: "Decline reason",
    hr_col_activity: "Last activity",
    hr_no_candidates: "No candidates match.",
    hr_back: "Back to campaigns",
    hr_rescheduled_times: "changed {n}×",
    hr_next_page: "Next page",
    hr_first_page: "Back to the first page",
    state_invited: "Not opened",
    state_opened: "Opened, not confirmed",
    state_confirmed: "Confirmed",
    state_rescheduled: "Rescheduled",
    state_declined: "Declined",
    state_expired: "Expired",
    reason_time_conflict: "Time conflict",
    reason_technical_problem: "Device or network problem",
    reason_accepted_another_offer: "Accepted another offer",
    reason_no_longer_interested: "No longer interested",
    reason_other: "Other",
    guide_title: "Interview guide",
    guide_intro: "Please read this guide before your interview, then tell us with the button at the bottom.",
    guide_open_link: "Read the interview guide",
    guide_ack_button: "I have read the guide",
    guide_back: "Back to your invitation",
    done_acknowledged: "Thank you for reading the guide. Good luck!",
    guide_not_opened: "Not opened",
    guide_opened: "Opened",
    guide_finished: "Read to the end",
    guide_acknowledged: "Acknowledged",
    hr_col_guide: "Guide",
    hr_edit_guide: "Edit the interview guide",
    hr_guide_zh: "Chinese guide (Markdown; each “## ” heading starts a section)",
    hr_guide_en: "English guide (Markdown)",
    hr_save: "Save",
    hr_saved: "Saved.",
    err_guide_too_long: "Keep each language's guide under 10,000 characters.",
    hr_col_risk: "No-show risk",
    risk_high: "High",
    risk_medium: "Medium",
    risk_low: "Low",
    hr_risk_note: "The risk rating is advisory: it helps plan follow-up and never decides anything by itself.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_quality_supported_tag() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language("fr-FR,en;q=0.5"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr-FR"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language(""), Locale::ZhCn);
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(fill(EN.places_left, &[("n", &3)]), "3 places left");
        assert_eq!(EN.places(1), "1 place left");
        assert_eq!(EN.places(2), "2 places left");
        assert_eq!(ZH.places(1), "剩余 1 个名额");
        assert_eq!(ZH.places(5), "剩余 5 个名额");
        assert_eq!(fill(ZH.reschedule_rule, &[("n", &1), ("h", &12)]), "你还可以改期 1 次，最晚在面试开始前 12 小时。");
    }
}
