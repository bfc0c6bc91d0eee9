//! Whether a candidate may take a slot, and what taking it means.
//!
//! The database has the last word on capacity (a conditional update under a CHECK); these
//! rules decide everything else, before that update runs, inside the same transaction.

use crate::campaign::{Capacity, ReschedulePolicy};
use crate::invitation::InvitationState;
use crate::window::InvitationWindow;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A slot as the rules need to see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Slot id.
    pub id: i64,
    /// The campaign the slot belongs to.
    pub campaign_id: i64,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Places in all.
    pub capacity: Capacity,
    /// Places taken.
    pub booked: u32,
}

impl Slot {
    /// Places still free.
    pub fn places_left(&self) -> u32 {
        self.capacity.places_left(self.booked)
    }
}

/// The candidate's booking before this request, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentBooking {
    /// The booked slot.
    pub slot_id: i64,
    /// When it starts.
    pub slot_starts_at: DateTime<Utc>,
    /// How many times the candidate has already changed slot.
    pub changes_so_far: u32,
}

/// What confirming the slot amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationPlan {
    /// The candidate already holds this slot: nothing to do (confirming twice is harmless).
    AlreadyBooked,
    /// A first booking.
    Book,
    /// A reschedule away from `from_slot`.
    Move {
        /// The slot being released.
        from_slot: i64,
    },
}

/// Why a slot cannot be taken. Every variant is something the candidate can be told plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum BookingRefusal {
    /// The candidate declined; the invitation is closed.
    #[error("the invitation was declined")]
    Declined,
    /// The window closed before a slot was confirmed.
    #[error("the invitation window has closed")]
    Expired,
    /// The slot does not exist or belongs to another campaign.
    #[error("no such slot for this invitation")]
    UnknownSlot,
    /// The slot lies outside the invitation's window.
    #[error("the slot is outside the invitation window")]
    OutsideWindow,
    /// The slot has already started.
    #[error("the slot has already started")]
    SlotStarted,
    /// Every place is taken.
    #[error("the slot is full")]
    SlotFull,
    /// The candidate has used every change the policy allows.
    #[error("no more changes are allowed (at most {max})")]
    RescheduleLimit {
        /// Changes allowed.
        max: u32,
    },
    /// The booked slot starts too soon to change it.
    #[error("changes close {cutoff_hours} hours before the start")]
    TooCloseToStart {
        /// The policy's cutoff.
        cutoff_hours: u32,
    },
}

/// Decides whether the invitation may take `slot` at `now`, and how.
pub fn plan_confirmation(
    state: InvitationState,
    window: &InvitationWindow,
    campaign_id: i64,
    current: Option<CurrentBooking>,
    slot: &Slot,
    policy: ReschedulePolicy,
    now: DateTime<Utc>,
) -> Result<ConfirmationPlan, BookingRefusal> {
    if state == InvitationState::Declined {
        return Err(BookingRefusal::Declined);
    }
    if slot.campaign_id != campaign_id {
        return Err(BookingRefusal::UnknownSlot);
    }
    if let Some(cur) = current {
        if cur.slot_id == slot.id {
            return Ok(ConfirmationPlan::AlreadyBooked);
        }
    }
    if current.is_none() && state.at(window.ends_at, now) == InvitationState::Expired {
        return Err(BookingRefusal::Expired);
    }
    if !window.contains_slot(slot.starts_at, slot.ends_at) {
        return Err(BookingRefusal::OutsideWindow);
    }
    if slot.starts_at <= now {
        return Err(BookingRefusal::SlotStarted);
    }
    let plan = match current {
        None => ConfirmationPlan::Book,
        Some(cur) => {
            check_change_allowed(cur, policy, now)?;
            ConfirmationPlan::Move { from_slot: cur.slot_id }
        }
    };
    if slot.places_left() == 0 {
        return Err(BookingRefusal::SlotFull);
    }
    Ok(plan)
}

/// Whether the reschedule policy still allows moving `current` at `now`.
pub fn check_change_allowed(current: CurrentBooking, policy: ReschedulePolicy, now: DateTime<Utc>) -> Result<(), BookingRefusal> {
    if current.changes_so_far >= policy.max_changes {
        return Err(BookingRefusal::RescheduleLimit { max: policy.max_changes });
    }
    if now + Duration::hours(i64::from(policy.cutoff_hours)) > current.slot_starts_at {
        return Err(BookingRefusal::TooCloseToStart { cutoff_hours: policy.cutoff_hours });
    }
    Ok(())
}

/// How many more changes the policy allows, or `None` when changing is closed at `now`.
pub fn changes_left(current: CurrentBooking, policy: ReschedulePolicy, now: DateTime<Utc>) -> Option<u32> {
    check_change_allowed(current, policy, now).ok().map(|_| policy.max_changes - current.changes_so_far)
}

/// Whether the candidate may still decline at `now`: not twice, and not once their slot has started.
pub fn check_decline_allowed(
    state: InvitationState,
    current: Option<CurrentBooking>,
    now: DateTime<Utc>,
) -> Result<(), BookingRefusal> {
    if state == InvitationState::Declined {
        return Err(BookingRefusal::Declined);
    }
    if let Some(cur) = current {
        if cur.slot_starts_at <= now {
            return Err(BookingRefusal::SlotStarted);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{TimeZone, WindowDays};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn window() -> InvitationWindow {
        let tz: TimeZone = "Asia/Shanghai".parse().expect("zone");
        InvitationWindow::from_first_day(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"), tz, WindowDays::DEFAULT)
    }

    fn slot(id: i64, hours_into_window: i64, capacity: i64, booked: u32) -> Slot {
        let w = window();
        let starts_at = w.starts_at + Duration::hours(hours_into_window);
        Slot {
            id,
            campaign_id: 1,
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            capacity: Capacity::new(capacity).expect("cap"),
            booked,
        }
    }

    fn issued() -> DateTime<Utc> {
        window().starts_at - Duration::hours(10)
    }

    #[test]
    fn first_booking_inside_window() {
        let plan = plan_confirmation(
            InvitationState::Opened,
            &window(),
            1,
            None,
            &slot(1, 10, 1, 0),
            ReschedulePolicy::DEFAULT,
            issued(),
        );
        assert_eq!(plan, Ok(ConfirmationPlan::Book));
    }

    #[test]
    fn full_slot_is_refused() {
        let plan = plan_confirmation(
            InvitationState::Opened,
            &window(),
            1,
            None,
            &slot(1, 10, 5, 5),
            ReschedulePolicy::DEFAULT,
            issued(),
        );
        assert_eq!(plan, Err(BookingRefusal::SlotFull));
    }

    #[test]
    fn confirming_the_same_slot_twice_is_idempotent_even_when_full() {
        let s = slot(1, 10, 1, 1);
        let cur = CurrentBooking { slot_id: 1, slot_starts_at: s.starts_at, changes_so_far: 0 };
        let plan =
            plan_confirmation(InvitationState::Confirmed, &window(), 1, Some(cur), &s, ReschedulePolicy::DEFAULT, issued());
        assert_eq!(plan, Ok(ConfirmationPlan::AlreadyBooked));
    }

    #[test]
    fn slot_of_another_campaign_is_unknown() {
        let mut s = slot(1, 10, 1, 0);
        s.campaign_id = 2;
        assert_eq!(
            plan_confirmation(InvitationState::Opened, &window(), 1, None, &s, ReschedulePolicy::DEFAULT, issued()),
            Err(BookingRefusal::UnknownSlot)
        );
    }

    #[test]
    fn slot_outside_window_is_refused() {
        for hours in [-2, 72, 100] {
            let plan = plan_confirmation(
                InvitationState::Opened,
                &window(),
                1,
                None,
                &slot(1, hours, 3, 0),
                ReschedulePolicy::DEFAULT,
                issued(),
            );
            assert_eq!(plan, Err(BookingRefusal::OutsideWindow), "slot at +{hours}h");
        }
        // The last half hour of the window still counts.
        let last = slot(1, 71, 3, 0);
        let last = Slot { starts_at: window().ends_at - Duration::minutes(30), ends_at: window().ends_at, ..last };
        assert_eq!(
            plan_confirmation(InvitationState::Opened, &window(), 1, None, &last, ReschedulePolicy::DEFAULT, issued()),
            Ok(ConfirmationPlan::Book)
        );
    }

    #[test]
    fn started_slot_and_closed_window_are_refused() {
        let s = slot(1, 10, 3, 0);
        assert_eq!(
            plan_confirmation(InvitationState::Opened, &window(), 1, None, &s, ReschedulePolicy::DEFAULT, s.starts_at),
            Err(BookingRefusal::SlotStarted)
        );
        assert_eq!(
            plan_confirmation(InvitationState::Opened, &window(), 1, None, &s, ReschedulePolicy::DEFAULT, window().ends_at),
            Err(BookingRefusal::Expired)
        );
    }

    #[test]
    fn declined_invitation_cannot_book() {
        assert_eq!(
            plan_confirmation(
                InvitationState::Declined,
                &window(),
                1,
                None,
                &slot(1, 10, 3, 0),
                ReschedulePolicy::DEFAULT,
                issued()
            ),
            Err(BookingRefusal::Declined)
        );
    }

    #[test]
    fn reschedule_limits() {
        let target = slot(2, 40, 3, 0);
        let booked = slot(1, 20, 3, 1);
        let policy = ReschedulePolicy { max_changes: 2, cutoff_hours: 12 };
        let cur = |changes| CurrentBooking { slot_id: 1, slot_starts_at: booked.starts_at, changes_so_far: changes };
        let now = issued();
        assert_eq!(
            plan_confirmation(InvitationState::Confirmed, &window(), 1, Some(cur(0)), &target, policy, now),
            Ok(ConfirmationPlan::Move { from_slot: 1 })
        );
        assert_eq!(
            plan_confirmation(InvitationState::Rescheduled, &window(), 1, Some(cur(2)), &target, policy, now),
            Err(BookingRefusal::RescheduleLimit { max: 2 })
        );
        // 11h59m before the booked start is inside the 12h cutoff; 12h exactly is still allowed.
        let late = booked.starts_at - Duration::hours(12) + Duration::minutes(1);
        assert_eq!(
            plan_confirmation(InvitationState::Confirmed, &window(), 1, Some(cur(0)), &target, policy, late),
            Err(BookingRefusal::TooCloseToStart { cutoff_hours: 12 })
        );
        let edge = booked.starts_at - Duration::hours(12);
        assert!(plan_confirmation(InvitationState::Confirmed, &window(), 1, Some(cur(0)), &target, policy, edge).is_ok());
        assert_eq!(changes_left(cur(1), policy, now), Some(1));
        assert_eq!(changes_left(cur(0), policy, late), None);
    }

    #[test]
    fn decline_rules() {
        let s = slot(1, 10, 3, 1);
        let cur = CurrentBooking { slot_id: 1, slot_starts_at: s.starts_at, changes_so_far: 0 };
        assert!(check_decline_allowed(InvitationState::Confirmed, Some(cur), issued()).is_ok());
        assert_eq!(check_decline_allowed(InvitationState::Declined, None, issued()), Err(BookingRefusal::Declined));
        assert_eq!(check_decline_allowed(InvitationState::Confirmed, Some(cur), s.starts_at), Err(BookingRefusal::SlotStarted));
    }

    proptest! {
        /// Whatever the request, a plan that books a slot never books one that is full, outside
        /// the window, or already started.
        #[test]
        fn an_accepted_plan_respects_capacity_window_and_time(
            hours in -30i64..110,
            capacity in 1i64..6,
            booked in 0u32..8,
            now_offset in -20i64..80,
            has_current in any::<bool>(),
            changes in 0u32..4,
        ) {
            let s = slot(2, hours, capacity, booked.min(capacity as u32));
            let now = window().starts_at + Duration::hours(now_offset);
            let current = has_current.then(|| CurrentBooking { slot_id: 1, slot_starts_at: window().starts_at + Duration::hours(30), changes_so_far: changes });
            let state = if has_current { InvitationState::Confirmed } else { InvitationState::Opened };
            if let Ok(plan) = plan_confirmation(state, &window(), 1, current, &s, ReschedulePolicy::DEFAULT, now) {
                prop_assert_ne!(plan, ConfirmationPlan::AlreadyBooked);
                prop_assert!(s.places_left() > 0);
                prop_assert!(window().contains_slot(s.starts_at, s.ends_at));
                prop_assert!(s.starts_at > now);
                if let Some(cur) = current {
                    prop_assert!(cur.changes_so_far < ReschedulePolicy::DEFAULT.max_changes);
                }
            }
        }
    }
}
