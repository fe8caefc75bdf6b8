//! The satisfaction survey (C7) and the permissions panel's actions (C5): revoke one granted
//! action, share the screen without an agent request.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, RemoteAction, Request, SessionId, SurveyAnswer, SurveyError,
    MAX_SURVEY_COMMENT_CHARS,
};

use super::{Effect, HelperState, Notice, ServiceState};
use crate::net::{NetCommand, RequestFailure};

/// Why the survey form cannot be sent, shown under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyFormError {
    /// Submit pressed before choosing stars.
    PickStars,
    /// The comment is longer than [`MAX_SURVEY_COMMENT_CHARS`].
    CommentTooLong,
    /// The relay refused it or could not be reached (shown in the UI's language).
    Failed(RequestFailure),
}

/// The survey the customer is filling in (C7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyForm {
    /// Session rated.
    pub session_id: SessionId,
    /// Chosen satisfaction, 1 (非常不满意) to 5 (非常满意); `None` until chosen.
    pub stars: Option<u8>,
    /// Optional comment.
    pub comment: String,
    /// Last problem, until the next submit.
    pub error: Option<SurveyFormError>,
    /// The answer is on its way.
    pub sending: bool,
}

impl SurveyForm {
    /// An empty form for `session_id`.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id,
            stars: None,
            comment: String::new(),
            error: None,
            sending: false,
        }
    }

    /// The answer to send, or why not.
    ///
    /// Errors: [`SurveyFormError::PickStars`], [`SurveyFormError::CommentTooLong`].
    pub fn answer(&self) -> Result<SurveyAnswer, SurveyFormError> {
        let answer = SurveyAnswer {
            stars: self.stars.ok_or(SurveyFormError::PickStars)?,
            comment: self.comment.trim().to_owned(),
        };
        answer.validate().map_err(|e| match e {
            SurveyError::Stars(_) => SurveyFormError::PickStars,
            SurveyError::CommentTooLong(_) => SurveyFormError::CommentTooLong,
        })?;
        Ok(answer)
    }
}

fn request(out: &mut Vec<Effect>, r: Request) {
    out.push(Effect::Command(NetCommand::Request(r)));
}

impl HelperState {
    /// The relay asks for the survey (at the end, or pushed by the agent): show it once.
    pub(super) fn survey_requested(&mut self, session_id: SessionId, out: &mut Vec<Effect>) {
        if self
            .survey
            .as_ref()
            .is_some_and(|f| f.session_id == session_id)
        {
            return;
        }
        self.survey = Some(SurveyForm::new(session_id));
        out.push(Effect::Attention);
    }

    /// Submit pressed: checked here, then sent.
    pub(super) fn submit_survey(&mut self, out: &mut Vec<Effect>) {
        let Some(form) = &mut self.survey else {
            return;
        };
        if form.sending {
            return;
        }
        match form.answer() {
            Ok(answer) => {
                form.error = None;
                form.sending = true;
                let session_id = form.session_id;
                request(
                    out,
                    Request::SubmitSurvey(rpc::SubmitSurvey { session_id, answer }),
                );
            }
            Err(e) => form.error = Some(e),
        }
    }

    /// The relay's answer to [`rpc::SubmitSurvey`].
    pub(super) fn survey_answered(
        &mut self,
        session_id: SessionId,
        result: Result<(), RequestFailure>,
    ) {
        let Some(form) = self.survey.as_mut().filter(|f| f.session_id == session_id) else {
            return;
        };
        match result {
            Ok(()) => {
                self.survey = None;
                self.notice = Some(Notice::SurveyThanks);
            }
            // Answered before (another window, a resend): nothing more to ask.
            Err(RequestFailure::Relay(ApiError::Conflict(_))) => self.survey = None,
            Err(e) => {
                form.sending = false;
                form.error = Some(SurveyFormError::Failed(e));
            }
        }
    }

    /// Revoke one granted (or requested) action from the permissions panel; the others stay.
    pub(super) fn revoke(&mut self, action: RemoteAction, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        let running = matches!(
            s.actions.get(&action),
            Some(ActionState::Granted | ActionState::Requested)
        );
        if !running {
            return;
        }
        s.actions.insert(action, ActionState::Stopped);
        s.prompts.retain(|a| *a != action);
        let session_id = s.session_id;
        request(
            out,
            Request::StopAction(rpc::StopAction { session_id, action }),
        );
    }

    /// "Share my screen": grant viewing without an agent request (C5).
    pub(super) fn share_screen(&mut self, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        if s.sharing().is_some() {
            return;
        }
        let session_id = s.session_id;
        request(
            out,
            Request::StartAction(rpc::StartAction {
                session_id,
                action: RemoteAction::ViewDesktop,
            }),
        );
    }
}

/// Longest comment, re-exported for the UI's hint.
pub const COMMENT_LIMIT: usize = MAX_SURVEY_COMMENT_CHARS;
