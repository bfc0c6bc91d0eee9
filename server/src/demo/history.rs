//! The demo's earlier campaign: last season's interviews with recorded outcomes, so HR can see
//! earlier attendance matched by phone or e-mail and can train the risk model on day one.
//!
//! The behaviour is generated from a fixed seed (the same demo every time): most candidates open
//! their link, confirm, some read the guide; each booked candidate's attendance is drawn from
//! the default model's own odds (raised for a worse season), so a model trained on it learns
//! weights close to the defaults. It is demonstration data, not evidence about real candidates.

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use turnout_domain::call::InterviewOutcome;
use turnout_domain::risk::RiskModel;
use turnout_domain::{Capacity, DeclineNote, DeclineReason, InvitationWindow, ReschedulePolicy, TimeZone, TokenHash, WindowDays};
use turnout_store::{secret::new_token, Campaign, Decline, GuideEvent, NewCampaign, NewCandidate, RiskScope, Store, StoreError};

/// Candidates of the earlier campaign (enough to train: see `TrainOptions::default`).
pub const PAST_CANDIDATES: usize = 320;
/// Days between the earlier campaign and now.
const DAYS_AGO: i64 = 100;
/// The local hour at which this season's at-risk pair were invited, on the day before their
/// window opened.
const ISSUED_AT_HOUR: u32 = 20;

/// Last season's campaign as HR sees it (bank, position).
const PAST_TITLE: (&str, &str) = ("华东商业银行", "2026届管理培训生");

/// Whether `campaign` is the demo's last season (seeded once per database).
pub fn is_past_campaign(campaign: &Campaign) -> bool {
    (campaign.bank.as_str(), campaign.position.as_str()) == PAST_TITLE
}

/// This season's candidates who missed last season's interview, with their phone written the
/// way another system would (matched after normalising), and the earlier candidate they are.
pub const AT_RISK: [(&str, &str, usize); 2] = [("邹凯", "+86 139-0013-1000", 0), ("石磊", "(+86) 139 0013 1001", 1)];

/// Earlier candidates whose interview is recorded as missed whatever the draw (the at-risk pair).
const FORCED_NO_SHOWS: usize = 2;

/// Last season had more no-shows than the defaults' base rate: attendance is drawn at the
/// default model's odds raised by this much (the weights stay the same, so a model trained on
/// it should learn weights near the defaults and a higher bias).
const LAST_SEASON_EXTRA_LOG_ODDS: f64 = 1.6;

fn raise_odds(p: f64, log_odds: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    1.0 / (1.0 + (-((p / (1.0 - p)).ln() + log_odds)).exp())
}

/// A small deterministic generator (xorshift64*), so the demo is the same on every machine.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, p: f64) -> bool {
        self.next() < p
    }

    fn index(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

const SURNAMES: [&str; 16] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: [&str; 16] = ["明", "华", "芳", "强", "静", "磊", "洋", "婷", "杰", "敏", "峰", "丽", "超", "琳", "斌", "悦"];

fn past_phone(i: usize) -> String {
    format!("1390013{:04}", 1000 + i)
}

fn refused_is_fine<T>(r: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::Refused(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Seeds the earlier campaign and this season's at-risk pair into `current_campaign`.
pub async fn seed(
    store: &Store,
    base_url: &str,
    admin: i64,
    current_campaign: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let zone: TimeZone =
        "Asia/Shanghai".parse().map_err(|e: turnout_domain::campaign::SettingError| StoreError::Corrupt(e.to_string()))?;
    let start = now - Duration::days(DAYS_AGO);
    let past = store
        .create_campaign(
            &NewCampaign {
                bank: PAST_TITLE.0.into(),
                position: PAST_TITLE.1.into(),
                branch: "上海分行".into(),
                time_zone: zone,
                window_days: WindowDays::DEFAULT,
                policy: ReschedulePolicy::DEFAULT,
                interview_url: format!("{base_url}/demo-ai-interview"),
                login_notes: String::new(),
                help_contact: "技术支持 / Technical help: 400-800-1234".into(),
            },
            start,
        )
        .await?;
    let window = InvitationWindow::starting_day_after(start, zone, WindowDays::DEFAULT);
    let mut slots = Vec::new();
    for day in window.local_days() {
        for h in [9, 11, 14, 16, 19] {
            let Some(local) = zone
                .tz()
                .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)))
                .earliest()
            else {
                continue;
            };
            let at = local.with_timezone(&Utc);
            let capacity = Capacity::new(100).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            slots.push((store.add_slot(past, at, at + Duration::minutes(30), capacity).await?, at));
        }
    }

    let model = RiskModel::default_weights();
    let mut draw = Draw(0x7475_726E_6F75_7421);
    for i in 0..PAST_CANDIDATES {
        let forced = i < FORCED_NO_SHOWS;
        let candidate = NewCandidate {
            full_name: format!("{}{}{}", SURNAMES[i % 16], GIVEN[(i / 16) % 16], GIVEN[(i * 7 + 3) % 16]),
            email: Some(format!("past{:03}@example.com", i + 1)),
            phone: Some(past_phone(i)),
        };
        let (token, hash) = new_token();
        let issued = start + Duration::minutes(i as i64);
        let candidate_id = store.invite_candidate(past, &candidate, &hash, &window, issued).await?;
        let token = TokenHash::of(&token);
        if !forced && !draw.below(0.88) {
            continue;
        }
        let opened = issued + Duration::minutes((draw.next() * 40.0 * 60.0) as i64);
        store.record_link_opened(&token, opened, &serde_json::json!({ "device": "phone" })).await?;
        if !forced && draw.below(0.12) {
            let reason = DeclineReason::ALL[draw.index(4)];
            let note = DeclineNote::parse(reason, "").map_err(|e| StoreError::Corrupt(e.to_string()))?;
            store.decline(&token, &Decline { reason, note }, opened + Duration::minutes(10)).await?;
            continue;
        }
        if !forced && !draw.below(0.9) {
            continue;
        }
        let open_slots: Vec<_> = slots.iter().filter(|(_, at)| *at > opened + Duration::hours(13)).collect();
        if open_slots.is_empty() {
            continue;
        }
        let (first, mut slot_at) = *open_slots[draw.index(open_slots.len())];
        refused_is_fine(store.confirm_slot(&token, first, opened + Duration::minutes(5)).await)?;
        if draw.below(0.15) {
            let (other, other_at) = *open_slots[draw.index(open_slots.len())];
            if refused_is_fine(store.confirm_slot(&token, other, opened + Duration::hours(1)).await)?.is_some() {
                slot_at = other_at;
            }
        }
        if draw.below(0.65) {
            store.record_guide_event(&token, &GuideEvent::Opened, opened + Duration::minutes(15)).await?;
            if draw.below(0.6) {
                store.record_guide_event(&token, &GuideEvent::Acknowledged, opened + Duration::minutes(25)).await?;
            }
        }
        let Some(input) = store.follow_up_rows(RiskScope::Candidate(candidate_id), slot_at).await?.into_iter().next() else {
            continue;
        };
        let p = model.assess(&input.facts).probability;
        let no_show = forced || draw.below(raise_odds(p, LAST_SEASON_EXTRA_LOG_ODDS));
        let outcome = if no_show { InterviewOutcome::NoShow } else { InterviewOutcome::Attended };
        store.record_interview_outcome(candidate_id, outcome, admin, slot_at + Duration::hours(1)).await?;
    }

    invite_at_risk(store, current_campaign, now).await
}

/// Invites this season's at-risk pair (see [`AT_RISK`]) to `campaign`: invited three days ago
/// and silent since, with the window closing at the end of today in the campaign's time zone,
/// whatever the hour (so they are on today's call list with the window closing).
pub async fn invite_at_risk(store: &Store, campaign: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let zone = store.campaign(campaign).await?.time_zone;
    let (window, issued) = closing_today(now, zone);
    for (name, phone, past_index) in AT_RISK {
        let candidate = NewCandidate {
            full_name: name.to_string(),
            email: Some(format!("PAST{:03}@Example.com", past_index + 1)),
            phone: Some(phone.to_string()),
        };
        let (_, hash) = new_token();
        store.invite_candidate(campaign, &candidate, &hash, &window, issued).await?;
    }
    Ok(())
}

/// A window of whole local days whose last day is `now`'s local day, and when it was issued:
/// the evening before its first day (the default rule, [`InvitationWindow::starting_day_after`],
/// gives the same window for that instant).
///
/// Counting back from `now` by a fixed number of hours instead would, late in the evening, land
/// on the next local day and push the window's end to tomorrow night.
pub fn closing_today(now: DateTime<Utc>, zone: TimeZone) -> (InvitationWindow, DateTime<Utc>) {
    let today = now.with_timezone(&zone.tz()).date_naive();
    let days = WindowDays::DEFAULT;
    let issue_day = today.checked_sub_days(chrono::Days::new(u64::from(days.get()))).unwrap_or(today);
    let evening = issue_day.and_time(NaiveTime::from_hms_opt(ISSUED_AT_HOUR, 0, 0).unwrap_or(NaiveTime::MIN));
    let issued = zone.tz().from_local_datetime(&evening).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(now);
    (InvitationWindow::starting_day_after(issued, zone, days), issued)
}
