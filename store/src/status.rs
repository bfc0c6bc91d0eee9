//! HR's confirmation status: every candidate of a campaign with their state, and the counts.

use crate::follow_up::assessment_from_row;
use crate::records::corrupt;
use crate::{from_ts, ts, Backend, CandidateStatus, Result, StateCounts, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;
use turnout_domain::InvitationState;

/// The state as of `$1` (now): unconfirmed invitations whose window has closed are expired.
const EFFECTIVE_STATE: &str =
    "CASE WHEN i.state IN ('invited', 'opened') AND i.window_ends_at <= $1 THEN 'expired' ELSE i.state END";

/// Which candidates of a campaign to list.
#[derive(Debug, Clone, Default)]
pub struct StatusQuery {
    /// Only this state.
    pub state: Option<InvitationState>,
    /// Name, e-mail or phone containing this text.
    pub search: Option<String>,
    /// Start after this row (the last of the previous page); `None`: the first page.
    pub after: Option<StatusCursor>,
    /// Rows to return.
    pub limit: i64,
}

/// A place in a campaign's status list, most recently active first: the last row shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCursor {
    /// The row's last activity, Unix seconds.
    pub last_activity_at: i64,
    /// The row's invitation id.
    pub invitation_id: i64,
}

impl StatusCursor {
    /// As written in a link: two numbers joined by a dot.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.last_activity_at, self.invitation_id)
    }

    /// Reads a link's cursor; `None` for anything malformed.
    pub fn decode(raw: &str) -> Option<StatusCursor> {
        let (at, id) = raw.split_once('.')?;
        Some(StatusCursor { last_activity_at: at.parse().ok()?, invitation_id: id.parse().ok()? })
    }
}

/// The condition for one state as of `$1` (now), written so an index on the stored state
/// serves it.
fn state_filter(state: InvitationState) -> &'static str {
    match state {
        InvitationState::Invited => "i.state = 'invited' AND i.window_ends_at > $1",
        InvitationState::Opened => "i.state = 'opened' AND i.window_ends_at > $1",
        InvitationState::Expired => "i.state IN ('invited', 'opened') AND i.window_ends_at <= $1",
        InvitationState::Confirmed => "i.state = 'confirmed'",
        InvitationState::Rescheduled => "i.state = 'rescheduled'",
        InvitationState::Declined => "i.state = 'declined'",
    }
}

impl Store {
    /// Counts of a campaign's candidates per state at `now`.
    pub async fn state_counts(&self, campaign_id: i64, now: DateTime<Utc>) -> Result<StateCounts> {
        let rows = sqlx::query(&format!(
            "SELECT {EFFECTIVE_STATE} AS st, COUNT(*) AS n FROM invitations i WHERE i.campaign_id = $2 GROUP BY 1"
        ))
        .bind(ts(now))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = StateCounts::default();
        for row in rows {
            let st: String = row.try_get("st")?;
            let state: InvitationState = st.parse().map_err(corrupt)?;
            counts.0.insert(state.as_str(), row.try_get("n")?);
        }
        Ok(counts)
    }

    /// A page of a campaign's candidates with their state at `now`, most recently active first,
    /// read by index from the cursor on (never by skipping rows).
    pub async fn campaign_status(&self, campaign_id: i64, now: DateTime<Utc>, q: &StatusQuery) -> Result<Vec<CandidateStatus>> {
        let search = q.search.as_ref().map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
        let state = q.state.map(|s| format!("AND {}", state_filter(s))).unwrap_or_default();
        // A search finds its few candidates in the campaign's search index first, then their
        // invitations (SQLite takes the tables in the order written after CROSS JOIN); a list
        // without one walks the campaign's invitations by last activity.
        let from = match (&search, self.backend) {
            (Some(_), Backend::Sqlite) => "candidates c CROSS JOIN invitations i ON i.candidate_id = c.id",
            (Some(_), Backend::Postgres) => "candidates c JOIN invitations i ON i.candidate_id = c.id",
            (None, _) => "invitations i JOIN candidates c ON c.id = i.candidate_id",
        };
        let (search_campaign, matching) =
            if search.is_some() { ("AND c.campaign_id = $2", "AND c.search_text LIKE $4") } else { ("", "") };
        let keyset = match q.after {
            Some(c) => format!(
                "AND (i.last_activity_at < {at} OR (i.last_activity_at = {at} AND i.id < {id}))",
                at = c.last_activity_at,
                id = c.invitation_id
            ),
            None => String::new(),
        };
        let sql = format!(
            "SELECT i.id AS invitation_id, c.id AS candidate_id, c.full_name, c.email, c.phone, {EFFECTIVE_STATE} AS st, s.starts_at, s.ends_at, \
             i.reschedules, i.decline_reason, i.decline_note, i.first_opened_at, i.last_activity_at, i.guide_progress, \
             i.issued_at, i.window_ends_at, b.booked_at, ra.probability AS ra_probability, ra.level AS ra_level, \
             ra.reasons AS ra_reasons, ra.model_version AS ra_model_version, ra.assessed_at AS ra_assessed_at, ro.level AS ro_level, i.device_check_verdict, i.device_check_failed, i.device_checked_at \
             FROM {from} LEFT JOIN slots s ON s.id = i.slot_id \
             LEFT JOIN bookings b ON b.invitation_id = i.id AND b.released_at IS NULL \
             LEFT JOIN risk_assessments ra ON ra.candidate_id = c.id LEFT JOIN risk_overrides ro ON ro.candidate_id = c.id \
             WHERE i.campaign_id = $2 {search_campaign} {state} {keyset} \
             {matching} ORDER BY i.last_activity_at DESC, i.id DESC LIMIT $3"
        );
        let query = sqlx::query(&sql).bind(ts(now)).bind(campaign_id).bind(q.limit.clamp(1, 1000));
        let rows = match search {
            Some(text) => query.bind(text),
            None => query,
        }
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let st: String = row.try_get("st")?;
                let starts: Option<i64> = row.try_get("starts_at")?;
                let ends: Option<i64> = row.try_get("ends_at")?;
                let reason: Option<String> = row.try_get("decline_reason")?;
                let opened: Option<i64> = row.try_get("first_opened_at")?;
                Ok(CandidateStatus {
                    cursor: StatusCursor {
                        last_activity_at: row.try_get("last_activity_at")?,
                        invitation_id: row.try_get("invitation_id")?,
                    },
                    candidate_id: row.try_get("candidate_id")?,
                    full_name: row.try_get("full_name")?,
                    email: row.try_get("email")?,
                    phone: row.try_get("phone")?,
                    state: st.parse().map_err(corrupt)?,
                    slot: match (starts, ends) {
                        (Some(s), Some(e)) => Some((from_ts(s)?, from_ts(e)?)),
                        _ => None,
                    },
                    reschedules: u32::try_from(row.try_get::<i64, _>("reschedules")?).map_err(corrupt)?,
                    decline_reason: reason.map(|r| r.parse()).transpose().map_err(corrupt)?,
                    decline_note: row.try_get("decline_note")?,
                    first_opened_at: opened.map(from_ts).transpose()?,
                    last_activity_at: from_ts(row.try_get("last_activity_at")?)?,
                    guide_progress: row.try_get::<String, _>("guide_progress")?.parse().map_err(corrupt)?,
                    issued_at: from_ts(row.try_get("issued_at")?)?,
                    window_ends_at: from_ts(row.try_get("window_ends_at")?)?,
                    confirmed_at: row.try_get::<Option<i64>, _>("booked_at")?.map(from_ts).transpose()?,
                    risk: assessment_from_row(row)?,
                    risk_override: row
                        .try_get::<Option<String>, _>("ro_level")?
                        .map(|l| l.parse())
                        .transpose()
                        .map_err(corrupt)?,
                    device_check: crate::device::device_check_status(
                        row.try_get("device_check_verdict")?,
                        &row.try_get::<String, _>("device_check_failed")?,
                        row.try_get("device_checked_at")?,
                    )?,
                })
            })
            .collect()
    }
}
