//! The candidate's side: the invitation as a page, and the actions taken from it.

use super::{app_context, format, invitation_token};
use crate::dto::{ChangeClosed, DayChoices, InvitationView, Outcome, SlotChoice};
use crate::error::{AppError, InputProblem};
use crate::i18n::Locale;
use turnout_domain::booking::{changes_left, check_change_allowed};
use turnout_domain::invitation::DeclineNoteError;
use turnout_domain::{BookingRefusal, ConfirmationPlan, CurrentBooking, DeclineNote, DeclineReason, InvitationState};
use turnout_store::Decline;

/// The invitation page for this request's candidate.
pub async fn invitation_view(locale: Locale) -> Result<InvitationView, AppError> {
    let ctx = app_context()?;
    let now = ctx.clock.now();
    let (inv, campaign, slots) = ctx.store.invitation_with_slots(&invitation_token()?).await?.ok_or(AppError::InvalidLink)?;
    let zone = campaign.time_zone;
    let state = inv.state.at(inv.window.ends_at, now);
    let booked_slot = inv.slot_id.and_then(|id| slots.iter().find(|s| s.id == id).copied());
    let current =
        booked_slot.map(|s| CurrentBooking { slot_id: s.id, slot_starts_at: s.starts_at, changes_so_far: inv.reschedules });

    // Each day's label is written once, not once per slot.
    let local_day = |s: &turnout_domain::Slot| s.starts_at.with_timezone(&zone.tz()).date_naive();
    let labels: Vec<_> = inv.window.local_days().into_iter().map(|d| (d, format::day(d, locale))).collect();
    let choice = |s: &turnout_domain::Slot| {
        let d = local_day(s);
        SlotChoice {
            id: s.id,
            day: labels.iter().find(|(l, _)| *l == d).map_or_else(|| format::day(d, locale), |(_, label)| label.clone()),
            time: format::time_range(s.starts_at, s.ends_at, zone),
            places_left: s.places_left(),
            past: s.starts_at <= now,
            chosen: Some(s.id) == inv.slot_id,
        }
    };
    let days = labels
        .iter()
        .map(|(d, label)| DayChoices {
            label: label.clone(),
            slots: slots.iter().filter(|s| local_day(s) == *d).map(choice).collect(),
        })
        .collect();
    let (changes, closed) = match current {
        Some(cur) => match check_change_allowed(cur, campaign.policy, now) {
            Ok(()) => (changes_left(cur, campaign.policy, now), None),
            Err(BookingRefusal::RescheduleLimit { max }) => (None, Some(ChangeClosed::Limit(max))),
            Err(_) => (None, Some(ChangeClosed::TooClose(campaign.policy.cutoff_hours))),
        },
        None => (None, None),
    };
    let can_choose = match state {
        InvitationState::Invited | InvitationState::Opened => true,
        InvitationState::Confirmed | InvitationState::Rescheduled => changes.is_some(),
        InvitationState::Declined | InvitationState::Expired => false,
    };
    Ok(InvitationView {
        candidate_name: inv.candidate_name,
        bank: campaign.bank,
        position: campaign.position,
        branch: campaign.branch,
        window_label: format::day_range(inv.window.first_day, inv.window.last_day(), locale),
        time_zone: zone.name().to_string(),
        state,
        booked: booked_slot.as_ref().map(choice),
        decline_reason: inv.decline_reason,
        days,
        can_choose,
        changes_left: changes,
        change_closed: closed,
        cutoff_hours: campaign.policy.cutoff_hours,
        interview_url: campaign.interview_url,
        login_notes: campaign.login_notes,
        help_contact: campaign.help_contact,
        guide: inv.guide_progress,
    })
}

/// Confirms (or moves to) the slot whose id was posted.
pub async fn confirm(slot: Option<String>) -> Result<Outcome, AppError> {
    let raw = slot.unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(AppError::InvalidInput(InputProblem::ChooseSlot));
    }
    let slot_id: i64 = raw.trim().parse().map_err(|_| AppError::InvalidInput(InputProblem::Malformed))?;
    let ctx = app_context()?;
    let confirmation = ctx.store.confirm_slot(&invitation_token()?, slot_id, ctx.clock.now()).await?;
    Ok(match confirmation.plan {
        ConfirmationPlan::Move { .. } => Outcome::Rescheduled,
        _ => Outcome::Confirmed,
    })
}

/// Declines with the posted reason and note.
pub async fn decline(reason: Option<String>, note: Option<String>) -> Result<Outcome, AppError> {
    let reason: DeclineReason = match reason.as_deref().map(str::trim) {
        None | Some("") => return Err(AppError::InvalidInput(InputProblem::ChooseReason)),
        Some(r) => r.parse().map_err(|_| AppError::InvalidInput(InputProblem::Malformed))?,
    };
    let note = DeclineNote::parse(reason, note.as_deref().unwrap_or_default()).map_err(|e| match e {
        DeclineNoteError::TooLong => AppError::InvalidInput(InputProblem::NoteTooLong),
        DeclineNoteError::MissingForOther => AppError::InvalidInput(InputProblem::NoteRequired),
    })?;
    let ctx = app_context()?;
    ctx.store.decline(&invitation_token()?, &Decline { reason, note }, ctx.clock.now()).await?;
    Ok(Outcome::Declined)
}
