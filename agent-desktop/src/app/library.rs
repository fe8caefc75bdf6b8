//! Answers to the quick-reply panel's requests: canned responses, knowledge base (A8) and
//! service history (A11).

use porpoise_shared::{
    ui::Language,
    wire::{Request, Response},
};
use tracing::debug;

use crate::{
    i18n::{self, Msg},
    net::CallError,
    state::{Loaded, Status, Workspace},
};

/// True if `body` is one of the quick-reply panel's requests.
pub(super) fn is_library_request(body: &Request) -> bool {
    matches!(
        body,
        Request::ListCannedResponses
            | Request::SaveCannedResponse { .. }
            | Request::DeleteCannedResponse { .. }
            | Request::ListKnowledgeBase
            | Request::ListServiceHistory { .. }
            | Request::ReadHistoryTranscript { .. }
    )
}

/// Applies the answer to a quick-reply panel request.
pub(super) fn apply_library_answer(
    ws: &mut Workspace,
    body: Request,
    result: Result<Response, CallError>,
    lang: Language,
) {
    let lib = &mut ws.library;
    let error = |e: CallError| i18n::call_error(lang, &e);
    match (body, result) {
        (Request::ListCannedResponses, Ok(Response::CannedResponses(list))) => {
            lib.canned = Loaded::Ready(list);
        }
        (Request::ListCannedResponses, Err(e)) => lib.canned = Loaded::Failed(error(e)),
        (Request::SaveCannedResponse { .. }, Ok(Response::CannedResponseSaved(saved))) => {
            lib.saved(saved);
        }
        (Request::SaveCannedResponse { .. }, Err(e)) => {
            if let Some(editor) = lib.editor.as_mut() {
                editor.status = Status::Failed(error(e));
            }
        }
        (Request::DeleteCannedResponse { id }, Ok(_)) => lib.deleted(id),
        (Request::DeleteCannedResponse { .. }, Err(e)) => {
            lib.deleting = None;
            lib.error = Some(error(e));
        }
        (Request::ListKnowledgeBase, Ok(Response::KnowledgeBase(base))) => {
            lib.knowledge = Loaded::Ready(base);
        }
        (Request::ListKnowledgeBase, Err(e)) => lib.knowledge = Loaded::Failed(error(e)),
        (Request::ListServiceHistory { session_id }, Ok(Response::ServiceHistory(history))) => {
            lib.history_mut(session_id).list = Loaded::Ready(history);
        }
        (Request::ListServiceHistory { session_id }, Err(e)) => {
            lib.history_mut(session_id).list = Loaded::Failed(error(e));
        }
        (
            Request::ReadHistoryTranscript {
                session_id,
                past_session_id,
                ..
            },
            result,
        ) => {
            let page = match result {
                Ok(Response::HistoryTranscript(page)) => Ok(page),
                Ok(_) => Err(Msg::ErrRequest.text(lang).to_owned()),
                Err(e) => Err(error(e)),
            };
            lib.transcript_page(session_id, past_session_id, page);
        }
        // Never the content: canned texts and transcripts stay out of logs.
        (_, result) => debug!(
            ok = result.is_ok(),
            "unexpected answer to a library request"
        ),
    }
}
