//! Storage of satisfaction surveys (C7): table `surveys` of
//! `migrations/20261123000020_surveys.sql`, one row per session. Every statement filters by
//! the center.

use porpoise_protocol::wire::{
    AgentId, ApiError, CenterId, Response, SessionId, SurveyAnswer, SurveyResult, UnixMs,
};

use super::{from_db, to_db, Store, StoreError};

/// Most survey rows one [`Store::surveys`] call returns (a report pages by time beyond it).
pub const MAX_SURVEYS_LISTED: u32 = 10_000;

/// Row of `surveys`: session, agent, stars, comment, submitted_at.
type SurveyRow = (i64, i64, i64, String, i64);

impl Store {
    /// Stores one survey answer of a session of `center_id` (C7).
    ///
    /// Answers `Ok(Done)`; `Ok(Err(Conflict))` when the session already has an answer (one per
    /// session, whoever asks), `Ok(Err(UnknownSession))` when the session is not the center's.
    /// Errors: [`StoreError::Database`].
    pub(super) async fn save_survey(
        &self,
        center_id: CenterId,
        survey: &SurveyResult,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO surveys (session_id, center_id, agent_id, stars, comment, submitted_at) \
             SELECT id, center_id, ?, ?, ?, ? FROM sessions WHERE id = ? AND center_id = ? \
             ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(survey.agent_id.0)
        .bind(i64::from(survey.answer.stars))
        .bind(&survey.answer.comment)
        .bind(survey.submitted_at)
        .bind(to_db(survey.session_id.0)?)
        .bind(i64::from(center_id.0))
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Ok(Response::Done));
        }
        let (exists,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE id = ? AND center_id = ?")
                .bind(to_db(survey.session_id.0)?)
                .bind(i64::from(center_id.0))
                .fetch_one(&self.pool)
                .await?;
        Ok(Err(if exists == 0 {
            ApiError::UnknownSession
        } else {
            ApiError::Conflict(porpoise_protocol::wire::Conflict::SurveyAnswered)
        }))
    }

    /// The survey answers of `center_id` submitted in `[from, to)` (unix ms), oldest first, at
    /// most [`MAX_SURVEYS_LISTED`] (C7; for reports, M9).
    ///
    /// Errors: [`StoreError::Database`]; [`StoreError::Corrupt`] for a stored row out of range.
    pub async fn surveys(
        &self,
        center_id: CenterId,
        from: UnixMs,
        to: UnixMs,
    ) -> Result<Vec<SurveyResult>, StoreError> {
        let rows: Vec<SurveyRow> = sqlx::query_as(
            "SELECT session_id, agent_id, stars, comment, submitted_at FROM surveys \
             WHERE center_id = ? AND submitted_at >= ? AND submitted_at < ? \
             ORDER BY submitted_at, session_id LIMIT ?",
        )
        .bind(i64::from(center_id.0))
        .bind(from)
        .bind(to)
        .bind(i64::from(MAX_SURVEYS_LISTED))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(session, agent_id, stars, comment, submitted_at)| {
                Ok(SurveyResult {
                    session_id: SessionId(from_db(session)?),
                    agent_id: AgentId(agent_id),
                    answer: SurveyAnswer {
                        stars: u8::try_from(stars)
                            .map_err(|_| StoreError::Corrupt(format!("survey stars {stars}")))?,
                        comment,
                    },
                    submitted_at,
                })
            })
            .collect()
    }
}
