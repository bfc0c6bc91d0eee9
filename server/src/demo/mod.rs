//! Demo data: a campaign with slots over the next three days, 46 candidates at different
//! steps of the journey, an earlier campaign whose recorded outcomes give the risk model a
//! history to learn from, and an HR admin.
//!
//! Links and passwords are stored hashed, so a second run cannot print the old ones: it issues
//! fresh links for the not-yet-opened candidates and a fresh admin password instead.

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use serde::Serialize;
use turnout_app::server::auth::hash_password;
use turnout_domain::{
    Capacity, DeclineNote, DeclineReason, InvitationState, InvitationWindow, ReschedulePolicy, SignalSource, TimeZone, WindowDays,
};
pub mod history;

use turnout_store::{secret::new_token, Decline, HrRole, NewCampaign, NewCandidate, StatusQuery, Store, StoreError};

/// The demo admin's sign-in e-mail.
pub const DEMO_ADMIN_EMAIL: &str = "hr@turnout.local";

/// What `turnout demo` prints.
#[derive(Debug, Serialize)]
pub struct DemoOutput {
    /// HR sign-in.
    pub hr: HrCredentials,
    /// The demo campaign.
    pub campaign_id: i64,
    /// Its title as HR sees it.
    pub campaign_title: String,
    /// Fresh links of candidates who have not opened theirs yet.
    pub candidates: Vec<CandidateLink>,
    /// Candidates who missed an earlier interview and have not opened this invitation (on
    /// today's call list).
    pub at_risk: Vec<String>,
}

/// HR credentials.
#[derive(Debug, Serialize)]
pub struct HrCredentials {
    /// E-mail.
    pub email: String,
    /// Password (freshly generated).
    pub password: String,
    /// Where to sign in.
    pub login_url: String,
}

/// A candidate's link.
#[derive(Debug, Serialize)]
pub struct CandidateLink {
    /// Name.
    pub name: String,
    /// The invitation link.
    pub link: String,
}

const NAMES: [&str; 44] = [
    "王晓明",
    "李思雨",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄婷",
    "周杰",
    "吴敏",
    "徐峰",
    "孙丽",
    "马超",
    "朱琳",
    "胡斌",
    "郭悦",
    "许诺",
    "沈清",
    "韩冰",
    "唐宁",
    "何欣",
    "高远",
    "林涛",
    "罗佳",
    "谢婉",
    "邓超",
    "冯雪",
    "曹阳",
    "彭丹",
    "曾凡",
    "萧然",
    "田甜",
    "董浩",
    "袁媛",
    "潘越",
    "蒋琪",
    "蔡明",
    "余波",
    "杜娟",
    "叶青",
    "程诚",
    "魏来",
    "苏晴",
    "吕方",
];

/// Local start times and capacities of each day's slots. The 14:00 slot holds one person.
const DAY_PLAN: [(u32, u32, i64); 5] = [(9, 0, 3), (10, 30, 5), (14, 0, 1), (16, 0, 4), (19, 30, 2)];

/// Seeds the demo when the database has no campaign, then issues fresh credentials.
pub async fn seed(store: &Store, base_url: &str, now: DateTime<Utc>) -> Result<DemoOutput, StoreError> {
    let password = {
        let (token, _) = new_token();
        token.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect::<String>()
    };
    let hash = hash_password(&password).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let admin = store.upsert_hr_user(DEMO_ADMIN_EMAIL, "HR 管理员", &hash, HrRole::Admin, None, now).await?;
    // Campaigns list newest first; the demo campaign is created first, its history after it.
    let campaign_id = match store.campaigns(None).await?.last() {
        Some(c) => c.id,
        None => {
            let id = create(store, base_url, now).await?;
            history::seed(store, base_url, admin, id, now).await?;
            id
        }
    };
    let campaign = store.campaign(campaign_id).await?;

    let query = StatusQuery { state: Some(InvitationState::Invited), limit: 1000, ..StatusQuery::default() };
    let mut fresh = store.campaign_status(campaign_id, now, &query).await?;
    fresh.sort_by_key(|c| c.candidate_id);
    let mut candidates = Vec::new();
    for c in fresh {
        let (token, hash) = new_token();
        store.reissue_link(c.candidate_id, &hash, SignalSource::System, now).await?;
        candidates.push(CandidateLink { name: c.full_name, link: format!("{base_url}/i/{token}") });
    }
    let at_risk = history::AT_RISK.iter().map(|(name, _, _)| (*name).to_string()).collect();
    Ok(DemoOutput {
        at_risk,
        hr: HrCredentials { email: DEMO_ADMIN_EMAIL.into(), password, login_url: format!("{base_url}/hr/login") },
        campaign_id,
        campaign_title: format!("{} · {}", campaign.bank, campaign.position),
        candidates,
    })
}

async fn create(store: &Store, base_url: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let zone: TimeZone =
        "Asia/Shanghai".parse().map_err(|e: turnout_domain::campaign::SettingError| StoreError::Corrupt(e.to_string()))?;
    let campaign_id = store
        .create_campaign(
            &NewCampaign {
                bank: "华东商业银行".into(),
                position: "2027届管理培训生".into(),
                branch: "上海分行".into(),
                time_zone: zone,
                window_days: WindowDays::DEFAULT,
                policy: ReschedulePolicy::DEFAULT,
                interview_url: format!("{base_url}/demo-ai-interview"),
                login_notes: "使用报名时的手机号登录面试平台，验证码将以短信发送。\nSign in to the interview platform with the mobile number you applied with; a code is sent by SMS.".into(),
                help_contact: "技术支持 / Technical help: 400-800-1234（9:00–21:00），support@example.com".into(),
            },
            now,
        )
        .await?;
    let window = InvitationWindow::starting_day_after(now, zone, WindowDays::DEFAULT);
    let mut slots_by_capacity = Vec::new();
    for day in window.local_days() {
        for (h, m, cap) in DAY_PLAN {
            let Some(local) = zone
                .tz()
                .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)))
                .earliest()
            else {
                continue;
            };
            let start = local.with_timezone(&Utc);
            let capacity = Capacity::new(cap).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let id = store.add_slot(campaign_id, start, start + Duration::minutes(30), capacity).await?;
            slots_by_capacity.push((id, cap));
        }
    }
    // Slots with room for several, so the seeded journeys leave the one-place slots free.
    let roomy: Vec<i64> = slots_by_capacity.iter().filter(|(_, c)| *c >= 4).map(|(id, _)| *id).collect();

    for (i, name) in NAMES.iter().enumerate() {
        let (token, hash) = new_token();
        let candidate = NewCandidate {
            full_name: (*name).to_string(),
            email: Some(format!("candidate{:02}@example.com", i + 1)),
            phone: Some(format!("1380013{:04}", 8000 + i)),
        };
        let issued = now - Duration::hours(2);
        store.invite_candidate(campaign_id, &candidate, &hash, &window, issued).await?;
        let token_hash = turnout_domain::TokenHash::of(&token);
        let at = now - Duration::minutes(90 - i as i64);
        // The first candidates stay untouched (their links are printed); the rest are spread
        // over the journey so the status page has something to show.
        match i {
            0..=39 => {}
            40 => {
                store.record_link_opened(&token_hash, at, &serde_json::json!({"device": "phone"})).await?;
            }
            41 | 42 => {
                store.record_link_opened(&token_hash, at, &serde_json::json!({"device": "phone"})).await?;
                store.confirm_slot(&token_hash, roomy[i % roomy.len()], at + Duration::minutes(2)).await?;
            }
            _ => {
                store.record_link_opened(&token_hash, at, &serde_json::json!({"device": "desktop"})).await?;
                let note = DeclineNote::parse(DeclineReason::TimeConflict, "那几天在外地出差")
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                store
                    .decline(&token_hash, &Decline { reason: DeclineReason::TimeConflict, note }, at + Duration::minutes(3))
                    .await?;
            }
        }
    }
    Ok(campaign_id)
}
