//! What a candidate does through their link: open it, confirm or move a slot, decline.
//!
//! Every state change and its signal are written in one transaction. Each transaction starts
//! with a write to the invitation row, which takes the row lock (PostgreSQL) or the write lock
//! (SQLite) before anything is read, so two requests for one invitation never interleave.
//!
//! A move writes two slot rows. On PostgreSQL it locks both in ascending id order before
//! changing either, so two candidates moving crosswise (A from slot 1 to 2, B from 2 to 1)
//! queue behind each other instead of deadlocking; every other transaction here writes at most
//! one slot. Should the database still abort a booking transaction as a deadlock or a
//! serialisation failure, it is run once more (see [`retry_once`]) rather than shown to the
//! candidate as an error they did nothing to cause.

use crate::campaigns::{append_signal, insert_signal, load_campaign, signal_due};
use crate::records::{invitation_from_row, slot_from_columns, INVITATION_COLUMNS};
use crate::reminders::{plan_from_json, Cancel, NoticeTarget};
use crate::{ts, Backend, Campaign, Invitation, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use std::future::Future;
use turnout_domain::booking::check_decline_allowed;
use turnout_domain::{
    plan_confirmation, BookingRefusal, ConfirmationPlan, CurrentBooking, DeclineNote, DeclineReason, InvitationState,
    ReminderPlan, ReschedulePolicy, SignalKind, SignalSource, Slot, TimeZone, TokenHash,
};

/// The outcome of a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The slot now held.
    pub slot_id: i64,
    /// What was done.
    pub plan: ConfirmationPlan,
}

/// A decline to record.
#[derive(Debug, Clone)]
pub struct Decline {
    /// The reason chosen.
    pub reason: DeclineReason,
    /// The note added.
    pub note: DeclineNote,
}

impl Store {
    /// The invitation and campaign behind a link, if the link is known.
    pub async fn invitation_by_token(&self, token: &TokenHash) -> Result<Option<(Invitation, Campaign)>> {
        // One connection for both reads: each acquisition from the pool is a round trip of its
        // own (a ping, and on SQLite a hand-over to the connection's thread).
        let mut conn = self.pool.acquire().await?;
        let Some(invitation) = find_invitation(&mut conn, token).await? else { return Ok(None) };
        let campaign = load_campaign(&mut conn, invitation.campaign_id).await?;
        Ok(Some((invitation, campaign)))
    }

    /// What the candidate's invitation page shows: the invitation behind a link, its campaign,
    /// and the campaign's slots that lie wholly inside the invitation's window, in time order.
    pub async fn invitation_with_slots(&self, token: &TokenHash) -> Result<Option<(Invitation, Campaign, Vec<Slot>)>> {
        // Every statement is a round trip (on SQLite, a hand-over to the connection's thread and
        // back for each statement and its rows, which costs more than running it), so the
        // window's slots come with the invitation as one text value, not as rows of their own.
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS}, \
             (SELECT string_agg(s.id || ' ' || s.starts_at || ' ' || s.ends_at || ' ' || s.capacity || ' ' || s.booked, ',' \
             ORDER BY s.starts_at, s.id) FROM slots s WHERE s.campaign_id = i.campaign_id \
             AND s.starts_at >= i.window_starts_at AND s.ends_at <= i.window_ends_at) AS window_slots \
             FROM invitations i JOIN candidates c ON c.id = i.candidate_id WHERE {}",
            link_matches("i", "$1")
        ))
        .bind(token.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let invitation = invitation_from_row(&row)?;
        let slots = slots_from_list(invitation.campaign_id, row.try_get::<Option<String>, _>("window_slots")?.as_deref())?;
        let campaign = load_campaign(&mut conn, invitation.campaign_id).await?;
        Ok(Some((invitation, campaign, slots)))
    }

    /// Records that the candidate opened their link (a signal every time; the state moves from
    /// invited to opened the first time).
    pub async fn record_link_opened(
        &self,
        token: &TokenHash,
        now: DateTime<Utc>,
        client: &serde_json::Value,
    ) -> Result<Invitation> {
        let mut tx = self.begin_write().await?;
        // The visit is the write that takes the lock: activity time, state and first opening.
        let row = sqlx::query(&format!(
            "UPDATE invitations SET last_activity_at = $1, state = CASE WHEN state = 'invited' THEN 'opened' ELSE state END, \
             first_opened_at = COALESCE(first_opened_at, $1) WHERE {} RETURNING id, candidate_id, campaign_id",
            link_matches("invitations", "$2")
        ))
        .bind(ts(now))
        .bind(token.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::UnknownInvitation)?;
        let (id, candidate_id, campaign_id): (i64, i64, i64) =
            (row.try_get("id")?, row.try_get("candidate_id")?, row.try_get("campaign_id")?);
        let kind = SignalKind::InvitationOpened;
        let signal = append_signal(&mut tx, candidate_id, campaign_id, kind, SignalSource::Candidate, now, client).await?;
        sqlx::query(&format!("UPDATE invitations SET {} WHERE id = $3", signal_due("$1", "$2")))
            .bind(signal)
            .bind(ts(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let inv = load_invitation(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Confirms `slot_id` for the invitation behind `token`, or moves the booking there.
    ///
    /// Capacity is enforced by a conditional update (`booked < capacity`) under a CHECK
    /// constraint, so concurrent confirmations never overbook. A refusal is recorded as a
    /// signal and returned as [`StoreError::Refused`]; nothing else changes.
    pub async fn confirm_slot(&self, token: &TokenHash, slot_id: i64, now: DateTime<Utc>) -> Result<Confirmation> {
        retry_once(|| self.try_confirm_slot(token, slot_id, now)).await
    }

    async fn try_confirm_slot(&self, token: &TokenHash, slot_id: i64, now: DateTime<Utc>) -> Result<Confirmation> {
        let mut tx = self.begin_write().await?;
        let id = lock_invitation(&mut tx, token, now).await?;
        let booking = load_booking(&mut tx, id, slot_id).await?;
        let inv = &booking.invitation;
        let Some(slot) = booking.slot else {
            return refuse(tx, inv, BookingRefusal::UnknownSlot, slot_id, now).await;
        };
        let current = booking.current;
        let plan = match plan_confirmation(inv.state, &inv.window, inv.campaign_id, current, &slot, booking.policy, now) {
            Ok(plan) => plan,
            Err(refusal) => return refuse(tx, inv, refusal, slot_id, now).await,
        };
        if plan == ConfirmationPlan::AlreadyBooked {
            tx.commit().await?;
            return Ok(Confirmation { slot_id, plan });
        }
        if let ConfirmationPlan::Move { from_slot } = plan {
            lock_slots(&mut tx, self.backend, slot_id, from_slot).await?;
        }
        let taken = sqlx::query("UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity")
            .bind(slot_id)
            .execute(&mut *tx)
            .await?;
        if taken.rows_affected() == 0 {
            return refuse(tx, inv, BookingRefusal::SlotFull, slot_id, now).await;
        }
        let (state, kind, changes) = match plan {
            ConfirmationPlan::Move { from_slot } => {
                release_booking(&mut tx, inv.id, from_slot, "rescheduled", now).await?;
                (InvitationState::Rescheduled, SignalKind::SlotRescheduled, 1)
            }
            _ => (InvitationState::Confirmed, SignalKind::SlotConfirmed, 0),
        };
        sqlx::query("INSERT INTO bookings (invitation_id, slot_id, booked_at) VALUES ($1, $2, $3)")
            .bind(inv.id)
            .bind(slot_id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        let payload = serde_json::json!({
            "slot_id": slot_id,
            "starts_at": slot.starts_at.to_rfc3339(),
            "from_slot": current.map(|c| c.slot_id),
            "hours_before_start": (slot.starts_at - now).num_hours(),
        });
        let signal =
            append_signal(&mut tx, inv.candidate_id, inv.campaign_id, kind, SignalSource::Candidate, now, &payload).await?;
        sqlx::query(&format!(
            "UPDATE invitations SET state = $1, slot_id = $2, reschedules = reschedules + $3, {} WHERE id = $6",
            signal_due("$4", "$5")
        ))
        .bind(state.as_str())
        .bind(slot_id)
        .bind(changes)
        .bind(signal)
        .bind(ts(now))
        .bind(inv.id)
        .execute(&mut *tx)
        .await?;
        let target = NoticeTarget {
            invitation_id: inv.id,
            candidate_id: inv.candidate_id,
            campaign_id: inv.campaign_id,
            slot_id: Some(slot_id),
        };
        crate::reminders::plan_slot(&mut tx, &target, slot.starts_at, (&booking.reminders, booking.zone), now).await?;
        tx.commit().await?;
        Ok(Confirmation { slot_id, plan })
    }

    /// Declines the invitation behind `token`, releasing any booked slot.
    pub async fn decline(&self, token: &TokenHash, decline: &Decline, now: DateTime<Utc>) -> Result<()> {
        retry_once(|| self.try_decline(token, decline, now)).await
    }

    async fn try_decline(&self, token: &TokenHash, decline: &Decline, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = lock_invitation(&mut tx, token, now).await?;
        let inv = load_invitation(&mut tx, id).await?;
        let current = current_booking(&mut tx, &inv).await?;
        check_decline_allowed(inv.state, current, now)?;
        if let Some(cur) = current {
            release_booking(&mut tx, inv.id, cur.slot_id, "declined", now).await?;
        }
        sqlx::query(
            "UPDATE invitations SET state = 'declined', slot_id = NULL, decline_reason = $1, decline_note = $2 WHERE id = $3",
        )
        .bind(decline.reason.as_str())
        .bind(decline.note.as_str())
        .bind(inv.id)
        .execute(&mut *tx)
        .await?;
        let payload = serde_json::json!({
            "reason": decline.reason.as_str(),
            "note": decline.note.as_str(),
            "released_slot": current.map(|c| c.slot_id),
        });
        insert_signal(&mut tx, inv.candidate_id, inv.campaign_id, SignalKind::Declined, SignalSource::Candidate, now, &payload)
            .await?;
        crate::reminders::cancel_notices(&mut tx, inv.id, Cancel::All("declined"), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Runs a candidate's booking transaction, and runs it once more if the database aborted it as
/// a deadlock or a serialisation failure. The aborted attempt was rolled back whole (its
/// transaction is dropped unfinished), so the second attempt starts afresh and sees what the
/// transaction that won has committed. A second failure is returned as it is.
async fn retry_once<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    match attempt().await {
        Err(e) if is_transient(&e) => {
            tracing::warn!(error = %e, "booking transaction aborted by the database; trying once more");
            attempt().await
        }
        other => other,
    }
}

/// Whether the database aborted the transaction only because of other transactions running at
/// the same time: PostgreSQL's serialization_failure (40001) and deadlock_detected (40P01), and
/// SQLite's SQLITE_BUSY_SNAPSHOT (517, a stale snapshot that waiting cannot fix). A plain
/// SQLITE_BUSY is not retried: it comes only after the 30 s busy timeout has run out.
fn is_transient(error: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = error else { return false };
    matches!(db.code().as_deref(), Some("40001" | "40P01" | "517"))
}

/// Locks the two slot rows a move writes, lower id first, before either is changed, so that
/// crossing moves take them in one order and never wait on each other in a cycle. PostgreSQL
/// takes the locks of `ORDER BY … FOR …` rows in the sorted order (the sort runs before the
/// locking); `FOR NO KEY UPDATE` is the lock the `UPDATE`s take anyway, so bookings inserted
/// elsewhere (which only key-share the slot) are not held up. SQLite has no row locks: the
/// transaction already holds the database's only write lock, taken by [`lock_invitation`].
async fn lock_slots(conn: &mut AnyConnection, backend: Backend, a: i64, b: i64) -> Result<()> {
    match backend {
        Backend::Postgres => {
            sqlx::query("SELECT id FROM slots WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE")
                .bind(a)
                .bind(b)
                .fetch_all(&mut *conn)
                .await?;
        }
        Backend::Sqlite => {}
    }
    Ok(())
}

/// Matches the invitation (table or alias `table`) whose link hashes to `param`: its own link,
/// or a live tracked link from one of its notices (a candidate who followed a notice holds
/// that link instead).
fn link_matches(table: &str, param: &str) -> String {
    format!(
        "({table}.token_hash = {param} OR {table}.id = (SELECT l.invitation_id FROM notice_links l \
         WHERE l.token_hash = {param} AND l.purpose = 'click' AND l.revoked_at IS NULL))"
    )
}

/// The invitation behind a link, if the link is known.
async fn find_invitation(conn: &mut AnyConnection, token: &TokenHash) -> Result<Option<Invitation>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN candidates c ON c.id = i.candidate_id WHERE {}",
        link_matches("i", "$1")
    ))
    .bind(token.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(invitation_from_row).transpose()
}

/// The slots of `campaign_id` listed as `id starts_at ends_at capacity booked`, comma-separated.
fn slots_from_list(campaign_id: i64, list: Option<&str>) -> Result<Vec<Slot>> {
    use crate::{from_ts, records::corrupt};
    let Some(list) = list.filter(|l| !l.is_empty()) else { return Ok(Vec::new()) };
    list.split(',')
        .map(|item| {
            let mut n = item.split(' ').map(|f| f.parse::<i64>().map_err(corrupt));
            let mut next = || n.next().unwrap_or_else(|| Err(corrupt(format!("slot list item {item:?}"))));
            Ok(Slot {
                id: next()?,
                campaign_id,
                starts_at: from_ts(next()?)?,
                ends_at: from_ts(next()?)?,
                capacity: turnout_domain::Capacity::new(next()?).map_err(corrupt)?,
                booked: u32::try_from(next()?).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Takes the invitation's lock by writing its activity time; returns its id.
pub(crate) async fn lock_invitation(conn: &mut AnyConnection, token: &TokenHash, now: DateTime<Utc>) -> Result<i64> {
    let row = sqlx::query(&format!(
        "UPDATE invitations SET last_activity_at = $1 WHERE {} RETURNING id",
        link_matches("invitations", "$2")
    ))
    .bind(ts(now))
    .bind(token.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::UnknownInvitation)?;
    Ok(row.try_get("id")?)
}

pub(crate) async fn load_invitation(conn: &mut AnyConnection, id: i64) -> Result<Invitation> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN candidates c ON c.id = i.candidate_id WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    invitation_from_row(&row)
}

/// What a confirmation decides on, read in one statement once the invitation is locked.
struct Booking {
    invitation: Invitation,
    /// The slot asked for, if it exists.
    slot: Option<Slot>,
    /// The booking held before this request, if any.
    current: Option<CurrentBooking>,
    /// The campaign's rescheduling policy.
    policy: ReschedulePolicy,
    /// The campaign's zone and reminder plan, for the notices before the slot.
    zone: TimeZone,
    reminders: ReminderPlan,
}

/// Reads invitation `id`, the slot asked for, the slot held and the campaign's settings.
async fn load_booking(conn: &mut AnyConnection, id: i64, slot_id: i64) -> Result<Booking> {
    use crate::{from_ts, records::corrupt};
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS}, cp.time_zone AS campaign_zone, cp.max_reschedules, cp.reschedule_cutoff_hours, \
         rp.plan AS reminder_plan, held.starts_at AS held_starts_at, t.id AS t_id, t.campaign_id AS t_campaign_id, \
         t.starts_at AS t_starts_at, t.ends_at AS t_ends_at, t.capacity AS t_capacity, t.booked AS t_booked \
         FROM invitations i JOIN candidates c ON c.id = i.candidate_id JOIN campaigns cp ON cp.id = i.campaign_id \
         LEFT JOIN reminder_plans rp ON rp.campaign_id = i.campaign_id LEFT JOIN slots held ON held.id = i.slot_id \
         LEFT JOIN slots t ON t.id = $2 WHERE i.id = $1"
    ))
    .bind(id)
    .bind(slot_id)
    .fetch_one(&mut *conn)
    .await?;
    let invitation = invitation_from_row(&row)?;
    let current = match invitation.slot_id {
        None => None,
        Some(held) => {
            let starts: Option<i64> = row.try_get("held_starts_at")?;
            Some(CurrentBooking {
                slot_id: held,
                slot_starts_at: from_ts(starts.ok_or(StoreError::NotFound("booked slot"))?)?,
                changes_so_far: invitation.reschedules,
            })
        }
    };
    let slot = row.try_get::<Option<i64>, _>("t_id")?.map(|_| slot_from_columns(&row, "t_")).transpose()?;
    Ok(Booking {
        slot,
        current,
        policy: ReschedulePolicy::new(row.try_get("max_reschedules")?, row.try_get("reschedule_cutoff_hours")?)
            .map_err(corrupt)?,
        zone: row.try_get::<String, _>("campaign_zone")?.parse().map_err(corrupt)?,
        reminders: plan_from_json(row.try_get::<Option<String>, _>("reminder_plan")?.as_deref())?,
        invitation,
    })
}

/// The booking the invitation holds before this request, if any.
async fn current_booking(conn: &mut AnyConnection, inv: &Invitation) -> Result<Option<CurrentBooking>> {
    let Some(held) = inv.slot_id else { return Ok(None) };
    let row = sqlx::query("SELECT starts_at FROM slots WHERE id = $1")
        .bind(held)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("booked slot"))?;
    Ok(Some(CurrentBooking {
        slot_id: held,
        slot_starts_at: crate::from_ts(row.try_get("starts_at")?)?,
        changes_so_far: inv.reschedules,
    }))
}

async fn release_booking(
    conn: &mut AnyConnection,
    invitation_id: i64,
    slot_id: i64,
    cause: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE slots SET booked = booked - 1 WHERE id = $1 AND booked > 0").bind(slot_id).execute(&mut *conn).await?;
    sqlx::query("UPDATE bookings SET released_at = $1, release_cause = $2 WHERE invitation_id = $3 AND released_at IS NULL")
        .bind(ts(now))
        .bind(cause)
        .bind(invitation_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a refusal as a signal, commits only that, and returns the refusal.
async fn refuse<T>(mut tx: WriteTx, inv: &Invitation, refusal: BookingRefusal, slot_id: i64, now: DateTime<Utc>) -> Result<T> {
    let kind = match refusal {
        BookingRefusal::SlotFull => Some(SignalKind::SlotFull),
        BookingRefusal::RescheduleLimit { .. } | BookingRefusal::TooCloseToStart { .. } => Some(SignalKind::RescheduleRefused),
        _ => None,
    };
    if let Some(kind) = kind {
        let payload = serde_json::json!({ "slot_id": slot_id, "refusal": format!("{refusal:?}") });
        insert_signal(&mut tx, inv.candidate_id, inv.campaign_id, kind, SignalSource::Candidate, now, &payload).await?;
    }
    tx.commit().await?;
    Err(StoreError::Refused(refusal))
}

#[cfg(test)]
mod tests {
    use super::slots_from_list;

    #[test]
    fn a_window_slot_list_reads_back_as_slots() {
        assert!(slots_from_list(7, None).expect("none").is_empty());
        let slots = slots_from_list(7, Some("3 1800000000 1800001800 5 2,4 1800003600 1800005400 1 1")).expect("two");
        assert_eq!(slots.len(), 2);
        assert_eq!((slots[0].id, slots[0].campaign_id, slots[0].capacity.get(), slots[0].booked), (3, 7, 5, 2));
        assert_eq!(slots[1].starts_at.timestamp(), 1_800_003_600);
        assert_eq!(slots[1].places_left(), 0);
        for bad in ["3 1800000000 1800001800 5", "3 x 1800001800 5 2", "3 1800000000 1800001800 0 0"] {
            assert!(slots_from_list(7, Some(bad)).is_err(), "{bad}");
        }
    }
}
