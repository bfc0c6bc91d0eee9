//! Candidates' feedback: one answer per kind per candidate, and each campaign's summary.

use crate::campaigns::insert_signal;
use crate::records::corrupt;
use crate::{from_ts, ts, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use turnout_domain::feedback::{Feedback, FeedbackKind, ProblemArea, Score};
use turnout_domain::{DeclineReason, SignalKind, SignalSource};

/// A stored answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRecord {
    /// Whose.
    pub candidate_id: i64,
    /// Their name.
    pub candidate_name: String,
    /// The answer.
    pub feedback: Feedback,
    /// When it was first given.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub updated_at: DateTime<Utc>,
}

/// A campaign's feedback at a glance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedbackSummary {
    /// Surveys answered.
    pub surveys: i64,
    /// How many gave each satisfaction rating, 1 to 5.
    pub satisfaction: [i64; 5],
    /// How many gave each relevance rating, 1 to 5.
    pub relevance: [i64; 5],
    /// Problem reports per area (areas with none left out), most reported first.
    pub problems: Vec<(ProblemArea, i64)>,
}

impl FeedbackSummary {
    /// The mean satisfaction, if anyone answered.
    pub fn satisfaction_mean(&self) -> Option<f64> {
        mean(&self.satisfaction)
    }

    /// The mean relevance, if anyone answered.
    pub fn relevance_mean(&self) -> Option<f64> {
        mean(&self.relevance)
    }
}

fn mean(histogram: &[i64; 5]) -> Option<f64> {
    let n: i64 = histogram.iter().sum();
    let total: i64 = histogram.iter().zip(1..).map(|(count, score)| count * score).sum();
    (n > 0).then(|| total as f64 / n as f64)
}

const FEEDBACK_COLUMNS: &str = "f.candidate_id, c.full_name, f.kind, f.satisfaction, f.relevance, f.area, f.body, \
     f.created_at, f.updated_at";

fn feedback_from_row(row: &AnyRow) -> Result<FeedbackRecord> {
    let kind: FeedbackKind = row.try_get::<String, _>("kind")?.parse().map_err(corrupt)?;
    let body: String = row.try_get("body")?;
    let feedback = match kind {
        FeedbackKind::Survey => {
            let score = |column: &str| -> Result<Score> {
                Score::new(row.try_get::<Option<i64>, _>(column)?.unwrap_or_default()).map_err(corrupt)
            };
            Feedback::Survey(turnout_domain::feedback::Survey {
                satisfaction: score("satisfaction")?,
                relevance: score("relevance")?,
                comment: body,
            })
        }
        FeedbackKind::DeviceProblem => {
            let area: Option<String> = row.try_get("area")?;
            Feedback::Problem(turnout_domain::feedback::ProblemReport {
                area: area.unwrap_or_default().parse().map_err(corrupt)?,
                description: body,
            })
        }
    };
    Ok(FeedbackRecord {
        candidate_id: row.try_get("candidate_id")?,
        candidate_name: row.try_get("full_name")?,
        feedback,
        created_at: from_ts(row.try_get("created_at")?)?,
        updated_at: from_ts(row.try_get("updated_at")?)?,
    })
}

impl Store {
    /// Saves a candidate's answer, replacing an earlier one of the same kind, and records a
    /// signal with the whole answer, in one transaction.
    pub async fn save_feedback(
        &self,
        candidate_id: i64,
        campaign_id: i64,
        feedback: &Feedback,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (satisfaction, relevance, area, body, payload) = match feedback {
            Feedback::Survey(s) => (
                Some(i64::from(s.satisfaction.get())),
                Some(i64::from(s.relevance.get())),
                None,
                s.comment.as_str(),
                serde_json::json!({
                    "kind": FeedbackKind::Survey,
                    "satisfaction": s.satisfaction.get(),
                    "relevance": s.relevance.get(),
                    "comment": s.comment,
                }),
            ),
            Feedback::Problem(p) => (
                None,
                None,
                Some(p.area.as_str()),
                p.description.as_str(),
                serde_json::json!({ "kind": FeedbackKind::DeviceProblem, "area": p.area, "description": p.description }),
            ),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback (candidate_id, campaign_id, kind, satisfaction, relevance, area, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (candidate_id, kind) DO UPDATE SET satisfaction = excluded.satisfaction, \
             relevance = excluded.relevance, area = excluded.area, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(candidate_id)
        .bind(campaign_id)
        .bind(feedback.kind().as_str())
        .bind(satisfaction)
        .bind(relevance)
        .bind(area)
        .bind(body)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        insert_signal(&mut tx, candidate_id, campaign_id, SignalKind::FeedbackGiven, SignalSource::Candidate, now, &payload)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A candidate's answers, surveys first.
    pub async fn candidate_feedback(&self, candidate_id: i64) -> Result<Vec<FeedbackRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback f JOIN candidates c ON c.id = f.candidate_id \
             WHERE f.candidate_id = $1 ORDER BY f.kind DESC"
        ))
        .bind(candidate_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(feedback_from_row).collect()
    }

    /// A campaign's most recently edited answers that have text, newest first.
    pub async fn recent_feedback(&self, campaign_id: i64, limit: i64) -> Result<Vec<FeedbackRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback f JOIN candidates c ON c.id = f.candidate_id \
             WHERE f.campaign_id = $1 AND f.body <> '' ORDER BY f.updated_at DESC, f.id DESC LIMIT $2"
        ))
        .bind(campaign_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(feedback_from_row).collect()
    }

    /// How many of a campaign's candidates declined for each reason, most common first.
    pub async fn decline_reasons(&self, campaign_id: i64) -> Result<Vec<(DeclineReason, i64)>> {
        let rows = sqlx::query(
            "SELECT decline_reason, COUNT(*) AS n FROM invitations WHERE campaign_id = $1 AND state = 'declined' \
             AND decline_reason IS NOT NULL GROUP BY decline_reason ORDER BY n DESC, decline_reason",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String, _>("decline_reason")?.parse().map_err(corrupt)?, row.try_get("n")?)))
            .collect()
    }

    /// Counts and rating distributions of a campaign's feedback.
    pub async fn feedback_summary(&self, campaign_id: i64) -> Result<FeedbackSummary> {
        let rows = sqlx::query(
            "SELECT kind, satisfaction, relevance, area, COUNT(*) AS n FROM feedback WHERE campaign_id = $1 \
             GROUP BY kind, satisfaction, relevance, area",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        let mut summary = FeedbackSummary::default();
        for row in rows {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("kind")?.parse::<FeedbackKind>().map_err(corrupt)? {
                FeedbackKind::Survey => {
                    summary.surveys += n;
                    for (column, histogram) in
                        [("satisfaction", &mut summary.satisfaction), ("relevance", &mut summary.relevance)]
                    {
                        let score = Score::new(row.try_get::<Option<i64>, _>(column)?.unwrap_or_default()).map_err(corrupt)?;
                        histogram[usize::from(score.get() - 1)] += n;
                    }
                }
                FeedbackKind::DeviceProblem => {
                    let area: ProblemArea =
                        row.try_get::<Option<String>, _>("area")?.unwrap_or_default().parse().map_err(corrupt)?;
                    match summary.problems.iter_mut().find(|(a, _)| *a == area) {
                        Some((_, count)) => *count += n,
                        None => summary.problems.push((area, n)),
                    }
                }
            }
        }
        summary.problems.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_weight_each_rating_by_its_count() {
        let s = FeedbackSummary { surveys: 4, satisfaction: [0, 0, 1, 0, 3], relevance: [1, 0, 0, 0, 0], problems: vec![] };
        assert_eq!(s.satisfaction_mean(), Some(4.5));
        assert_eq!(s.relevance_mean(), Some(1.0));
        assert_eq!(FeedbackSummary::default().satisfaction_mean(), None);
    }
}
