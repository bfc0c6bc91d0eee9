//! The words of each notice, in Simplified Chinese first and English after it (a candidate's
//! language is not known when a notice is sent), for e-mail (HTML and plain text), SMS and
//! work chat.

use super::channel::Outgoing;
use turnout_app::i18n::Locale;
use turnout_app::server::format;
use turnout_domain::{Channel, NoticeKind};
use turnout_store::{Campaign, ClaimedMessage};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// What a notice says, in one language.
struct Words {
    subject: String,
    lead: String,
    lines: Vec<String>,
    action: &'static str,
}

fn words(m: &ClaimedMessage, c: &Campaign, locale: Locale) -> Words {
    let zh = locale == Locale::ZhCn;
    let zone = c.time_zone;
    let when = m.slot.map(|(s, e)| format::slot(s, e, zone, locale));
    let deadline = format::instant(m.window_ends_at, zone, locale);
    let title = format!("{} · {}", c.bank, c.position);
    let notice = match m.notice {
        NoticeKind::FollowUp => m.parent.map(|(_, k)| k).unwrap_or(NoticeKind::Invitation),
        other => other,
    };
    let time_line = |when: &Option<String>| match (when, zh) {
        (Some(w), true) => format!("面试时间：{w}（{}）", zone.name()),
        (Some(w), false) => format!("Interview time: {w} ({})", zone.name()),
        (None, true) => format!("请在 {deadline} 前选择面试时间。"),
        (None, false) => format!("Please choose a time before {deadline}."),
    };
    let mut lines = vec![time_line(&when)];
    let (subject, lead, action) = match (notice, zh) {
        (NoticeKind::Invitation, true) => (
            format!("AI 视频面试邀请：{title}"),
            format!("{}，您好！{}邀请您参加{}岗位的 AI 视频面试。", m.candidate_name, c.bank, c.position),
            "选择面试时间",
        ),
        (NoticeKind::Invitation, false) => (
            format!("Invitation to an AI video interview: {title}"),
            format!(
                "Dear {}, {} invites you to an AI video interview for the {} position.",
                m.candidate_name, c.bank, c.position
            ),
            "Choose your time",
        ),
        (NoticeKind::Detailed, true) => (
            format!("面试须知：{title}"),
            format!("{}，您好！您的 AI 视频面试即将开始，以下是流程与准备事项。", m.candidate_name),
            "查看面试安排与指南",
        ),
        (NoticeKind::Detailed, false) => (
            format!("Your AI interview: what to expect · {title}"),
            format!("Dear {}, your AI video interview is coming up. Here is how it works and how to prepare.", m.candidate_name),
            "See your interview and the guide",
        ),
        (NoticeKind::Short, true) => {
            (format!("明日面试提醒：{title}"), format!("{}，您好！提醒您明天参加 AI 视频面试。", m.candidate_name), "查看面试")
        }
        (NoticeKind::Short, false) => (
            format!("Reminder: your interview tomorrow · {title}"),
            format!("Dear {}, a reminder of your AI video interview tomorrow.", m.candidate_name),
            "See your interview",
        ),
        (NoticeKind::Countdown, true) => (
            format!("面试 1 小时后开始：{title}"),
            format!("{}，您好！您的面试将在 1 小时后开始，请现在检查摄像头、麦克风和网络。", m.candidate_name),
            "开始设备检测",
        ),
        (NoticeKind::Countdown, false) => (
            format!("Your interview starts in 1 hour · {title}"),
            format!(
                "Dear {}, your interview starts in an hour. Please check your camera, microphone and network now.",
                m.candidate_name
            ),
            "Check your device",
        ),
        (_, true) => {
            (format!("面试通知：{title}"), format!("{}，您好！这是您的 AI 视频面试通知。", m.candidate_name), "打开面试页面")
        }
        (_, false) => (
            format!("About your AI interview · {title}"),
            format!("Dear {}, this is a notice about your AI video interview.", m.candidate_name),
            "Open your interview page",
        ),
    };
    if matches!(notice, NoticeKind::Invitation | NoticeKind::Detailed | NoticeKind::Resend) {
        if !c.login_notes.is_empty() {
            lines.push(if zh {
                format!("登录方式：{}", c.login_notes)
            } else {
                format!("How to sign in: {}", c.login_notes)
            });
        }
        if !c.help_contact.is_empty() {
            lines.push(if zh {
                format!("技术支持：{}", c.help_contact)
            } else {
                format!("Technical help: {}", c.help_contact)
            });
        }
    }
    let (subject, lead) = if m.notice == NoticeKind::FollowUp {
        if zh {
            (format!("【重要】{subject}"), format!("【重要】我们尚未收到您的回应。{lead}"))
        } else {
            (format!("[Important] {subject}"), format!("[Important] We have not heard from you yet. {lead}"))
        }
    } else {
        (subject, lead)
    };
    Words { subject, lead, lines, action }
}

/// Writes a claimed message for its channel. `to` is filled in by the caller.
pub fn render(m: &ClaimedMessage, c: &Campaign, base_url: &str) -> Outgoing {
    let link = format!("{base_url}/t/c/{}", m.click_token);
    let zh = words(m, c, Locale::ZhCn);
    let en = words(m, c, Locale::En);
    let important = m.notice == NoticeKind::FollowUp;
    let (subject, text, html) = match m.channel {
        Channel::Email => {
            let plain = |w: &Words| format!("{}\n\n{}\n\n{}: {link}\n", w.lead, w.lines.join("\n"), w.action);
            let text = format!("{}\n----\n\n{}", plain(&zh), plain(&en));
            let block = |w: &Words, lang: &str| {
                format!(
                    "<div lang=\"{lang}\"><p>{}</p>{}<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:6px\">{}</a></p></div>",
                    esc(&w.lead),
                    w.lines.iter().map(|l| format!("<p>{}</p>", esc(l))).collect::<String>(),
                    esc(&link),
                    esc(w.action),
                )
            };
            let html = format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>{}<hr>{}\
                 <img src=\"{base_url}/t/o/{}\" width=\"1\" height=\"1\" alt=\"\"></body></html>",
                esc(&zh.subject),
                block(&zh, "zh-CN"),
                block(&en, "en"),
                m.open_token,
            );
            (format!("{} / {}", zh.subject, en.subject), text, Some(html))
        }
        // Short messages: the lead, the time, the link; Chinese then English.
        Channel::Sms => {
            let tag = if important { "【重要】" } else { "" };
            let text = format!(
                "【{}】{tag}{} {} {link}\n{} {}",
                c.bank,
                zh.lead.trim_start_matches("【重要】"),
                zh.lines.first().cloned().unwrap_or_default(),
                en.lead.trim_start_matches("[Important] "),
                en.lines.first().cloned().unwrap_or_default(),
            );
            (zh.subject.clone(), text, None)
        }
        Channel::WorkChat => {
            let text = format!(
                "{}\n{}\n{}：{link}\n\n{}\n{}\n{}: {link}",
                zh.lead,
                zh.lines.join("\n"),
                zh.action,
                en.lead,
                en.lines.join("\n"),
                en.action
            );
            (zh.subject.clone(), text, None)
        }
    };
    Outgoing {
        to: String::new(),
        to_name: m.candidate_name.clone(),
        subject,
        text,
        html,
        important,
        link,
        idempotency_key: m.idempotency_key.clone(),
    }
}
