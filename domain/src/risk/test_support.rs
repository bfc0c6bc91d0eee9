//! Hand-made facts and a proptest strategy shared by the risk tests.

use super::{CandidateFacts, DeviceCheckFact, GuideProgress};
use crate::invitation::{DeclineReason, InvitationState};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

/// `hours` after a fixed instant (2026-09-21 UTC), the moment every hand-made candidate is invited.
pub fn at(hours: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("timestamp") + Duration::hours(hours)
}

/// Invited this instant, a three-day window, nothing else known.
pub fn just_invited() -> CandidateFacts {
    CandidateFacts {
        now: at(0),
        invited_at: at(0),
        first_opened_at: None,
        window_ends_at: at(72),
        state: InvitationState::Invited,
        confirmed_at: None,
        slot_starts_at: None,
        reschedules: 0,
        reminders_sent: 0,
        reminders_read: 0,
        device_check: DeviceCheckFact::NotRun,
        guide: GuideProgress::NotOpened,
        decline_reason: None,
        past_attended: 0,
        past_no_shows: 0,
    }
}

/// Opened after 2 hours, confirmed after 3 a slot two days later; device passed, guide finished.
pub fn confirmed() -> CandidateFacts {
    CandidateFacts {
        now: at(4),
        first_opened_at: Some(at(2)),
        state: InvitationState::Confirmed,
        confirmed_at: Some(at(3)),
        slot_starts_at: Some(at(51)),
        device_check: DeviceCheckFact::Passed,
        guide: GuideProgress::Finished,
        ..just_invited()
    }
}

fn arb_state() -> impl Strategy<Value = InvitationState> {
    prop::sample::select(InvitationState::ALL.to_vec())
}

fn arb_device() -> impl Strategy<Value = DeviceCheckFact> {
    prop_oneof![
        Just(DeviceCheckFact::NotRun),
        Just(DeviceCheckFact::Passed),
        Just(DeviceCheckFact::Warned),
        (0u32..10).prop_map(|failed_items| DeviceCheckFact::Failed { failed_items }),
    ]
}

fn arb_guide() -> impl Strategy<Value = GuideProgress> {
    prop::sample::select(vec![
        GuideProgress::NotOpened,
        GuideProgress::Opened,
        GuideProgress::Finished,
        GuideProgress::Acknowledged,
    ])
}

fn arb_decline() -> impl Strategy<Value = Option<DeclineReason>> {
    prop::option::of(prop::sample::select(DeclineReason::ALL.to_vec()))
}

/// Any facts, consistent or not (callers fill them from real, messy data).
pub fn arb_facts() -> impl Strategy<Value = CandidateFacts> {
    (
        (-10i64..400, -200i64..200, prop::option::of(-10i64..300), 0i64..200),
        (arb_state(), prop::option::of(-10i64..300), prop::option::of(-10i64..2000)),
        (0u32..20, 0u32..20, 0u32..20),
        (arb_device(), arb_guide(), arb_decline(), 0u32..100, 0u32..100),
    )
        .prop_map(
            |((now, invited, opened, window), (state, confirmed, slot), (res, sent, read), (dev, guide, dec, att, ns))| {
                CandidateFacts {
                    now: at(now),
                    invited_at: at(invited),
                    first_opened_at: opened.map(at),
                    window_ends_at: at(invited + window),
                    state,
                    confirmed_at: confirmed.map(at),
                    slot_starts_at: slot.map(at),
                    reschedules: res,
                    reminders_sent: sent,
                    reminders_read: read,
                    device_check: dev,
                    guide,
                    decline_reason: dec,
                    past_attended: att,
                    past_no_shows: ns,
                }
            },
        )
}

/// A small deterministic generator (xorshift64) for synthetic data in tests.
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (0 is replaced, as xorshift would stay at 0).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 { 0x9e37_79b9_7f4a_7c15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A uniform number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
