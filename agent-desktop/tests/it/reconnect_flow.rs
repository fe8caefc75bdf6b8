//! Reconnect-and-resume with a fake network (R13): a lost connection keeps the work area with a
//! banner and asks the network side to reconnect; the new Welcome is merged and pending chat is
//! resent with the same ids; a kick goes back to the login window without retrying.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::CloseCode;
use porpoise_protocol::wire::{
    ActionState, Event, MessageId, Party, Presence, RemoteAction, Request, Role, SessionId,
    SessionInfo,
};
use porpoise_quic::client::Disconnect;

const LOST: &str = "Connection lost — reconnecting… (attempt 1)";

/// Types `text` in the chat box and presses Enter; returns the message id sent.
fn send_chat(harness: &mut egui_kittest::Harness<'static, AgentApp>, text: &str) {
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text(text);
    harness.key_press(egui::Key::Enter);
    harness.run();
}

fn sent_chats(side: &mut RelaySide) -> Vec<(SessionId, MessageId, String)> {
    commands(side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::SendChat {
                session_id,
                message_id,
                text,
            } => Some((session_id, message_id, text)),
            _ => None,
        })
        .collect()
}

fn welcome(side: &RelaySide, sessions: Vec<SessionInfo>, presence: Presence) {
    let mut profile = profile(Role::Agent);
    profile.presence = presence;
    send(
        side,
        NetEvent::LoggedIn {
            display_name: "Agent One".into(),
            queue: vec![],
            sessions,
            profile,
        },
    );
}

#[test]
fn lost_connection_keeps_the_workspace_and_resends_pending_chat_with_the_same_ids() {
    let (mut harness, mut side, _) = app();
    let history = vec![message(1, Party::Customer, "你好")];
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(history)],
    );
    // The customer's screen is being viewed when the connection drops.
    relay(
        &side,
        Event::ActionChanged {
            session_id: SESSION,
            action: RemoteAction::ViewDesktop,
            state: ActionState::Granted,
            by: Party::Customer,
        },
    );
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Stop viewing");
    send_chat(&mut harness, "first");
    let first = sent_chats(&mut side);
    assert_eq!(first.len(), 1, "{first:?}");

    send(&side, NetEvent::Disconnected(Disconnect::lost("timed out")));
    harness.run();
    harness.get_by_label(LOST);
    harness.get_by_label("Logged in as Agent One");
    harness.get_by_label("你好");
    harness.get_by_role_and_label(A11y::Button, "View desktop");
    let cmds = commands(&mut side);
    assert!(
        matches!(cmds.as_slice(), [NetCommand::Reconnect]),
        "{cmds:?}"
    );

    // Written during the outage: kept pending, not sent yet.
    send_chat(&mut harness, "second");
    assert!(sent_chats(&mut side).is_empty());
    send(&side, NetEvent::Reconnecting { attempt: 3 });
    harness.run();
    harness.get_by_label("Connection lost — reconnecting… (attempt 3)");

    // The relay restored the session with a message from the customer sent meanwhile.
    let restored = vec![
        message(1, Party::Customer, "你好"),
        message(2, Party::Customer, "还在吗"),
    ];
    welcome(&side, vec![session(restored)], Presence::Online);
    harness.run();
    assert!(harness.query_by_label_contains("reconnecting").is_none());
    harness.get_by_label("还在吗");
    let resent = sent_chats(&mut side);
    let texts: Vec<&str> = resent.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(texts, ["first", "second"]);
    assert_eq!(resent[0].1, first[0].1, "same message id");
    assert!(resent.iter().all(|(s, ..)| *s == SESSION));
    assert_eq!(harness.query_all_by_label("first").count(), 1);
}

#[test]
fn chosen_presence_is_restored_and_ended_sessions_are_marked() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |p| p.presence = Presence::Busy,
        vec![session(vec![])],
    );
    send(
        &side,
        NetEvent::Disconnected(Disconnect {
            code: Some(CloseCode::Shutdown),
            detail: "closed by peer: relay shutting down (code 4)".into(),
        }),
    );
    harness.run();
    harness.get_by_label(LOST);
    commands(&mut side);
    // The session ended while the console was away; the relay logs the agent in Online.
    welcome(&side, vec![], Presence::Online);
    harness.run();
    harness.get_by_label("The relay ended the session");
    assert_eq!(
        calls(&mut side),
        vec![Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false
        })]
    );
}

#[test]
fn a_kick_goes_back_to_the_login_window_without_retrying() {
    let (mut harness, mut side, _) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    let reason = Disconnect {
        code: Some(CloseCode::Kicked),
        detail: "closed by peer: code 6".into(),
    };
    send(&side, NetEvent::Disconnected(reason));
    harness.run();
    harness.get_by_label_contains("logged out by an administrator");
    assert!(harness.query_by_label("Logged in as Agent One").is_none());
    let cmds = commands(&mut side);
    assert!(matches!(cmds.as_slice(), [NetCommand::Logout]), "{cmds:?}");
}

#[test]
fn a_refused_reconnect_goes_back_to_the_login_window() {
    let (mut harness, mut side, _) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    send(&side, NetEvent::Disconnected(Disconnect::lost("timed out")));
    harness.run();
    harness.get_by_label(LOST);
    commands(&mut side);
    let failure = porpoise_agent::net::LoginFailure {
        kind: porpoise_agent::net::LoginFailureKind::AlreadyLoggedIn,
        refusal: Some(porpoise_protocol::wire::RefusedReason::AlreadyLoggedIn {
            address: "10.0.0.2".into(),
            since: 0,
        }),
        detail: "already logged in from 10.0.0.2 since 0".into(),
    };
    send(&side, NetEvent::LoginFailed(failure));
    harness.run();
    harness.get_by_label_contains("Already logged in from 10.0.0.2");
    assert!(harness.query_by_label("Logged in as Agent One").is_none());
    assert!(commands(&mut side).is_empty());
}
