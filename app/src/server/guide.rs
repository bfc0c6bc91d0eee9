//! The interview guide: rendering the campaign's Markdown safely, recording how the candidate
//! reads it, and HR's editing of it.

use super::{app_context, auth::current_hr, invitation_token};
use crate::dto::{GuideEditor, GuideSection, GuideView};
use crate::error::{AppError, InputProblem};
use crate::i18n::Locale;
use turnout_domain::guide::{is_section_id, DEFAULT_GUIDE_EN, DEFAULT_GUIDE_ZH};
use turnout_store::{Campaign, GuideEvent, HrRole};

/// The longest guide accepted, per language, in characters.
pub const MAX_GUIDE_CHARS: usize = 10_000;

/// The campaign's guide in `locale`, or Turnout's default when the campaign has none.
pub fn guide_text(c: &Campaign, locale: Locale) -> &str {
    let (own, default) = match locale {
        Locale::ZhCn => (c.guide_zh.as_str(), DEFAULT_GUIDE_ZH),
        Locale::En => (c.guide_en.as_str(), DEFAULT_GUIDE_EN),
    };
    if own.trim().is_empty() {
        default
    } else {
        own
    }
}

/// Splits Markdown into sections at each `## ` heading and renders each body to sanitised
/// HTML (scripts, styles, event handlers and unsafe URLs removed).
pub fn render_sections(markdown: &str) -> Vec<GuideSection> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in markdown.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            sections.push((title.trim().to_string(), String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        } else if !line.trim().is_empty() {
            sections.push((String::new(), format!("{line}\n")));
        }
    }
    sections
        .into_iter()
        .enumerate()
        .map(|(i, (title, body))| {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&body));
            GuideSection { id: format!("s-{}", i + 1), title, html: ammonia::clean(&html) }
        })
        .collect()
}

/// The guide page for this request's candidate; opening it is a signal.
pub async fn guide_view(locale: Locale) -> Result<GuideView, AppError> {
    let ctx = app_context()?;
    let token = invitation_token()?;
    let (invitation, campaign) = ctx.store.invitation_by_token(&token).await?.ok_or(AppError::InvalidLink)?;
    // The page the acknowledgement form comes back to is the same visit, not another opening.
    let progress = if after_form_post() {
        invitation.guide_progress
    } else {
        ctx.store.record_guide_event(&token, &GuideEvent::Opened, ctx.clock.now()).await?
    };
    Ok(GuideView {
        sections: render_sections(guide_text(&campaign, locale)),
        bank: campaign.bank,
        position: campaign.position,
        progress,
        help_contact: campaign.help_contact,
    })
}

/// Whether this page request is the redirect back after one of the page's forms (it carries
/// the outcome as `done=` or `error=`).
fn after_form_post() -> bool {
    super::request_parts()
        .and_then(|p| p.uri.query().map(|q| q.split('&').any(|kv| kv.starts_with("done=") || kv.starts_with("error="))))
        .unwrap_or(false)
}

/// Records a section seen (`section`) or the end reached (`end`).
pub async fn progress(event: Option<String>, section: Option<String>) -> Result<(), AppError> {
    let event = match (event.as_deref(), section) {
        (Some("section"), Some(id)) if is_section_id(&id) => GuideEvent::SectionSeen(id),
        (Some("end"), _) => GuideEvent::Finished,
        _ => return Err(AppError::InvalidInput(InputProblem::Malformed)),
    };
    let ctx = app_context()?;
    ctx.store.record_guide_event(&invitation_token()?, &event, ctx.clock.now()).await?;
    Ok(())
}

/// "I have read it".
pub async fn acknowledge() -> Result<(), AppError> {
    let ctx = app_context()?;
    ctx.store.record_guide_event(&invitation_token()?, &GuideEvent::Acknowledged, ctx.clock.now()).await?;
    Ok(())
}

async fn campaign_for_hr(campaign_id: i64) -> Result<(Campaign, bool), AppError> {
    let user = current_hr().await?;
    let campaign = super::hr::visible_campaign(&app_context()?.store, &user, campaign_id).await?;
    Ok((campaign, user.role != HrRole::ReadOnly))
}

/// HR's editor, filled with the campaign's guide (or the default).
pub async fn editor(campaign_id: i64) -> Result<GuideEditor, AppError> {
    let (campaign, editable) = campaign_for_hr(campaign_id).await?;
    Ok(GuideEditor {
        campaign_id,
        title: format!("{} · {}", campaign.bank, campaign.position),
        guide_zh: guide_text(&campaign, Locale::ZhCn).to_string(),
        guide_en: guide_text(&campaign, Locale::En).to_string(),
        editable,
    })
}

/// Saves a campaign's guide.
pub async fn save(campaign_id: i64, guide_zh: &str, guide_en: &str) -> Result<(), AppError> {
    let (campaign, editable) = campaign_for_hr(campaign_id).await?;
    if !editable {
        return Err(AppError::Forbidden);
    }
    if guide_zh.chars().count() > MAX_GUIDE_CHARS || guide_en.chars().count() > MAX_GUIDE_CHARS {
        return Err(AppError::InvalidInput(InputProblem::GuideTooLong));
    }
    let ctx = app_context()?;
    // Saving the default unchanged keeps following Turnout's default.
    let keep = |text: &str, default: &str| if text.trim() == default.trim() { String::new() } else { text.replace("\r\n", "\n") };
    ctx.store.set_campaign_guide(campaign.id, &keep(guide_zh, DEFAULT_GUIDE_ZH), &keep(guide_en, DEFAULT_GUIDE_EN)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_split_and_sanitised() {
        let md = "## 登录\n点击 [链接](https://x.example.com) <script>alert(1)</script>\n\n## 常见问题\n<img src=x onerror=alert(1)> **粗体**\n[坏链接](javascript:alert(1))\n";
        let s = render_sections(md);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].id.as_str(), s[0].title.as_str()), ("s-1", "登录"));
        assert!(s[0].html.contains("<a href=\"https://x.example.com\""));
        assert!(!s[0].html.contains("<script"));
        assert!(!s[1].html.contains("onerror"));
        assert!(!s[1].html.contains("javascript:"));
        assert!(s[1].html.contains("<strong>粗体</strong>"));
    }

    #[test]
    fn the_default_guide_renders_every_section() {
        assert_eq!(render_sections(DEFAULT_GUIDE_ZH).len(), 6);
        assert!(render_sections(DEFAULT_GUIDE_EN).iter().all(|s| !s.title.is_empty() && !s.html.is_empty()));
    }
}
