//! HR's follow-up pages — today's call list, a candidate's page (risk with HR's override, calls,
//! outcome, feedback, activity), a campaign's feedback summary and the risk model — and the
//! candidate's feedback page. Every form works without JavaScript.

pub mod dto;
pub mod feedback;
pub mod strings;

use crate::error::AppError;
use crate::hr::hr_error;
use crate::{for_path_id, path_id, use_locale};
use dto::{CallListPage, CandidatePage, FeedbackSummaryPage, ModelPage, RiskBadge, Saved};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use turnout_domain::call::{CallOutcome, InterviewOutcome};
use turnout_domain::risk::RiskLevel;

/// Today's call list.
#[server(prefix = "/api", endpoint = "hr_calls")]
pub async fn hr_calls(after: Option<String>) -> Result<CallListPage, AppError> {
    crate::server::follow_up::call_list(after, crate::server::request_locale()).await
}

/// Records a call's outcome. `from` = `calls` returns a plain form to the call list.
#[server(prefix = "/api", endpoint = "hr_record_call")]
pub async fn hr_record_call(
    candidate: i64,
    outcome: Option<String>,
    note: Option<String>,
    from: Option<String>,
) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::record_call(candidate, outcome, note).await;
    let page = if from.as_deref() == Some("calls") { "/hr/calls".to_string() } else { format!("/hr/candidates/{candidate}") };
    crate::server::finish_form(result, &page, |s| s.code().to_string())
}

/// A candidate's page.
#[server(prefix = "/api", endpoint = "hr_candidate")]
pub async fn hr_candidate(candidate: i64) -> Result<CandidatePage, AppError> {
    crate::server::follow_up::candidate_page(candidate, crate::server::request_locale()).await
}

/// Sets HR's override of the rating (an empty level or `model` removes it).
#[server(prefix = "/api", endpoint = "hr_override")]
pub async fn hr_override(candidate: i64, level: Option<String>, note: Option<String>) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::override_risk(candidate, level, note).await;
    crate::server::finish_form(result, &format!("/hr/candidates/{candidate}"), |s| s.code().to_string())
}

/// Records whether the candidate attended.
#[server(prefix = "/api", endpoint = "hr_outcome")]
pub async fn hr_outcome(candidate: i64, outcome: Option<String>) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::record_outcome(candidate, outcome).await;
    crate::server::finish_form(result, &format!("/hr/candidates/{candidate}"), |s| s.code().to_string())
}

/// A campaign's feedback summary.
#[server(prefix = "/api", endpoint = "hr_feedback")]
pub async fn hr_feedback(campaign: i64) -> Result<FeedbackSummaryPage, AppError> {
    crate::server::follow_up::feedback_summary(campaign, crate::server::request_locale()).await
}

/// The risk model's page.
#[server(prefix = "/api", endpoint = "hr_risk_model")]
pub async fn hr_risk_model() -> Result<ModelPage, AppError> {
    crate::server::follow_up::model_page().await
}

/// Trains a model on the recorded outcomes.
#[server(prefix = "/api", endpoint = "hr_train_model")]
pub async fn hr_train_model() -> Result<Saved, AppError> {
    let result = crate::server::follow_up::train_model().await;
    crate::server::finish_form(result, "/hr/risk", |s| s.code().to_string())
}

/// Saves the level thresholds.
#[server(prefix = "/api", endpoint = "hr_thresholds")]
pub async fn hr_thresholds(medium: Option<String>, high: Option<String>) -> Result<Saved, AppError> {
    let result = crate::server::follow_up::save_thresholds(medium, high).await;
    crate::server::finish_form(result, "/hr/risk", |s| s.code().to_string())
}

/// What a page says after one of its forms.
pub(crate) fn notice_view() -> impl IntoView {
    let locale = use_locale();
    crate::posted(Saved::from_code).map(|r| match r {
        Ok(saved) => view! { <p class="notice notice-ok" role="status">{saved.message(locale.follow_up())}</p> }.into_any(),
        Err(e) => view! { <p class="notice notice-error" role="alert">{e.message(locale.strings())}</p> }.into_any(),
    })
}

pub(crate) fn risk_badge(r: &RiskBadge) -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let f = locale.follow_up();
    let percent = format!("{}%", r.percent);
    let (open, close) = if locale == crate::i18n::Locale::En { (" (", ")") } else { ("（", "）") };
    view! {
        {match r.model_level.clone() {
            None => view! { <span class=format!("badge risk-{}", r.level)>{s.risk(&r.level)}" "{percent}</span> }.into_any(),
            Some(m) => view! {
                <span class=format!("badge risk-{}", r.level)>{s.risk(&r.level)}</span>
                <span class="muted small">" "{f.overridden_badge}{open}{f.risk_model_said}{s.label_sep}{s.risk(&m)}" "{percent}{close}</span>
            }.into_any(),
        }}
        {(!r.reasons.is_empty()).then(|| view! {
            <ul class="reasons">{r.reasons.iter().map(|x| view! { <li>{x.clone()}</li> }).collect_view()}</ul>
        })}
    }
}

fn call_form(candidate_id: i64, from: &'static str, action: ServerAction<HrRecordCall>) -> impl IntoView {
    let f = use_locale().follow_up();
    view! {
        <ActionForm action=action attr:class="call-form">
            <input type="hidden" name="candidate" value=candidate_id />
            <input type="hidden" name="from" value=from />
            <label>
                <span class="visually-hidden">{f.call_outcome}</span>
                <select name="outcome" required=true>
                    <option value="">{f.call_outcome}</option>
                    {CallOutcome::ALL.iter().map(|o| view! { <option value=o.as_str()>{f.call_outcome_label(*o)}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <span class="visually-hidden">{f.call_note}</span>
                <input type="text" name="note" maxlength="500" placeholder=f.call_note />
            </label>
            <button type="submit" class="button secondary">{f.call_submit}</button>
        </ActionForm>
    }
}

/// `/hr/calls`: today's call list.
#[component]
pub fn HrCallsPage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let f = locale.follow_up();
    let record = ServerAction::<HrRecordCall>::new();
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("after"), hr_calls);
    view! {
        <p><a href="/hr">"← "{s.hr_back}</a></p>
        <h1>{f.calls_title}</h1>
        <p class="muted">{f.calls_intro}</p>
        {notice_view()}
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) if p.rows.is_empty() && p.after.is_none() => {
                        view! { <p class="empty">{f.calls_empty}</p> }.into_any()
                    }
                    Ok(p) => view! {
                        <p class="count">{crate::i18n::fill(f.calls_total, &[("n", &p.total)])}</p>
                        <ol class="call-list">
                            {p.rows.into_iter().map(|r| view! {
                                <li class="card call" data-candidate=r.candidate_id>
                                    <div class="call-head">
                                        <h2><a href=format!("/hr/candidates/{}", r.candidate_id)>{r.name.clone()}</a></h2>
                                        <span class=format!("badge state-{}", r.state.as_str())>{s.state(r.state)}</span>
                                    </div>
                                    <p class="muted">{r.campaign.clone()}{r.slot.clone().map(|x| format!(" · {x}"))}</p>
                                    <p class="why"><strong>{f.col_why}{s.label_sep}</strong>{r.why.join("；")}</p>
                                    <div class="risk">{risk_badge(&r.risk)}</div>
                                    {r.phone.clone().map(|ph| match turnout_domain::contact::tel_uri(&ph) {
                                        Some(tel) => view! {
                                            <p class="phone"><a class="button secondary" href=tel>{f.col_phone}" "{ph}</a></p>
                                        }.into_any(),
                                        // Not a number a phone can dial: shown, not linked.
                                        None => view! { <p class="phone">{f.col_phone}" "{ph}</p> }.into_any(),
                                    })}
                                    {p.editable.then(|| call_form(r.candidate_id, "calls", record))}
                                </li>
                            }).collect_view()}
                        </ol>
                        <nav class="pager">
                            {p.after.is_some().then(|| view! { <a href="/hr/calls" rel="first">{s.hr_first_page}</a> })}
                            {p.next.clone().map(|after| view! {
                                <a href=format!("/hr/calls?after={after}") rel="next">{s.hr_next_page}</a>
                            })}
                        </nav>
                    }.into_any(),
                }
            })}
        </Transition>
        <p class="muted">{s.hr_risk_note}</p>
    }
}

/// `/hr/candidates/:id`: one candidate.
#[component]
pub fn HrCandidatePage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let params = use_params_map();
    let record = ServerAction::<HrRecordCall>::new();
    let override_action = ServerAction::<HrOverride>::new();
    let outcome = ServerAction::<HrOutcome>::new();
    let page = Resource::new(move || path_id(&params.read()), |id| for_path_id(id, hr_candidate));
    view! {
        {notice_view()}
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) => candidate_view(p, record, override_action, outcome).into_any(),
                }
            })}
        </Transition>
    }
}

fn candidate_view(
    p: CandidatePage,
    record: ServerAction<HrRecordCall>,
    override_action: ServerAction<HrOverride>,
    outcome: ServerAction<HrOutcome>,
) -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let f = locale.follow_up();
    let id = p.candidate_id;
    let history = crate::i18n::fill(f.risk_history, &[("a", &p.history.0), ("n", &p.history.1)]);
    view! {
        <p><a href=format!("/hr/campaigns/{}", p.campaign_id)>"← "{p.campaign.clone()}</a></p>
        <h1>{p.name.clone()}</h1>
        <p class="muted">
            <span class=format!("badge state-{}", p.state.as_str())>{s.state(p.state)}</span>
            {p.slot.clone().map(|x| format!(" · {x}"))}
            {p.phone.clone().map(|x| format!(" · {x}"))}
            {p.email.clone().map(|x| format!(" · {x}"))}
        </p>
        <section class="card" aria-labelledby="risk-title">
            <h2 id="risk-title">{f.risk_title}</h2>
            <div class="risk">{risk_badge(&p.risk)}</div>
            {p.assessed.clone().map(|(at, v)| view! {
                <p class="muted small">{f.risk_assessed}{s.label_sep}{at}" · "{f.model_version}" "{v}</p>
            })}
            <p class="muted small">{history}</p>
            {p.risk_override.clone().map(|o| view! {
                <p class="override"><strong>{f.override_current}" "{s.risk(&o.level)}</strong>{s.label_sep}{o.note}
                    <span class="muted small">" ("{o.by}", "{o.at}")"</span></p>
            })}
            {p.editable.then(|| view! {
                <details class="override-form" open=p.risk_override.is_some()>
                    <summary>{f.override_title}</summary>
                    <ActionForm action=override_action attr:class="stack">
                        <input type="hidden" name="candidate" value=id />
                        <label>
                            <span>{f.override_level}</span>
                            <select name="level">
                                {RiskLevel::ALL.iter().rev().map(|l| view! { <option value=l.as_str()>{s.risk(l.as_str())}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{f.override_note}</span>
                            <textarea name="note" rows="2" maxlength="500" required=true></textarea>
                        </label>
                        <button type="submit" class="button primary">{f.override_submit}</button>
                    </ActionForm>
                    {p.risk_override.is_some().then(|| view! {
                        <ActionForm action=override_action attr:class="inline">
                            <input type="hidden" name="candidate" value=id />
                            <input type="hidden" name="level" value="model" />
                            <button type="submit" class="link">{f.override_clear}</button>
                        </ActionForm>
                    })}
                </details>
            })}
            <p class="muted small">{s.hr_risk_note}</p>
        </section>
        <section class="card" aria-labelledby="calls-title">
            <h2 id="calls-title">{f.calls_section}</h2>
            {if p.calls.is_empty() {
                view! { <p class="muted">{f.calls_none}</p> }.into_any()
            } else {
                view! {
                    <ul class="calls">
                        {p.calls.iter().map(|c| view! {
                            <li><strong>{c.outcome.clone()}</strong>{(!c.note.is_empty()).then(|| format!(" — {}", c.note))}
                                <span class="muted small">" ("{c.by.clone()}", "{c.at.clone()}")"</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {p.editable.then(|| call_form(id, "candidate", record))}
        </section>
        <section class="card" aria-labelledby="outcome-title">
            <h2 id="outcome-title">{f.outcome_title}</h2>
            <p>{p.outcome.as_deref().and_then(|o| o.parse::<InterviewOutcome>().ok()).map(|o| f.interview_outcome(o)).unwrap_or(f.outcome_none)}</p>
            {match (p.editable, p.outcome_allowed) {
                (true, true) => view! {
                    <ActionForm action=outcome attr:class="call-form">
                        <input type="hidden" name="candidate" value=id />
                        <select name="outcome" required=true>
                            {InterviewOutcome::ALL.iter().map(|o| view! { <option value=o.as_str()>{f.interview_outcome(*o)}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button secondary">{f.outcome_submit}</button>
                    </ActionForm>
                }.into_any(),
                (true, false) => view! { <p class="muted small">{f.outcome_not_yet}</p> }.into_any(),
                _ => ().into_any(),
            }}
        </section>
        <section class="card" aria-labelledby="feedback-title">
            <h2 id="feedback-title">{f.feedback_section}</h2>
            {if p.feedback.is_empty() {
                view! { <p class="muted">{f.feedback_none}</p> }.into_any()
            } else {
                view! {
                    <ul class="feedback-list">
                        {p.feedback.iter().map(|x| view! {
                            <li class=format!("feedback-{}", x.kind)><strong>{x.title.clone()}</strong>
                                {(!x.text.is_empty()).then(|| view! { <blockquote>{x.text.clone()}</blockquote> })}
                                <span class="muted small">{x.at.clone()}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="activity-title">
            <h2 id="activity-title">{f.activity_title}</h2>
            <ol class="activity">
                {p.activity.iter().map(|a| view! { <li><span class="muted small">{a.at.clone()}</span>" "{a.what.clone()}</li> }).collect_view()}
            </ol>
        </section>
    }
}

/// `/hr/campaigns/:id/feedback`: what a campaign's candidates said.
#[component]
pub fn HrFeedbackPage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let params = use_params_map();
    let page = Resource::new(move || path_id(&params.read()), |id| for_path_id(id, hr_feedback));
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) => feedback_summary_view(p).into_any(),
                }
            })}
        </Transition>
    }
}

fn histogram(counts: &[i64]) -> impl IntoView {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    view! {
        <ol class="histogram">
            {counts.iter().enumerate().map(|(i, n)| view! {
                <li>
                    <span class="score">{i + 1}</span>
                    <span class="bar" style=format!("width: {}%", n * 100 / max)></span>
                    <span class="n">{*n}</span>
                </li>
            }).collect_view()}
        </ol>
    }
}

fn counted(items: &[(String, i64)], empty: &'static str) -> AnyView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="counted">{items.iter().map(|(label, n)| view! { <li>{label.clone()}<span class="n">{*n}</span></li> }).collect_view()}</ul>
    }
    .into_any()
}

fn feedback_summary_view(p: FeedbackSummaryPage) -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let f = locale.follow_up();
    view! {
        <p><a href=format!("/hr/campaigns/{}", p.campaign_id)>"← "{p.campaign.clone()}</a></p>
        <h1>{f.campaign_feedback_title}</h1>
        <div class="summary-grid">
            <section class="card">
                <h2>{f.surveys_answered}" "<span class="n">{p.surveys}</span></h2>
                {(p.surveys > 0).then(|| view! {
                    <h3>{f.mean_satisfaction}" "<span class="n">{p.satisfaction_mean.clone().unwrap_or_default()}</span></h3>
                    {histogram(&p.satisfaction)}
                    <h3>{f.mean_relevance}" "<span class="n">{p.relevance_mean.clone().unwrap_or_default()}</span></h3>
                    {histogram(&p.relevance)}
                })}
            </section>
            <section class="card">
                <h2>{f.problems_reported}</h2>
                {counted(&p.problems, f.nothing_yet)}
                <h2>{f.declines_by_reason}</h2>
                {counted(&p.declines, f.nothing_yet)}
            </section>
        </div>
        <section class="card">
            <h2>{f.recent_comments}</h2>
            {if p.recent.is_empty() {
                view! { <p class="muted">{f.nothing_yet}</p> }.into_any()
            } else {
                view! {
                    <ul class="feedback-list">
                        {p.recent.iter().map(|x| view! {
                            <li><a href=format!("/hr/candidates/{}", x.candidate_id)>{x.name.clone()}</a>" · "<strong>{x.title.clone()}</strong>
                                <blockquote>{x.text.clone()}</blockquote><span class="muted small">{x.at.clone()}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <p class="muted">{s.hr_risk_note}</p>
    }
}

/// `/hr/risk`: the model in use, its accuracy, thresholds and training.
#[component]
pub fn HrModelPage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let train = ServerAction::<HrTrainModel>::new();
    let thresholds = ServerAction::<HrThresholds>::new();
    let page = Resource::new(|| (), |_| hr_risk_model());
    view! {
        <p><a href="/hr">"← "{s.hr_back}</a></p>
        {notice_view()}
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) => model_view(p, train, thresholds).into_any(),
                }
            })}
        </Transition>
    }
}

fn model_view(p: ModelPage, train: ServerAction<HrTrainModel>, thresholds: ServerAction<HrThresholds>) -> impl IntoView {
    let f = use_locale().follow_up();
    let active = p.models.iter().find(|m| m.active).cloned();
    let need = crate::i18n::fill(
        f.model_train_need,
        &[("min", &p.min_examples), ("each", &p.min_per_outcome), ("have", &p.outcomes), ("no_shows", &p.outcome_no_shows)],
    );
    view! {
        <h1>{f.model_title}</h1>
        <p class="muted">{f.model_intro}</p>
        <section class="card" aria-labelledby="in-use">
            <h2 id="in-use">{f.model_in_use}</h2>
            {match active {
                None => view! { <p class="model-version">{f.model_defaults}</p> }.into_any(),
                Some(m) => view! {
                    <p class="model-version">{f.model_version}" "{m.version}" · "{f.model_trained_at}" "{m.trained_at.clone()}" · "{m.trained_by.clone()}</p>
                    <dl class="figures">
                        <div><dt>{f.model_auc}</dt><dd class="auc">{format!("{:.3}", m.auc)}</dd><dd class="muted small">{f.model_auc_help}</dd></div>
                        <div><dt>{f.model_capture}</dt><dd class="capture">{format!("{:.0}%", m.capture_percent)}</dd><dd class="muted small">{f.model_capture_help}</dd></div>
                        <div><dt>{f.model_examples}</dt><dd>{m.examples}" ("{m.no_shows}")"</dd></div>
                    </dl>
                    <h3>{f.model_calibration}</h3>
                    <div class="table-wrap">
                        <table class="calibration">
                            <thead><tr><th scope="col">{f.model_predicted}</th><th scope="col">{f.model_observed}</th><th scope="col">{f.model_count}</th></tr></thead>
                            <tbody>
                                {m.calibration.iter().map(|(pred, obs, n)| view! {
                                    <tr><td>{format!("{pred:.0}%")}</td><td>{format!("{obs:.0}%")}</td><td>{*n}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <section class="card" aria-labelledby="thresholds">
            <h2 id="thresholds">{f.thresholds_title}</h2>
            <ActionForm action=thresholds attr:class="thresholds">
                <label><span>{f.threshold_medium}</span>
                    <input type="number" name="medium" min="1" max="99" step="1" value=p.medium_percent disabled=!p.editable /></label>
                <label><span>{f.threshold_high}</span>
                    <input type="number" name="high" min="1" max="99" step="1" value=p.high_percent disabled=!p.editable /></label>
                {p.editable.then(|| view! { <button type="submit" class="button secondary">{f.thresholds_submit}</button> })}
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="train">
            <h2 id="train">{f.model_train}</h2>
            <p class="muted">{need}</p>
            {p.editable.then(|| view! {
                <ActionForm action=train>
                    <button type="submit" class="button primary">{f.model_train}</button>
                </ActionForm>
            })}
        </section>
        <section class="card" aria-labelledby="history">
            <h2 id="history">{f.model_history}</h2>
            {if p.models.is_empty() {
                view! { <p class="muted">{f.model_none_trained}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr><th scope="col">{f.model_version}</th><th scope="col">{f.model_trained_at}</th>
                                <th scope="col">{f.model_auc}</th><th scope="col">{f.model_capture}</th><th scope="col">{f.model_examples}</th></tr></thead>
                            <tbody>
                                {p.models.iter().map(|m| view! {
                                    <tr class:active=m.active><td>{m.version}</td><td>{m.trained_at.clone()}</td>
                                        <td>{format!("{:.3}", m.auc)}</td><td>{format!("{:.0}%", m.capture_percent)}</td>
                                        <td>{m.examples}" ("{m.no_shows}")"</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
