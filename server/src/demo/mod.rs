//! Demo data: a campaign with slots over the next three days, 46 candidates at different
//! steps of the journey, an earlier campaign whose recorded outcomes give the risk model a
//! history to learn from, and an HR admin.
//!
//! Links and passwords are stored hashed, so the demo keeps the ones it printed in a file of
//! its own (`demo-credentials.json`, readable by its owner only, see
//! [`Settings::demo_credentials`](crate::Settings::demo_credentials)). A later run prints the
//! same password and the same links, and changes nothing that works: it seeds only what is
//! missing. Once the demo campaign's window has run out (or no kept link opens any more), it
//! seeds a new current campaign beside the old data, so there is always a working link.

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use turnout_app::server::auth::{hash_password, verify_password};
use turnout_domain::{
    Capacity, DeclineNote, DeclineReason, InvitationState, InvitationWindow, ReschedulePolicy, TimeZone, TokenHash, WindowDays,
};
pub mod history;

use turnout_store::{secret::new_token, Decline, HrRole, NewCampaign, NewCandidate, Store, StoreError};

/// The demo admin's sign-in e-mail.
pub const DEMO_ADMIN_EMAIL: &str = "hr@turnout.local";

/// A kept link still counts as working when its window stays open at least this long, so a
/// run late on the window's last day seeds a new campaign rather than print links about to die.
const LINK_MARGIN_HOURS: i64 = 1;

/// What `turnout demo` prints.
#[derive(Debug, Serialize)]
pub struct DemoOutput {
    /// HR sign-in.
    pub hr: HrCredentials,
    /// The demo campaign.
    pub campaign_id: i64,
    /// Its title as HR sees it.
    pub campaign_title: String,
    /// Whether this run seeded that campaign (false: it was seeded by an earlier run).
    pub seeded: bool,
    /// The demo campaign's candidates whose links work, by candidate id, those not opened yet
    /// first (right after seeding, every one is unopened).
    pub candidates: Vec<CandidateLink>,
    /// Candidates who missed an earlier interview and have not opened this invitation (on the
    /// call list the day the campaign is seeded: their window closes that night).
    pub at_risk: Vec<String>,
    /// The file that keeps the password and links for the next run.
    pub kept_in: PathBuf,
}

/// HR credentials.
#[derive(Debug, Serialize)]
pub struct HrCredentials {
    /// E-mail.
    pub email: String,
    /// Password.
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
    /// Whether the candidate has opened it already.
    pub opened: bool,
}

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file of kept credentials could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// What the demo keeps between runs. Secrets, hence the owner-only file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    /// The demo admin's password.
    hr_password: String,
    /// The current demo campaign.
    campaign_id: i64,
    /// Links issued for its candidates when it was seeded.
    links: Vec<KeptLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeptLink {
    candidate_id: i64,
    name: String,
    token: String,
}

fn new_password() -> String {
    let (token, _) = new_token();
    token.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect()
}

/// The kept credentials, if the file exists. One that no longer parses (a hand edit) is
/// ignored: the database, not the file, says what works, and the file is rewritten.
fn read_kept(path: &Path) -> Result<Option<Kept>, DemoError> {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(kept) => Ok(Some(kept)),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable demo credentials file");
                Ok(None)
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DemoError::File { path: path.to_path_buf(), source }),
    }
}

/// Writes the file readable by its owner only, replacing the old one in a single rename.
fn write_kept(path: &Path, kept: &Kept) -> Result<(), DemoError> {
    use std::io::Write as _;
    let fail = |source| DemoError::File { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(fail)?;
    let json = serde_json::to_vec_pretty(kept).map_err(|e| fail(std::io::Error::other(e)))?;
    file.write_all(&json).and_then(|()| file.sync_all()).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

/// Seeds what the demo lacks and returns its sign-in and links, keeping them in `kept_in`.
///
/// - The admin keeps the kept password while it still signs in; otherwise (no file yet, or the
///   account was changed) the password is set to the kept one, or to a fresh one without a file.
/// - Last season's campaign (the risk model's history) is seeded once per database.
/// - The current campaign and its links are kept while a kept link still opens; when none
///   does (its window has run out, days later), a new current campaign is seeded beside the
///   old data. Links are never reissued, so none that was printed breaks.
pub async fn seed(store: &Store, base_url: &str, now: DateTime<Utc>, kept_in: &Path) -> Result<DemoOutput, DemoError> {
    let kept = read_kept(kept_in)?;

    let password = kept.as_ref().map(|k| k.hr_password.clone()).filter(|p| p.chars().count() >= 10).unwrap_or_else(new_password);
    let admin = match store.hr_user_by_email(DEMO_ADMIN_EMAIL).await? {
        Some(record) if verify_password(&password, &record.password_hash) => record.user.id,
        _ => {
            let hash = hash_password(&password).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            store.upsert_hr_user(DEMO_ADMIN_EMAIL, "HR 管理员", &hash, HrRole::Admin, None, now).await?
        }
    };

    let mut links = Vec::new();
    let mut current = None;
    if let Some(k) = &kept {
        for link in &k.links {
            if let Some((inv, _)) = store.invitation_by_token(&TokenHash::of(&link.token)).await? {
                let works = inv.campaign_id == k.campaign_id
                    && inv.candidate_id == link.candidate_id
                    && inv.window.ends_at - now >= Duration::hours(LINK_MARGIN_HOURS);
                if works {
                    links.push((link.clone(), inv.state != InvitationState::Invited));
                }
            }
        }
        if !links.is_empty() {
            current = Some(k.campaign_id);
        }
    }
    let seeded = current.is_none();
    let campaign_id = match current {
        Some(id) => id,
        None => {
            let campaigns = store.campaigns(None).await?;
            let has_history = campaigns.iter().any(history::is_past_campaign);
            // The first demo campaign keeps the plain title; later ones say when they start.
            let renewal = campaigns.iter().any(|c| c.bank == BANK && c.position == POSITION);
            let (id, fresh) = create(store, base_url, now, renewal).await?;
            if has_history {
                history::invite_at_risk(store, id, now).await?;
            } else {
                history::seed(store, base_url, admin, id, now).await?;
            }
            links = fresh.into_iter().map(|l| (l, false)).collect();
            id
        }
    };
    let campaign = store.campaign(campaign_id).await?;
    write_kept(
        kept_in,
        &Kept { hr_password: password.clone(), campaign_id, links: links.iter().map(|(l, _)| l.clone()).collect() },
    )?;

    // Unopened first, each group by candidate id (the order they were seeded in).
    links.sort_by_key(|(l, opened)| (*opened, l.candidate_id));
    let candidates = links
        .into_iter()
        .map(|(l, opened)| CandidateLink { name: l.name, link: format!("{base_url}/i/{}", l.token), opened })
        .collect();
    let at_risk = history::AT_RISK.iter().map(|(name, _, _)| (*name).to_string()).collect();
    Ok(DemoOutput {
        at_risk,
        hr: HrCredentials { email: DEMO_ADMIN_EMAIL.into(), password, login_url: format!("{base_url}/hr/login") },
        campaign_id,
        campaign_title: format!("{} · {}", campaign.bank, campaign.position),
        seeded,
        candidates,
        kept_in: kept_in.to_path_buf(),
    })
}

/// The demo bank.
const BANK: &str = "华东商业银行";
/// The current campaign's position (later campaigns add their first day).
const POSITION: &str = "2027届管理培训生";

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

/// Creates the current campaign with its slots and candidates; returns it with the links of
/// the candidates left untouched. A `renewal` (a later demo campaign) names its first day.
async fn create(store: &Store, base_url: &str, now: DateTime<Utc>, renewal: bool) -> Result<(i64, Vec<KeptLink>), StoreError> {
    use chrono::Datelike as _;
    let zone: TimeZone =
        "Asia/Shanghai".parse().map_err(|e: turnout_domain::campaign::SettingError| StoreError::Corrupt(e.to_string()))?;
    let window = InvitationWindow::starting_day_after(now, zone, WindowDays::DEFAULT);
    let position = if renewal {
        format!("{POSITION}（{}月{}日起）", window.first_day.month(), window.first_day.day())
    } else {
        POSITION.to_string()
    };
    let campaign_id = store
        .create_campaign(
            &NewCampaign {
                bank: BANK.into(),
                position,
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

    let mut links = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let (token, hash) = new_token();
        let candidate = NewCandidate {
            full_name: (*name).to_string(),
            email: Some(format!("candidate{:02}@example.com", i + 1)),
            phone: Some(format!("1380013{:04}", 8000 + i)),
        };
        let issued = now - Duration::hours(2);
        let candidate_id = store.invite_candidate(campaign_id, &candidate, &hash, &window, issued).await?;
        let token_hash = TokenHash::of(&token);
        let at = now - Duration::minutes(90 - i as i64);
        // The first candidates stay untouched (their links are printed); the rest are spread
        // over the journey so the status page has something to show.
        match i {
            0..=39 => links.push(KeptLink { candidate_id, name: (*name).to_string(), token }),
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
    Ok((campaign_id, links))
}
