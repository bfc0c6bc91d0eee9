//! HR's notices page for a campaign: the reminder plan editor, each candidate's notices per
//! channel (sent, failed, skipped, opened, clicked), and resending to a filtered set. Works
//! without JavaScript.

// The plan form posts one field per value (so it works without JavaScript), and the server
// function, with the client stub the macro generates, takes each as an argument.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::i18n::Locale;
use crate::{for_path_id, path_id, posted, use_locale};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use turnout_domain::{Channel, InvitationState, NoticeKind};

/// The reminder plan as HR edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanForm {
    /// Channels of the invitation itself.
    pub invitation: Vec<Channel>,
    /// The notices before the slot: which, how many hours before, on which channels.
    pub steps: Vec<(NoticeKind, u32, Vec<Channel>)>,
    /// Hours after which an unread notice is followed up.
    pub unread_hours: u32,
    /// Quiet hours for SMS, `HH:MM`.
    pub quiet_start: String,
    /// End of quiet hours, `HH:MM`.
    pub quiet_end: String,
}

/// One message of a candidate's notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeCell {
    /// Which notice.
    pub notice: NoticeKind,
    /// On which channel.
    pub channel: Channel,
    /// `pending`, `sending`, `sent`, `failed`, `skipped`, `cancelled`.
    pub status: String,
    /// When it went out, or is due (campaign time).
    pub when: String,
    /// Attempts made.
    pub attempts: u32,
    /// Opened (pixel).
    pub opened: bool,
    /// Link followed.
    pub clicked: bool,
    /// Why it failed, was skipped or cancelled.
    pub note: Option<String>,
}

/// One candidate's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeRow {
    /// Candidate id.
    pub candidate_id: i64,
    /// Name.
    pub name: String,
    /// State now.
    pub state: InvitationState,
    /// Notices read / sent.
    pub read: u32,
    /// Notices sent.
    pub sent: u32,
    /// An unread notice was followed up and is still unread.
    pub unread_open: bool,
    /// Whether no notice reached them on any channel, though one was due.
    pub unreachable: bool,
    /// Every message.
    pub cells: Vec<NoticeCell>,
}

/// The page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticesPage {
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign title.
    pub title: String,
    /// The zone times are shown in.
    pub time_zone: String,
    /// Whether the user may edit the plan and resend.
    pub editable: bool,
    /// The plan.
    pub plan: PlanForm,
    /// The state filter.
    pub state: Option<InvitationState>,
    /// The search text.
    pub search: String,
    /// Candidates matching the filter (all of them, not only those shown).
    pub matching: u32,
    /// The candidates shown.
    pub rows: Vec<NoticeRow>,
}

/// The page's data.
#[server(prefix = "/api", endpoint = "hr_notices")]
pub async fn hr_notices(campaign: i64, state: Option<String>, q: Option<String>) -> Result<NoticesPage, AppError> {
    crate::server::notices::page(campaign, state, q, crate::server::request_locale()).await
}

/// Saves the reminder plan; the outcome is `saved` or `invalid-…`.
#[server(prefix = "/api", endpoint = "hr_save_plan")]
pub async fn hr_save_plan(
    campaign: Option<String>,
    invitation_email: Option<String>,
    invitation_sms: Option<String>,
    invitation_work_chat: Option<String>,
    detailed_hours: Option<String>,
    detailed_email: Option<String>,
    detailed_sms: Option<String>,
    detailed_work_chat: Option<String>,
    short_hours: Option<String>,
    short_email: Option<String>,
    short_sms: Option<String>,
    short_work_chat: Option<String>,
    countdown_hours: Option<String>,
    countdown_email: Option<String>,
    countdown_sms: Option<String>,
    countdown_work_chat: Option<String>,
    unread_hours: Option<String>,
    quiet_start: Option<String>,
    quiet_end: Option<String>,
) -> Result<String, AppError> {
    let id = campaign.as_deref().and_then(|c| c.trim().parse::<i64>().ok());
    let page = format!("/hr/campaigns/{}/notices", id.unwrap_or_default());
    let on = |v: &Option<String>| v.is_some();
    let channels = |e: &Option<String>, s: &Option<String>, w: &Option<String>| {
        [(Channel::Email, on(e)), (Channel::Sms, on(s)), (Channel::WorkChat, on(w))]
            .into_iter()
            .filter_map(|(c, chosen)| chosen.then_some(c))
            .collect::<Vec<_>>()
    };
    let form = crate::server::notices::RawPlan {
        invitation: channels(&invitation_email, &invitation_sms, &invitation_work_chat),
        steps: vec![
            (NoticeKind::Detailed, detailed_hours, channels(&detailed_email, &detailed_sms, &detailed_work_chat)),
            (NoticeKind::Short, short_hours, channels(&short_email, &short_sms, &short_work_chat)),
            (NoticeKind::Countdown, countdown_hours, channels(&countdown_email, &countdown_sms, &countdown_work_chat)),
        ],
        unread_hours,
        quiet_start,
        quiet_end,
    };
    let result = match id {
        Some(id) => crate::server::notices::save_plan(id, form).await,
        None => Err(AppError::InvalidInput(crate::error::InputProblem::Malformed)),
    };
    crate::server::finish_form(result, &page, |code| code.clone())
}

/// Sends a notice again, now, on the chosen channels, to every candidate matching the filter.
#[server(prefix = "/api", endpoint = "hr_resend")]
pub async fn hr_resend(
    campaign: Option<String>,
    state: Option<String>,
    q: Option<String>,
    email: Option<String>,
    sms: Option<String>,
    work_chat: Option<String>,
) -> Result<String, AppError> {
    let id = campaign.as_deref().and_then(|c| c.trim().parse::<i64>().ok());
    let mut page = format!("/hr/campaigns/{}/notices", id.unwrap_or_default());
    let mut params = Vec::new();
    if let Some(st) = state.as_deref().filter(|s| !s.is_empty()) {
        params.push(format!("state={}", crate::url_encode(st)));
    }
    if let Some(text) = q.as_deref().filter(|s| !s.is_empty()) {
        params.push(format!("q={}", crate::url_encode(text)));
    }
    if !params.is_empty() {
        page = format!("{page}?{}", params.join("&"));
    }
    let channels: Vec<Channel> = [(Channel::Email, email), (Channel::Sms, sms), (Channel::WorkChat, work_chat)]
        .into_iter()
        .filter_map(|(c, v)| v.map(|_| c))
        .collect();
    let result = match id {
        Some(id) => crate::server::notices::resend(id, state, q, channels).await,
        None => Err(AppError::InvalidInput(crate::error::InputProblem::Malformed)),
    };
    crate::server::finish_form(result, &page, |code| code.clone())
}

/// The page's words.
pub struct NoticeStrings {
    /// Page title and link text.
    pub title: &'static str,
    /// Plan heading.
    pub plan: &'static str,
    /// Plan explanation.
    pub plan_note: &'static str,
    /// The invitation row.
    pub invitation: &'static str,
    /// "hours before".
    pub hours_before: &'static str,
    /// "Follow up unread notices after (hours)".
    pub unread_hours: &'static str,
    /// "No SMS from".
    pub quiet_from: &'static str,
    /// "until".
    pub quiet_until: &'static str,
    /// Save.
    pub save: &'static str,
    /// Saved.
    pub saved: &'static str,
    /// Invalid lead time.
    pub invalid_lead: &'static str,
    /// Invalid unread hours.
    pub invalid_unread: &'static str,
    /// Invalid quiet hours.
    pub invalid_quiet: &'static str,
    /// Resend heading.
    pub resend: &'static str,
    /// Resend explanation.
    pub resend_note: &'static str,
    /// Resend button.
    pub resend_button: &'static str,
    /// "Resent to {n} candidates".
    pub resent: &'static str,
    /// No channel chosen.
    pub choose_channel: &'static str,
    /// Filter button.
    pub filter: &'static str,
    /// All states.
    pub all: &'static str,
    /// Column: candidate.
    pub col_candidate: &'static str,
    /// Column: read.
    pub col_read: &'static str,
    /// Column: notices.
    pub col_notices: &'static str,
    /// An unread follow-up is open.
    pub unread_open: &'static str,
    /// Badge: no channel reached the candidate.
    pub unreachable: &'static str,
    /// "{n} candidates match".
    pub matching: &'static str,
    /// Opened.
    pub opened: &'static str,
    /// Clicked.
    pub clicked: &'static str,
    /// Attempts.
    pub attempts: &'static str,
    /// No notices yet.
    pub none: &'static str,
    /// Back.
    pub back: &'static str,
}

impl NoticeStrings {
    /// A notice's name.
    pub fn notice(&self, k: NoticeKind) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match (k, zh) {
            (NoticeKind::Invitation, true) => "邀请",
            (NoticeKind::Invitation, false) => "Invitation",
            (NoticeKind::Detailed, true) => "详细通知",
            (NoticeKind::Detailed, false) => "Detailed notice",
            (NoticeKind::Short, true) => "简短提醒",
            (NoticeKind::Short, false) => "Short reminder",
            (NoticeKind::Countdown, true) => "倒计时",
            (NoticeKind::Countdown, false) => "Countdown",
            (NoticeKind::FollowUp, true) => "未读跟进",
            (NoticeKind::FollowUp, false) => "Unread follow-up",
            (NoticeKind::Resend, true) => "重发",
            (NoticeKind::Resend, false) => "Resent",
        }
    }

    /// A channel's name.
    pub fn channel(&self, c: Channel) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match (c, zh) {
            (Channel::Email, true) => "邮件",
            (Channel::Email, false) => "E-mail",
            (Channel::Sms, true) => "短信",
            (Channel::Sms, false) => "SMS",
            (Channel::WorkChat, true) => "企业微信",
            (Channel::WorkChat, false) => "Work chat",
        }
    }

    /// A message status's name.
    pub fn status(&self, s: &str) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match (s, zh) {
            ("pending", true) => "待发送",
            ("pending", false) => "Scheduled",
            ("sending", true) => "发送中",
            ("sending", false) => "Sending",
            ("sent", true) => "已发送",
            ("sent", false) => "Sent",
            ("failed", true) => "发送失败",
            ("failed", false) => "Failed",
            ("skipped", true) => "未发送（渠道未配置或无联系方式）",
            ("skipped", false) => "Skipped (channel not set up, or no address)",
            ("cancelled", true) => "已取消",
            ("cancelled", false) => "Cancelled",
            (_, true) => "未知",
            (_, false) => "Unknown",
        }
    }
}

/// Chinese.
pub const ZH: NoticeStrings = NoticeStrings {
    title: "提醒与通知",
    plan: "提醒计划",
    plan_note: "邀请发出时即发送；其余通知按面试开始前的小时数发送。短信在免打扰时段内顺延（1 小时倒计时除外）。修改只影响之后新安排的通知。",
    invitation: "邀请",
    hours_before: "面试前（小时）",
    unread_hours: "通知多少小时未读后发送重要跟进短信",
    quiet_from: "短信免打扰：从",
    quiet_until: "到",
    save: "保存提醒计划",
    saved: "提醒计划已保存。",
    invalid_lead: "通知时间须在面试前 1 至 336 小时之间。",
    invalid_unread: "未读跟进须在 1 至 168 小时之间。",
    invalid_quiet: "免打扰时间请用 HH:MM 格式，例如 22:00。",
    resend: "重发通知",
    resend_note: "立即向当前筛选出的候选人（已谢绝者除外）重发一条通知。",
    resend_button: "重发",
    resent: "已为 {n} 位候选人安排重发。",
    choose_channel: "请至少选择一个渠道。",
    filter: "筛选",
    all: "全部状态",
    col_candidate: "候选人",
    col_read: "已读 / 已发",
    col_notices: "各渠道通知",
    unread_open: "有未读跟进",
    unreachable: "所有渠道都无法送达",
    matching: "符合条件：{n} 人",
    opened: "已打开",
    clicked: "已点击",
    attempts: "尝试次数",
    none: "暂无通知",
    back: "返回确认情况",
};

/// English.
pub const EN: NoticeStrings = NoticeStrings {
    title: "Reminders and notices",
    plan: "Reminder plan",
    plan_note: "The invitation goes out when it is issued; the other notices the given number of hours before the interview. SMS waits for quiet hours to end (except the one-hour countdown). Changes apply to notices planned from now on.",
    invitation: "Invitation",
    hours_before: "Hours before",
    unread_hours: "Send an important follow-up SMS when a notice is unread after (hours)",
    quiet_from: "No SMS from",
    quiet_until: "until",
    save: "Save the plan",
    saved: "The reminder plan was saved.",
    invalid_lead: "A notice goes out between 1 and 336 hours before the interview.",
    invalid_unread: "The unread follow-up comes after 1 to 168 hours.",
    invalid_quiet: "Give quiet hours as HH:MM, e.g. 22:00.",
    resend: "Resend a notice",
    resend_note: "Sends a notice now to every candidate matching the filter (except those who declined).",
    resend_button: "Resend",
    resent: "A notice was planned for {n} candidates.",
    choose_channel: "Choose at least one channel.",
    filter: "Filter",
    all: "All states",
    col_candidate: "Candidate",
    col_read: "Read / sent",
    col_notices: "Notices per channel",
    unread_open: "Unread follow-up open",
    unreachable: "Not reachable on any channel",
    matching: "{n} candidates match",
    opened: "opened",
    clicked: "clicked",
    attempts: "attempts",
    none: "No notices yet",
    back: "Back to confirmation status",
};

/// The strings for a language.
pub fn strings(locale: Locale) -> &'static NoticeStrings {
    match locale {
        Locale::ZhCn => &ZH,
        Locale::En => &EN,
    }
}

fn outcome_message(code: &str, n: &NoticeStrings) -> Option<(bool, String)> {
    match code {
        "saved" => Some((true, n.saved.to_string())),
        "invalid-lead" => Some((false, n.invalid_lead.to_string())),
        "invalid-unread" => Some((false, n.invalid_unread.to_string())),
        "invalid-quiet" => Some((false, n.invalid_quiet.to_string())),
        "no-channel" => Some((false, n.choose_channel.to_string())),
        c => c.strip_prefix("resent-").map(|count| (true, crate::i18n::fill(n.resent, &[("n", &count)]))),
    }
}

/// `/hr/campaigns/:id/notices`.
#[component]
pub fn HrNoticesPage() -> impl IntoView {
    let locale = use_locale();
    let s = locale.strings();
    let n = strings(locale);
    let params = use_params_map();
    let query = use_query_map();
    let save = ServerAction::<HrSavePlan>::new();
    let resend = ServerAction::<HrResend>::new();
    let page = Resource::new(
        move || {
            let q = query.read();
            (path_id(&params.read()), q.get("state"), q.get("q"))
        },
        |(id, state, q)| for_path_id(id, move |id| hr_notices(id, state, q)),
    );
    let shown = StoredValue::new(posted(|c| outcome_message(c, n)).map(|r| r.unwrap_or_else(|e| (false, e.message(s)))));
    let outcome = move || shown.get_value();
    view! {
        <Transition fallback=move || view! { <p class="loading">{s.loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => crate::hr::hr_error(e),
                    Ok(p) => notices_view(p, n, s, save, resend, outcome).into_any(),
                }
            })}
        </Transition>
    }
}

fn channel_boxes(prefix: &'static str, chosen: &[Channel], editable: bool, n: &'static NoticeStrings) -> impl IntoView {
    Channel::ALL
        .into_iter()
        .map(|c| {
            let name = format!("{prefix}_{}", c.as_str());
            view! {
                <label class="inline">
                    <input type="checkbox" name=name value="on" checked=chosen.contains(&c) disabled=!editable />
                    " "{n.channel(c)}
                </label>
            }
        })
        .collect_view()
}

fn notices_view(
    p: NoticesPage,
    n: &'static NoticeStrings,
    s: &'static crate::i18n::Strings,
    save: ServerAction<HrSavePlan>,
    resend: ServerAction<HrResend>,
    outcome: impl Fn() -> Option<(bool, String)> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let id = p.campaign_id;
    let editable = p.editable;
    let step_prefix = |k: NoticeKind| match k {
        NoticeKind::Detailed => "detailed",
        NoticeKind::Short => "short",
        _ => "countdown",
    };
    view! {
        <p><a href=format!("/hr/campaigns/{id}")>"← "{n.back}</a></p>
        <h1>{n.title}" · "{p.title.clone()}</h1>
        {move || outcome().map(|(ok, text)| if ok {
            view! { <p class="notice notice-ok" role="status">{text}</p> }.into_any()
        } else {
            view! { <p class="notice notice-error" role="alert">{text}</p> }.into_any()
        })}
        <section class="card" aria-labelledby="plan-title">
            <h2 id="plan-title">{n.plan}</h2>
            <p class="muted">{n.plan_note}</p>
            <ActionForm action=save attr:class="stack plan-editor">
                <input type="hidden" name="campaign" value=id.to_string() />
                <fieldset>
                    <legend>{n.invitation}</legend>
                    {channel_boxes("invitation", &p.plan.invitation, editable, n)}
                </fieldset>
                {p.plan.steps.iter().map(|(kind, hours, chosen)| {
                    let prefix = step_prefix(*kind);
                    view! {
                        <fieldset>
                            <legend>{n.notice(*kind)}</legend>
                            <label class="inline">
                                {n.hours_before}" "
                                <input type="number" name=format!("{prefix}_hours") min="1" max="336" value=hours.to_string() readonly=!editable required=true />
                            </label>
                            {channel_boxes(prefix, chosen, editable, n)}
                        </fieldset>
                    }
                }).collect_view()}
                <label>
                    <span>{n.unread_hours}</span>
                    <input type="number" name="unread_hours" min="1" max="168" value=p.plan.unread_hours.to_string() readonly=!editable required=true />
                </label>
                <p>
                    <label class="inline">{n.quiet_from}" "<input type="time" name="quiet_start" value=p.plan.quiet_start.clone() readonly=!editable required=true /></label>
                    " "
                    <label class="inline">{n.quiet_until}" "<input type="time" name="quiet_end" value=p.plan.quiet_end.clone() readonly=!editable required=true /></label>
                    " ("{p.time_zone.clone()}")"
                </p>
                {editable.then(|| view! { <button type="submit" class="button primary">{n.save}</button> })}
            </ActionForm>
        </section>
        <form method="get" class="search" role="search">
            <label>
                <span class="visually-hidden">{s.hr_col_state}</span>
                <select name="state">
                    <option value="" selected=p.state.is_none()>{n.all}</option>
                    {InvitationState::ALL.iter().map(|st| view! {
                        <option value=st.as_str() selected=p.state == Some(*st)>{s.state(*st)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span class="visually-hidden">{s.hr_search_label}</span>
                <input type="search" name="q" value=p.search.clone() placeholder=s.hr_search_label />
            </label>
            <button type="submit" class="button secondary">{n.filter}</button>
        </form>
        <p class="muted">{crate::i18n::fill(n.matching, &[("n", &p.matching)])}</p>
        {editable.then(|| view! {
            <section class="card" aria-labelledby="resend-title">
                <h2 id="resend-title">{n.resend}</h2>
                <p class="muted">{n.resend_note}</p>
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="campaign" value=id.to_string() />
                    <input type="hidden" name="state" value=p.state.map(|st| st.as_str()).unwrap_or_default() />
                    <input type="hidden" name="q" value=p.search.clone() />
                    {Channel::ALL.into_iter().map(|c| view! {
                        <label class="inline"><input type="checkbox" name=c.as_str() value="on" />" "{n.channel(c)}</label>
                    }).collect_view()}
                    " "
                    <button type="submit" class="button secondary">{n.resend_button}</button>
                </ActionForm>
            </section>
        })}
        <div class="table-wrap">
            <table class="status notices">
                <thead>
                    <tr>
                        <th scope="col">{n.col_candidate}</th>
                        <th scope="col">{s.hr_col_state}</th>
                        <th scope="col">{n.col_read}</th>
                        <th scope="col">{n.col_notices}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.rows.iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.name.clone()}</th>
                            <td><span class=format!("badge state-{}", r.state.as_str())>{s.state(r.state)}</span></td>
                            <td>
                                {format!("{} / {}", r.read, r.sent)}
                                {r.unread_open.then(|| view! { <span class="badge risk-high">{n.unread_open}</span> })}
                                {r.unreachable.then(|| view! { <span class="badge risk-high">{n.unreachable}</span> })}
                            </td>
                            <td>
                                {if r.cells.is_empty() {
                                    view! { <span class="muted">{n.none}</span> }.into_any()
                                } else {
                                    view! {
                                        <ul class="messages">
                                            {r.cells.iter().map(|c| view! {
                                                <li class=format!("message status-{}", c.status)>
                                                    {n.notice(c.notice)}" · "{n.channel(c.channel)}" — "
                                                    <strong>{n.status(&c.status)}</strong>" "{c.when.clone()}
                                                    {(c.attempts > 1).then(|| format!(" ({} {})", n.attempts, c.attempts))}
                                                    {c.opened.then(|| view! { " · "<span class="badge state-confirmed">{n.opened}</span> })}
                                                    {c.clicked.then(|| view! { " · "<span class="badge state-confirmed">{n.clicked}</span> })}
                                                    {c.note.clone().map(|x| view! { <span class="muted">" — "{x}</span> })}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
