//! HR pages: sign-in, the campaign list and each campaign's confirmation status. Every page
//! works without JavaScript.

use crate::dto::{CampaignCard, CampaignsPage, GuideEditor, StatusPage};
use crate::error::AppError;
use crate::forms::{HR_HOME_PATH, HR_LOGIN_PATH};
use crate::{for_path_id, path_id, posted, use_locale};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};
use turnout_domain::InvitationState;

/// Signs in; on success the browser goes back to the HR page it asked for (`next`), else `/hr`.
#[server(prefix = "/api", endpoint = "hr_login")]
pub async fn hr_login(email: Option<String>, password: Option<String>, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{append_response_header, auth, finish_form};
    let next = after_sign_in(next.as_deref());
    let result = match (email, password) {
        (Some(e), Some(p)) if !e.trim().is_empty() && !p.is_empty() => auth::sign_in(&e, &p).await,
        _ => Err(AppError::BadCredentials),
    };
    match result {
        Ok((user, cookie)) => {
            tracing::info!(user = user.id, "HR sign-in");
            append_response_header(http::header::SET_COOKIE, &cookie);
            leptos_axum::redirect(next.as_str());
            Ok(())
        }
        Err(e) => finish_form(Err(e), &login_href(&next), |_| String::new()),
    }
}

/// Where to go after signing in: an HR page on this site, else HR's home page.
pub fn after_sign_in(next: Option<&str>) -> turnout_domain::SitePath {
    next.and_then(turnout_domain::SitePath::parse)
        .filter(|p| p.is_under(HR_HOME_PATH) && !p.is_under(HR_LOGIN_PATH))
        .unwrap_or_else(|| turnout_domain::SitePath::parse_or(HR_HOME_PATH, "/"))
}

/// The sign-in page, coming back to `next` afterwards.
pub fn login_href(next: &turnout_domain::SitePath) -> String {
    if next.as_str() == HR_HOME_PATH {
        HR_LOGIN_PATH.to_string()
    } else {
        format!("{HR_LOGIN_PATH}?next={}", crate::url_encode(next.as_str()))
    }
}

/// Signs out and returns to the sign-in page.
#[server(prefix = "/api", endpoint = "hr_logout")]
pub async fn hr_logout() -> Result<(), AppError> {
    let cookie = crate::server::auth::sign_out().await?;
    crate::server::append_response_header(http::header::SET_COOKIE, &cookie);
    leptos_axum::redirect("/hr/login");
    Ok(())
}

/// The campaigns the signed-in user may see.
#[server(prefix = "/api", endpoint = "hr_campaigns")]
pub async fn hr_campaigns() -> Result<CampaignsPage, AppError> {
    crate::server::hr::campaigns_page().await
}

/// One campaign's confirmation status.
#[server(prefix = "/api", endpoint = "hr_status")]
pub async fn hr_status(
    campaign: i64,
    state: Option<String>,
    q: Option<String>,
    after: Option<String>,
) -> Result<StatusPage, AppError> {
    crate::server::hr::status_page(campaign, state, q, after, crate::server::request_locale()).await
}

/// Renders an HR resource's error: a redirect to sign-in, or the message.
pub(crate) fn hr_error(e: AppError) -> AnyView {
    if e == AppError::Unauthorized {
        view! { <Redirect path="/hr/login" /> }.into_any()
    } else {
        #[cfg(feature = "ssr")]
        crate::server::set_page_status(e.status());
        let s = use_locale().strings();
        view! { <p class="notice notice-error" role="alert">{e.message(s)}</p> }.into_any()
    }
}

/// `/hr/login`.
#[component]
pub fn HrLoginPage() -> impl IntoView {
    let s = use_locale().strings();
    let login = ServerAction::<HrLogin>::new();
    let error = posted(|_| None::<()>).and_then(Result::err);
    let next = use_query_map().read_untracked().get("next");
    let next = after_sign_in(next.as_deref()).to_string();
    view! {
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">{s.hr_sign_in}</h1>
            {error.map(|e| view! { <p class="notice notice-error" role="alert">{e.message(s)}</p> })}
            <ActionForm action=login attr:class="stack">
                <input type="hidden" name="next" value=next />
                <label>
                    <span>{s.hr_email}</span>
                    <input type="email" name="email" autocomplete="username" required=true />
                </label>
                <label>
                    <span>{s.hr_password}</span>
                    <input type="password" name="password" autocomplete="current-password" required=true />
                </label>
                <button type="submit" class="button primary">{s.hr_sign_in_button}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SignOut(name: String) -> impl IntoView {
    let s = use_locale().strings();
    let logout = ServerAction::<HrLogout>::new();
    view! {
        <div class="viewer">
            <span>{name}</span>
            <ActionForm action=logout attr:class="inline">
                <button type="submit" class="link">{s.hr_sign_out}</button>
            </ActionForm>
        </div>
    }
}

fn counts_view(card: &CampaignCard) -> impl IntoView {
    let s = use_locale().strings();
    view! {
        <ul class="counts">
            {card.counts.iter().map(|(st, n)| view! {
                <li class=format!("count state-{}", st.as_str())>
                    <span class="n">{*n}</span>
                    <span class="label">{s.state(*st)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// `/hr`: the campaign list.
#[component]
pub fn HrHomePage() -> impl IntoView {
    let s = use_locale().strings();
    let page = Resource::new(|| (), |_| hr_campaigns());
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) => view! {
                        <SignOut name=p.viewer.display_name.clone() />
                        {posted(|_| None::<()>).and_then(Result::err).map(|e| view! {
                            <p class="notice notice-error" role="alert">{e.message(s)}</p>
                        })}
                        <nav class="hr-nav" aria-label=s.page_title_hr>
                            <a class="button primary" href="/hr/calls">{use_locale().follow_up().calls_link}</a>
                            <a class="button secondary" href="/hr/risk">{use_locale().follow_up().model_link}</a>
                        </nav>
                        <h1>{s.hr_campaigns}</h1>
                        {p.campaigns.is_empty().then(|| view! { <p>{s.hr_no_campaigns}</p> })}
                        <ul class="campaigns">
                            {p.campaigns.iter().map(|c| view! {
                                <li class="card">
                                    <h2><a href=format!("/hr/campaigns/{}", c.id)>{c.title.clone()}</a></h2>
                                    <p class="muted">{c.branch.clone()}" · "{c.total}" "{s.hr_candidates}</p>
                                    {counts_view(c)}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/hr/campaigns/:id`: every candidate's confirmation state.
#[component]
pub fn HrStatusPage() -> impl IntoView {
    let s = use_locale().strings();
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (path_id(&params.read()), q.get("state"), q.get("q"), q.get("after"))
        },
        |(id, state, q, after)| for_path_id(id, move |id| hr_status(id, state, q, after)),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => hr_error(e),
                    Ok(p) => status_view(p).into_any(),
                }
            })}
        </Transition>
    }
}

fn filter_href(id: i64, state: Option<InvitationState>, search: &str) -> String {
    let mut href = format!("/hr/campaigns/{id}");
    let mut params = Vec::new();
    if let Some(st) = state {
        params.push(format!("state={}", st.as_str()));
    }
    if !search.is_empty() {
        params.push(format!("q={}", crate::url_encode(search)));
    }
    if !params.is_empty() {
        href.push('?');
        href.push_str(&params.join("&"));
    }
    href
}

fn status_view(p: StatusPage) -> impl IntoView {
    let s = use_locale().strings();
    let id = p.campaign.id;
    let search = p.search.clone();
    let first_href = filter_href(id, p.state, &p.search);
    let next_href = |after: &str| format!("{first_href}{}after={after}", if first_href.contains('?') { '&' } else { '?' });
    view! {
        <SignOut name=p.viewer.display_name.clone() />
        <p><a href="/hr">"← "{s.hr_back}</a></p>
        <h1>{p.campaign.title.clone()}</h1>
        <p class="muted">{p.campaign.branch.clone()}" · "{s.hr_status_heading}" · "{p.time_zone.clone()}
            " · "<a href=format!("/hr/campaigns/{id}/guide")>{s.hr_edit_guide}</a>
            " · "<a href=format!("/hr/campaigns/{id}/feedback")>{use_locale().follow_up().campaign_feedback_link}</a>
            " · "<a href="/hr/calls">{use_locale().follow_up().calls_link}</a>
            " · "<a href=format!("/hr/campaigns/{id}/notices")>{crate::notices::strings(use_locale()).title}</a></p>
        <nav class="filters" aria-label=s.hr_status_heading>
            <a href=filter_href(id, None, &search) aria-current=if p.state.is_none() { "page" } else { "false" }>
                {s.hr_all}" "<span class="n">{p.campaign.total}</span>
            </a>
            {p.campaign.counts.iter().map(|(st, n)| view! {
                <a href=filter_href(id, Some(*st), &search) class=format!("state-{}", st.as_str())
                    aria-current=if p.state == Some(*st) { "page" } else { "false" }>
                    {s.state(*st)}" "<span class="n">{*n}</span>
                </a>
            }).collect_view()}
        </nav>
        <form method="get" class="search" role="search">
            {p.state.map(|st| view! { <input type="hidden" name="state" value=st.as_str() /> })}
            <label>
                <span class="visually-hidden">{s.hr_search_label}</span>
                <input type="search" name="q" value=p.search.clone() placeholder=s.hr_search_label />
            </label>
            <button type="submit" class="button secondary">{s.hr_search_button}</button>
        </form>
        {if p.rows.is_empty() {
            view! { <p>{s.hr_no_candidates}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="status">
                        <thead>
                            <tr>
                                <th scope="col">{s.hr_col_name}</th>
                                <th scope="col">{s.hr_col_state}</th>
                                <th scope="col">{s.hr_col_risk}</th>
                                <th scope="col">{s.hr_col_slot}</th>
                                <th scope="col">{s.hr_col_reason}</th>
                                <th scope="col">{s.hr_col_guide}</th>
                                <th scope="col">{crate::device::DeviceStrings::of(use_locale()).hr_column}</th>
                                <th scope="col">{s.hr_col_contact}</th>
                                <th scope="col">{s.hr_col_activity}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {p.rows.iter().map(|r| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/hr/candidates/{}", r.candidate_id)>{r.name.clone()}</a></th>
                                    <td><span class=format!("badge state-{}", r.state.as_str())>{s.state(r.state)}</span></td>
                                    <td class="risk">{r.risk.as_ref().map(crate::follow_up::risk_badge)}</td>
                                    <td>
                                        {r.slot.clone().unwrap_or_default()}
                                        {(r.reschedules > 0).then(|| view! {
                                            <span class="muted">" ("{crate::i18n::fill(s.hr_rescheduled_times, &[("n", &r.reschedules)])}")"</span>
                                        })}
                                    </td>
                                    <td>
                                        {r.decline_reason.map(|x| s.reason(x))}
                                        {r.decline_note.clone().map(|n| view! { <span class="note">" — "{n}</span> })}
                                    </td>
                                    <td><span class=format!("badge guide-{}", r.guide.as_str())>{s.guide(r.guide)}</span></td>
                                    <td class="device"><crate::device::HrDeviceCell check=r.device_check.clone() /></td>
                                    <td class="contact">{r.contact.clone()}</td>
                                    <td>{r.last_activity.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <p class="muted">{s.hr_risk_note}</p>
        <nav class="pager">
            {p.after.is_some().then(|| view! { <a href=first_href.clone() rel="first">{s.hr_first_page}</a> })}
            {p.next.as_deref().map(|after| view! { <a href=next_href(after) rel="next">{s.hr_next_page}</a> })}
        </nav>
    }
}

/// The guide editor's content.
#[server(prefix = "/api", endpoint = "hr_guide")]
pub async fn hr_guide(campaign: i64) -> Result<GuideEditor, AppError> {
    crate::server::guide::editor(campaign).await
}

/// Saves a campaign's guide.
#[server(prefix = "/api", endpoint = "hr_save_guide")]
pub async fn hr_save_guide(campaign: Option<String>, guide_zh: Option<String>, guide_en: Option<String>) -> Result<(), AppError> {
    let id = campaign.as_deref().and_then(|c| c.parse::<i64>().ok());
    let page = id.map_or_else(|| HR_HOME_PATH.to_string(), |id| format!("/hr/campaigns/{id}/guide"));
    let result = match id {
        Some(id) => {
            crate::server::guide::save(id, guide_zh.as_deref().unwrap_or_default(), guide_en.as_deref().unwrap_or_default()).await
        }
        _ => Err(AppError::InvalidInput(crate::error::InputProblem::Malformed)),
    };
    crate::server::finish_form(result, &page, |_| "saved".to_string())
}

/// `/hr/campaigns/:id/guide`: edit the interview guide.
#[component]
pub fn HrGuidePage() -> impl IntoView {
    let s = use_locale().strings();
    let params = use_params_map();
    let save = ServerAction::<HrSaveGuide>::new();
    let editor = Resource::new(move || path_id(&params.read()), |id| for_path_id(id, hr_guide));
    let outcome = posted(|c| (c == "saved").then_some(()));
    let saved = matches!(outcome, Some(Ok(())));
    let failed = StoredValue::new(outcome.and_then(Result::err));
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Err(e) => hr_error(e),
                    Ok(g) => view! {
                        <p><a href=format!("/hr/campaigns/{}", g.campaign_id)>"← "{g.title.clone()}</a></p>
                        <h1>{s.hr_edit_guide}</h1>
                        {saved.then(|| view! { <p class="notice notice-ok" role="status">{s.hr_saved}</p> })}
                        {failed.get_value().map(|e| view! { <p class="notice notice-error" role="alert">{e.message(s)}</p> })}
                        <ActionForm action=save attr:class="stack guide-editor">
                            <input type="hidden" name="campaign" value=g.campaign_id.to_string() />
                            <label>
                                <span>{s.hr_guide_zh}</span>
                                <textarea name="guide_zh" rows="18" maxlength="10000" readonly=!g.editable>{g.guide_zh.clone()}</textarea>
                            </label>
                            <label>
                                <span>{s.hr_guide_en}</span>
                                <textarea name="guide_en" rows="18" maxlength="10000" readonly=!g.editable>{g.guide_en.clone()}</textarea>
                            </label>
                            {g.editable.then(|| view! { <button type="submit" class="button primary">{s.hr_save}</button> })}
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
