//! HR's notices page: the reminder plan, each candidate's notices, resending.

use super::{app_context, auth::current_hr, format, hr::visible_campaign};
use crate::error::{AppError, InputProblem};
use crate::i18n::Locale;
use crate::notices::{NoticeCell, NoticeRow, NoticesPage, PlanForm};
use turnout_domain::reminder::{PlanError, QuietHours, ReminderStep};
use turnout_domain::{Channel, InvitationState, NoticeKind, ReminderPlan};
use turnout_store::{Campaign, HrRole, StatusQuery};

/// Candidates shown on the page, and resent to at once.
pub const LIMIT: i64 = 200;

/// The plan as posted by the form, before checking.
#[derive(Debug, Clone)]
pub struct RawPlan {
    /// Channels of the invitation.
    pub invitation: Vec<Channel>,
    /// Each step: which, hours before (as typed), channels.
    pub steps: Vec<(NoticeKind, Option<String>, Vec<Channel>)>,
    /// Unread follow-up hours (as typed).
    pub unread_hours: Option<String>,
    /// Quiet hours start, `HH:MM`.
    pub quiet_start: Option<String>,
    /// Quiet hours end, `HH:MM`.
    pub quiet_end: Option<String>,
}

async fn campaign_for_hr(campaign_id: i64) -> Result<(Campaign, bool), AppError> {
    let user = current_hr().await?;
    let campaign = visible_campaign(&app_context()?.store, &user, campaign_id).await?;
    Ok((campaign, user.role != HrRole::ReadOnly))
}

fn plan_form(p: &ReminderPlan) -> PlanForm {
    PlanForm {
        invitation: p.invitation_channels.clone(),
        steps: NoticeKind::BEFORE_SLOT
            .into_iter()
            .map(|k| match p.step(k) {
                Some(s) => (k, s.minutes_before / 60, s.channels.clone()),
                None => (k, ReminderPlan::default().step(k).map(|s| s.minutes_before / 60).unwrap_or(1), Vec::new()),
            })
            .collect(),
        unread_hours: p.unread_after_minutes / 60,
        quiet_start: p.quiet_hours.start.format("%H:%M").to_string(),
        quiet_end: p.quiet_hours.end.format("%H:%M").to_string(),
    }
}

fn state_filter(state: Option<String>) -> Result<Option<InvitationState>, AppError> {
    state
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<InvitationState>())
        .transpose()
        .map_err(|_| AppError::InvalidInput(InputProblem::Malformed))
}

/// The page for a campaign, filtered by state and search.
pub async fn page(campaign_id: i64, state: Option<String>, q: Option<String>, locale: Locale) -> Result<NoticesPage, AppError> {
    let (campaign, editable) = campaign_for_hr(campaign_id).await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let state = state_filter(state)?;
    let search = super::hr::search_text(q)?;
    let zone = campaign.time_zone;
    let plan = ctx.store.reminder_plan(campaign.id).await?;
    let query = StatusQuery { state, search: search.clone(), after: None, limit: LIMIT };
    let candidates = ctx.store.campaign_status(campaign.id, now, &query).await?;
    let counts = ctx.store.state_counts(campaign.id, now).await?;
    let matching = match (&search, state) {
        (None, None) => counts.total(),
        (None, Some(st)) => counts.get(st),
        // With a search, count what matched (up to the page limit).
        (Some(_), _) => candidates.len() as i64,
    };
    let ids: Vec<i64> = candidates.iter().map(|c| c.candidate_id).collect();
    let messages = ctx.store.notice_messages(&ids).await?;
    let reads = ctx.store.notice_reads(&ids).await?;
    let rows = candidates
        .into_iter()
        .map(|c| {
            let r = reads.get(&c.candidate_id).copied().unwrap_or_default();
            NoticeRow {
                candidate_id: c.candidate_id,
                name: c.full_name,
                state: c.state,
                read: r.read,
                sent: r.sent,
                unread_open: r.unread_follow_up_open,
                unreachable: r.unreachable,
                cells: messages
                    .iter()
                    .filter(|m| m.candidate_id == c.candidate_id)
                    .map(|m| NoticeCell {
                        notice: m.notice,
                        channel: m.channel,
                        status: m.status.as_str().to_string(),
                        when: format::instant(m.sent_at.unwrap_or(m.due_at), zone, locale),
                        attempts: m.attempts,
                        opened: m.opened_at.is_some(),
                        clicked: m.clicked_at.is_some(),
                        note: m.last_error.clone().filter(|_| m.status.as_str() != "sent"),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(NoticesPage {
        campaign_id: campaign.id,
        title: format!("{} · {}", campaign.bank, campaign.position),
        time_zone: zone.name().to_string(),
        editable,
        plan: plan_form(&plan),
        state,
        search: search.unwrap_or_default(),
        matching: u32::try_from(matching).unwrap_or(0),
        rows,
    })
}

/// Checks and saves a plan. Returns `saved`, or `invalid-lead` / `invalid-unread` /
/// `invalid-quiet` for a value out of range (nothing is saved then).
pub async fn save_plan(campaign_id: i64, raw: RawPlan) -> Result<String, AppError> {
    let (campaign, editable) = campaign_for_hr(campaign_id).await?;
    if !editable {
        return Err(AppError::Forbidden);
    }
    let plan = match parse_plan(raw) {
        Ok(p) => p,
        Err(PlanError::LeadTime(_)) | Err(PlanError::NotAStep(_)) => return Ok("invalid-lead".into()),
        Err(PlanError::UnreadAfter(_)) => return Ok("invalid-unread".into()),
        Err(PlanError::QuietHours(_)) => return Ok("invalid-quiet".into()),
    };
    let ctx = app_context()?;
    ctx.store.set_reminder_plan(campaign.id, &plan, ctx.clock.now()).await?;
    Ok("saved".into())
}

/// Reads the form's values into a checked plan.
pub fn parse_plan(raw: RawPlan) -> Result<ReminderPlan, PlanError> {
    let hours = |v: &Option<String>| -> Option<u32> { v.as_deref().and_then(|h| h.trim().parse::<u32>().ok()) };
    let mut steps = Vec::new();
    for (kind, h, channels) in &raw.steps {
        let h = hours(h).ok_or(PlanError::LeadTime(-1))?;
        if h > 336 {
            return Err(PlanError::LeadTime(i64::from(h)));
        }
        steps.push(ReminderStep { notice: *kind, minutes_before: h * 60, channels: channels.clone() });
    }
    let unread = hours(&raw.unread_hours).ok_or(PlanError::UnreadAfter(-1))?;
    if unread > 168 {
        return Err(PlanError::UnreadAfter(i64::from(unread)));
    }
    let quiet = QuietHours::parse(raw.quiet_start.as_deref().unwrap_or_default(), raw.quiet_end.as_deref().unwrap_or_default())?;
    ReminderPlan { invitation_channels: raw.invitation, steps, unread_after_minutes: unread * 60, quiet_hours: quiet }.validated()
}

/// Resends to every candidate matching the filter (up to [`LIMIT`]); returns `resent-{n}`,
/// or `no-channel` when no channel was chosen.
pub async fn resend(
    campaign_id: i64,
    state: Option<String>,
    q: Option<String>,
    channels: Vec<Channel>,
) -> Result<String, AppError> {
    let (campaign, editable) = campaign_for_hr(campaign_id).await?;
    if !editable {
        return Err(AppError::Forbidden);
    }
    if channels.is_empty() {
        return Ok("no-channel".into());
    }
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let query = StatusQuery { state: state_filter(state)?, search: super::hr::search_text(q)?, after: None, limit: LIMIT };
    let ids: Vec<i64> = ctx.store.campaign_status(campaign.id, now, &query).await?.into_iter().map(|c| c.candidate_id).collect();
    let n = ctx.store.resend_notices(campaign.id, &ids, &channels, now).await?;
    tracing::info!(campaign = campaign.id, candidates = n, "notices resent by HR");
    Ok(format!("resent-{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(hours: [&str; 3], unread: &str, quiet: (&str, &str)) -> RawPlan {
        RawPlan {
            invitation: vec![Channel::Email],
            steps: NoticeKind::BEFORE_SLOT
                .into_iter()
                .zip(hours)
                .map(|(k, h)| (k, Some(h.to_string()), vec![Channel::Sms]))
                .collect(),
            unread_hours: Some(unread.into()),
            quiet_start: Some(quiet.0.into()),
            quiet_end: Some(quiet.1.into()),
        }
    }

    #[test]
    fn the_form_becomes_a_plan_or_a_clear_refusal() {
        let p = parse_plan(raw(["48", "12", "2"], "12", ("21:30", "07:00"))).expect("valid");
        assert_eq!(p.step(NoticeKind::Detailed).map(|s| s.minutes_before), Some(48 * 60));
        assert_eq!(p.unread_after_minutes, 12 * 60);
        assert_eq!(p.quiet_hours.start.format("%H:%M").to_string(), "21:30");
        assert!(matches!(parse_plan(raw(["0", "12", "2"], "12", ("22:00", "08:00"))), Err(PlanError::LeadTime(_))));
        assert!(matches!(parse_plan(raw(["x", "12", "2"], "12", ("22:00", "08:00"))), Err(PlanError::LeadTime(_))));
        assert!(matches!(parse_plan(raw(["48", "12", "2"], "500", ("22:00", "08:00"))), Err(PlanError::UnreadAfter(_))));
        assert!(matches!(parse_plan(raw(["48", "12", "2"], "24", ("late", "08:00"))), Err(PlanError::QuietHours(_))));
        assert_eq!(
            plan_form(&ReminderPlan::default()).steps[0],
            (NoticeKind::Detailed, 72, vec![Channel::Email, Channel::WorkChat])
        );
    }
}
