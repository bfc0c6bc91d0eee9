//! HR's side: campaign lists and confirmation status, scoped to what the user may see.

use super::{app_context, auth::current_hr, format};
use crate::dto::{CampaignCard, CampaignsPage, HrViewer, StatusPage, StatusRow};
use crate::error::AppError;
use crate::follow_up::dto::RiskBadge;
use crate::i18n::Locale;
use turnout_domain::InvitationState;
use turnout_store::{Campaign, CandidateStatus, HrUser, StateCounts, StatusCursor, StatusQuery, Store};

/// Rows per status page.
pub const PAGE_SIZE: i64 = 100;

pub(crate) fn viewer(u: &HrUser) -> HrViewer {
    HrViewer { display_name: u.display_name.clone(), email: u.email.clone() }
}

fn card(c: &Campaign, counts: &StateCounts) -> CampaignCard {
    CampaignCard {
        id: c.id,
        title: format!("{} · {}", c.bank, c.position),
        branch: c.branch.clone(),
        counts: InvitationState::ALL.iter().map(|s| (*s, counts.get(*s))).collect(),
        total: counts.total(),
    }
}

/// A campaign, if this user may see it (branch HR see only their branch; others look missing).
pub(crate) async fn visible_campaign(store: &Store, user: &HrUser, id: i64) -> Result<Campaign, AppError> {
    let campaign = store.campaign(id).await?;
    match user.branch_scope() {
        Some(branch) if branch != campaign.branch => Err(AppError::NotFound),
        _ => Ok(campaign),
    }
}

/// A status search as typed: trimmed, at most 100 characters, one line without control
/// characters (which PostgreSQL could not compare against, and SQLite would).
pub(crate) fn search_text(q: Option<String>) -> Result<Option<String>, AppError> {
    let Some(q) = q else { return Ok(None) };
    turnout_domain::text::check(&q, turnout_domain::text::Lines::One)?;
    let q = q.trim().chars().take(100).collect::<String>();
    Ok(Some(q).filter(|q| !q.is_empty()))
}

/// The campaigns the signed-in user may see, with their counts.
pub async fn campaigns_page() -> Result<CampaignsPage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let mut cards = Vec::new();
    for c in ctx.store.campaigns(user.branch_scope()).await? {
        let counts = ctx.store.state_counts(c.id, now).await?;
        cards.push(card(&c, &counts));
    }
    Ok(CampaignsPage { viewer: viewer(&user), campaigns: cards })
}

/// One campaign's confirmation status: a page of rows from the cursor `after` on. The risk
/// shown is the stored rating, kept current by the risk worker; reading never re-rates.
pub async fn status_page(
    campaign_id: i64,
    state: Option<String>,
    search: Option<String>,
    after: Option<String>,
    locale: Locale,
) -> Result<StatusPage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let campaign = visible_campaign(&ctx.store, &user, campaign_id).await?;
    let state =
        state.filter(|s| !s.is_empty()).map(|s| s.parse::<InvitationState>()).transpose().map_err(|_| AppError::NotFound)?;
    let search = search_text(search)?;
    let after = after.filter(|a| !a.is_empty());
    let cursor = after.as_deref().map(|a| StatusCursor::decode(a).ok_or(AppError::NotFound)).transpose()?;
    let query = StatusQuery { state, search: search.clone(), after: cursor, limit: PAGE_SIZE + 1 };
    let counts = ctx.store.state_counts(campaign.id, now).await?;
    // A state nobody is in needs no search through the campaign.
    let mut rows = match state {
        Some(s) if counts.get(s) == 0 => Vec::new(),
        _ => ctx.store.campaign_status(campaign.id, now, &query).await?,
    };
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if has_next { rows.last().map(|r| r.cursor.encode()) } else { None };
    let zone = campaign.time_zone;
    Ok(StatusPage {
        viewer: viewer(&user),
        campaign: card(&campaign, &counts),
        time_zone: zone.name().to_string(),
        state,
        search: search.unwrap_or_default(),
        after,
        next,
        rows: rows
            .into_iter()
            .map(|r| {
                let risk = risk_badge(&r, locale);
                let device_check = r.device_check.as_ref().map(|d| (d.verdict, d.failed_items.clone()));
                StatusRow {
                    candidate_id: r.candidate_id,
                    name: r.full_name,
                    contact: [r.phone, r.email].into_iter().flatten().collect::<Vec<_>>().join(" · "),
                    state: r.state,
                    slot: r.slot.map(|(s, e)| format::slot(s, e, zone, locale)),
                    reschedules: r.reschedules,
                    decline_reason: r.decline_reason,
                    decline_note: r.decline_note.filter(|n| !n.is_empty()),
                    last_activity: format::instant(r.last_activity_at, zone, locale),
                    guide: r.guide_progress,
                    risk,
                    device_check,
                }
            })
            .collect(),
    })
}

/// The rating HR see: the stored assessment under HR's override if any (none for a candidate
/// invited since the risk worker last ran).
fn risk_badge(r: &CandidateStatus, locale: Locale) -> Option<RiskBadge> {
    r.risk.as_ref().map(|a| super::risk::badge(a, r.risk_override, locale))
}
