//! File transfer consent, routing and size limit (A6, C5). Virtual clock, no sockets.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, CenterSettings, MediaHeader, MediaKind, Party, RemoteAction, Request,
    Response, DEFAULT_MAX_FILE_BYTES,
};

use super::routing::harness_with;
use super::*;
use crate::core::{MediaRefusal, MediaRoute, FILE_STREAM_OVERHEAD_BYTES};

const AGENT: ConnId = ConnId(1);
const CUSTOMER: ConnId = ConnId(11);
const OTHER_AGENT: ConnId = ConnId(2);
const OTHER_CUSTOMER: ConnId = ConnId(12);
const FOREIGN_CUSTOMER: ConnId = ConnId(21);

/// Center A: agent 1 serves customer 11 and agent 2 serves customer 12; center B has a
/// customer 21 in a session of its own.
fn two_sessions(max_file_bytes: u64) -> (Harness, SessionId, SessionId) {
    let mut h = harness_with(CenterSettings {
        max_file_bytes,
        ..CenterSettings::default()
    });
    h.agent(AGENT, CENTER_A, AgentId(10));
    h.customer(CUSTOMER, CENTER_A, InstallId(111));
    let ticket = h.queue(CUSTOMER, "Ann");
    let mine = h.accept(AGENT, ticket);
    h.agent(OTHER_AGENT, CENTER_A, AgentId(11));
    h.customer(OTHER_CUSTOMER, CENTER_A, InstallId(112));
    let ticket = h.queue(OTHER_CUSTOMER, "Bo");
    let theirs = h.accept(OTHER_AGENT, ticket);
    (h, mine, theirs)
}

fn file(session_id: SessionId) -> MediaHeader {
    MediaHeader {
        session_id,
        kind: MediaKind::File,
    }
}

#[test]
fn agent_files_flow_only_while_the_customer_grants_file_transfer() {
    let (mut h, s, _) = two_sessions(DEFAULT_MAX_FILE_BYTES);
    let action = RemoteAction::FileTransfer;
    assert!(matches!(
        h.core.route_media(AGENT, &file(s)),
        Err(MediaRefusal::NotGranted { .. })
    ));
    h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    assert!(
        h.core.route_media(AGENT, &file(s)).is_err(),
        "asked, not granted"
    );
    h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    assert_eq!(
        h.core.route_media(AGENT, &file(s)),
        Ok(MediaRoute {
            session_id: s,
            kind: MediaKind::File,
            peer: CUSTOMER,
        })
    );
    // The grant allows files only: no screen, no input.
    let input = MediaHeader {
        session_id: s,
        kind: MediaKind::Input,
    };
    assert!(h.core.route_media(AGENT, &input).is_err());

    let actions = h.req(
        CUSTOMER,
        RequestId(3),
        Request::StopAction(rpc::StopAction {
            session_id: s,
            action,
        }),
    );
    assert!(
        cuts(&actions, s, MediaKind::File),
        "stop cuts running files"
    );
    assert!(
        events_to(&actions, AGENT).contains(&porpoise_protocol::wire::Event::ActionChanged {
            session_id: s,
            action,
            state: ActionState::Stopped,
            by: Party::Customer,
        })
    );
    assert!(h.core.route_media(AGENT, &file(s)).is_err());
}

#[test]
fn the_customer_sends_files_without_a_grant_but_only_in_its_own_session() {
    let (mut h, mine, theirs) = two_sessions(DEFAULT_MAX_FILE_BYTES);
    assert_eq!(
        h.core.route_media(CUSTOMER, &file(mine)),
        Ok(MediaRoute {
            session_id: mine,
            kind: MediaKind::File,
            peer: AGENT,
        })
    );
    assert!(matches!(
        h.core.route_media(CUSTOMER, &file(theirs)),
        Err(MediaRefusal::NotInSession(_))
    ));
    assert!(matches!(
        h.core.route_media(AGENT, &file(theirs)),
        Err(MediaRefusal::NotInSession(_))
    ));
    // A customer of another center cannot reach center A's session.
    h.customer(FOREIGN_CUSTOMER, CENTER_B, InstallId(211));
    assert!(matches!(
        h.core.route_media(FOREIGN_CUSTOMER, &file(mine)),
        Err(MediaRefusal::OtherCenter(_))
    ));
    // With the agent gone there is nobody to receive.
    h.disconnect(AGENT);
    assert!(matches!(
        h.core.route_media(CUSTOMER, &file(mine)),
        Err(MediaRefusal::PeerAbsent(_))
    ));
}

#[test]
fn both_sides_learn_the_center_limit_and_the_relay_caps_file_streams() {
    let limit = 5 * 1024 * 1024;
    let (mut h, mine, theirs) = two_sessions(limit);
    for (conn, id) in [(AGENT, 1), (CUSTOMER, 2)] {
        let actions = h.req(
            conn,
            RequestId(id),
            Request::FileTransferLimit(rpc::FileTransferLimit { session_id: mine }),
        );
        // Only the agent's console accepts by itself, within the center's defaults.
        let (auto_accept_bytes, auto_accept_files) = if conn == AGENT {
            (
                porpoise_protocol::wire::DEFAULT_AUTO_ACCEPT_FILE_BYTES,
                porpoise_protocol::wire::DEFAULT_AUTO_ACCEPT_FILES,
            )
        } else {
            (0, 0)
        };
        assert_eq!(
            response(&actions, conn, RequestId(id)),
            Ok(Response::FileTransferLimit(rpc::FileSizeLimit {
                max_bytes: limit,
                auto_accept_bytes,
                auto_accept_files,
            }))
        );
    }
    let actions = h.req(
        CUSTOMER,
        RequestId(3),
        Request::FileTransferLimit(rpc::FileTransferLimit { session_id: theirs }),
    );
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(3)),
        Err(ApiError::UnknownSession)
    );
    let route = h.core.route_media(CUSTOMER, &file(mine)).expect("route");
    assert_eq!(
        h.core.media_byte_cap(&route),
        Some(limit + FILE_STREAM_OVERHEAD_BYTES)
    );
    let screen = MediaRoute {
        kind: MediaKind::Screen,
        ..route
    };
    assert_eq!(h.core.media_byte_cap(&screen), None);
}

#[test]
fn settings_stored_before_the_file_limit_existed_read_the_default() {
    let mut json = serde_json::to_value(CenterSettings::default()).expect("json");
    json.as_object_mut()
        .expect("object")
        .remove("max_file_bytes");
    let back: CenterSettings = serde_json::from_value(json).expect("old settings still load");
    assert_eq!(back.max_file_bytes, DEFAULT_MAX_FILE_BYTES);
}

#[test]
fn common_files_go_out_only_from_the_agent_with_the_grant() {
    let (mut h, s, theirs) = two_sessions(DEFAULT_MAX_FILE_BYTES);
    let send = |session_id, name: &str| {
        Request::SendCommonFile(rpc::SendCommonFile {
            session_id,
            name: name.into(),
        })
    };
    let actions = h.req(
        AGENT,
        RequestId(1),
        Request::ListCommonFiles(rpc::ListCommonFiles),
    );
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::ListCommonFiles {
            conn: AGENT,
            id: RequestId(1),
            center_id: CENTER_A
        }
    )));
    let actions = h.req(
        CUSTOMER,
        RequestId(2),
        Request::ListCommonFiles(rpc::ListCommonFiles),
    );
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(2)),
        Err(ApiError::NotPermitted { .. })
    ));

    let actions = h.req(AGENT, RequestId(3), send(s, "手册.pdf"));
    assert!(matches!(
        response(&actions, AGENT, RequestId(3)),
        Err(ApiError::Conflict(_))
    ));
    h.req(
        AGENT,
        RequestId(4),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action: RemoteAction::FileTransfer,
        }),
    );
    h.req(
        CUSTOMER,
        RequestId(5),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action: RemoteAction::FileTransfer,
            grant: true,
        }),
    );
    let actions = h.req(AGENT, RequestId(6), send(s, "../relay.db"));
    assert!(matches!(
        response(&actions, AGENT, RequestId(6)),
        Err(ref e) if e.is_bad_input()
    ));
    let actions = h.req(AGENT, RequestId(7), send(theirs, "手册.pdf"));
    assert_eq!(
        response(&actions, AGENT, RequestId(7)),
        Err(ApiError::UnknownSession)
    );
    let actions = h.req(AGENT, RequestId(8), send(s, "手册.pdf"));
    assert_eq!(response(&actions, AGENT, RequestId(8)), Ok(Response::Done));
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::SendCommonFile { agent: AGENT, customer: CUSTOMER, session_id, center_id: CENTER_A, name, max_bytes }
            if *session_id == s && name == "手册.pdf" && *max_bytes == DEFAULT_MAX_FILE_BYTES
    )));
}

#[test]
fn an_admin_cannot_set_a_file_limit_outside_the_allowed_range() {
    use super::routing::admin;
    let (mut h, _, _) = two_sessions(DEFAULT_MAX_FILE_BYTES);
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    for (id, bytes, ok) in [
        (1, 0, false),
        (2, 5 * 1024 * 1024 * 1024, false),
        (3, 2048, true),
    ] {
        let settings = CenterSettings {
            max_file_bytes: bytes,
            ..CenterSettings::default()
        };
        let actions = h.req(
            ConnId(9),
            RequestId(id),
            Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
        );
        assert_eq!(
            response(&actions, ConnId(9), RequestId(id)).is_ok(),
            ok,
            "{bytes} bytes"
        );
    }
}
