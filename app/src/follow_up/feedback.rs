//! `/invitation/feedback`: the candidate's survey (after the interview) and problem report.
//! One answer of each kind, which the candidate can change.

use super::dto::{CandidateFeedback, Saved};
use super::notice_view;
use crate::candidate::InvalidLink;
use crate::error::AppError;
use crate::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use turnout_domain::feedback::{ProblemArea, Score};

/// The page's path.
pub const FEEDBACK_PATH: &str = "/invitation/feedback";

/// The candidate's answers so far.
#[server(prefix = "/api", endpoint = "feedback")]
pub async fn get_feedback() -> Result<CandidateFeedback, AppError> {
    crate::server::follow_up::candidate_feedback().await
}

/// Saves the survey.
#[server(prefix = "/api", endpoint = "feedback_survey")]
pub async fn send_survey(
    satisfaction: Option<String>,
    relevance: Option<String>,
    comment: Option<String>,
) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::save_survey(satisfaction, relevance, comment).await;
    crate::server::finish_form(result, FEEDBACK_PATH, |s| s.code().to_string())
}

/// Saves the problem report.
#[server(prefix = "/api", endpoint = "feedback_problem")]
pub async fn send_problem(area: Option<String>, description: Option<String>) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::save_problem(area, description).await;
    crate::server::finish_form(result, FEEDBACK_PATH, |s| s.code().to_string())
}

/// `/invitation/feedback`.
#[component]
pub fn FeedbackPage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let survey = ServerAction::<SendSurvey>::new();
    let problem = ServerAction::<SendProblem>::new();
    let page = Resource::new(|| (), |_| get_feedback());
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <div id="feedback" data-swap="">
                            {notice_view()}
                            {feedback_view(p, survey, problem)}
                        </div>
                        <crate::enhance::FormEnhancement />
                    }.into_any(),
                    Err(e) => view! { <InvalidLink error=e /> }.into_any()
                }
            })}
        </Transition>
    }
}

fn rating(name: &'static str, legend: &'static str, scale: &'static str, chosen: Option<u8>) -> impl IntoView {
    view! {
        <fieldset class="rating">
            <legend>{legend}<span class="muted small">" ("{scale}")"</span></legend>
            <div class="scores">
                {(Score::MIN..=Score::MAX).map(|n| view! {
                    <label class="score">
                        <input type="radio" name=name value=n required=true checked=chosen == Some(n) />
                        <span>{n}</span>
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
    }
}

fn feedback_view(p: CandidateFeedback, survey: ServerAction<SendSurvey>, problem: ServerAction<SendProblem>) -> impl IntoView {
    let f = use_locale().follow_up();
    let (sat, rel, comment) = match &p.survey {
        Some((a, b, c)) => (Some(*a), Some(*b), c.clone()),
        None => (None, None, String::new()),
    };
    let (area, description) = p.problem.clone().unwrap_or_default();
    view! {
        <p><a href=crate::candidate::INVITATION_PATH>"← "{f.back_to_invitation}</a></p>
        <h1>{f.feedback_title}</h1>
        <p class="muted">{f.feedback_intro}</p>
        <section class="card" id="survey" aria-labelledby="survey-title">
            <h2 id="survey-title">{f.survey_title}</h2>
            {if p.survey_open {
                view! {
                    {p.survey.is_some().then(|| view! { <p class="muted small">{f.editable_note}</p> })}
                    <ActionForm action=survey attr:class="stack">
                        {rating("satisfaction", f.survey_satisfaction, f.survey_scale, sat)}
                        {rating("relevance", f.survey_relevance, f.survey_scale, rel)}
                        <label>
                            <span>{f.survey_comment}</span>
                            <textarea name="comment" rows="3" maxlength="1000">{comment}</textarea>
                        </label>
                        <button type="submit" class="button primary">{f.survey_submit}</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p class="muted">{f.survey_closed}</p> }.into_any()
            }}
        </section>
        <section class="card" id="problem" aria-labelledby="problem-title">
            <h2 id="problem-title">{f.problem_title}</h2>
            <p class="muted">{f.problem_intro}</p>
            {p.problem.is_some().then(|| view! { <p class="muted small">{f.editable_note}</p> })}
            <ActionForm action=problem attr:class="stack">
                <label>
                    <span>{f.problem_area}</span>
                    <select name="area" required=true>
                        {ProblemArea::ALL.iter().map(|a| view! {
                            <option value=a.as_str() selected=area == a.as_str()>{f.area(*a)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{f.problem_description}</span>
                    <textarea name="description" rows="3" maxlength="1000" required=true>{description}</textarea>
                </label>
                <button type="submit" class="button primary">{f.problem_submit}</button>
            </ActionForm>
            {(!p.help_contact.is_empty()).then(|| view! {
                <p class="help">{f.help_contact}{use_locale().strings().label_sep}{p.help_contact.clone()}</p>
            })}
        </section>
    }
}
