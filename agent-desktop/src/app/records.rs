//! Answers to the support record, tag, visitor card and context requests (A13, A15, A18).

use porpoise_shared::{
    ui::Language,
    wire::{Request, Response},
};
use tracing::debug;

use crate::{
    i18n::{self, Msg},
    net::CallError,
    state::{Loadable, Status, Workspace},
};

/// True for the requests [`apply_records_answer`] handles.
pub(super) fn is_records_request(body: &Request) -> bool {
    matches!(
        body,
        Request::GetCustomerProfile { .. }
            | Request::SaveSupportRecord { .. }
            | Request::SetMessageTags { .. }
            | Request::SetCustomerTags { .. }
            | Request::SaveVisitorCard { .. }
            | Request::FetchCustomerContext { .. }
    )
}

/// Applies the answer to one of these requests to the form, the pending list or the tab.
pub(super) fn apply_records_answer(
    ws: &mut Workspace,
    body: Request,
    result: Result<Response, CallError>,
    lang: Language,
) {
    let error = |e: &CallError| i18n::call_error(lang, e);
    match body {
        Request::SaveSupportRecord { session_id, .. } => match result {
            Ok(Response::SupportRecordSaved(record)) => {
                ws.records.saved(session_id);
                if let Some(tab) = ws.session_mut(session_id) {
                    tab.customer.record = Some(record);
                    tab.notice = Some(Msg::RecSaved.text(lang).to_owned());
                }
            }
            Ok(other) => debug!(?other, "unexpected answer to SaveSupportRecord"),
            Err(e) => {
                if let Some(d) = ws
                    .records
                    .dialog
                    .as_mut()
                    .filter(|d| d.session_id == session_id)
                {
                    d.status = Status::Failed(error(&e));
                }
            }
        },
        Request::GetCustomerProfile { session_id } => {
            let Some(tab) = ws.session_mut(session_id) else {
                return;
            };
            match result {
                Ok(Response::CustomerProfile(p)) => tab.customer.loaded(p),
                Ok(other) => debug!(?other, "unexpected answer to GetCustomerProfile"),
                Err(e) => tab.customer.profile = Loadable::Failed(error(&e)),
            }
        }
        Request::SaveVisitorCard { session_id, .. } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.customer.card_status = match result {
                    Ok(_) => Status::Done(Msg::CardSaved.text(lang).to_owned()),
                    Err(e) => Status::Failed(error(&e)),
                };
            }
        }
        Request::SetMessageTags {
            session_id,
            message_id,
            tags,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                match result {
                    Ok(_) => {
                        tab.customer.message_tags.insert(message_id, tags);
                    }
                    Err(e) => tab.notice = Some(error(&e)),
                }
            }
        }
        Request::SetCustomerTags { session_id, .. } => {
            if let (Some(tab), Err(e)) = (ws.session_mut(session_id), &result) {
                tab.customer.tags_status = Status::Failed(error(e));
            }
        }
        Request::FetchCustomerContext { session_id } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.customer.context = match result {
                    Ok(Response::CustomerContext(items)) => Loadable::Loaded(items),
                    Ok(other) => Loadable::Failed(format!("{other:?}")),
                    Err(e) => Loadable::Failed(error(&e)),
                };
            }
        }
        other => debug!(call = ?crate::net::Call(other), "not a records request"),
    }
}
