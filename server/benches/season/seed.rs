//! A recruiting season's data, written in bulk: campaigns of 12 branches in Asia/Shanghai, one
//! of 40,000 candidates, the others about 4,800 each; earlier campaigns whose outcomes are
//! recorded and whose candidates come back by phone or e-mail; each current candidate's life so
//! far (invitation, notices by e-mail, SMS and work chat, opening the link, the guide, the
//! device check, confirming, moving, declining, HR's calls) as the app would have recorded it,
//! signals in time order.
//!
//! Everything is decided first (`plan`), then written (`write`), so the notices' read and unread
//! times, the slots' booked counts and the invitations' last activity agree with the signals.

use super::bulk::{self, Kind, Table, V};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};
use std::collections::HashMap;
use std::time::Instant;
use turnout_domain::contact::{normalize_email, normalize_phone};
use turnout_domain::{InvitationWindow, ReschedulePolicy, TimeZone, TokenHash, WindowDays};
use turnout_store::{secret::new_token, Backend, HrRole, NewCampaign, Store};

/// How big the season is.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Current candidates, all campaigns.
    pub current: usize,
    /// Of which in the big campaign.
    pub big: usize,
    /// Current campaigns.
    pub campaigns: usize,
    /// Earlier candidates with recorded outcomes.
    pub earlier: usize,
    /// Earlier campaigns.
    pub earlier_campaigns: usize,
    /// Signals in all.
    pub signals: usize,
}

impl Sizes {
    /// The season of the issue, scaled by `scale` (1.0 for the real measurement).
    pub fn at(scale: f64) -> Sizes {
        let n = |x: f64| (x * scale).round().max(1.0) as usize;
        Sizes {
            current: n(150_000.0),
            big: n(40_000.0),
            campaigns: 24,
            earlier: n(20_000.0),
            earlier_campaigns: 4,
            signals: n(1_000_000.0),
        }
    }
}

/// The twelve branches.
const BRANCHES: [&str; 12] = [
    "上海分行",
    "北京分行",
    "广州分行",
    "深圳分行",
    "杭州分行",
    "南京分行",
    "成都分行",
    "武汉分行",
    "西安分行",
    "天津分行",
    "苏州分行",
    "重庆分行",
];
const POSITIONS: [&str; 6] = ["综合柜员", "客户经理", "理财经理", "信贷专员", "运营管理", "金融科技"];
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑",
    "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
];
const GIVEN: [&str; 60] = [
    "伟", "芳", "娜", "秀", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
    "桂", "英", "华", "玉", "兰", "萍", "红", "鹏", "飞", "宇", "浩", "然", "欣", "怡", "子", "涵", "梓", "轩", "晨", "思", "雨",
    "嘉", "佳", "俊", "博", "文", "昊", "天", "一", "诺", "雅", "琪", "悦", "婷", "璐", "瑶", "鑫", "睿", "泽",
];

/// A small, fast, seeded generator (SplitMix64): the season is the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    /// Uniform in [a, b) (a when the range is empty).
    pub fn between(&mut self, a: i64, b: i64) -> i64 {
        if b <= a {
            a
        } else {
            a + (self.next_u64() % (b - a) as u64) as i64
        }
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// Slots starting each day (every quarter hour, 09:00–17:45).
const SLOTS_PER_DAY: usize = 36;
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;

/// A campaign as seeded.
struct Camp {
    id: i64,
    current: bool,
    issued: i64,
    window: InvitationWindow,
    /// Indices into the slot list.
    slots: Vec<usize>,
}

struct SlotRow {
    id: i64,
    camp: usize,
    starts: i64,
    ends: i64,
    capacity: i64,
    booked: i64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum St {
    Invited,
    Opened,
    Confirmed,
    Rescheduled,
    Declined,
}

impl St {
    fn as_str(self) -> &'static str {
        match self {
            St::Invited => "invited",
            St::Opened => "opened",
            St::Confirmed => "confirmed",
            St::Rescheduled => "rescheduled",
            St::Declined => "declined",
        }
    }
}

#[derive(Clone, Copy)]
enum Status {
    Sent(i64),
    Failed(i64),
    Skipped(i64),
    Pending,
    Cancelled(i64),
}

/// One outbox message.
#[derive(Clone, Copy)]
struct Msg {
    id: i64,
    channel: &'static str,
    due: i64,
    status: Status,
    /// The tracking pixel's first load (e-mail only).
    opened_at: Option<i64>,
}

impl Msg {
    fn sent_at(&self) -> Option<i64> {
        match self.status {
            Status::Sent(at) => Some(at),
            _ => None,
        }
    }
}

/// One notice and its messages.
#[derive(Clone)]
struct Notice {
    id: i64,
    kind: &'static str,
    created: i64,
    slot: Option<usize>,
    parent: Option<i64>,
    msgs: Vec<Msg>,
    /// The unread follow-up went out (for the parent notice): when.
    unread_at: Option<i64>,
    cancelled_at: Option<i64>,
}

impl Notice {
    fn first_sent(&self) -> Option<i64> {
        self.msgs.iter().filter_map(Msg::sent_at).min()
    }
}

/// Everything that has happened to one candidate, decided before anything is written.
struct Life {
    id: i64,
    camp: usize,
    name: String,
    email: Option<String>,
    phone: String,
    issued: i64,
    state: St,
    opened: Option<i64>,
    device_class: &'static str,
    extra_opens: u32,
    guide: &'static str,
    guide_events: Vec<(&'static str, i64)>,
    guide_seconds: i64,
    device: Option<(&'static str, &'static str, i64)>,
    /// The booking held now: slot, when booked.
    booked: Option<(usize, i64)>,
    /// A booking given up: slot, booked at, released at, why.
    released: Option<(usize, i64, i64, &'static str)>,
    declined: Option<(i64, &'static str, &'static str)>,
    outcome: Option<(&'static str, i64)>,
    call: Option<(i64, &'static str)>,
    overridden: Option<i64>,
    notices: Vec<Notice>,
    token: Option<String>,
}

/// A signal before its id is known.
struct Sig {
    at: i64,
    cand: i64,
    camp_id: i64,
    kind: &'static str,
    source: &'static str,
    payload: String,
}

/// An unconfirmed current candidate a benchmark may confirm, with their link.
#[derive(Debug, Clone)]
pub struct Confirmable {
    pub token: String,
    camp: usize,
}

/// A candidate and the slot to confirm for them.
#[derive(Debug, Clone)]
pub struct Target {
    pub token: String,
    pub slot_id: i64,
}

/// A slot with places left, starting late enough to stay in the future through the run.
struct Room {
    id: i64,
    left: i64,
}

/// The seeded season, with what the load needs: links, slots with room, HR's sign-in.
pub struct Season {
    pub big_campaign_id: i64,
    pub admin_email: String,
    pub admin_password: String,
    /// A name fragment to search for, and how many of the big campaign's names contain it.
    pub search: (String, usize),
    /// Candidates of the big campaign with a rich history (booked, device check, guide).
    pub rich_big_candidates: Vec<i64>,
    /// Rows per table, counted in the database after seeding.
    pub counts: Vec<(&'static str, i64)>,
    /// Seeding phases and how long they took.
    pub phases: Vec<(&'static str, std::time::Duration)>,
    /// Outbox rows by status.
    pub outbox_status: Vec<(String, i64)>,
    /// Invitations by state (current campaigns).
    pub states: Vec<(String, i64)>,
    confirmable: Vec<Confirmable>,
    cursor: usize,
    rooms: Vec<Vec<Room>>,
    room_cursor: Vec<usize>,
}

impl Season {
    /// `n` distinct candidates not confirmed yet (invited or opened), each with a slot of their
    /// campaign that still has room (fewer when the season runs out). Never the same candidate
    /// twice across calls.
    pub fn take_targets(&mut self, n: usize) -> Vec<Target> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n && self.cursor < self.confirmable.len() {
            let c = &self.confirmable[self.cursor];
            self.cursor += 1;
            let rooms = &mut self.rooms[c.camp];
            if rooms.is_empty() {
                continue;
            }
            // Round-robin over the campaign's slots with room, as a rush spreads over the day.
            let mut found = None;
            for _ in 0..rooms.len() {
                let k = self.room_cursor[c.camp] % rooms.len();
                self.room_cursor[c.camp] += 1;
                if rooms[k].left > 0 {
                    rooms[k].left -= 1;
                    found = Some(rooms[k].id);
                    break;
                }
            }
            if let Some(slot_id) = found {
                out.push(Target { token: c.token.clone(), slot_id });
            }
        }
        out
    }
}

/// Noon in Shanghai today: the middle of the current windows.
pub fn season_now(zone: TimeZone) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&zone.tz()).date_naive();
    local(zone, today, 12, 0)
}

fn local(zone: TimeZone, day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
    zone.tz().from_local_datetime(&day.and_time(t)).earliest().expect("Shanghai has no gaps").with_timezone(&Utc)
}

fn campaign_fields(bank: &str, position: String, branch: &str, zone: TimeZone) -> NewCampaign {
    NewCampaign {
        bank: bank.into(),
        position,
        branch: branch.into(),
        time_zone: zone,
        window_days: WindowDays::DEFAULT,
        policy: ReschedulePolicy::DEFAULT,
        interview_url: "https://interview.example.com/room".into(),
        login_notes: "使用报名手机号登录".into(),
        help_contact: "400-820-0000".into(),
    }
}

fn name(rng: &mut Rng) -> String {
    let mut s = rng.pick(&SURNAMES).to_string();
    s.push_str(rng.pick(&GIVEN));
    if rng.chance(0.6) {
        s.push_str(rng.pick(&GIVEN));
    }
    s
}

/// A connection for writing the season fast: on SQLite without waiting for the disk on every
/// commit and without foreign-key checks (the data is consistent by construction); the app's
/// own connections keep `synchronous=FULL`.
async fn seeding_pool(url: &str, backend: Backend) -> AnyPool {
    let url = match backend {
        Backend::Sqlite if !url.contains("mode=") => format!("{url}?mode=rwc"),
        _ => url.to_string(),
    };
    AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = OFF").await?;
                    conn.execute("PRAGMA foreign_keys = OFF").await?;
                    conn.execute("PRAGMA cache_size = -262144").await?;
                    conn.execute("PRAGMA busy_timeout = 30000").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .expect("connect for seeding")
}

/// Seeds the season into a migrated, empty database.
pub async fn seed(store: &Store, url: &str, sizes: Sizes, now: DateTime<Utc>) -> Season {
    let backend = store.backend();
    let zone: TimeZone = "Asia/Shanghai".parse().expect("zone");
    let mut phases = Vec::new();
    let t = Instant::now();
    let mut rng = Rng::new(0x7e45_0a50_2026);
    let today = now.with_timezone(&zone.tz()).date_naive();
    let day = |offset: i64| today + Duration::days(offset);

    // HR's admin, with the app's own password hashing.
    let admin_email = "bench-admin@bank.example".to_string();
    let admin_password = "season benchmark password".to_string();
    let hash = turnout_app::server::auth::hash_password(&admin_password).expect("hash");
    let admin_id = store.upsert_hr_user(&admin_email, "基准 HR", &hash, HrRole::Admin, None, now).await.expect("admin");

    // Campaigns: the earlier ones (months ago), then the current ones. Two thirds of the current
    // windows run from yesterday to tomorrow, a third from the day before yesterday to today.
    let mut camps: Vec<Camp> = Vec::new();
    for e in 0..sizes.earlier_campaigns {
        let issued = local(zone, day(-150 + 30 * e as i64), 10, 0);
        let fields = campaign_fields("招商示例银行", format!("{} · 往届{}", POSITIONS[e % 6], e + 1), BRANCHES[e % 12], zone);
        let id = store.create_campaign(&fields, issued - Duration::days(1)).await.expect("campaign");
        let window = InvitationWindow::starting_day_after(issued, zone, WindowDays::DEFAULT);
        camps.push(Camp { id, current: false, issued: issued.timestamp(), window, slots: Vec::new() });
    }
    let first_current = camps.len();
    for k in 0..sizes.campaigns {
        let group_b = k >= sizes.campaigns * 2 / 3;
        let issued = local(zone, day(if group_b { -3 } else { -2 }), 10, 0);
        let position =
            if k == 0 { "2026 校园招聘 · 综合柜员".to_string() } else { format!("2026 春招 · {}", POSITIONS[k % 6]) };
        let fields = campaign_fields("招商示例银行", position, BRANCHES[k % 12], zone);
        let id = store.create_campaign(&fields, issued - Duration::days(1)).await.expect("campaign");
        let window = InvitationWindow::starting_day_after(issued, zone, WindowDays::DEFAULT);
        camps.push(Camp { id, current: true, issued: issued.timestamp(), window, slots: Vec::new() });
    }
    let big = first_current;

    // Candidates per campaign.
    let mut per_camp = vec![0usize; camps.len()];
    for (e, n) in per_camp.iter_mut().take(first_current).enumerate() {
        *n = sizes.earlier / sizes.earlier_campaigns + usize::from(e < sizes.earlier % sizes.earlier_campaigns);
    }
    per_camp[big] = sizes.big;
    let rest = sizes.current - sizes.big;
    let others = sizes.campaigns - 1;
    for k in 1..sizes.campaigns {
        per_camp[first_current + k] = rest / others + usize::from(k - 1 < rest % others);
    }

    // Slots: half an hour long, one starting every quarter hour from 09:00 to 17:45 on each day
    // of the window, with room for one and a half times the campaign (a slot holds at most 1,000).
    let mut slots: Vec<SlotRow> = Vec::new();
    for (ci, camp) in camps.iter_mut().enumerate() {
        let days = camp.window.local_days();
        let wanted = ((per_camp[ci] as f64 * 1.5) / (days.len() * SLOTS_PER_DAY) as f64).ceil().max(5.0) as i64;
        let per_slot = wanted.min(1000);
        for d in days {
            for quarter in 0..SLOTS_PER_DAY as u32 {
                let starts = local(zone, d, 9 + quarter / 4, 15 * (quarter % 4)).timestamp();
                camp.slots.push(slots.len());
                slots.push(SlotRow {
                    id: slots.len() as i64 + 1,
                    camp: ci,
                    starts,
                    ends: starts + 30 * MINUTE,
                    capacity: per_slot,
                    booked: 0,
                });
            }
        }
    }

    // Earlier candidates: their contact details are what current candidates may share.
    let t_now = now.timestamp();
    let mut lives: Vec<Life> = Vec::with_capacity(sizes.current + sizes.earlier);
    let mut next_id = 1i64;
    for ci in 0..first_current {
        for k in 0..per_camp[ci] {
            let j = lives.len();
            let life = plan_earlier(&mut rng, next_id, ci, &camps[ci], &mut slots, j, k);
            lives.push(life);
            next_id += 1;
        }
    }
    let earlier_count = lives.len();
    for ci in first_current..camps.len() {
        for _ in 0..per_camp[ci] {
            let id = next_id;
            next_id += 1;
            let k = (id as usize) - earlier_count - 1;
            // Some come back: one in six with an earlier candidate's phone, one in ten with their e-mail.
            let (mut who, mut email, mut phone) = (name(&mut rng), Some(format!("c{k}@mail.example.cn")), format!("13{k:09}"));
            if earlier_count > 0 && k % 6 == 1 {
                let e = &lives[(k * 7) % earlier_count];
                phone = e.phone.clone();
                who = e.name.clone();
            }
            if earlier_count > 0 && k % 10 == 3 {
                let e = &lives[(k * 13) % earlier_count];
                email = e.email.clone();
                who = e.name.clone();
            }
            if rng.chance(0.08) {
                email = None;
            }
            let life = plan_current(&mut rng, id, ci, &camps[ci], &mut slots, t_now, who, email, phone);
            lives.push(life);
        }
    }

    // Notices and messages: those planned at the invitation first (in candidate order, as a
    // bulk invitation writes them), then those planned at confirmations.
    let mut notice_id = 0i64;
    let mut msg_id = 0i64;
    for l in lives.iter_mut() {
        for n in l.notices.iter_mut().filter(|n| n.kind != "countdown") {
            notice_id += 1;
            n.id = notice_id;
            for m in n.msgs.iter_mut() {
                msg_id += 1;
                m.id = msg_id;
            }
        }
        if l.notices.is_empty() {
            continue;
        }
        let (first, rest) = l.notices.split_at_mut(1);
        for n in rest.iter_mut().filter(|n| n.kind == "follow_up") {
            n.parent = first.first().map(|p| p.id);
        }
    }
    let mut later: Vec<(i64, usize, usize)> = Vec::new();
    for (li, l) in lives.iter().enumerate() {
        for (ni, n) in l.notices.iter().enumerate().filter(|(_, n)| n.kind == "countdown") {
            later.push((n.created, li, ni));
        }
    }
    later.sort_unstable();
    for (_, li, ni) in later {
        notice_id += 1;
        let n = &mut lives[li].notices[ni];
        n.id = notice_id;
        for m in n.msgs.iter_mut() {
            msg_id += 1;
            m.id = msg_id;
        }
    }

    // Signals: top up to the season's total with candidates coming back to their invitation.
    let base: usize = lives.iter().map(|l| signals_of(l, &camps, &slots, t_now).len()).sum();
    if base < sizes.signals {
        let mut eligible: Vec<usize> =
            (0..lives.len()).filter(|&i| lives[i].opened.is_some() && camps[lives[i].camp].current).collect();
        for i in (1..eligible.len()).rev() {
            eligible.swap(i, rng.below(i + 1));
        }
        let mut deficit = sizes.signals - base;
        let mut k = 0;
        while deficit > 0 && !eligible.is_empty() {
            lives[eligible[k % eligible.len()]].extra_opens += 1;
            deficit -= 1;
            k += 1;
        }
    } else if base > sizes.signals {
        eprintln!("season: the planned lives have {base} signals, more than the {} asked for", sizes.signals);
    }
    phases.push(("planning the season in memory", t.elapsed()));

    // Write.
    let t = Instant::now();
    let pool = seeding_pool(url, backend).await;
    let written = write(&pool, backend, &camps, &slots, &lives, admin_id, t_now).await;
    phases.push(("writing rows (bulk JSON inserts, one transaction per table)", t.elapsed()));
    if backend == Backend::Postgres {
        let t = Instant::now();
        // Explicit ids were written: move each identity past them, as the app's inserts need.
        for table in ["slots", "candidates", "invitations", "bookings", "signals", "notices", "outbox", "calls"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
            ))
            .execute(&pool)
            .await
            .expect("setval");
        }
        phases.push(("moving identity sequences past the seeded ids", t.elapsed()));
    }
    drop(written);

    // The columns migration 0007 added, set once for the whole season.
    let t = Instant::now();
    sqlx::query(
        "UPDATE invitations SET last_signal_id = COALESCE((SELECT MAX(g.id) FROM signals g WHERE g.candidate_id = invitations.candidate_id), 0)",
    )
    .execute(&pool)
    .await
    .expect("last_signal_id");
    phases.push(("UPDATE invitations SET last_signal_id = the candidate's newest signal", t.elapsed()));
    let t = Instant::now();
    sqlx::query("UPDATE invitations SET risk_due_at = 0").execute(&pool).await.expect("risk_due_at");
    phases.push(("UPDATE invitations SET risk_due_at = 0 (every assessment due)", t.elapsed()));
    if backend == Backend::Postgres {
        // What autovacuum would do within minutes of a bulk load: statistics and the visibility map.
        let t = Instant::now();
        sqlx::query("VACUUM ANALYZE").execute(&pool).await.expect("vacuum");
        phases.push(("VACUUM ANALYZE (what autovacuum does after a bulk load)", t.elapsed()));
    } else {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.expect("checkpoint");
    }

    let mut counts = Vec::new();
    for table in [
        "campaigns",
        "slots",
        "candidates",
        "invitations",
        "bookings",
        "signals",
        "notices",
        "outbox",
        "calls",
        "risk_overrides",
        "hr_users",
    ] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&pool).await.expect("count").get("n");
        counts.push((table, n));
    }
    let outbox_status = grouped(&pool, "SELECT status AS k, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status").await;
    let states = grouped(
        &pool,
        &format!(
            "SELECT state AS k, COUNT(*) AS n FROM invitations WHERE campaign_id >= {} GROUP BY state ORDER BY state",
            camps[first_current].id
        ),
    )
    .await;
    pool.close().await;

    // What the load uses: links of unconfirmed candidates in a fixed random order, and the
    // slots with room that start at least four hours after "now" (so the whole run can book them).
    let mut confirmable: Vec<Confirmable> = lives
        .iter()
        .filter(|l| camps[l.camp].current && matches!(l.state, St::Invited | St::Opened))
        .map(|l| Confirmable { token: l.token.clone().unwrap_or_default(), camp: l.camp })
        .collect();
    for i in (1..confirmable.len()).rev() {
        confirmable.swap(i, rng.below(i + 1));
    }
    let rooms: Vec<Vec<Room>> = camps
        .iter()
        .map(|c| {
            c.slots
                .iter()
                .map(|&s| &slots[s])
                .filter(|s| c.current && s.starts >= t_now + 4 * HOUR && s.booked < s.capacity)
                .map(|s| Room { id: s.id, left: s.capacity - s.booked })
                .collect()
        })
        .collect();
    let big_names: Vec<&Life> = lives.iter().filter(|l| l.camp == big).collect();
    let fragment: String = big_names.get(big_names.len() / 3).map(|l| l.name.chars().take(2).collect()).unwrap_or_default();
    let matches = big_names.iter().filter(|l| l.name.contains(&fragment)).count();
    let rich_big_candidates: Vec<i64> = big_names
        .iter()
        .filter(|l| l.booked.is_some() && l.device.is_some() && l.guide_events.len() >= 2)
        .map(|l| l.id)
        .take(200)
        .collect();
    Season {
        big_campaign_id: camps[big].id,
        admin_email,
        admin_password,
        search: (fragment, matches),
        rich_big_candidates,
        counts,
        phases,
        outbox_status,
        states,
        room_cursor: vec![0; camps.len()],
        confirmable,
        cursor: 0,
        rooms,
    }
}

async fn grouped(pool: &AnyPool, sql: &str) -> Vec<(String, i64)> {
    sqlx::query(sql)
        .fetch_all(pool)
        .await
        .expect("group")
        .iter()
        .map(|r| (r.get::<String, _>("k"), r.get::<i64, _>("n")))
        .collect()
}

/// Books a slot of `camp` starting after `after` (and at least half an hour after it); the
/// slot's index, or `None` when every such slot is full.
fn book(rng: &mut Rng, camp: &Camp, slots: &mut [SlotRow], after: i64, not: Option<usize>) -> Option<usize> {
    let open: Vec<usize> = camp
        .slots
        .iter()
        .copied()
        .filter(|&s| slots[s].starts > after + 30 * MINUTE && slots[s].booked < slots[s].capacity && Some(s) != not)
        .collect();
    if open.is_empty() {
        return None;
    }
    let s = rng.pick(&open);
    slots[s].booked += 1;
    Some(s)
}

/// An earlier campaign's candidate: invited months ago, mostly attended or not.
fn plan_earlier(rng: &mut Rng, id: i64, ci: usize, camp: &Camp, slots: &mut [SlotRow], j: usize, _k: usize) -> Life {
    let issued = camp.issued + (j as i64 % 600);
    let u = rng.f();
    let state = if u < 0.06 {
        St::Invited
    } else if u < 0.14 {
        St::Opened
    } else if u < 0.22 {
        St::Declined
    } else {
        St::Confirmed
    };
    let mut l = blank(id, ci, name(rng), Some(format!("p{j}@mail.example.cn")), format!("15{j:09}"), issued, state);
    if state != St::Invited {
        l.opened = Some(issued + rng.between(HOUR, 40 * HOUR));
    }
    match state {
        St::Confirmed => {
            let at = l.opened.unwrap_or(issued) + rng.between(5 * MINUTE, 5 * HOUR);
            match book(rng, camp, slots, at, None) {
                Some(s) => {
                    l.booked = Some((s, at));
                    let no_show = rng.chance(0.22);
                    l.outcome =
                        Some((if no_show { "no_show" } else { "attended" }, slots[s].ends + rng.between(HOUR, 30 * HOUR)));
                }
                None => l.state = St::Opened,
            }
        }
        St::Declined => {
            let at = l.opened.unwrap_or(issued) + rng.between(10 * MINUTE, 20 * HOUR);
            l.declined = Some((at, rng.pick(&DECLINES).0, ""));
        }
        _ => {}
    }
    l
}

const DECLINES: [(&str, &str); 5] = [
    ("time_conflict", ""),
    ("accepted_another_offer", ""),
    ("no_longer_interested", ""),
    ("technical_problem", ""),
    ("other", "家里有事，无法参加"),
];

#[allow(clippy::too_many_arguments)]
fn blank(id: i64, camp: usize, name: String, email: Option<String>, phone: String, issued: i64, state: St) -> Life {
    Life {
        id,
        camp,
        name,
        email,
        phone,
        issued,
        state,
        opened: None,
        device_class: "mobile",
        extra_opens: 0,
        guide: "not_opened",
        guide_events: Vec::new(),
        guide_seconds: 0,
        device: None,
        booked: None,
        released: None,
        declined: None,
        outcome: None,
        call: None,
        overridden: None,
        notices: Vec::new(),
        token: None,
    }
}

/// How an invitation-time message fared: sent a few minutes after the invitation, or failed
/// after its retries, or skipped (no address).
fn invitation_msg(rng: &mut Rng, channel: &'static str, has_email: bool, issued: i64) -> Msg {
    let due = issued;
    let status = match channel {
        "email" if !has_email => Status::Skipped(issued + 30),
        "email" if rng.chance(0.02) => Status::Failed(issued + 31 * MINUTE),
        "sms" if rng.chance(0.03) => Status::Failed(issued + 31 * MINUTE),
        "work_chat" if rng.chance(0.01) => Status::Failed(issued + 31 * MINUTE),
        _ => Status::Sent(issued + rng.between(20, 10 * MINUTE)),
    };
    Msg { id: 0, channel, due, status, opened_at: None }
}

/// A current candidate, mid-window: 24% invited, 30% opened, 30% confirmed, 3% rescheduled,
/// 13% declined (a third of them after confirming).
#[allow(clippy::too_many_arguments)]
fn plan_current(
    rng: &mut Rng,
    id: i64,
    ci: usize,
    camp: &Camp,
    slots: &mut [SlotRow],
    now: i64,
    who: String,
    email: Option<String>,
    phone: String,
) -> Life {
    let issued = camp.issued + (id % 600);
    let u = rng.f();
    let mut state = if u < 0.24 {
        St::Invited
    } else if u < 0.54 {
        St::Opened
    } else if u < 0.84 {
        St::Confirmed
    } else if u < 0.87 {
        St::Rescheduled
    } else {
        St::Declined
    };
    let has_email = email.is_some();
    let mut l = blank(id, ci, who, email, phone, issued, state);
    l.token = Some(new_token().0);
    l.device_class = if rng.chance(0.8) { "mobile" } else { "desktop" };
    if state != St::Invited {
        // Most open early; a tail opens late.
        let span = (now - issued - 2 * HOUR) as f64;
        l.opened = Some(issued + 5 * MINUTE + (rng.f().powf(1.8) * span) as i64);
    }
    let opened = l.opened.unwrap_or(issued);

    // Booking, moving, declining.
    if matches!(state, St::Confirmed | St::Rescheduled) || (state == St::Declined && rng.chance(0.35)) {
        let at = rng.between(opened + MINUTE, (opened + 8 * HOUR).min(now - MINUTE));
        match book(rng, camp, slots, at, None) {
            None => state = St::Opened,
            Some(s) => {
                l.booked = Some((s, at));
                if state == St::Rescheduled {
                    // A move is allowed up to 12 hours before the slot.
                    let latest = (slots[s].starts - 12 * HOUR).min(now - MINUTE);
                    let moved = if latest > at + MINUTE {
                        let when = rng.between(at + MINUTE, latest);
                        book(rng, camp, slots, when, Some(s)).map(|s2| (s2, when))
                    } else {
                        None
                    };
                    match moved {
                        Some((s2, when)) => {
                            slots[s].booked -= 1;
                            l.released = Some((s, at, when, "rescheduled"));
                            l.booked = Some((s2, when));
                        }
                        None => state = St::Confirmed,
                    }
                }
                if state == St::Declined {
                    let latest = slots[s].starts.min(now) - MINUTE;
                    let when = rng.between(at + MINUTE, latest.max(at + 2 * MINUTE));
                    slots[s].booked -= 1;
                    l.released = Some((s, at, when, "declined"));
                    l.booked = None;
                    let (reason, note) = rng.pick(&DECLINES);
                    l.declined = Some((when, reason, note));
                }
            }
        }
    }
    if state == St::Declined && l.declined.is_none() {
        let (reason, note) = rng.pick(&DECLINES);
        l.declined = Some((rng.between(opened + MINUTE, now - MINUTE), reason, note));
    }
    l.state = state;

    // The guide and the device check, for those who opened their link.
    if state != St::Invited {
        let g = rng.f();
        let steps: &[&'static str] = if g < 0.50 {
            &[]
        } else if g < 0.77 {
            &["guide_opened"]
        } else if g < 0.89 {
            &["guide_opened", "guide_finished"]
        } else {
            &["guide_opened", "guide_finished", "guide_acknowledged"]
        };
        let mut at = opened;
        for step in steps {
            at = rng.between(at + 10, (at + 6 * HOUR).min(now - 10).max(at + 11));
            l.guide_events.push((step, at));
        }
        l.guide = match steps.len() {
            0 => "not_opened",
            1 => "opened",
            2 => "finished",
            _ => "acknowledged",
        };
        l.guide_seconds = match steps.len() {
            0 => 0,
            1 => rng.between(10, 120),
            _ => rng.between(120, 900),
        };
        if rng.chance(0.22) {
            let at = rng.between(opened + MINUTE, now - MINUTE);
            let v = rng.f();
            l.device = Some(if v < 0.75 {
                ("pass", "", at)
            } else if v < 0.90 {
                ("warn", "", at)
            } else {
                ("fail", rng.pick(&["camera", "microphone", "network", "permissions"]), at)
            });
        }
    }

    // Notices: the invitation on e-mail and SMS (and work chat for those who neither booked nor
    // were followed up), its unread follow-up for those who never opened, the countdown before a
    // booked slot on work chat.
    let channels: &[&'static str] = match state {
        St::Opened => &["email", "sms", "work_chat"],
        St::Declined if l.released.is_none() => &["email", "sms", "work_chat"],
        _ => &["email", "sms"],
    };
    let inv = Notice {
        id: 0,
        kind: "invitation",
        created: issued,
        slot: None,
        parent: None,
        msgs: channels.iter().map(|c| invitation_msg(rng, c, has_email, issued)).collect(),
        unread_at: None,
        cancelled_at: None,
    };
    let mut notices = vec![inv];
    if state == St::Opened || state == St::Declined || l.booked.is_some() {
        // Some opened the e-mail (its pixel) shortly before following the link.
        if let Some(m) = notices[0].msgs.iter_mut().find(|m| m.channel == "email") {
            if let Some(sent) = m.sent_at() {
                if opened > sent + MINUTE && rng.chance(0.12) {
                    m.opened_at = Some(rng.between(sent + 30, opened));
                }
            }
        }
    }
    if state == St::Invited {
        let first_sent = notices[0].first_sent();
        let due = first_sent.unwrap_or(issued) + 24 * HOUR;
        let status = if first_sent.is_none() {
            Status::Cancelled(due)
        } else if due > now {
            Status::Pending
        } else if rng.chance(0.03) {
            Status::Failed(due + 31 * MINUTE)
        } else {
            Status::Sent(due + rng.between(10, 120))
        };
        if first_sent.is_some() && due <= now {
            notices[0].unread_at = Some(due);
        }
        notices.push(Notice {
            id: 0,
            kind: "follow_up",
            created: issued,
            slot: None,
            parent: None,
            msgs: vec![Msg { id: 0, channel: "sms", due, status, opened_at: None }],
            unread_at: None,
            cancelled_at: None,
        });
        // One in fifteen of them was phoned today or yesterday; a few rated high by hand.
        if id % 15 == 0 {
            let outcome = rng.pick(&["no_answer", "no_answer", "reached_will_reschedule", "wrong_number", "reached_confirmed"]);
            l.call = Some((rng.between(now - 20 * HOUR, now - 2 * MINUTE), outcome));
        }
        if id % 300 == 7 {
            l.overridden = Some(rng.between(now - 20 * HOUR, now - MINUTE));
        }
    }
    let countdown_for =
        l.booked.map(|(s, at)| (s, at, None)).or(l.released.filter(|r| r.3 == "declined").map(|r| (r.0, r.1, Some(r.2))));
    if let Some((s, at, declined_at)) = countdown_for {
        let due = slots[s].starts - HOUR;
        let status = match declined_at {
            Some(d) if due > d => Status::Cancelled(d),
            _ if due > now => Status::Pending,
            _ if rng.chance(0.01) => Status::Failed(due + 31 * MINUTE),
            _ => Status::Sent(due + rng.between(5, 90)),
        };
        let created = l.booked.map_or(at, |b| b.1);
        let cancelled_at = match status {
            Status::Cancelled(d) => Some(d),
            _ => None,
        };
        notices.push(Notice {
            id: 0,
            kind: "countdown",
            created,
            slot: Some(s),
            parent: None,
            msgs: vec![Msg { id: 0, channel: "work_chat", due, status, opened_at: None }],
            unread_at: None,
            cancelled_at,
        });
    }
    l.notices = notices;
    l
}

fn payload(v: serde_json::Value) -> String {
    v.to_string()
}

fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// Every signal of one candidate, oldest first, as the app would have written them.
fn signals_of(l: &Life, camps: &[Camp], slots: &[SlotRow], now: i64) -> Vec<Sig> {
    let camp = &camps[l.camp];
    let mut out = Vec::new();
    let mut push = |at: i64, kind: &'static str, source: &'static str, p: serde_json::Value| {
        out.push(Sig { at, cand: l.id, camp_id: camp.id, kind, source, payload: payload(p) });
    };
    push(
        l.issued,
        "invitation_issued",
        "system",
        serde_json::json!({ "window_first_day": camp.window.first_day.to_string(), "window_days": camp.window.days }),
    );
    for n in &l.notices {
        if let Some(at) = n.unread_at {
            let follow_up = l.notices.iter().find(|f| f.kind == "follow_up").map_or(0, |f| f.id);
            push(
                at,
                "reminder_unread",
                "system",
                serde_json::json!({ "notice": n.kind, "notice_id": n.id, "unread_after_hours": 24, "follow_up_id": follow_up }),
            );
        }
        for m in &n.msgs {
            let base = serde_json::json!({
                "notice": n.kind, "notice_id": n.id, "channel": m.channel, "message_id": m.id,
            });
            match m.status {
                Status::Sent(at) => {
                    let mut p = base.clone();
                    p["attempt"] = 1.into();
                    push(at, "reminder_sent", "system", p);
                }
                Status::Failed(at) => {
                    let mut p = base.clone();
                    p["attempt"] = 6.into();
                    p["error"] = "provider refused: recipient unreachable".into();
                    push(at, "reminder_failed", "system", p);
                }
                _ => {}
            }
            if let Some(at) = m.opened_at {
                push(at, "reminder_opened", "candidate", base);
            }
        }
    }
    if let Some(o) = l.opened {
        push(o, "invitation_opened", "candidate", serde_json::json!({ "device": l.device_class }));
        if l.extra_opens > 0 {
            let mut rng = Rng::new(0x5eed ^ (l.id as u64).wrapping_mul(0x9E37_79B9));
            for _ in 0..l.extra_opens {
                let at = rng.between(o + 1, now - 1);
                push(at, "invitation_opened", "candidate", serde_json::json!({ "device": l.device_class }));
            }
        }
    }
    for &(kind, at) in &l.guide_events {
        let p = if kind == "guide_finished" { serde_json::json!({ "seconds": l.guide_seconds }) } else { serde_json::json!({}) };
        push(at, kind, "candidate", p);
    }
    if let Some((verdict, failed, at)) = l.device {
        let items: Vec<&str> = if failed.is_empty() { Vec::new() } else { vec![failed] };
        push(
            at,
            "device_check_completed",
            "candidate",
            serde_json::json!({ "verdict": verdict, "failed_items": items, "client": if l.device_class == "mobile" { "Chrome 131 / Android" } else { "Edge 131 / Windows" } }),
        );
    }
    let slot_payload = |s: usize, at: i64, from: Option<i64>| {
        serde_json::json!({
            "slot_id": slots[s].id,
            "starts_at": rfc3339(slots[s].starts),
            "from_slot": from,
            "hours_before_start": (slots[s].starts - at) / HOUR,
        })
    };
    if let Some((s, booked_at, released_at, cause)) = l.released {
        push(booked_at, "slot_confirmed", "candidate", slot_payload(s, booked_at, None));
        if cause == "rescheduled" {
            if let Some((s2, _)) = l.booked {
                push(released_at, "slot_rescheduled", "candidate", slot_payload(s2, released_at, Some(slots[s].id)));
            }
        }
    } else if let Some((s, at)) = l.booked {
        push(at, "slot_confirmed", "candidate", slot_payload(s, at, None));
    }
    if let Some((at, reason, note)) = l.declined {
        let released = l.released.filter(|r| r.3 == "declined").map(|r| slots[r.0].id);
        push(at, "declined", "candidate", serde_json::json!({ "reason": reason, "note": note, "released_slot": released }));
    }
    if let Some((at, outcome)) = l.call {
        push(
            at,
            "call_recorded",
            "hr",
            serde_json::json!({ "outcome": outcome, "note": "按名单回访", "reached": outcome.starts_with("reached") }),
        );
    }
    if let Some(at) = l.overridden {
        push(at, "risk_overridden", "hr", serde_json::json!({ "level": "high", "note": "多次联系未果，重点跟进" }));
    }
    if let Some((outcome, at)) = l.outcome {
        push(at, "outcome_recorded", "hr", serde_json::json!({ "outcome": outcome }));
    }
    out.sort_by_key(|s| s.at);
    out
}

const SLOTS: Table = Table {
    name: "slots",
    columns: &[
        ("id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("starts_at", Kind::Int),
        ("ends_at", Kind::Int),
        ("capacity", Kind::Int),
        ("booked", Kind::Int),
    ],
};
const CANDIDATES: Table = Table {
    name: "candidates",
    columns: &[
        ("id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("full_name", Kind::Text),
        ("email", Kind::Text),
        ("phone", Kind::Text),
        ("created_at", Kind::Int),
        ("email_norm", Kind::Text),
        ("phone_norm", Kind::Text),
    ],
};
const INVITATIONS: Table = Table {
    name: "invitations",
    columns: &[
        ("id", Kind::Int),
        ("candidate_id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("token_hash", Kind::Text),
        ("issued_at", Kind::Int),
        ("window_first_day", Kind::Text),
        ("window_days", Kind::Int),
        ("window_starts_at", Kind::Int),
        ("window_ends_at", Kind::Int),
        ("state", Kind::Text),
        ("slot_id", Kind::Int),
        ("reschedules", Kind::Int),
        ("decline_reason", Kind::Text),
        ("decline_note", Kind::Text),
        ("first_opened_at", Kind::Int),
        ("last_activity_at", Kind::Int),
        ("guide_progress", Kind::Text),
        ("guide_seconds", Kind::Int),
        ("outcome", Kind::Text),
        ("outcome_at", Kind::Int),
        ("device_check_verdict", Kind::Text),
        ("device_check_failed", Kind::Text),
        ("device_checked_at", Kind::Int),
    ],
};
const BOOKINGS: Table = Table {
    name: "bookings",
    columns: &[
        ("id", Kind::Int),
        ("invitation_id", Kind::Int),
        ("slot_id", Kind::Int),
        ("booked_at", Kind::Int),
        ("released_at", Kind::Int),
        ("release_cause", Kind::Text),
    ],
};
const NOTICES: Table = Table {
    name: "notices",
    columns: &[
        ("id", Kind::Int),
        ("invitation_id", Kind::Int),
        ("candidate_id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("kind", Kind::Text),
        ("slot_id", Kind::Int),
        ("parent_id", Kind::Int),
        ("created_at", Kind::Int),
        ("first_sent_at", Kind::Int),
        ("read_at", Kind::Int),
        ("unread_at", Kind::Int),
        ("cancelled_at", Kind::Int),
    ],
};
const OUTBOX: Table = Table {
    name: "outbox",
    columns: &[
        ("id", Kind::Int),
        ("notice_id", Kind::Int),
        ("invitation_id", Kind::Int),
        ("candidate_id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("channel", Kind::Text),
        ("idempotency_key", Kind::Text),
        ("status", Kind::Text),
        ("due_at", Kind::Int),
        ("next_attempt_at", Kind::Int),
        ("attempts", Kind::Int),
        ("last_error", Kind::Text),
        ("provider_ref", Kind::Text),
        ("sent_at", Kind::Int),
        ("opened_at", Kind::Int),
        ("created_at", Kind::Int),
        ("updated_at", Kind::Int),
    ],
};
const SIGNALS: Table = Table {
    name: "signals",
    columns: &[
        ("id", Kind::Int),
        ("candidate_id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("kind", Kind::Text),
        ("source", Kind::Text),
        ("occurred_at", Kind::Int),
        ("payload", Kind::Text),
    ],
};
const CALLS: Table = Table {
    name: "calls",
    columns: &[
        ("id", Kind::Int),
        ("candidate_id", Kind::Int),
        ("campaign_id", Kind::Int),
        ("hr_user_id", Kind::Int),
        ("outcome", Kind::Text),
        ("reached", Kind::Bool),
        ("note", Kind::Text),
        ("called_at", Kind::Int),
    ],
};
const OVERRIDES: Table = Table {
    name: "risk_overrides",
    columns: &[
        ("candidate_id", Kind::Int),
        ("level", Kind::Text),
        ("note", Kind::Text),
        ("hr_user_id", Kind::Int),
        ("created_at", Kind::Int),
    ],
};

/// Writes every table, in an order that satisfies PostgreSQL's foreign keys.
async fn write(
    pool: &AnyPool,
    backend: Backend,
    camps: &[Camp],
    slots: &[SlotRow],
    lives: &[Life],
    admin_id: i64,
    now: i64,
) -> HashMap<&'static str, u64> {
    let mut written = HashMap::new();
    let ins = |table: &'static Table, rows: Vec<Vec<V>>| async move {
        bulk::insert(pool, backend, table, rows).await.unwrap_or_else(|e| panic!("inserting into {}: {e}", table.name))
    };
    let slot_rows = slots
        .iter()
        .map(|s| vec![s.id.into(), camps[s.camp].id.into(), s.starts.into(), s.ends.into(), s.capacity.into(), s.booked.into()])
        .collect();
    written.insert("slots", ins(&SLOTS, slot_rows).await);

    let cand_rows = lives
        .iter()
        .map(|l| {
            vec![
                l.id.into(),
                camps[l.camp].id.into(),
                l.name.clone().into(),
                l.email.clone().into(),
                l.phone.clone().into(),
                (l.issued - 60).into(),
                l.email.as_deref().and_then(normalize_email).into(),
                normalize_phone(&l.phone).into(),
            ]
        })
        .collect();
    written.insert("candidates", ins(&CANDIDATES, cand_rows).await);

    // Signals first in memory: the invitations' last activity and the notices' read times
    // follow from them.
    let mut signals: Vec<Sig> = Vec::new();
    let mut inv_rows = Vec::with_capacity(lives.len());
    let mut notice_rows = Vec::new();
    let mut outbox_rows = Vec::new();
    let mut booking_rows = Vec::new();
    let mut call_rows = Vec::new();
    let mut override_rows = Vec::new();
    for l in lives {
        let camp = &camps[l.camp];
        let sigs = signals_of(l, camps, slots, now);
        // Every action through the link takes the invitation's lock, which writes its activity time.
        let activity = sigs
            .iter()
            .filter(|s| s.source == "candidate" && !s.kind.starts_with("reminder_"))
            .map(|s| s.at)
            .max()
            .unwrap_or(l.issued);
        let seen: Vec<i64> = sigs.iter().filter(|s| s.source == "candidate").map(|s| s.at).collect();
        let token_hash = match &l.token {
            Some(t) => TokenHash::of(t).as_str().to_string(),
            None => TokenHash::of(&format!("season-earlier-{}", l.id)).as_str().to_string(),
        };
        let (decline_reason, decline_note) = match l.declined {
            Some((_, r, n)) => (Some(r), Some(n)),
            None => (None, None),
        };
        let (device_verdict, device_failed, device_at) = match l.device {
            Some((v, f, at)) => (Some(v), f, Some(at)),
            None => (None, "", None),
        };
        inv_rows.push(vec![
            l.id.into(),
            l.id.into(),
            camp.id.into(),
            token_hash.into(),
            l.issued.into(),
            camp.window.first_day.format("%Y-%m-%d").to_string().into(),
            i64::from(camp.window.days).into(),
            camp.window.starts_at.timestamp().into(),
            camp.window.ends_at.timestamp().into(),
            l.state.as_str().into(),
            l.booked.map(|(s, _)| slots[s].id).into(),
            i64::from(l.released.is_some_and(|r| r.3 == "rescheduled")).into(),
            decline_reason.into(),
            decline_note.into(),
            l.opened.into(),
            activity.into(),
            l.guide.into(),
            l.guide_seconds.into(),
            l.outcome.map(|o| o.0).into(),
            l.outcome.map(|o| o.1).into(),
            device_verdict.into(),
            device_failed.into(),
            device_at.into(),
        ]);
        if let Some((s, booked_at, released_at, cause)) = l.released {
            booking_rows.push((booked_at, l.id, slots[s].id, Some(released_at), Some(cause)));
        }
        if let Some((s, at)) = l.booked {
            booking_rows.push((at, l.id, slots[s].id, None, None));
        }
        for n in &l.notices {
            let first_sent = n.first_sent();
            // Read: the candidate was seen (any action of theirs) once the notice had reached them.
            let read_at = first_sent.and_then(|sent| seen.iter().copied().filter(|&t| t >= sent).min());
            notice_rows.push(vec![
                n.id.into(),
                l.id.into(),
                l.id.into(),
                camp.id.into(),
                n.kind.into(),
                n.slot.map(|s| slots[s].id).into(),
                n.parent.into(),
                n.created.into(),
                first_sent.into(),
                read_at.into(),
                n.unread_at.into(),
                n.cancelled_at.into(),
            ]);
            for m in &n.msgs {
                let (status, attempts, error, updated): (&'static str, i64, Option<&'static str>, i64) = match m.status {
                    Status::Sent(at) => ("sent", 1, None, at),
                    Status::Failed(at) => ("failed", 6, Some("provider refused: recipient unreachable"), at),
                    Status::Skipped(at) => ("skipped", 1, Some("no e-mail address"), at),
                    Status::Pending => ("pending", 0, None, n.created),
                    Status::Cancelled(at) => {
                        ("cancelled", 0, Some(if n.kind == "follow_up" { "never delivered" } else { "declined" }), at)
                    }
                };
                outbox_rows.push(vec![
                    m.id.into(),
                    n.id.into(),
                    l.id.into(),
                    l.id.into(),
                    camp.id.into(),
                    m.channel.into(),
                    format!("turnout-{}-{}-{}", l.id, n.id, m.channel).into(),
                    status.into(),
                    m.due.into(),
                    m.due.into(),
                    attempts.into(),
                    error.into(),
                    m.sent_at().map(|_| format!("prov-{}", m.id)).into(),
                    m.sent_at().into(),
                    m.opened_at.into(),
                    n.created.into(),
                    updated.into(),
                ]);
            }
        }
        if let Some((at, outcome)) = l.call {
            call_rows.push(vec![
                V::Null,
                l.id.into(),
                camp.id.into(),
                admin_id.into(),
                outcome.into(),
                outcome.starts_with("reached").into(),
                "按名单回访".into(),
                at.into(),
            ]);
        }
        if let Some(at) = l.overridden {
            override_rows.push(vec![l.id.into(), "high".into(), "多次联系未果，重点跟进".into(), admin_id.into(), at.into()]);
        }
        signals.extend(sigs);
    }
    written.insert("invitations", ins(&INVITATIONS, inv_rows).await);
    booking_rows.sort_by_key(|b| b.0);
    let booking_rows = booking_rows
        .into_iter()
        .enumerate()
        .map(|(i, (at, inv, slot, released, cause))| {
            vec![(i as i64 + 1).into(), inv.into(), slot.into(), at.into(), released.into(), cause.into()]
        })
        .collect();
    written.insert("bookings", ins(&BOOKINGS, booking_rows).await);
    notice_rows.sort_by_key(|r| match r[0] {
        V::I(id) => id,
        _ => 0,
    });
    written.insert("notices", ins(&NOTICES, notice_rows).await);
    outbox_rows.sort_by_key(|r| match r[0] {
        V::I(id) => id,
        _ => 0,
    });
    written.insert("outbox", ins(&OUTBOX, outbox_rows).await);
    // Signal ids follow time, as the log grows in the app.
    signals.sort_by_key(|s| (s.at, s.cand));
    let signal_rows = signals
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i as i64 + 1).into(),
                s.cand.into(),
                s.camp_id.into(),
                s.kind.into(),
                s.source.into(),
                s.at.into(),
                s.payload.into(),
            ]
        })
        .collect();
    written.insert("signals", ins(&SIGNALS, signal_rows).await);
    call_rows.sort_by_key(|r| match r[7] {
        V::I(at) => at,
        _ => 0,
    });
    let call_rows = call_rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r[0] = (i as i64 + 1).into();
            r
        })
        .collect();
    written.insert("calls", ins(&CALLS, call_rows).await);
    written.insert("risk_overrides", ins(&OVERRIDES, override_rows).await);
    written
}
