//! Reboot and reconnect (C8): one-time reconnect tokens, the 15-minute wait and what the agent
//! sees. Virtual clock, no sockets; centers use the default settings (5 min reception timeout).

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, CenterSettings, Event, Party, ReconnectToken, RemoteAction, Request,
    Response, SessionId, TokenRefusal, RECONNECT_TOKEN_TTL_MS,
};

use super::conversation::{advance, harness, login_agent, login_customer, say, serve, A1, CUST};
use super::*;

const NEW_HELPER: ConnId = ConnId(12);
const FOREIGN_HELPER: ConnId = ConnId(30);
const OLD_INSTALL: u128 = 111;
const NEW_INSTALL: u128 = 222;
const TTL_MS: u64 = RECONNECT_TOKEN_TTL_MS as u64;

/// Agent 10 serves customer `CUST` (install 111) in center A; the customer granted the reboot.
fn granted_reboot() -> (Harness, SessionId) {
    let mut h = harness(CenterSettings::default());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, OLD_INSTALL);
    let (session_id, _) = serve(&mut h, A1, CUST);
    let action = RemoteAction::Reboot;
    let asked = h.req(
        A1,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction { session_id, action }),
    );
    assert!(events_to(&asked, CUST).contains(&Event::ConsentRequested { session_id, action }));
    let grant = Request::AnswerConsent(rpc::AnswerConsent {
        session_id,
        action,
        grant: true,
    });
    assert_eq!(
        response(&h.req(CUST, RequestId(2), grant), CUST, RequestId(2)),
        Ok(Response::Done)
    );
    (h, session_id)
}

/// The customer asks for its token; returns it and the actions.
fn take_token(h: &mut Harness, session_id: SessionId) -> (ReconnectToken, Vec<Action>) {
    let actions = h.req(
        CUST,
        RequestId(3),
        Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id }),
    );
    match response(&actions, CUST, RequestId(3)) {
        Ok(Response::ReconnectToken(rpc::IssuedReconnectToken { token, expires_at })) => {
            assert_eq!(expires_at, h.now.unix_ms + RECONNECT_TOKEN_TTL_MS);
            (token, actions)
        }
        other => panic!("no token: {other:?}"),
    }
}

fn redeem(h: &mut Harness, conn: ConnId, token: &ReconnectToken) -> Vec<Action> {
    let body = Request::RedeemReconnectToken(rpc::RedeemReconnectToken {
        token: token.clone(),
    });
    h.req(conn, RequestId(4), body)
}

fn refusal(actions: &[Action], conn: ConnId) -> TokenRefusal {
    match response(actions, conn, RequestId(4)) {
        Err(ApiError::BadReconnectToken(why)) => why,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_token_needs_the_customers_consent_first() {
    let mut h = harness(CenterSettings::default());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, OLD_INSTALL);
    let (session_id, _) = serve(&mut h, A1, CUST);
    let actions = h.req(
        CUST,
        RequestId(3),
        Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id }),
    );
    assert!(matches!(
        response(&actions, CUST, RequestId(3)),
        Err(ApiError::Conflict(_))
    ));
    // The agent cannot get one either.
    let actions = h.req(
        A1,
        RequestId(3),
        Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id }),
    );
    assert!(response(&actions, A1, RequestId(3)).is_err());
}

#[test]
fn the_agent_sees_waiting_then_reconnected_and_the_token_works_once() {
    let (mut h, session_id) = granted_reboot();
    say(&mut h, CUST, session_id, 1, "before the reboot");
    let (token, actions) = take_token(&mut h, session_id);
    let to_agent = events_to(&actions, A1);
    assert!(to_agent.contains(&Event::CustomerRebooting {
        session_id,
        until: h.now.unix_ms + RECONNECT_TOKEN_TTL_MS,
    }));
    assert!(to_agent.contains(&Event::ActionChanged {
        session_id,
        action: RemoteAction::Reboot,
        state: ActionState::Stopped,
        by: Party::Customer,
    }));
    h.disconnect(CUST);
    // 14 minutes away: far beyond the 5-minute reception timeout, the session stays open.
    let waited = advance(&mut h, 14 * 60 * 1000);
    assert!(
        !events_to(&waited, A1)
            .iter()
            .any(|e| matches!(e, Event::SessionEnded { .. })),
        "{waited:?}"
    );
    // A new helper process (another install id) presents the token.
    login_customer(&mut h, NEW_HELPER, CENTER_A, NEW_INSTALL);
    let back = redeem(&mut h, NEW_HELPER, &token);
    match response(&back, NEW_HELPER, RequestId(4)) {
        Ok(Response::SessionStarted(info)) => {
            assert_eq!(info.session_id, session_id);
            assert!(info.messages.iter().any(|m| m.text == "before the reboot"));
        }
        other => panic!("not resumed: {other:?}"),
    }
    assert!(events_to(&back, A1).contains(&Event::CustomerReconnected { session_id }));
    // Chat continues both ways in the same session.
    let said = say(&mut h, NEW_HELPER, session_id, 2, "I am back");
    assert!(events_to(&said, A1)
        .iter()
        .any(|e| matches!(e, Event::ChatReceived { message, .. } if message.text == "I am back")));
    // Single use, also from the same helper.
    assert_eq!(
        refusal(&redeem(&mut h, NEW_HELPER, &token), NEW_HELPER),
        TokenRefusal::Used
    );
    // The reception timeout runs again once the customer is back.
    let later = advance(&mut h, 5 * 60 * 1000 + 1);
    assert!(events_to(&later, A1).contains(&Event::SessionEnded {
        session_id,
        by: Party::Relay
    }));
}

#[test]
fn the_token_expires_after_fifteen_minutes_and_the_session_ends() {
    let (mut h, session_id) = granted_reboot();
    let (token, _) = take_token(&mut h, session_id);
    h.disconnect(CUST);
    assert!(advance(&mut h, TTL_MS - 1).is_empty());
    let expired = advance(&mut h, 1);
    assert!(events_to(&expired, A1).contains(&Event::SessionEnded {
        session_id,
        by: Party::Relay
    }));
    assert!(persisted(&expired)
        .iter()
        .any(|op| matches!(op, StoreOp::EndSession { session_id: s, by: Party::Relay, .. } if *s == session_id)));
    login_customer(&mut h, NEW_HELPER, CENTER_A, NEW_INSTALL);
    assert_eq!(
        refusal(&redeem(&mut h, NEW_HELPER, &token), NEW_HELPER),
        TokenRefusal::Expired
    );
}

#[test]
fn unknown_and_foreign_tokens_are_refused_and_change_nothing() {
    let (mut h, session_id) = granted_reboot();
    let (token, _) = take_token(&mut h, session_id);
    h.disconnect(CUST);
    login_customer(&mut h, NEW_HELPER, CENTER_A, NEW_INSTALL);
    let guess = ReconnectToken([7; 32]);
    assert_eq!(
        refusal(&redeem(&mut h, NEW_HELPER, &guess), NEW_HELPER),
        TokenRefusal::Unknown
    );
    // Center B's customer holds center A's token: useless there.
    login_customer(&mut h, FOREIGN_HELPER, CENTER_B, 333);
    let foreign = redeem(&mut h, FOREIGN_HELPER, &token);
    assert_eq!(refusal(&foreign, FOREIGN_HELPER), TokenRefusal::WrongCenter);
    assert!(events_to(&foreign, A1).is_empty());
    // An agent may not present one.
    assert!(matches!(
        response(&redeem(&mut h, A1, &token), A1, RequestId(4)),
        Err(ApiError::NotPermitted { .. })
    ));
    // The token still works at its own center.
    let back = redeem(&mut h, NEW_HELPER, &token);
    assert!(matches!(
        response(&back, NEW_HELPER, RequestId(4)),
        Ok(Response::SessionStarted(info)) if info.session_id == session_id
    ));
    // Even spent, it stays useless at center B.
    assert_eq!(
        refusal(&redeem(&mut h, FOREIGN_HELPER, &token), FOREIGN_HELPER),
        TokenRefusal::WrongCenter
    );
}

#[test]
fn the_same_install_id_coming_back_ends_the_wait() {
    let (mut h, session_id) = granted_reboot();
    let (token, _) = take_token(&mut h, session_id);
    h.disconnect(CUST);
    advance(&mut h, 60_000);
    let back = login_customer(&mut h, NEW_HELPER, CENTER_A, OLD_INSTALL);
    assert!(matches!(
        welcome(&back, NEW_HELPER),
        porpoise_protocol::wire::Welcome::Customer { session: Some(ref info), .. } if info.session_id == session_id
    ));
    assert!(events_to(&back, A1).contains(&Event::CustomerReconnected { session_id }));
    assert_eq!(
        refusal(&redeem(&mut h, NEW_HELPER, &token), NEW_HELPER),
        TokenRefusal::Used
    );
    // No expiry later: the session goes on past 15 minutes while the customer writes.
    for i in 0..4 {
        advance(&mut h, 4 * 60 * 1000);
        say(&mut h, NEW_HELPER, session_id, 10 + i, "still here");
    }
    assert!(h.core.sessions.contains_key(&session_id));
}

#[test]
fn a_customer_who_never_left_keeps_the_session_when_the_token_expires() {
    let (mut h, session_id) = granted_reboot();
    take_token(&mut h, session_id);
    let expired = advance(&mut h, TTL_MS);
    assert!(events_to(&expired, A1).contains(&Event::CustomerReconnected { session_id }));
    assert!(h.core.sessions.contains_key(&session_id));
}
