//! Support records, tags, visitor cards and the context lookup (A13, A15, A18): who may, what is
//! checked, what reaches the store, and the context endpoint's token never reaching clients.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, CenterSettings, ContextEndpoint, Event, InstallId, MessageId, RecordPolicy,
    RecordPrompt, Request, RequestId, Response, SessionId, SupportRecordForm, VisitorCard,
};

use super::routing::admin;
use super::{persisted, response, Harness, CENTER_A, CENTER_B};
use crate::core::{records::END_FORM_GRACE_MS, Action, ConnId, RecordsOp, StoreOp, StoreReport};

const HOUR_MS: u64 = 3_600_000;

fn form() -> SupportRecordForm {
    SupportRecordForm {
        customer_name: "张三".into(),
        subject: "打印机脱机".into(),
        content: "重装驱动后恢复打印".into(),
        ..SupportRecordForm::default()
    }
}

/// Agent 10 (conn 1) serves customer conn 50 in center A; returns the session id.
fn serving() -> (Harness, SessionId) {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let ticket = h.queue(ConnId(50), "张三");
    let session = h.accept(ConnId(1), ticket);
    h.drain();
    (h, session)
}

/// The records op emitted, after answering it with `Done` through the store report.
fn records_op(h: &mut Harness, actions: &[Action]) -> RecordsOp {
    persisted(actions)
        .into_iter()
        .find_map(|op| match op {
            StoreOp::Records { token, op } => {
                h.core.handle_store_report(
                    h.now,
                    StoreReport::Query {
                        token,
                        result: Ok(Response::Done),
                    },
                );
                Some(op)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no records op in {actions:#?}"))
}

fn save(session_id: SessionId, form: SupportRecordForm) -> Request {
    Request::SaveSupportRecord(rpc::SaveSupportRecord { session_id, form })
}

#[test]
fn record_is_saved_for_the_serving_agent_and_answered_from_the_store() {
    let (mut h, session) = serving();
    let actions = h.req(ConnId(1), RequestId(5), save(session, form()));
    match records_op(&mut h, &actions) {
        RecordsOp::SaveRecord { center_id, record } => {
            assert_eq!(center_id, CENTER_A);
            assert_eq!(record.agent_id, AgentId(10));
            assert_eq!(record.form.subject, "打印机脱机");
        }
        other => panic!("{other:?}"),
    }
    let answered = h.drain();
    assert_eq!(
        response(&answered, ConnId(1), RequestId(5)),
        Ok(Response::Done)
    );
}

#[test]
fn required_fields_and_disposition_are_enforced() {
    let (mut h, session) = serving();
    let blank = SupportRecordForm {
        subject: "  ".into(),
        ..form()
    };
    let actions = h.req(ConnId(1), RequestId(5), save(session, blank));
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(5)),
        Err(ApiError::Empty {
            field: porpoise_protocol::wire::Field::RecordSubject
        })
    ));
    assert!(persisted(&actions).is_empty());

    h.core
        .centers
        .get_mut(&CENTER_A)
        .expect("center")
        .settings
        .records
        .disposition_required = true;
    let actions = h.req(ConnId(1), RequestId(6), save(session, form()));
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(6)),
        Err(ApiError::Empty {
            field: porpoise_protocol::wire::Field::Disposition
        } | ApiError::NotInList {
            field: porpoise_protocol::wire::Field::Disposition,
            ..
        })
    ));
    let chosen = SupportRecordForm {
        disposition: Some("已解决".into()),
        ..form()
    };
    let actions = h.req(ConnId(1), RequestId(7), save(session, chosen));
    assert!(matches!(
        records_op(&mut h, &actions),
        RecordsOp::SaveRecord { record, .. } if record.form.disposition.as_deref() == Some("已解决")
    ));
}

#[test]
fn other_centers_and_other_agents_are_forbidden() {
    let (mut h, session) = serving();
    h.agent(ConnId(2), CENTER_B, AgentId(20));
    h.agent(ConnId(3), CENTER_A, AgentId(11));
    for (conn, id) in [(2, 5), (3, 6)] {
        for body in [
            save(session, form()),
            Request::GetCustomerProfile(rpc::GetCustomerProfile {
                session_id: session,
            }),
            Request::SaveVisitorCard(rpc::SaveVisitorCard {
                session_id: session,
                card: VisitorCard::default(),
            }),
            Request::FetchCustomerContext(rpc::FetchCustomerContext {
                session_id: session,
            }),
        ] {
            let actions = h.req(ConnId(conn), RequestId(id), body);
            assert!(matches!(
                response(&actions, ConnId(conn), RequestId(id)),
                Err(ApiError::NotPermitted { .. })
            ));
            assert!(persisted(&actions).is_empty());
        }
    }
    // Customers may not touch records at all.
    let actions = h.req(ConnId(50), RequestId(9), save(session, form()));
    assert!(matches!(
        response(&actions, ConnId(50), RequestId(9)),
        Err(ApiError::NotPermitted { .. })
    ));
    // After the end too.
    h.req(
        ConnId(1),
        RequestId(10),
        Request::EndSession(rpc::EndSession {
            session_id: session,
        }),
    );
    let actions = h.req(ConnId(2), RequestId(11), save(session, form()));
    assert!(matches!(
        response(&actions, ConnId(2), RequestId(11)),
        Err(ApiError::NotPermitted { .. })
    ));
}

#[test]
fn late_filling_follows_the_center_window() {
    let (mut h, session) = serving();
    let policy = RecordPolicy {
        late_fill_h: Some(2),
        ..RecordPolicy::default()
    };
    h.core
        .centers
        .get_mut(&CENTER_A)
        .expect("c")
        .settings
        .records = policy.into();
    h.req(
        ConnId(1),
        RequestId(4),
        Request::EndSession(rpc::EndSession {
            session_id: session,
        }),
    );
    h.tick(HOUR_MS);
    let actions = h.req(ConnId(1), RequestId(5), save(session, form()));
    assert!(matches!(
        records_op(&mut h, &actions),
        RecordsOp::SaveRecord { .. }
    ));
    h.tick(HOUR_MS + 1);
    let actions = h.req(ConnId(1), RequestId(6), save(session, form()));
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(6)),
        Err(ApiError::Conflict(_))
    ));
}

#[test]
fn without_late_filling_the_end_form_still_has_its_grace() {
    let (mut h, session) = serving();
    let policy = RecordPolicy {
        prompt: RecordPrompt::RequiredAtSessionEnd,
        late_fill_h: None,
        ..RecordPolicy::default()
    };
    h.core
        .centers
        .get_mut(&CENTER_A)
        .expect("c")
        .settings
        .records = policy.into();
    h.req(
        ConnId(50),
        RequestId(4),
        Request::EndSession(rpc::EndSession {
            session_id: session,
        }),
    );
    h.tick(60_000);
    let actions = h.req(ConnId(1), RequestId(5), save(session, form()));
    assert!(matches!(
        records_op(&mut h, &actions),
        RecordsOp::SaveRecord { .. }
    ));
    h.tick(u64::try_from(END_FORM_GRACE_MS).expect("ms"));
    let actions = h.req(ConnId(1), RequestId(6), save(session, form()));
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(6)),
        Err(ApiError::Conflict(_))
    ));
}

#[test]
fn tags_must_come_from_the_center_lists() {
    let (mut h, session) = serving();
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::SetMessageTags(rpc::SetMessageTags {
            session_id: session,
            message_id: MessageId(42),
            tags: vec!["投诉".into()],
        }),
    );
    assert!(matches!(
        records_op(&mut h, &actions),
        RecordsOp::SetMessageTags { message_id: MessageId(42), ref tags, .. } if tags == &["投诉".to_owned()]
    ));
    let actions = h.req(
        ConnId(1),
        RequestId(6),
        Request::SetCustomerTags(rpc::SetCustomerTags {
            session_id: session,
            tags: vec!["不存在".into()],
        }),
    );
    assert!(
        matches!(response(&actions, ConnId(1), RequestId(6)), Err(ApiError::NotInList { value, .. }) if value == "不存在")
    );
    let actions = h.req(
        ConnId(1),
        RequestId(7),
        Request::SetCustomerTags(rpc::SetCustomerTags {
            session_id: session,
            tags: vec!["VIP".into()],
        }),
    );
    assert!(matches!(
        records_op(&mut h, &actions),
        RecordsOp::SetCustomerTags {
            install_id: InstallId(7),
            center_id: CENTER_A,
            ..
        }
    ));
}

#[test]
fn profile_falls_back_to_the_request_name_and_phone() {
    let (mut h, session) = serving();
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::GetCustomerProfile(rpc::GetCustomerProfile {
            session_id: session,
        }),
    );
    match records_op(&mut h, &actions) {
        RecordsOp::LoadProfile {
            fallback,
            install_id,
            ..
        } => {
            assert_eq!(install_id, InstallId(7));
            assert_eq!(fallback.name, "张三");
            assert_eq!(fallback.mobile, "123");
        }
        other => panic!("{other:?}"),
    }
}

fn endpoint(token: &str) -> ContextEndpoint {
    ContextEndpoint {
        url: "http://127.0.0.1:9/context".into(),
        bearer_token: token.into(),
        timeout_ms: 1_000,
    }
}

#[test]
fn context_lookup_goes_to_the_driver_with_the_token() {
    let (mut h, session) = serving();
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: session,
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(5)),
        Err(ApiError::ContextUnavailable(_))
    ));
    h.core
        .centers
        .get_mut(&CENTER_A)
        .expect("c")
        .settings
        .context_endpoint = Some(Box::new(endpoint("secret")));
    let actions = h.req(
        ConnId(1),
        RequestId(6),
        Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: session,
        }),
    );
    let fetch = actions.iter().find_map(|a| match a {
        Action::FetchContext {
            conn: ConnId(1),
            id: RequestId(6),
            endpoint,
            query,
        } => Some((endpoint.clone(), query.clone())),
        _ => None,
    });
    let (endpoint, query) = fetch.expect("a fetch action");
    assert_eq!(endpoint.bearer_token, "secret");
    assert_eq!(query.customer_name, "张三");
    assert_eq!(query.session_id, session);
}

#[test]
fn the_context_token_never_reaches_clients_and_survives_an_update() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    let settings = CenterSettings {
        context_endpoint: Some(Box::new(endpoint("secret"))),
        ..CenterSettings::default()
    };
    let actions = h.req(
        ConnId(9),
        RequestId(4),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
    );
    assert_eq!(
        response(&actions, ConnId(9), RequestId(4)),
        Ok(Response::Done)
    );
    let debug = format!("{actions:?}");
    assert!(!debug.contains("secret"), "{debug}");
    let actions = h.req(
        ConnId(9),
        RequestId(5),
        Request::GetCenterSettings(rpc::GetCenterSettings),
    );
    let Ok(Response::CenterSettings(seen)) = response(&actions, ConnId(9), RequestId(5)) else {
        panic!("no settings");
    };
    assert_eq!(seen.context_endpoint, Some(Box::new(endpoint(""))));
    // Sending back what the admin saw keeps the token on the relay.
    let actions = h.req(
        ConnId(9),
        RequestId(6),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(seen)),
    );
    assert_eq!(
        response(&actions, ConnId(9), RequestId(6)),
        Ok(Response::Done)
    );
    let events = super::events_to(&actions, ConnId(1));
    assert!(events.iter().any(|e| matches!(e,
        Event::CenterSettingsChanged(s) if s.context_endpoint == Some(Box::new(endpoint(""))))));
    let stored = &h.core.centers[&CENTER_A].settings;
    assert_eq!(
        stored
            .context_endpoint
            .as_ref()
            .map(|e| e.bearer_token.as_str()),
        Some("secret")
    );
    // A bad URL or list is refused.
    let bad = CenterSettings {
        context_endpoint: Some(Box::new(ContextEndpoint {
            url: "file:///etc/passwd".into(),
            ..endpoint("")
        })),
        ..CenterSettings::default()
    };
    let actions = h.req(
        ConnId(9),
        RequestId(7),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(bad)),
    );
    assert!(matches!(
        response(&actions, ConnId(9), RequestId(7)),
        Err(ref e) if e.is_bad_input()
    ));
}
