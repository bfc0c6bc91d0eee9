//! The words of each notice, in Simplified Chinese first and English after it (a candidate's
//! language is not known when a notice is sent), for e-mail (HTML and plain text), SMS and
//! work chat.

use super::channel::Outgoing;
use chrono::{DateTime, Utc};
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

/// Joins Chinese text with a space only where Latin letters or digits meet Chinese characters
/// ("将在" + "1 小时后" + "开始" → "将在 1 小时后开始").
fn zh_join(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if let (Some(a), Some(b)) = (out.chars().last(), part.chars().next()) {
            if a.is_alphanumeric() && b.is_alphanumeric() && a.is_ascii() != b.is_ascii() {
                out.push(' ');
            }
        }
        out.push_str(part);
    }
    out
}

/// What the notice says, in one language, when sent at `now`. Every word about time (today,
/// tomorrow, in an hour) is worked out from `now` and the slot on the campaign's calendar, never
/// from the notice's kind: a "day before" notice may go out on the day itself.
fn words(m: &ClaimedMessage, c: &Campaign, locale: Locale, now: DateTime<Utc>) -> Words {
    let zh = locale == Locale::ZhCn;
    let zone = c.time_zone;
    let when = m.slot.map(|(s, e)| format::slot(s, e, zone, locale));
    // When the interview starts, from now: "明天 18:30" / "tomorrow at 18:30", "45 分钟后" /
    // "in 45 minutes".
    let rel = m.slot.map(|(s, _)| format::relative(now, s, zone, locale));
    let deadline = format::deadline(m.window_ends_at, zone, locale);
    let title = format!("{} · {}", c.bank, c.position);
    let name = &m.candidate_name;
    let notice = match m.notice {
        NoticeKind::FollowUp => m.parent.map(|(_, k)| k).unwrap_or(NoticeKind::Invitation),
        other => other,
    };
    let time_line = |when: &Option<String>| match (when, zh) {
        (Some(w), true) => format!("面试时间：{w}（{}）", zone.name()),
        (Some(w), false) => format!("Interview time: {w} ({})", zone.name()),
        (None, true) => zh_join(&["请在", &deadline, "选择面试时间。"]),
        (None, false) => format!("Please choose a time {deadline}."),
    };
    let mut lines = vec![time_line(&when)];
    let (subject, lead, action) = match (notice, zh, rel.as_deref()) {
        (NoticeKind::Invitation, true, _) => (
            format!("AI 视频面试邀请：{title}"),
            format!("{name}，您好！{}邀请您参加{}岗位的 AI 视频面试。", c.bank, c.position),
            "选择面试时间",
        ),
        (NoticeKind::Invitation, false, _) => (
            format!("Invitation to an AI video interview: {title}"),
            format!("Dear {name}, {} invites you to an AI video interview for the {} position.", c.bank, c.position),
            "Choose your time",
        ),
        (NoticeKind::Detailed, true, rel) => (
            format!("面试须知：{title}"),
            match rel {
                Some(r) => zh_join(&[&format!("{name}，您好！您的 AI 视频面试将在"), r, "开始，以下是流程与准备事项。"]),
                None => format!("{name}，您好！以下是您的 AI 视频面试的流程与准备事项。"),
            },
            "查看面试安排与指南",
        ),
        (NoticeKind::Detailed, false, rel) => (
            format!("Your AI interview: what to expect · {title}"),
            match rel {
                Some(r) => format!("Dear {name}, your AI video interview starts {r}. Here is how it works and how to prepare."),
                None => format!("Dear {name}, here is how your AI video interview works and how to prepare."),
            },
            "See your interview and the guide",
        ),
        (NoticeKind::Short, true, rel) => (
            match rel {
                Some(r) => format!("面试提醒（{r}）：{title}"),
                None => format!("面试提醒：{title}"),
            },
            match rel {
                Some(r) => zh_join(&[&format!("{name}，您好！提醒您：您的 AI 视频面试将在"), r, "开始。"]),
                None => format!("{name}，您好！提醒您参加 AI 视频面试。"),
            },
            "查看面试",
        ),
        (NoticeKind::Short, false, rel) => (
            match rel {
                Some(r) => format!("Reminder: your interview {r} · {title}"),
                None => format!("Reminder: your interview · {title}"),
            },
            match rel {
                Some(r) => format!("Dear {name}, a reminder that your AI video interview starts {r}."),
                None => format!("Dear {name}, a reminder of your AI video interview."),
            },
            "See your interview",
        ),
        (NoticeKind::Countdown, true, rel) => (
            match rel {
                Some(r) => zh_join(&["面试", r, &format!("开始：{title}")]),
                None => format!("面试即将开始：{title}"),
            },
            match rel {
                Some(r) => zh_join(&[&format!("{name}，您好！您的面试将在"), r, "开始，请现在检查摄像头、麦克风和网络。"]),
                None => format!("{name}，您好！您的面试即将开始，请现在检查摄像头、麦克风和网络。"),
            },
            "开始设备检测",
        ),
        (NoticeKind::Countdown, false, rel) => (
            match rel {
                Some(r) => format!("Your interview starts {r} · {title}"),
                None => format!("Your interview starts soon · {title}"),
            },
            match rel {
                Some(r) => {
                    format!("Dear {name}, your interview starts {r}. Please check your camera, microphone and network now.")
                }
                None => format!("Dear {name}, your interview starts soon. Please check your camera, microphone and network now."),
            },
            "Check your device",
        ),
        (_, true, rel) => (
            format!("面试通知：{title}"),
            match rel {
                Some(r) => zh_join(&[&format!("{name}，您好！这是您的 AI 视频面试通知：面试将在"), r, "开始。"]),
                None => format!("{name}，您好！这是您的 AI 视频面试通知。"),
            },
            "打开面试页面",
        ),
        (_, false, rel) => (
            format!("About your AI interview · {title}"),
            match rel {
                Some(r) => format!("Dear {name}, this is a notice about your AI video interview, which starts {r}."),
                None => format!("Dear {name}, this is a notice about your AI video interview."),
            },
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

/// Writes a claimed message for its channel, as sent at `now` (the dispatcher's clock at the
/// send). `to` is filled in by the caller.
pub fn render(m: &ClaimedMessage, c: &Campaign, base_url: &str, now: DateTime<Utc>) -> Outgoing {
    let link = format!("{base_url}/t/c/{}", m.click_token);
    let zh = words(m, c, Locale::ZhCn, now);
    let en = words(m, c, Locale::En, now);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone as _;
    use turnout_domain::{ReschedulePolicy, TimeZone, WindowDays};

    fn campaign() -> Campaign {
        Campaign {
            id: 1,
            bank: "测试银行".into(),
            position: "柜员".into(),
            branch: "上海分行".into(),
            time_zone: "Asia/Shanghai".parse().unwrap(),
            window_days: WindowDays::DEFAULT,
            policy: ReschedulePolicy::DEFAULT,
            interview_url: "https://interview.example.com".into(),
            login_notes: String::new(),
            help_contact: String::new(),
            guide_zh: String::new(),
            guide_en: String::new(),
        }
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        let zone: TimeZone = "Asia/Shanghai".parse().unwrap();
        zone.tz().with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap().with_timezone(&Utc)
    }

    /// A message about an interview on Thu 17 Dec 2026 at 18:30, in a window of 15–17 Dec.
    fn message(notice: NoticeKind, parent: Option<NoticeKind>, channel: Channel) -> ClaimedMessage {
        let start = local(2026, 12, 17, 18, 30);
        ClaimedMessage {
            id: 1,
            notice_id: 2,
            notice,
            parent: parent.map(|k| (3, k)),
            channel,
            idempotency_key: "turnout-1-2-sms".into(),
            attempt: 1,
            invitation_id: 4,
            candidate_id: 5,
            campaign_id: 1,
            candidate_name: "林晚".into(),
            email: None,
            phone: Some("13800000041".into()),
            work_chat_id: None,
            slot: (notice != NoticeKind::Invitation).then_some((start, start + chrono::Duration::minutes(30))),
            window_ends_at: local(2026, 12, 18, 0, 0),
            click_token: "click".into(),
            open_token: "open".into(),
        }
    }

    /// Every notice as sent at `now`, on every channel: subject and body.
    fn every_notice_at(now: DateTime<Utc>) -> Vec<(String, String)> {
        let kinds = [
            (NoticeKind::Invitation, None),
            (NoticeKind::Detailed, None),
            (NoticeKind::Short, None),
            (NoticeKind::Countdown, None),
            (NoticeKind::Resend, None),
            (NoticeKind::FollowUp, Some(NoticeKind::Detailed)),
            (NoticeKind::FollowUp, Some(NoticeKind::Short)),
        ];
        let mut out = Vec::new();
        for (kind, parent) in kinds {
            for channel in [Channel::Email, Channel::Sms, Channel::WorkChat] {
                let o = render(&message(kind, parent, channel), &campaign(), "https://t.example", now);
                out.push((
                    format!("{kind:?}/{parent:?}/{channel:?}"),
                    format!("{}\n{}\n{}", o.subject, o.text, o.html.unwrap_or_default()),
                ));
            }
        }
        out
    }

    #[test]
    fn on_the_interview_day_no_notice_says_tomorrow() {
        for (which, text) in every_notice_at(local(2026, 12, 17, 8, 0)) {
            for wrong in ["明天", "明日", "tomorrow", "Tomorrow", "1 小时", "1 hour"] {
                assert!(!text.contains(wrong), "{which} says {wrong:?}: {text}");
            }
            if !which.starts_with("Invitation") {
                assert!(text.contains("今天 18:30") && text.contains("today at 18:30"), "{which}: {text}");
            }
        }
    }

    #[test]
    fn the_evening_before_every_notice_says_tomorrow() {
        for (which, text) in every_notice_at(local(2026, 12, 16, 20, 0)) {
            assert!(!text.contains("今天") && !text.contains("today"), "{which}: {text}");
            if !which.starts_with("Invitation") {
                assert!(text.contains("明天 18:30") && text.contains("tomorrow at 18:30"), "{which}: {text}");
            }
        }
    }

    #[test]
    fn the_countdown_says_the_time_really_left() {
        let at = |h, m| {
            render(
                &message(NoticeKind::Countdown, None, Channel::Sms),
                &campaign(),
                "https://t.example",
                local(2026, 12, 17, h, m),
            )
        };
        let on_time = at(17, 30);
        assert_eq!(on_time.subject, "面试 1 小时后开始：测试银行 · 柜员");
        assert!(
            on_time.text.contains("您的面试将在 1 小时后开始") && on_time.text.contains("starts in 1 hour."),
            "{}",
            on_time.text
        );
        let late = at(17, 45);
        assert_eq!(late.subject, "面试 45 分钟后开始：测试银行 · 柜员");
        assert!(late.text.contains("starts in 45 minutes.") && !late.text.contains("1 小时"), "{}", late.text);
        let early = at(16, 10);
        assert!(early.text.contains("2 小时 20 分钟后开始") && early.text.contains("in 2 hours 20 minutes"), "{}", early.text);
    }

    #[test]
    fn the_window_ends_with_its_last_day() {
        for (which, text) in every_notice_at(local(2026, 12, 15, 10, 0)).into_iter().filter(|(w, _)| w.starts_with("Invitation"))
        {
            assert!(text.contains("请在 12月17日 周四 当天结束前选择面试时间。"), "{which}: {text}");
            assert!(text.contains("Please choose a time by the end of Thu 17 Dec."), "{which}: {text}");
            assert!(!text.contains("18日") && !text.contains("18 Dec") && !text.contains("00:00"), "{which}: {text}");
        }
    }

    #[test]
    fn chinese_and_latin_are_spaced_where_they_meet() {
        assert_eq!(zh_join(&["将在", "1 小时后", "开始"]), "将在 1 小时后开始");
        assert_eq!(zh_join(&["将在", "明天 18:30", "开始。"]), "将在明天 18:30 开始。");
        assert_eq!(zh_join(&["请在", "12月17日 周四 18:00 前", "选择"]), "请在 12月17日 周四 18:00 前选择");
        assert_eq!(zh_join(&["面试（", "45 分钟后", "）"]), "面试（45 分钟后）");
    }
}
