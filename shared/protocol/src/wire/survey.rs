//! Satisfaction survey (满意度调查, C7, M5 "auto survey", A6 "push survey").
//!
//! Flow: when the center's [`CenterSettings::auto_survey`](super::CenterSettings) is on, the
//! relay sends the customer [`Event::SurveyRequested`](super::Event) right after the session
//! ended; the agent may also push it during the session ([`rpc::PushSurvey`](super::Request)).
//! The customer answers with [`rpc::SubmitSurvey`](super::Request) (or skips: nothing is
//! sent). The relay stores one answer per session (table `surveys`), for reports, and tells the
//! serving agent [`Event::SurveySubmitted`](super::Event).

use serde::{Deserialize, Serialize};

use super::{AgentId, SessionId, UnixMs};

/// Fewest stars of an answer (非常不满意).
pub const MIN_SURVEY_STARS: u8 = 1;
/// Most stars of an answer (非常满意).
pub const MAX_SURVEY_STARS: u8 = 5;
/// Longest optional comment of an answer, in characters (Unicode scalar values).
pub const MAX_SURVEY_COMMENT_CHARS: usize = 500;
/// How long after a session ended its customer may still submit the survey, in ms (24 h).
pub const SURVEY_WINDOW_MS: i64 = 24 * 3_600_000;

/// The customer's answer to the satisfaction survey (C7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    /// Satisfaction, [`MIN_SURVEY_STARS`]..=[`MAX_SURVEY_STARS`]: 1 非常不满意, 2 不满意,
    /// 3 一般, 4 满意, 5 非常满意.
    pub stars: u8,
    /// Optional comment (建议), at most [`MAX_SURVEY_COMMENT_CHARS`]; may be empty.
    pub comment: String,
}

/// Why a [`SurveyAnswer`] is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyError {
    /// Stars outside 1..=5.
    #[error("satisfaction must be {MIN_SURVEY_STARS} to {MAX_SURVEY_STARS} stars, not {0}")]
    Stars(u8),
    /// The comment is longer than [`MAX_SURVEY_COMMENT_CHARS`].
    #[error("the comment has {0} characters; at most {MAX_SURVEY_COMMENT_CHARS} are allowed")]
    CommentTooLong(usize),
}

impl SurveyAnswer {
    /// Checks the stars and the comment length.
    ///
    /// Errors: [`SurveyError::Stars`] outside 1..=5, [`SurveyError::CommentTooLong`].
    pub fn validate(&self) -> Result<(), SurveyError> {
        if !(MIN_SURVEY_STARS..=MAX_SURVEY_STARS).contains(&self.stars) {
            return Err(SurveyError::Stars(self.stars));
        }
        let chars = self.comment.chars().count();
        if chars > MAX_SURVEY_COMMENT_CHARS {
            return Err(SurveyError::CommentTooLong(chars));
        }
        Ok(())
    }
}

/// One stored survey answer (C7), as the relay's store lists them for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResult {
    /// Session it rates.
    pub session_id: SessionId,
    /// The agent who served the session.
    pub agent_id: AgentId,
    /// The answer.
    pub answer: SurveyAnswer,
    /// When the relay stored it, unix ms.
    pub submitted_at: UnixMs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked() {
        let ok = SurveyAnswer {
            stars: 5,
            comment: "很好".into(),
        };
        assert_eq!(ok.validate(), Ok(()));
        for stars in [0, 6] {
            let bad = SurveyAnswer {
                stars,
                ..ok.clone()
            };
            assert_eq!(bad.validate(), Err(SurveyError::Stars(stars)));
        }
        let long = SurveyAnswer {
            stars: 3,
            comment: "好".repeat(MAX_SURVEY_COMMENT_CHARS + 1),
        };
        assert_eq!(
            long.validate(),
            Err(SurveyError::CommentTooLong(MAX_SURVEY_COMMENT_CHARS + 1))
        );
    }
}
