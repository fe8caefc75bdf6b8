//! Satisfaction survey (C7) and customer-started screen sharing (C5). Virtual clock, no sockets.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, CenterSettings, Party, RemoteAction, Request, Response, SurveyAnswer,
    SURVEY_WINDOW_MS,
};

use super::routing::admin;
use super::*;
use crate::core::{RecordsOp, StoreReport};

const AGENT: ConnId = ConnId(1);
const CUSTOMER: ConnId = ConnId(11);
const OTHER_CUSTOMER: ConnId = ConnId(12);
const OTHER_AGENT: ConnId = ConnId(2);
const FOREIGN_AGENT: ConnId = ConnId(20);
const FOREIGN_CUSTOMER: ConnId = ConnId(21);
const ADMIN: ConnId = ConnId(9);

/// Center A: agent 1 serves customer 11, agent 2 serves customer 12; center B: agent 20 serves
/// customer 21. The customers' install ids are 1011, 1012, 1021.
fn sessions(auto_survey: bool) -> (Harness, [SessionId; 3]) {
    let mut h = Harness::new();
    h.login(ADMIN, admin(CENTER_A, AgentId(9)));
    let settings = CenterSettings {
        auto_survey,
        ..CenterSettings::default()
    };
    let actions = h.req(
        ADMIN,
        RequestId(1),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
    );
    assert_eq!(response(&actions, ADMIN, RequestId(1)), Ok(Response::Done));
    let mut ids = [SessionId(0); 3];
    let pairs = [
        (AGENT, CUSTOMER, CENTER_A),
        (OTHER_AGENT, OTHER_CUSTOMER, CENTER_A),
        (FOREIGN_AGENT, FOREIGN_CUSTOMER, CENTER_B),
    ];
    for (i, (agent, customer, center_id)) in pairs.into_iter().enumerate() {
        h.agent(
            agent,
            center_id,
            AgentId(i64::try_from(agent.0).expect("id") + 100),
        );
        h.customer(
            customer,
            center_id,
            InstallId(u128::from(customer.0) + 1000),
        );
        let ticket = h.queue(customer, "Ann");
        ids[i] = h.accept(agent, ticket);
    }
    (h, ids)
}

fn answer(stars: u8) -> SurveyAnswer {
    SurveyAnswer {
        stars,
        comment: "  很耐心  ".into(),
    }
}

fn submit(h: &mut Harness, conn: ConnId, id: u64, session_id: SessionId, stars: u8) -> Vec<Action> {
    h.req(
        conn,
        RequestId(id),
        Request::SubmitSurvey(rpc::SubmitSurvey {
            session_id,
            answer: answer(stars),
        }),
    )
}

/// The `SaveSurvey` store op emitted, with its token.
fn saved(actions: &[Action]) -> (u64, RecordsOp) {
    persisted(actions)
        .into_iter()
        .find_map(|op| match op {
            StoreOp::Records {
                token,
                op: op @ RecordsOp::SaveSurvey { .. },
            } => Some((token, op)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no survey stored in {actions:#?}"))
}

fn survey_requested(actions: &[Action], conn: ConnId, session: SessionId) -> bool {
    events_to(actions, conn)
        .iter()
        .any(|e| matches!(e, Event::SurveyRequested { session_id } if *session_id == session))
}

#[test]
fn auto_survey_after_the_end_stored_and_the_agent_told() {
    let (mut h, [s, ..]) = sessions(true);
    let actions = h.req(
        AGENT,
        RequestId(2),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    assert!(survey_requested(&actions, CUSTOMER, s));
    assert!(!survey_requested(&actions, OTHER_CUSTOMER, s));

    h.tick(60_000);
    let actions = submit(&mut h, CUSTOMER, 3, s, 4);
    assert!(
        !has_response(&actions, CUSTOMER, RequestId(3)),
        "answered only once durable"
    );
    let (token, op) = saved(&actions);
    let RecordsOp::SaveSurvey { center_id, survey } = op else {
        unreachable!()
    };
    assert_eq!(center_id, CENTER_A);
    assert_eq!((survey.session_id, survey.agent_id), (s, AgentId(101)));
    assert_eq!(survey.answer.comment, "很耐心", "comment trimmed");
    assert_eq!(survey.submitted_at, h.now.unix_ms);

    h.core.handle_store_report(
        h.now,
        StoreReport::Query {
            token,
            result: Ok(Response::Done),
        },
    );
    let actions = h.drain();
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(3)),
        Ok(Response::Done)
    );
    let told = events_to(&actions, AGENT);
    assert!(
        told.iter()
            .any(|e| matches!(e, Event::SurveySubmitted { session_id, answer } if *session_id == s && answer.stars == 4)),
        "{told:?}"
    );
}

#[test]
fn no_survey_when_the_center_does_not_want_it() {
    let (mut h, [s, ..]) = sessions(false);
    let actions = h.req(
        CUSTOMER,
        RequestId(2),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    assert!(!survey_requested(&actions, CUSTOMER, s));
}

#[test]
fn only_the_sessions_customer_within_the_window() {
    let (mut h, [s, other, foreign]) = sessions(true);
    // Another customer of the same center, a customer of another center, an agent: refused.
    let actions = submit(&mut h, OTHER_CUSTOMER, 2, s, 5);
    assert_eq!(
        response(&actions, OTHER_CUSTOMER, RequestId(2)),
        Err(ApiError::UnknownSession)
    );
    let actions = submit(&mut h, FOREIGN_CUSTOMER, 3, s, 5);
    assert_eq!(
        response(&actions, FOREIGN_CUSTOMER, RequestId(3)),
        Err(ApiError::UnknownSession)
    );
    let actions = submit(&mut h, CUSTOMER, 4, foreign, 5);
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(4)),
        Err(ApiError::UnknownSession)
    );
    let actions = submit(&mut h, AGENT, 5, s, 5);
    assert!(matches!(
        response(&actions, AGENT, RequestId(5)),
        Err(ApiError::NotPermitted { .. })
    ));
    // Bad stars are a clear error.
    let actions = submit(&mut h, CUSTOMER, 6, s, 6);
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(6)),
        Err(ref e) if e.is_bad_input()
    ));

    // After the window the ended session can no longer be rated.
    h.req(
        OTHER_AGENT,
        RequestId(7),
        Request::EndSession(rpc::EndSession { session_id: other }),
    );
    h.tick(u64::try_from(SURVEY_WINDOW_MS).expect("ms") + 1);
    let actions = submit(&mut h, OTHER_CUSTOMER, 8, other, 3);
    assert_eq!(
        response(&actions, OTHER_CUSTOMER, RequestId(8)),
        Err(ApiError::UnknownSession)
    );
}

#[test]
fn pushed_survey_answered_once_and_not_asked_again_at_the_end() {
    let (mut h, [s, other, _]) = sessions(true);
    // Only the serving agent may push.
    let actions = h.req(
        OTHER_AGENT,
        RequestId(2),
        Request::PushSurvey(rpc::PushSurvey { session_id: s }),
    );
    assert_eq!(
        response(&actions, OTHER_AGENT, RequestId(2)),
        Err(ApiError::UnknownSession)
    );
    let actions = h.req(
        CUSTOMER,
        RequestId(3),
        Request::PushSurvey(rpc::PushSurvey { session_id: s }),
    );
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(3)),
        Err(ApiError::NotPermitted { .. })
    ));
    let actions = h.req(
        AGENT,
        RequestId(4),
        Request::PushSurvey(rpc::PushSurvey { session_id: s }),
    );
    assert_eq!(response(&actions, AGENT, RequestId(4)), Ok(Response::Done));
    assert!(survey_requested(&actions, CUSTOMER, s));
    assert!(!survey_requested(&actions, OTHER_CUSTOMER, other));

    let actions = submit(&mut h, CUSTOMER, 5, s, 5);
    saved(&actions);
    let again = submit(&mut h, CUSTOMER, 6, s, 1);
    assert!(matches!(
        response(&again, CUSTOMER, RequestId(6)),
        Err(ApiError::Conflict(_))
    ));
    let actions = h.req(
        AGENT,
        RequestId(7),
        Request::PushSurvey(rpc::PushSurvey { session_id: s }),
    );
    assert!(matches!(
        response(&actions, AGENT, RequestId(7)),
        Err(ApiError::Conflict(_))
    ));
    let actions = h.req(
        AGENT,
        RequestId(8),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    assert!(!survey_requested(&actions, CUSTOMER, s), "already answered");
}

#[test]
fn the_customer_starts_sharing_the_screen() {
    let (mut h, [s, ..]) = sessions(false);
    // Only screen sharing, only by the customer.
    let start = |action| {
        Request::StartAction(rpc::StartAction {
            session_id: s,
            action,
        })
    };
    let actions = h.req(CUSTOMER, RequestId(2), start(RemoteAction::RemoteControl));
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(2)),
        Err(ApiError::Conflict(
            porpoise_protocol::wire::Conflict::NotStartable {
                action: RemoteAction::RemoteControl
            }
        ))
    ));
    let actions = h.req(AGENT, RequestId(3), start(RemoteAction::ViewDesktop));
    assert!(matches!(
        response(&actions, AGENT, RequestId(3)),
        Err(ApiError::NotPermitted { .. })
    ));
    let actions = h.req(
        OTHER_CUSTOMER,
        RequestId(4),
        start(RemoteAction::ViewDesktop),
    );
    assert_eq!(
        response(&actions, OTHER_CUSTOMER, RequestId(4)),
        Err(ApiError::UnknownSession)
    );

    let actions = h.req(CUSTOMER, RequestId(5), start(RemoteAction::ViewDesktop));
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(5)),
        Ok(Response::Done)
    );
    let granted = |conn| {
        events_to(&actions, conn).into_iter().any(|e| {
            e == Event::ActionChanged {
                session_id: s,
                action: RemoteAction::ViewDesktop,
                state: ActionState::Granted,
                by: Party::Customer,
            }
        })
    };
    assert!(granted(AGENT) && granted(CUSTOMER));
    // The screen may now flow from the customer to the agent.
    let header = porpoise_protocol::wire::MediaHeader {
        session_id: s,
        kind: MediaKind::Screen,
    };
    assert!(h.core.route_media(CUSTOMER, &header).is_ok());
}
