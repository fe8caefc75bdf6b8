//! Sans-IO tests of reboot and reconnect (C8): consent first, then the token, then the reboot;
//! after the restart the token is presented once instead of the request screen.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, ReconnectToken, RemoteAction, Request, Response, TokenRefusal,
};

use super::tests::{changed, connected, info, requests, serving, SID};
use super::*;
use crate::net::{NetEvent, RequestFailure};

const TOKEN: ReconnectToken = ReconnectToken([9; 32]);

fn answered(
    s: &mut HelperState,
    request: Request,
    result: Result<Response, RequestFailure>,
) -> Vec<Effect> {
    let mut out = Vec::new();
    s.on_net(NetEvent::Answered { request, result }, &mut out);
    out
}

#[test]
fn the_reboot_needs_the_customers_accept_then_a_token_then_reboots() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::ConsentRequested {
            session_id: SID,
            action: RemoteAction::Reboot,
        }),
        &mut out,
    );
    assert_eq!(
        out,
        vec![Effect::Attention],
        "a prompt; nothing happens yet"
    );
    let mut out = Vec::new();
    s.on_ui(
        UiAction::Answer {
            action: RemoteAction::Reboot,
            grant: true,
        },
        &mut out,
    );
    assert!(
        !out.iter().any(|e| matches!(e, Effect::Reboot { .. })),
        "not before the relay confirms"
    );
    let mut out = Vec::new();
    s.on_net(
        changed(RemoteAction::Reboot, ActionState::Granted),
        &mut out,
    );
    let token_request =
        Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id: SID });
    assert_eq!(requests(&out), vec![token_request.clone()]);
    assert_eq!(s.desired_sharing(), None, "the screen is not shared for it");
    let out = answered(
        &mut s,
        token_request,
        Ok(Response::ReconnectToken(rpc::IssuedReconnectToken {
            token: TOKEN,
            expires_at: 1,
        })),
    );
    assert_eq!(out, vec![Effect::Reboot { token: TOKEN }]);
    s.rebooted(Ok(()));
    assert_eq!(s.notice, Some(Notice::Rebooting));
    s.rebooted(Err("systemctl: exit status 1".into()));
    assert_eq!(
        s.notice,
        Some(Notice::RebootFailed("systemctl: exit status 1".into()))
    );
}

#[test]
fn a_refused_reboot_never_asks_for_a_token() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_net(
        changed(RemoteAction::Reboot, ActionState::Refused),
        &mut out,
    );
    assert!(out.is_empty());
}

#[test]
fn after_the_restart_the_token_rejoins_the_session_without_a_click() {
    let mut s = HelperState::new("Wang".into(), String::new(), true);
    s.reconnect_token = Some(TOKEN);
    let mut out = Vec::new();
    s.on_net(connected(None, None), &mut out);
    let redeem = Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token: TOKEN });
    // The token goes first; no auto-request, no request screen.
    assert_eq!(requests(&out), vec![redeem.clone()]);
    assert_eq!(s.service, ServiceState::Requesting);
    // Lost before the answer: presented again on the next connection.
    answered(
        &mut s,
        redeem.clone(),
        Err(RequestFailure::Connection(ApiError::Disconnected)),
    );
    let mut out = Vec::new();
    s.on_net(connected(None, None), &mut out);
    assert_eq!(requests(&out), vec![redeem.clone()]);
    answered(&mut s, redeem, Ok(Response::SessionStarted(info(vec![]))));
    assert_eq!(s.session().map(|x| x.session_id), Some(SID));
    assert_eq!(s.reconnect_token, None);
}

#[test]
fn a_refused_token_falls_back_to_the_request_screen_with_the_reason() {
    for why in [
        TokenRefusal::Used,
        TokenRefusal::Expired,
        TokenRefusal::Unknown,
        TokenRefusal::WrongCenter,
    ] {
        let mut s = HelperState::new(String::new(), String::new(), false);
        s.reconnect_token = Some(TOKEN);
        s.on_net(connected(None, None), &mut Vec::new());
        let redeem = Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token: TOKEN });
        answered(
            &mut s,
            redeem,
            Err(RequestFailure::Relay(ApiError::BadReconnectToken(why))),
        );
        assert_eq!(s.service, ServiceState::Form);
        assert_eq!(
            s.notice,
            Some(Notice::ReconnectFailed(RequestFailure::Relay(
                ApiError::BadReconnectToken(why)
            )))
        );
        // Only once: the next connection shows the request screen.
        let mut out = Vec::new();
        s.on_net(connected(None, None), &mut out);
        assert!(requests(&out).is_empty());
    }
}

#[test]
fn a_session_resumed_by_install_id_needs_no_token() {
    let mut s = HelperState::new(String::new(), String::new(), false);
    s.reconnect_token = Some(TOKEN);
    let mut out = Vec::new();
    s.on_net(connected(Some(info(vec![])), None), &mut out);
    assert!(requests(&out).is_empty());
    assert_eq!(s.session().map(|x| x.session_id), Some(SID));
    assert_eq!(s.reconnect_token, None);
}
