//! Answers to the admin requests (R3 logins and kicks, password resets, center settings).

use porpoise_shared::{
    ui::Language,
    wire::{Request, Response},
};
use tracing::debug;

use crate::{
    i18n::{self, Msg},
    net::CallError,
    state::{AdminDialog, Status, Workspace},
};

/// Applies the answer to an admin request (or logs an unexpected one).
pub(super) fn apply_admin_answer(
    ws: &mut Workspace,
    body: Request,
    result: Result<Response, CallError>,
    lang: Language,
) {
    let failed = |e: &CallError| Status::Failed(i18n::call_error(lang, e));
    let done = |m: Msg| Status::Done(m.text(lang).to_owned());
    match (body, result, ws.admin.as_mut()) {
        (
            Request::ListLogins,
            Ok(Response::Logins(list)),
            Some(AdminDialog::Logins { logins, status, .. }),
        ) => {
            *logins = Some(list);
            *status = Status::Idle;
        }
        (
            Request::KickLogin { agent_id },
            Ok(_),
            Some(AdminDialog::Logins { logins, status, .. }),
        ) => {
            if let Some(list) = logins {
                list.retain(|l| l.agent_id != agent_id);
            }
            *status = Status::Idle;
        }
        (
            Request::ListLogins | Request::KickLogin { .. },
            Err(e),
            Some(AdminDialog::Logins { status, .. }),
        ) => {
            *status = failed(&e);
        }
        (
            Request::ResetPassword { .. },
            result,
            Some(AdminDialog::ResetPassword {
                password, status, ..
            }),
        ) => {
            *status = match result {
                Ok(_) => {
                    password.clear();
                    done(Msg::PasswordChanged)
                }
                Err(e) => failed(&e),
            };
        }
        (
            Request::GetCenterSettings,
            result,
            Some(AdminDialog::CenterSettings { draft, status }),
        ) => match result {
            Ok(Response::CenterSettings(s)) => {
                *draft = Some(Box::new(s));
                *status = Status::Idle;
            }
            Ok(_) => {}
            Err(e) => *status = failed(&e),
        },
        (Request::UpdateCenterSettings(s), result, dialog) => {
            let outcome = match result {
                Ok(_) => {
                    ws.settings = s;
                    done(Msg::Saved)
                }
                Err(e) => failed(&e),
            };
            if let Some(AdminDialog::CenterSettings { status, .. }) = dialog {
                *status = outcome;
            }
        }
        (body, result, _) => {
            let call = crate::net::Call(body);
            debug!(?call, ?result, "answer for a closed dialog; ignored");
        }
    }
}
