//! HR's follow-up and the candidate's feedback: keeping stored risk assessments current, the
//! call list, the candidate page with overrides, calls and outcomes, the model page, and
//! feedback in and out.

use super::{app_context, auth::current_hr, format, hr::viewer, hr::visible_campaign, invitation_token};
use crate::error::{AppError, InputProblem};
use crate::follow_up::dto::{
    ActivityView, CallListPage, CallRow, CallView, CandidateFeedback, CandidatePage, FeedbackSummaryPage, FeedbackView,
    ModelPage, ModelView, OverrideView, RiskBadge, Saved,
};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use turnout_domain::call::{call_reasons, clean_note, next_review, CallFacts, CallOutcome, InterviewOutcome, NoteError};
use turnout_domain::feedback::{survey_open, Feedback, FeedbackError, ProblemArea, ProblemReport, Survey};
use turnout_domain::risk::{features, train, RiskLevel, RiskModel, RiskThresholds, TrainError, TrainOptions};
use turnout_domain::{InvitationState, TimeZone};
use turnout_store::{
    CallCursor, Campaign, FeedbackRecord, FollowUpRow, HrRole, HrUser, Rating, RiskScope, RiskSettings, Store, StoredAssessment,
    StoredReason,
};

/// Candidates loaded and rated per batch: large enough that a season's full refresh stays
/// within a second per 100,000. The store writes each batch in shorter transactions, so a
/// confirmation never waits long behind a refresh.
pub const RATING_BATCH: i64 = 1000;

/// Rates the candidates in `scope` with the model in use, a batch at a time, and stores each
/// rating with its call-list entry and next review. Returns how many were rated.
pub async fn refresh(store: &Store, scope: RiskScope, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut rows = store.follow_up_batch(scope, 0, RATING_BATCH, now).await?;
    if rows.is_empty() {
        // An idle server's check costs one indexed read.
        return Ok(0);
    }
    let zones: HashMap<i64, TimeZone> = store.campaigns(None).await?.iter().map(|c| (c.id, c.time_zone)).collect();
    let model = store.active_risk_model().await?;
    // Batches in candidate order are known ahead, so the next is read while this one is
    // written; a due batch is only known once the one before has left the scope.
    let ahead = matches!(scope, RiskScope::Everyone | RiskScope::Campaign(_));
    let mut rated = 0;
    loop {
        let ratings = rows
            .iter()
            .map(|row| {
                let zone = zones.get(&row.campaign_id).ok_or_else(|| AppError::Internal("campaign of a candidate".into()))?;
                Ok(rating(row, &model, *zone, now))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        rated += ratings.len();
        let after = rows.last().map_or(0, |r| r.candidate_id);
        if (rows.len() as i64) < RATING_BATCH {
            store.save_ratings(&ratings, now).await?;
            break;
        }
        rows = if ahead {
            let (saved, next) =
                tokio::join!(store.save_ratings(&ratings, now), store.follow_up_batch(scope, after, RATING_BATCH, now));
            saved?;
            next?
        } else {
            store.save_ratings(&ratings, now).await?;
            store.follow_up_batch(scope, after, RATING_BATCH, now).await?
        };
        if rows.is_empty() {
            break;
        }
    }
    Ok(rated)
}

/// A candidate's rating as of `now`: the model's assessment, why HR should phone them, and when
/// to look again.
fn rating(row: &FollowUpRow, model: &RiskModel, zone: TimeZone, now: DateTime<Utc>) -> Rating {
    let assessment = model.assess(&row.facts);
    let level = row.risk_override.as_ref().map_or(assessment.level, |o| o.level);
    let facts = CallFacts {
        state: row.facts.state.at(row.facts.window_ends_at, now),
        window_ends_at: row.facts.window_ends_at,
        slot_starts_at: row.facts.slot_starts_at,
        level,
        device_check: row.facts.device_check,
        unread_notice: row.unread_notice,
        unreachable: row.unreachable,
        last_reached_at: row.last_reached_at,
    };
    Rating {
        candidate_id: row.candidate_id,
        campaign_id: row.campaign_id,
        signal_id: row.signal_id,
        call_reasons: call_reasons(&facts, now, zone),
        call_level: level,
        window_ends_at: row.facts.window_ends_at,
        next_review: next_review(&row.facts, row.last_reached_at, zone),
        assessment,
    }
}

/// The candidate page's badge: the stored rating (made just before), or one made on the spot.
fn badge(row: &FollowUpRow, model: &RiskModel, locale: Locale, now: DateTime<Utc>) -> RiskBadge {
    let stored = row.assessment.clone().unwrap_or_else(|| {
        let a = model.assess(&row.facts);
        StoredAssessment {
            probability: a.probability,
            level: a.level,
            reasons: a
                .reasons
                .iter()
                .map(|r| StoredReason { id: r.id.as_str().to_string(), zh: r.zh.to_string(), en: r.en.to_string() })
                .collect(),
            model_version: a.model_version,
            assessed_at: now,
        }
    });
    super::risk::badge(&stored, row.risk_override.as_ref().map(|o| o.level), locale)
}

fn override_view(row: &FollowUpRow, zone: TimeZone, locale: Locale) -> Option<OverrideView> {
    row.risk_override.as_ref().map(|o| OverrideView {
        level: o.level.as_str().to_string(),
        note: o.note.clone(),
        by: o.by.clone(),
        at: format::instant(o.at, zone, locale),
    })
}

fn title(c: &Campaign) -> String {
    format!("{} · {}", c.bank, c.position)
}

fn editable(user: &HrUser) -> bool {
    user.role != HrRole::ReadOnly
}

/// Rows per call-list page.
pub const CALLS_PAGE_SIZE: i64 = 50;

/// `/hr/calls`: today's candidates to phone across the campaigns the user may see, highest
/// risk first, a page at a time from the cursor `after`. The list is the one the risk worker
/// keeps with each rating; reading it never re-rates.
pub async fn call_list(after: Option<String>, locale: Locale) -> Result<CallListPage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let f = locale.follow_up();
    let after = after.filter(|a| !a.is_empty());
    let cursor = after.as_deref().map(|a| CallCursor::decode(a).ok_or(AppError::NotFound)).transpose()?;
    let campaigns: HashMap<i64, Campaign> =
        ctx.store.campaigns(user.branch_scope()).await?.into_iter().map(|c| (c.id, c)).collect();
    let visible: Option<Vec<i64>> = user.branch_scope().map(|_| campaigns.keys().copied().collect());
    let total = ctx.store.call_list_len(visible.as_deref()).await?;
    let mut entries = ctx.store.call_list(visible.as_deref(), cursor, CALLS_PAGE_SIZE + 1, now).await?;
    let next = if entries.len() as i64 > CALLS_PAGE_SIZE {
        entries.truncate(CALLS_PAGE_SIZE as usize);
        entries.last().map(|e| e.cursor.encode())
    } else {
        None
    };
    let rows = entries
        .into_iter()
        .filter_map(|e| {
            let campaign = campaigns.get(&e.campaign_id)?;
            Some(CallRow {
                candidate_id: e.candidate_id,
                name: e.full_name,
                campaign: title(campaign),
                phone: e.phone,
                state: e.state,
                slot: e.slot_starts_at.map(|s| format::instant(s, campaign.time_zone, locale)),
                why: e.reasons.iter().map(|r| f.call_reason(*r).to_string()).collect(),
                risk: super::risk::badge(&e.assessment, e.risk_override, locale),
            })
        })
        .collect();
    Ok(CallListPage { viewer: viewer(&user), editable: editable(&user), total, after, next, rows })
}

/// The campaign of a candidate the user may see (others look missing).
async fn candidate_campaign(store: &Store, user: &HrUser, candidate_id: i64) -> Result<Campaign, AppError> {
    visible_campaign(store, user, store.candidate_campaign(candidate_id).await?).await
}

/// A candidate's follow-up row as of `now`.
async fn follow_up_row(store: &Store, candidate_id: i64, now: DateTime<Utc>) -> Result<FollowUpRow, AppError> {
    store.follow_up_rows(RiskScope::Candidate(candidate_id), now).await?.into_iter().next().ok_or(AppError::NotFound)
}

fn feedback_view(r: &FeedbackRecord, zone: TimeZone, locale: Locale) -> FeedbackView {
    let f = locale.follow_up();
    let (kind, title, text) = match &r.feedback {
        Feedback::Survey(s) => (
            "survey",
            format!("{} {}/5 · {} {}/5", f.satisfaction_label, s.satisfaction.get(), f.relevance_label, s.relevance.get()),
            s.comment.clone(),
        ),
        Feedback::Problem(p) => (
            "device_problem",
            format!("{}{}{}", f.problems_reported, locale.strings().label_sep, f.area(p.area)),
            p.description.clone(),
        ),
    };
    FeedbackView {
        candidate_id: r.candidate_id,
        name: r.candidate_name.clone(),
        kind: kind.to_string(),
        title,
        text,
        at: format::instant(r.updated_at, zone, locale),
    }
}

/// `/hr/candidates/:id`.
pub async fn candidate_page(candidate_id: i64, locale: Locale) -> Result<CandidatePage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let campaign = candidate_campaign(&ctx.store, &user, candidate_id).await?;
    refresh(&ctx.store, RiskScope::Candidate(candidate_id), now).await?;
    let row = follow_up_row(&ctx.store, candidate_id, now).await?;
    let zone = campaign.time_zone;
    let f = locale.follow_up();
    let model = ctx.store.active_risk_model().await?;
    let calls = ctx.store.calls_for_candidate(candidate_id).await?;
    let feedback = ctx.store.candidate_feedback(candidate_id).await?;
    let mut activity: Vec<ActivityView> = ctx
        .store
        .signals_for_candidate(candidate_id)
        .await?
        .into_iter()
        .map(|s| ActivityView { what: f.signal(s.kind).to_string(), at: format::instant(s.occurred_at, zone, locale) })
        .collect();
    activity.reverse();
    Ok(CandidatePage {
        viewer: viewer(&user),
        editable: editable(&user),
        candidate_id,
        name: row.full_name.clone(),
        campaign_id: campaign.id,
        campaign: title(&campaign),
        phone: row.phone.clone(),
        email: row.email.clone(),
        state: row.facts.state.at(row.facts.window_ends_at, now),
        slot: row.facts.slot_starts_at.map(|s| format::instant(s, zone, locale)),
        risk: badge(&row, &model, locale, now),
        assessed: row.assessment.as_ref().map(|a| (format::instant(a.assessed_at, zone, locale), a.model_version)),
        risk_override: override_view(&row, zone, locale),
        history: (row.facts.past_attended, row.facts.past_no_shows),
        calls: calls
            .iter()
            .map(|c| CallView {
                outcome: f.call_outcome_label(c.outcome).to_string(),
                note: c.note.clone(),
                by: c.by.clone(),
                at: format::instant(c.at, zone, locale),
            })
            .collect(),
        outcome: row.outcome.map(|o| o.as_str().to_string()),
        outcome_allowed: outcome_allowed(row.facts.state, row.facts.slot_starts_at, now),
        feedback: feedback.iter().map(|r| feedback_view(r, zone, locale)).collect(),
        activity,
    })
}

/// An outcome can be recorded once a booked interview has started.
fn outcome_allowed(state: InvitationState, slot_starts_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    state.has_booking() && slot_starts_at.is_some_and(|s| s <= now)
}

fn note_problem(e: NoteError) -> AppError {
    match e {
        NoteError::Missing => AppError::InvalidInput(InputProblem::NoteRequired),
        NoteError::TooLong => AppError::InvalidInput(InputProblem::NoteTooLong),
    }
}

fn choice<T: std::str::FromStr>(raw: Option<String>) -> Result<T, AppError> {
    raw.and_then(|v| v.trim().parse().ok()).ok_or(AppError::InvalidInput(InputProblem::ChooseOption))
}

/// A user who may act on the candidate, and the candidate's row.
async fn acting_on(candidate_id: i64) -> Result<(HrUser, FollowUpRow), AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    candidate_campaign(&ctx.store, &user, candidate_id).await?;
    let row = follow_up_row(&ctx.store, candidate_id, ctx.clock.now()).await?;
    if !editable(&user) {
        return Err(AppError::Forbidden);
    }
    Ok((user, row))
}

/// Records a phone call's outcome.
pub async fn record_call(candidate_id: i64, outcome: Option<String>, note: Option<String>) -> Result<Saved, AppError> {
    let outcome: CallOutcome = choice(outcome)?;
    let note = clean_note(note.as_deref().unwrap_or_default(), false).map_err(note_problem)?;
    let (user, _) = acting_on(candidate_id).await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    ctx.store.record_call(candidate_id, outcome, &note, user.id, now).await?;
    refresh(&ctx.store, RiskScope::Candidate(candidate_id), now).await?;
    Ok(Saved::Call)
}

/// Sets or clears HR's override of the rating (`level` empty or `model` clears it).
pub async fn override_risk(candidate_id: i64, level: Option<String>, note: Option<String>) -> Result<Saved, AppError> {
    let level = level.filter(|l| !l.trim().is_empty() && l != "model");
    let (user, _) = acting_on(candidate_id).await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    match level {
        None => {
            ctx.store.clear_risk_override(candidate_id, user.id, now).await?;
            refresh(&ctx.store, RiskScope::Candidate(candidate_id), now).await?;
            Ok(Saved::OverrideCleared)
        }
        Some(level) => {
            let level: RiskLevel = choice(Some(level))?;
            let note = clean_note(note.as_deref().unwrap_or_default(), true).map_err(note_problem)?;
            ctx.store.set_risk_override(candidate_id, level, &note, user.id, now).await?;
            refresh(&ctx.store, RiskScope::Candidate(candidate_id), now).await?;
            Ok(Saved::Override)
        }
    }
}

/// Records whether the candidate attended.
pub async fn record_outcome(candidate_id: i64, outcome: Option<String>) -> Result<Saved, AppError> {
    let outcome: InterviewOutcome = choice(outcome)?;
    let (user, row) = acting_on(candidate_id).await?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    if !outcome_allowed(row.facts.state, row.facts.slot_starts_at, now) {
        return Err(AppError::InvalidInput(InputProblem::OutcomeTooEarly));
    }
    ctx.store.record_interview_outcome(candidate_id, outcome, user.id, now).await?;
    refresh(&ctx.store, RiskScope::Candidate(candidate_id), now).await?;
    Ok(Saved::Outcome)
}

/// `/hr/campaigns/:id/feedback`.
pub async fn feedback_summary(campaign_id: i64, locale: Locale) -> Result<FeedbackSummaryPage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let campaign = visible_campaign(&ctx.store, &user, campaign_id).await?;
    let f = locale.follow_up();
    let s = locale.strings();
    let summary = ctx.store.feedback_summary(campaign.id).await?;
    let declines = ctx.store.decline_reasons(campaign.id).await?;
    let recent = ctx.store.recent_feedback(campaign.id, 50).await?;
    let mean = |m: Option<f64>| m.map(|v| format!("{v:.1}"));
    Ok(FeedbackSummaryPage {
        viewer: viewer(&user),
        campaign_id: campaign.id,
        campaign: title(&campaign),
        surveys: summary.surveys,
        satisfaction_mean: mean(summary.satisfaction_mean()),
        relevance_mean: mean(summary.relevance_mean()),
        satisfaction: summary.satisfaction.to_vec(),
        relevance: summary.relevance.to_vec(),
        problems: summary.problems.iter().map(|(a, n)| (f.area(*a).to_string(), *n)).collect(),
        declines: declines.iter().map(|(r, n)| (s.reason(*r).to_string(), *n)).collect(),
        recent: recent.iter().map(|r| feedback_view(r, campaign.time_zone, locale)).collect(),
    })
}

fn may_manage_model(user: &HrUser) -> bool {
    matches!(user.role, HrRole::Admin | HrRole::HeadOffice)
}

/// `/hr/risk`.
pub async fn model_page() -> Result<ModelPage, AppError> {
    let user = current_hr().await?;
    let ctx = app_context()?;
    let settings = ctx.store.risk_settings().await?;
    let examples = ctx.store.training_examples().await?;
    let options = TrainOptions::default();
    let percent = |p: f64| (p * 100.0).round() as u32;
    Ok(ModelPage {
        viewer: viewer(&user),
        editable: may_manage_model(&user),
        active_version: settings.active_version,
        medium_percent: percent(settings.thresholds.medium()),
        high_percent: percent(settings.thresholds.high()),
        outcomes: examples.len(),
        outcome_no_shows: examples.iter().filter(|(_, no_show)| *no_show).count(),
        min_examples: options.min_examples,
        min_per_outcome: options.min_per_outcome,
        models: ctx
            .store
            .risk_models()
            .await?
            .into_iter()
            .map(|m| ModelView {
                version: m.version,
                active: m.version == settings.active_version,
                trained_at: m.trained_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                trained_by: m.trained_by.unwrap_or_default(),
                auc: m.auc_cv,
                capture_percent: m.top_quartile_capture * 100.0,
                examples: m.examples,
                no_shows: m.no_shows,
                calibration: m.calibration.iter().map(|b| (b.predicted_mean * 100.0, b.observed_rate * 100.0, b.count)).collect(),
            })
            .collect(),
    })
}

/// Trains a model on every recorded outcome, stores it and puts it in use.
pub async fn train_model() -> Result<Saved, AppError> {
    let user = current_hr().await?;
    if !may_manage_model(&user) {
        return Err(AppError::Forbidden);
    }
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let examples: Vec<_> =
        ctx.store.training_examples().await?.iter().map(|(facts, no_show)| (features(facts), *no_show)).collect();
    let trained = match train(&examples, TrainOptions::default()) {
        Ok(t) => t,
        Err(TrainError::NotEnoughOutcomes { .. } | TrainError::TooFewOfOneOutcome { .. }) => {
            return Err(AppError::InvalidInput(InputProblem::NotEnoughOutcomes));
        }
        Err(e) => return Err(AppError::Internal(e.to_string())),
    };
    let version = ctx.store.save_trained_model(&trained, user.id, now).await?;
    tracing::info!(version, auc = trained.metrics.auc_cv, "risk model trained");
    ctx.store.make_all_ratings_due(now).await?;
    Ok(Saved::Trained)
}

/// Saves the level thresholds (percent).
pub async fn save_thresholds(medium: Option<String>, high: Option<String>) -> Result<Saved, AppError> {
    let user = current_hr().await?;
    if !may_manage_model(&user) {
        return Err(AppError::Forbidden);
    }
    let parse = |v: Option<String>| v.and_then(|v| v.trim().parse::<f64>().ok()).filter(|p| (1.0..=99.0).contains(p));
    let (Some(medium), Some(high)) = (parse(medium), parse(high)) else {
        return Err(AppError::InvalidInput(InputProblem::Thresholds));
    };
    let thresholds =
        RiskThresholds::new(medium / 100.0, high / 100.0).map_err(|_| AppError::InvalidInput(InputProblem::Thresholds))?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let settings = ctx.store.risk_settings().await?;
    ctx.store.set_risk_settings(&RiskSettings { thresholds, ..settings }, now).await?;
    ctx.store.make_all_ratings_due(now).await?;
    Ok(Saved::Thresholds)
}

/// The candidate's own feedback page.
pub async fn candidate_feedback() -> Result<CandidateFeedback, AppError> {
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let (inv, campaign) = ctx.store.invitation_by_token(&invitation_token()?).await?.ok_or(AppError::InvalidLink)?;
    let slot_end = slot_end(&ctx.store, inv.slot_id).await?;
    let mut page = CandidateFeedback {
        survey_open: survey_open(slot_end, now) && inv.state.has_booking(),
        survey: None,
        problem: None,
        help_contact: campaign.help_contact,
    };
    for r in ctx.store.candidate_feedback(inv.candidate_id).await? {
        match r.feedback {
            Feedback::Survey(s) => page.survey = Some((s.satisfaction.get(), s.relevance.get(), s.comment)),
            Feedback::Problem(p) => page.problem = Some((p.area.as_str().to_string(), p.description)),
        }
    }
    Ok(page)
}

async fn slot_end(store: &Store, slot_id: Option<i64>) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(match slot_id {
        Some(id) => Some(store.slot(id).await?.ends_at),
        None => None,
    })
}

fn feedback_problem(e: FeedbackError) -> AppError {
    AppError::InvalidInput(match e {
        FeedbackError::ScoreOutOfRange(_) => InputProblem::ChooseRating,
        FeedbackError::TextTooLong => InputProblem::TextTooLong,
        FeedbackError::DescriptionMissing => InputProblem::DescribeProblem,
        FeedbackError::SurveyNotOpenYet => InputProblem::SurveyNotOpen,
    })
}

/// Saves the candidate's survey (only once their interview slot has ended).
pub async fn save_survey(
    satisfaction: Option<String>,
    relevance: Option<String>,
    comment: Option<String>,
) -> Result<Saved, AppError> {
    let rating = |v: Option<String>| {
        v.and_then(|v| v.trim().parse::<i64>().ok()).ok_or(AppError::InvalidInput(InputProblem::ChooseRating))
    };
    let survey = Survey::parse(rating(satisfaction)?, rating(relevance)?, comment.as_deref().unwrap_or_default())
        .map_err(feedback_problem)?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let (inv, _) = ctx.store.invitation_by_token(&invitation_token()?).await?.ok_or(AppError::InvalidLink)?;
    if !(inv.state.has_booking() && survey_open(slot_end(&ctx.store, inv.slot_id).await?, now)) {
        return Err(feedback_problem(FeedbackError::SurveyNotOpenYet));
    }
    ctx.store.save_feedback(inv.candidate_id, inv.campaign_id, &Feedback::Survey(survey), now).await?;
    refresh(&ctx.store, RiskScope::Candidate(inv.candidate_id), now).await?;
    Ok(Saved::Survey)
}

/// Saves the candidate's problem report.
pub async fn save_problem(area: Option<String>, description: Option<String>) -> Result<Saved, AppError> {
    let area: ProblemArea = choice(area)?;
    let report = ProblemReport::parse(area, description.as_deref().unwrap_or_default()).map_err(feedback_problem)?;
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let (inv, _) = ctx.store.invitation_by_token(&invitation_token()?).await?.ok_or(AppError::InvalidLink)?;
    ctx.store.save_feedback(inv.candidate_id, inv.campaign_id, &Feedback::Problem(report), now).await?;
    refresh(&ctx.store, RiskScope::Candidate(inv.candidate_id), now).await?;
    Ok(Saved::Problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Span;

    #[test]
    fn outcomes_wait_for_the_interview_to_start() {
        let now = Utc::now();
        assert!(!outcome_allowed(InvitationState::Confirmed, Some(now + Span::minutes(1)), now));
        assert!(outcome_allowed(InvitationState::Confirmed, Some(now), now));
        assert!(outcome_allowed(InvitationState::Rescheduled, Some(now - Span::days(1)), now));
        assert!(!outcome_allowed(InvitationState::Declined, Some(now - Span::days(1)), now));
        assert!(!outcome_allowed(InvitationState::Expired, None, now));
    }
}
