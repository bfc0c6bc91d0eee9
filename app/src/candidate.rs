//! The candidate's invitation page: see the invitation, confirm or change a slot, or decline.
//! Every form works as a plain HTML form and, with scripts on, without reloading the page.

use crate::dto::{ChangeClosed, InvitationView, Outcome};
use crate::error::AppError;
use crate::i18n::{fill, Strings};
use crate::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use turnout_domain::{DeclineReason, InvitationState};

/// The page's own path (the token lives in a cookie, never in this URL).
pub const INVITATION_PATH: &str = "/invitation";

/// The invitation of the candidate behind this browser's link.
#[server(prefix = "/api", endpoint = "invitation")]
pub async fn get_invitation() -> Result<InvitationView, AppError> {
    crate::server::candidate::invitation_view(crate::server::request_locale()).await
}

/// Confirms the posted slot, or moves the booking to it.
#[server(prefix = "/api", endpoint = "confirm")]
pub async fn confirm_slot(slot: Option<String>) -> Result<Outcome, AppError> {
    let result = crate::server::candidate::confirm(slot).await;
    crate::server::finish_form(result, INVITATION_PATH, |o| o.code().to_string())
}

/// Declines the invitation with a reason and an optional note.
#[server(prefix = "/api", endpoint = "decline")]
pub async fn decline_invitation(reason: Option<String>, note: Option<String>) -> Result<Outcome, AppError> {
    let result = crate::server::candidate::decline(reason, note).await;
    crate::server::finish_form(result, INVITATION_PATH, |o| o.code().to_string())
}

/// What the page tells the candidate after an action.
type Notice = Result<Outcome, AppError>;

fn notice_text(n: &Notice, s: &Strings) -> String {
    match n {
        Ok(Outcome::Confirmed) => s.done_confirmed.into(),
        Ok(Outcome::Rescheduled) => s.done_rescheduled.into(),
        Ok(Outcome::Declined) => s.done_declined.into(),
        Ok(Outcome::GuideAcknowledged) => s.done_acknowledged.into(),
        Err(e) => e.message(s),
    }
}

/// `/invitation`: the candidate's page. Its forms post to the server, which sends the browser
/// back here with the outcome in the query string; with scripts on, [`crate::enhance`] does
/// the same without reloading the page.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmSlot>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let notice = crate::posted(Outcome::from_code);

    // The page is rendered once, on the server, and never hydrated (it is not an island): the
    // invitation is awaited where it is shown, with no resource to track, share or serialise.
    view! {
        <Transition fallback=move || view! { <p class="loading">{use_locale().strings().loading}</p> }>
            {Suspend::new(async move {
                match get_invitation().await {
                    Ok(v) => view! {
                        <div id="invitation" data-swap="">
                            <InvitationBody v=v confirm=confirm decline=decline notice=notice />
                        </div>
                        <crate::enhance::FormEnhancement />
                    }.into_any(),
                    Err(e) => view! { <InvalidLink error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The plain page shown for an unknown, replaced or expired link, with the error's status. It
/// reveals nothing.
#[component]
pub fn InvalidLink(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_page_status(error.status());
    let s = use_locale().strings();
    let (title, body) = match error {
        AppError::InvalidLink => (s.invalid_link_title.to_string(), s.invalid_link_body.to_string()),
        other => (s.err_generic.to_string(), other.message(s)),
    };
    view! {
        <section class="card invalid" aria-labelledby="invalid-title">
            <h1 id="invalid-title">{title}</h1>
            <p>{body}</p>
        </section>
    }
}

#[component]
fn InvitationBody(
    v: InvitationView,
    confirm: ServerAction<ConfirmSlot>,
    decline: ServerAction<DeclineInvitation>,
    notice: Option<Notice>,
) -> impl IntoView {
    let s = use_locale().strings();
    let state = v.state;
    let open = !matches!(state, InvitationState::Declined | InvitationState::Expired);
    view! {
        <section class="intro">
            <p class="bank">{v.bank.clone()}</p>
            <h1>{fill(s.greeting, &[("name", &v.candidate_name)])}</h1>
            <p>{fill(s.invited_to, &[("bank", &v.bank), ("position", &v.position), ("branch", &v.branch)])}</p>
            <p class="state-line">
                {s.status_heading}{s.label_sep}
                <strong class=format!("state state-{}", state.as_str())>{s.state(state)}</strong>
            </p>
        </section>
        {notice.map(|n| {
            let failed = n.is_err();
            view! {
                <p class=if failed { "notice notice-error" } else { "notice notice-ok" } role=if failed { "alert" } else { "status" }>
                    {notice_text(&n, s)}
                </p>
            }
        })}
        {v.booked.clone().map(|slot| view! {
            <section class="card confirmed" aria-labelledby="confirmed-title">
                <h2 id="confirmed-title">{s.confirmed_heading}</h2>
                <p class="slot-when">{format!("{} {}", slot.day, slot.time)}</p>
                <p class="muted">{fill(s.times_in_zone, &[("zone", &v.time_zone)])}</p>
                <p class="actions">
                    <a class="button secondary" href="/invitation/calendar.ics" download="interview.ics" rel="external">{s.add_to_calendar}</a>
                    <a class="button" href=v.interview_url.clone() rel="noopener noreferrer" target="_blank">{s.open_interview}</a>
                </p>
                {(!v.login_notes.is_empty()).then(|| view! {
                    <h3>{s.login_notes_heading}</h3>
                    <p class="prewrap">{v.login_notes.clone()}</p>
                })}
            </section>
        })}
        {(state == InvitationState::Declined).then(|| view! {
            <section class="card declined">
                <h2>{s.declined_heading}</h2>
                <p>{s.declined_body}</p>
                {v.decline_reason.map(|r| view! { <p class="muted">{s.reason(r)}</p> })}
            </section>
        })}
        {(state == InvitationState::Expired).then(|| view! {
            <section class="card expired">
                <h2>{s.expired_heading}</h2>
                <p>{s.expired_body}</p>
            </section>
        })}
        {v.change_closed.map(|c| {
            let text = match c {
                ChangeClosed::Limit(n) => fill(s.reschedule_closed_limit, &[("n", &n)]),
                ChangeClosed::TooClose(h) => fill(s.reschedule_closed_time, &[("h", &h)]),
            };
            view! { <p class="muted">{text}</p> }
        })}
        {v.can_choose.then(|| view! { <SlotChooser v=v.clone() confirm=confirm /> })}
        {open.then(|| view! {
            <section class="card guide-link">
                <h2>{s.guide_title}</h2>
                <p class="muted">{s.guide_intro}</p>
                <p>
                    <a class="button secondary" href="/invitation/guide">{s.guide_open_link}</a>
                    " "<span class=format!("badge guide-{}", v.guide.as_str())>{s.guide(v.guide)}</span>
                </p>
            </section>
        })}
        {open.then(|| view! { <crate::device::CheckLink /> })}
        <details class="card about">
            <summary>{s.about_heading}</summary>
            <p>{s.about_body}</p>
        </details>
        <p class="feedback-link"><a href=crate::follow_up::feedback::FEEDBACK_PATH>{use_locale().follow_up().feedback_link}</a></p>
        {open.then(|| view! { <DeclineForm decline=decline /> })}
        {(!v.help_contact.is_empty()).then(|| view! {
            <footer class="help">
                <h2>{s.help_heading}</h2>
                <p class="prewrap">{v.help_contact.clone()}</p>
            </footer>
        })}
    }
}

#[component]
fn SlotChooser(v: InvitationView, confirm: ServerAction<ConfirmSlot>) -> impl IntoView {
    let s = use_locale().strings();
    let rescheduling = v.booked.is_some();
    let has_slots = v.days.iter().any(|d| !d.slots.is_empty());
    let has_free = v.days.iter().any(|d| d.slots.iter().any(|sl| !sl.past && sl.places_left > 0 && !sl.chosen));
    view! {
        <section class="card choose" aria-labelledby="choose-title">
            <h2 id="choose-title">{if rescheduling { s.reschedule_heading } else { s.choose_heading }}</h2>
            <p>{s.window_heading}{s.label_sep}<strong>{v.window_label.clone()}</strong></p>
            <p class="muted">{fill(s.times_in_zone, &[("zone", &v.time_zone)])}" "{s.choose_hint}</p>
            {v.changes_left.map(|n| view! { <p class="muted">{fill(s.reschedule_rule, &[("n", &n), ("h", &v.cutoff_hours)])}</p> })}
            {(!has_free).then(|| view! { <p class="notice notice-error">{s.no_slots}</p> })}
            {if has_slots {
                view! {
                    <ActionForm action=confirm attr:class="slot-form">
                        {v.days.iter().filter(|d| !d.slots.is_empty()).map(|d| view! {
                            <fieldset class="day">
                                <legend>{d.label.clone()}</legend>
                                <div class="slots">
                                    {d.slots.iter().map(|sl| {
                                        let unavailable = sl.past || sl.places_left == 0 || sl.chosen;
                                        let badge = if sl.chosen {
                                            s.slot_yours.to_string()
                                        } else if sl.places_left == 0 {
                                            s.slot_full.to_string()
                                        } else {
                                            s.places(sl.places_left)
                                        };
                                        view! {
                                            <label class="slot" class:unavailable=unavailable class:chosen=sl.chosen>
                                                <input type="radio" name="slot" value=sl.id.to_string() disabled=unavailable required=true />
                                                <span class="time">{sl.time.clone()}</span>
                                                <span class="places">{badge}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        }).collect_view()}
                        {has_free.then(|| view! {
                            <button type="submit" class="button primary">
                                {if rescheduling { s.reschedule_button } else { s.confirm_button }}
                            </button>
                        })}
                    </ActionForm>
                }.into_any()
            } else {
                ().into_any()
            }}
        </section>
    }
}

#[component]
fn DeclineForm(decline: ServerAction<DeclineInvitation>) -> impl IntoView {
    let s = use_locale().strings();
    view! {
        <details class="card decline">
            <summary>{s.decline_heading}</summary>
            <ActionForm action=decline attr:class="decline-form">
                <fieldset>
                    <legend>{s.decline_reason_legend}</legend>
                    {DeclineReason::ALL.into_iter().map(|r| view! {
                        <label class="reason">
                            <input type="radio" name="reason" value=r.as_str() required=true />
                            <span>{s.reason(r)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <label class="note">
                    <span>{s.decline_note_label}</span>
                    <textarea name="note" rows="3" maxlength="500"></textarea>
                </label>
                <button type="submit" class="button danger">{s.decline_button}</button>
            </ActionForm>
        </details>
    }
}
