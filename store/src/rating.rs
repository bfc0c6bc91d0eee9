//! Stored ratings and the call list kept with them: what the risk refresh writes, and what HR's
//! call list reads, a page at a time, by index.

use crate::follow_up::{assessment_from_row, StoredAssessment};
use crate::records::{corrupt, numbered, value_rows};
use crate::{from_ts, ts, Backend, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::Row;
use turnout_domain::call::CallReason;
use turnout_domain::risk::{RiskAssessment, RiskLevel};
use turnout_domain::InvitationState;

/// One candidate's new rating, with the call-list entry and the next review it implies.
#[derive(Debug, Clone)]
pub struct Rating {
    /// Candidate.
    pub candidate_id: i64,
    /// Their campaign.
    pub campaign_id: i64,
    /// The newest signal the rating saw: it is kept as current only if none arrived since.
    pub signal_id: i64,
    /// The model's assessment.
    pub assessment: RiskAssessment,
    /// Why HR should phone them, as of the rating (empty: no need).
    pub call_reasons: Vec<CallReason>,
    /// The level HR act on (their override, else the model's): the call list's first key.
    pub call_level: RiskLevel,
    /// When the candidate's window closes: the call list's third key.
    pub window_ends_at: DateTime<Utc>,
    /// When to rate them again with no new signal (`None`: only a signal changes anything).
    pub next_review: Option<DateTime<Utc>>,
}

/// Where a page of the call list starts: the last row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallCursor {
    /// Effective level (0 low, 1 medium, 2 high).
    pub level: i64,
    /// The model's percent.
    pub percent: i64,
    /// Window end, Unix seconds.
    pub window_ends_at: i64,
    /// Candidate id.
    pub candidate_id: i64,
}

impl CallCursor {
    /// As written in a link: four numbers joined by dots.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}.{}", self.level, self.percent, self.window_ends_at, self.candidate_id)
    }

    /// Reads a link's cursor; `None` for anything malformed.
    pub fn decode(raw: &str) -> Option<CallCursor> {
        let mut parts = raw.split('.').map(|p| p.parse::<i64>().ok());
        let cursor = CallCursor {
            level: parts.next()??,
            percent: parts.next()??,
            window_ends_at: parts.next()??,
            candidate_id: parts.next()??,
        };
        parts.next().is_none().then_some(cursor)
    }
}

/// One row of HR's call list, as stored by the last rating.
#[derive(Debug, Clone)]
pub struct CallEntry {
    /// Candidate.
    pub candidate_id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// Name.
    pub full_name: String,
    /// Phone, as given.
    pub phone: Option<String>,
    /// State now.
    pub state: InvitationState,
    /// Booked slot's start.
    pub slot_starts_at: Option<DateTime<Utc>>,
    /// Why to phone, most urgent first.
    pub reasons: Vec<CallReason>,
    /// The stored assessment.
    pub assessment: StoredAssessment,
    /// HR's override of the level.
    pub risk_override: Option<RiskLevel>,
    /// Where the next page starts if this is the last row shown.
    pub cursor: CallCursor,
}

fn level_rank(level: RiskLevel) -> i64 {
    match level {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
    }
}

/// The percent HR see for a probability.
pub fn percent(probability: f64) -> u32 {
    (probability * 100.0).round().clamp(0.0, 100.0) as u32
}

fn reasons_json(a: &RiskAssessment) -> serde_json::Value {
    serde_json::Value::Array(
        a.reasons.iter().map(|r| serde_json::json!({ "id": r.id.as_str(), "zh": r.zh, "en": r.en })).collect(),
    )
}

/// Ratings written per transaction: on SQLite each holds the one write lock for a few
/// milliseconds, and a confirmation queued behind it waits for no more than one of them.
const WRITE_CHUNK: usize = 250;

/// `rows` rows of `width` parameters: `(?, ?), (?, ?)` on SQLite, whose statements look up a
/// `$n` by walking every name before it (quadratic in a chunk's thousands), and `($1, $2), ($3,
/// $4)` on PostgreSQL, `typed` as numbers where nothing else tells their type.
fn placeholders(backend: Backend, rows: usize, width: usize, typed: bool) -> String {
    let each = |k: usize| match (backend, typed) {
        (Backend::Sqlite, _) => "?".to_string(),
        (Backend::Postgres, false) => numbered(k),
        (Backend::Postgres, true) => format!("CAST(${k} AS BIGINT)"),
    };
    value_rows(rows, width, each)
}

/// A rating's stored columns, as bound: what the statements of [`Store::save_ratings`] write.
struct RatingRow {
    candidate_id: i64,
    campaign_id: i64,
    model_version: i64,
    probability: f64,
    level: &'static str,
    reasons: String,
    signal_id: i64,
    call_reasons: String,
    call_level: i64,
    call_percent: i64,
    window_ends_at: i64,
    next_review: Option<i64>,
}

impl RatingRow {
    fn of(r: &Rating) -> RatingRow {
        let a = &r.assessment;
        RatingRow {
            candidate_id: r.candidate_id,
            campaign_id: r.campaign_id,
            model_version: i64::from(a.model_version),
            probability: a.probability,
            level: a.level.as_str(),
            reasons: reasons_json(a).to_string(),
            signal_id: r.signal_id,
            call_reasons: r.call_reasons.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
            call_level: level_rank(r.call_level),
            call_percent: i64::from(percent(a.probability)),
            window_ends_at: ts(r.window_ends_at),
            next_review: r.next_review.map(ts),
        }
    }
}

/// The candidate is on today's list as of now: not settled, interview not started. The stored
/// reasons were right when rated; this keeps the list right between a due moment and the
/// rating that follows it.
const STILL_CALLABLE: &str = "i.state <> 'declined' AND (i.state IN ('confirmed', 'rescheduled') OR i.window_ends_at > $1) \
     AND (s.starts_at IS NULL OR s.starts_at > $1)";

impl Store {
    /// Stores ratings, a few hundred to a transaction: each candidate's assessment and
    /// call-list entry replace the previous ones, and their next review is set unless a newer
    /// signal arrived while they were being rated (then they stay due). Rows whose stored values
    /// would not change are left as they are (`assessed_at` is when they last changed).
    pub async fn save_ratings(&self, ratings: &[Rating], now: DateTime<Utc>) -> Result<()> {
        // Everything is prepared before the first transaction begins: inside, only writes. The
        // rows travel as bound values (a JSON array unpacked by the database cost a third more).
        let mut rows: Vec<RatingRow> = ratings.iter().map(RatingRow::of).collect();
        rows.sort_by_key(|r| r.candidate_id);
        for chunk in rows.chunks(WRITE_CHUNK) {
            let upsert = format!(
                "INSERT INTO risk_assessments (candidate_id, campaign_id, model_version, probability, level, reasons, \
                 signal_id, call_reasons, call_level, call_percent, window_ends_at, assessed_at) VALUES {} \
                 ON CONFLICT (candidate_id) DO UPDATE SET campaign_id = excluded.campaign_id, \
                 model_version = excluded.model_version, probability = excluded.probability, level = excluded.level, \
                 reasons = excluded.reasons, assessed_at = excluded.assessed_at, signal_id = excluded.signal_id, \
                 call_reasons = excluded.call_reasons, call_level = excluded.call_level, \
                 call_percent = excluded.call_percent, window_ends_at = excluded.window_ends_at \
                 WHERE (risk_assessments.campaign_id, risk_assessments.model_version, risk_assessments.probability, \
                 risk_assessments.level, risk_assessments.reasons, risk_assessments.signal_id, \
                 risk_assessments.call_reasons, risk_assessments.call_level, risk_assessments.call_percent, \
                 risk_assessments.window_ends_at) <> (excluded.campaign_id, excluded.model_version, \
                 excluded.probability, excluded.level, excluded.reasons, excluded.signal_id, excluded.call_reasons, \
                 excluded.call_level, excluded.call_percent, excluded.window_ends_at)",
                // Every stored column is NOT NULL, so a plain row comparison tells a change.
                placeholders(self.backend(), chunk.len(), 12, false)
            );
            let mut upsert_query = sqlx::query(&upsert);
            for r in chunk {
                upsert_query = upsert_query
                    .bind(r.candidate_id)
                    .bind(r.campaign_id)
                    .bind(r.model_version)
                    .bind(r.probability)
                    .bind(r.level)
                    .bind(r.reasons.as_str())
                    .bind(r.signal_id)
                    .bind(r.call_reasons.as_str())
                    .bind(r.call_level)
                    .bind(r.call_percent)
                    .bind(r.window_ends_at)
                    .bind(ts(now));
            }
            let reviews = format!(
                "WITH r (candidate_id, signal_id, due) AS (VALUES {}) UPDATE invitations SET risk_due_at = r.due FROM r \
                 WHERE invitations.candidate_id = r.candidate_id AND invitations.last_signal_id = r.signal_id \
                 AND invitations.risk_due_at IS DISTINCT FROM r.due",
                // Untyped on SQLite: a cast there makes it read every invitation instead.
                placeholders(self.backend(), chunk.len(), 3, true)
            );
            let mut reviews_query = sqlx::query(&reviews);
            for r in chunk {
                reviews_query = reviews_query.bind(r.candidate_id).bind(r.signal_id).bind(r.next_review);
            }
            let mut tx = self.begin_write().await?;
            if self.backend() == Backend::Postgres {
                // Two raters (the worker of each instance, or a full refresh) lock the same
                // invitations in one order, so they wait for each other instead of deadlocking.
                let lock = format!(
                    "SELECT id FROM invitations WHERE candidate_id IN ({}) ORDER BY candidate_id FOR NO KEY UPDATE",
                    chunk.iter().map(|r| r.candidate_id.to_string()).collect::<Vec<_>>().join(", ")
                );
                sqlx::query(&lock).execute(&mut *tx).await?;
            }
            upsert_query.execute(&mut *tx).await?;
            reviews_query.execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Makes every candidate's rating due at `now` (the model or its thresholds changed), a
    /// few thousand invitations per statement so no writer waits long behind it; the risk
    /// worker then rates them all. Returns how many were marked.
    pub async fn make_all_ratings_due(&self, now: DateTime<Utc>) -> Result<u64> {
        const CHUNK: i64 = 5_000;
        let last: Option<i64> =
            sqlx::query("SELECT MAX(id) AS id FROM invitations").fetch_one(&self.pool).await?.try_get("id")?;
        let mut marked = 0;
        let mut from = 0;
        while from < last.unwrap_or(0) {
            let mut tx = self.begin_write().await?;
            marked += sqlx::query("UPDATE invitations SET risk_due_at = $1 WHERE id > $2 AND id <= $3")
                .bind(ts(now))
                .bind(from)
                .bind(from + CHUNK)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            from += CHUNK;
        }
        Ok(marked)
    }

    /// A page of the call list of `campaigns` (`None`: every campaign), most urgent first:
    /// HR's level, then the model's percent, then the window closing soonest.
    pub async fn call_list(
        &self,
        campaigns: Option<&[i64]>,
        after: Option<CallCursor>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<CallEntry>> {
        let keyset = match after {
            Some(c) => format!(
                "AND (ra.call_level < {l} OR (ra.call_level = {l} AND (ra.call_percent < {p} OR (ra.call_percent = {p} \
                 AND (ra.window_ends_at > {w} OR (ra.window_ends_at = {w} AND ra.candidate_id > {id}))))))",
                l = c.level,
                p = c.percent,
                w = c.window_ends_at,
                id = c.candidate_id
            ),
            None => String::new(),
        };
        let sql = format!(
            "SELECT c.id AS candidate_id, ra.campaign_id, c.full_name, c.phone, i.state, i.window_ends_at AS i_window_ends_at, \
             s.starts_at, ra.call_reasons, ra.call_level, ra.call_percent, ra.window_ends_at, ra.probability AS ra_probability, \
             ra.level AS ra_level, ra.reasons AS ra_reasons, ra.model_version AS ra_model_version, \
             ra.assessed_at AS ra_assessed_at, ro.level AS ro_level \
             FROM risk_assessments ra JOIN candidates c ON c.id = ra.candidate_id \
             JOIN invitations i ON i.candidate_id = ra.candidate_id LEFT JOIN slots s ON s.id = i.slot_id \
             LEFT JOIN risk_overrides ro ON ro.candidate_id = ra.candidate_id \
             WHERE ra.call_reasons <> '' {} {keyset} AND {STILL_CALLABLE} \
             ORDER BY ra.call_level DESC, ra.call_percent DESC, ra.window_ends_at, ra.candidate_id LIMIT $2",
            campaign_filter(campaigns)
        );
        let rows = sqlx::query(&sql).bind(ts(now)).bind(limit.clamp(1, 1000)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let stored: InvitationState = row.try_get::<String, _>("state")?.parse().map_err(corrupt)?;
                let reasons: String = row.try_get("call_reasons")?;
                let cursor = CallCursor {
                    level: row.try_get::<i64, _>("call_level")?,
                    percent: row.try_get::<i64, _>("call_percent")?,
                    window_ends_at: row.try_get("window_ends_at")?,
                    candidate_id: row.try_get("candidate_id")?,
                };
                Ok(CallEntry {
                    candidate_id: cursor.candidate_id,
                    campaign_id: row.try_get("campaign_id")?,
                    full_name: row.try_get("full_name")?,
                    phone: row.try_get("phone")?,
                    state: stored.at(from_ts(row.try_get("i_window_ends_at")?)?, now),
                    slot_starts_at: row.try_get::<Option<i64>, _>("starts_at")?.map(from_ts).transpose()?,
                    reasons: reasons.split(',').map(|r| r.parse()).collect::<Result<_, _>>().map_err(corrupt)?,
                    assessment: assessment_from_row(row)?.ok_or_else(|| corrupt("call-list row without assessment"))?,
                    risk_override: row
                        .try_get::<Option<String>, _>("ro_level")?
                        .map(|l| l.parse())
                        .transpose()
                        .map_err(corrupt)?,
                    cursor,
                })
            })
            .collect()
    }

    /// How many candidates the call list of `campaigns` holds, as of their latest ratings: read
    /// from the call list's index alone (a candidate whose interview started a moment ago counts
    /// until the risk worker's next tick takes them off).
    pub async fn call_list_len(&self, campaigns: Option<&[i64]>) -> Result<i64> {
        let sql =
            format!("SELECT COUNT(*) AS n FROM risk_assessments ra WHERE ra.call_reasons <> '' {}", campaign_filter(campaigns));
        Ok(sqlx::query(&sql).fetch_one(&self.pool).await?.try_get("n")?)
    }
}

/// `AND ra.campaign_id IN (…)` for a list of ids (numbers only, so written inline).
fn campaign_filter(campaigns: Option<&[i64]>) -> String {
    match campaigns {
        None => String::new(),
        Some([]) => "AND 1 = 0".to_string(),
        Some(ids) => {
            format!("AND ra.campaign_id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = CallCursor { level: 2, percent: 71, window_ends_at: 1_790_000_000, candidate_id: 42 };
        assert_eq!(CallCursor::decode(&c.encode()), Some(c));
        for bad in ["", "2.71.1790000000", "2.71.1790000000.42.1", "a.b.c.d", "2..1.1", "2.71.1e9.42"] {
            assert_eq!(CallCursor::decode(bad), None, "{bad}");
        }
    }
}
