//! Canned responses, knowledge base and service history (A8, A11): the core checks the request,
//! fills in the tenant and the customer, and answers when the store query reports back.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, CannedDraft, CannedResponseId, CannedResponses, CannedScope, Request,
    Response, Role, MAX_CANNED_TEXT_BYTES,
};

use super::*;
use crate::core::{Account, CustomerKey, StoreQuery, StoreReport};

const AGENT: ConnId = ConnId(1);
const CUSTOMER: ConnId = ConnId(2);
const COLLEAGUE: ConnId = ConnId(3);
const STRANGER: ConnId = ConnId(4);
const ADMIN: ConnId = ConnId(5);

/// The (token, query) of the only store query in `actions`.
fn query(actions: &[Action]) -> (u64, StoreQuery) {
    let queries: Vec<(u64, StoreQuery)> = persisted(actions)
        .into_iter()
        .filter_map(|op| match op {
            StoreOp::Query { token, query } => Some((token, query)),
            _ => None,
        })
        .collect();
    assert_eq!(queries.len(), 1, "{actions:#?}");
    queries.into_iter().next().expect("one query")
}

fn draft(text: &str) -> CannedDraft {
    CannedDraft {
        category: " 问候 ".into(),
        title: "欢迎".into(),
        text: text.into(),
    }
}

/// Agent 10 serves customer 0xC0FFEE (phone 123) in center A; agent 11 is a colleague; agent 20
/// is in center B; agent 12 is an admin of center A.
fn served() -> (Harness, SessionId) {
    let mut h = Harness::new();
    h.agent(AGENT, CENTER_A, AgentId(10));
    h.agent(COLLEAGUE, CENTER_A, AgentId(11));
    h.agent(STRANGER, CENTER_B, AgentId(20));
    let mut admin = Account::agent(CENTER_A, AgentId(12), "Boss");
    admin.role = Role::Admin;
    h.login(ADMIN, admin);
    h.customer(CUSTOMER, CENTER_A, InstallId(0xC0FFEE));
    let ticket = h.queue(CUSTOMER, "张三");
    let session = h.accept(AGENT, ticket);
    h.drain();
    (h, session)
}

#[test]
fn canned_list_is_read_for_the_agents_own_center_and_answered_when_the_store_reports() {
    let (mut h, _) = served();
    let actions = h.req(
        STRANGER,
        RequestId(7),
        Request::ListCannedResponses(rpc::ListCannedResponses),
    );
    let (token, q) = query(&actions);
    assert_eq!(
        q,
        StoreQuery::CannedResponses {
            center_id: CENTER_B,
            agent_id: AgentId(20)
        }
    );
    assert!(
        !has_response(&actions, STRANGER, RequestId(7)),
        "no answer before the store"
    );
    let list = CannedResponses::default();
    let result = Ok(Response::CannedResponses(list.clone()));
    h.core
        .handle_store_report(h.now, StoreReport::Query { token, result });
    let actions = h.drain();
    assert_eq!(
        response(&actions, STRANGER, RequestId(7)),
        Ok(Response::CannedResponses(list))
    );
}

#[test]
fn history_asks_for_the_sessions_customer_and_only_its_agent_may_ask() {
    let (mut h, session) = served();
    let body = Request::ListServiceHistory(rpc::ListServiceHistory {
        session_id: session,
    });
    let (_, q) = query(&h.req(AGENT, RequestId(1), body.clone()));
    let customer = CustomerKey {
        install_id: InstallId(0xC0FFEE),
        phone: "123".into(),
    };
    assert_eq!(
        q,
        StoreQuery::ServiceHistory {
            center_id: CENTER_A,
            customer: customer.clone(),
            exclude: session
        }
    );
    for conn in [COLLEAGUE, STRANGER, ADMIN] {
        let actions = h.req(conn, RequestId(2), body.clone());
        assert_eq!(
            response(&actions, conn, RequestId(2)),
            Err(ApiError::UnknownSession),
            "conn {conn}"
        );
        assert!(persisted(&actions).is_empty());
    }
    let actions = h.req(CUSTOMER, RequestId(3), body);
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(3)),
        Err(ApiError::NotPermitted { .. })
    ));
    let read = Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
        session_id: session,
        past_session_id: SessionId(4),
        after: Some(99),
    });
    let (_, q) = query(&h.req(AGENT, RequestId(4), read));
    assert_eq!(
        q,
        StoreQuery::Transcript {
            center_id: CENTER_A,
            customer,
            past_session_id: SessionId(4),
            after: Some(99)
        }
    );
}

#[test]
fn center_wide_canned_responses_need_a_managing_role_and_fields_are_checked() {
    let (mut h, _) = served();
    let save = |scope, text: &str| {
        Request::SaveCannedResponse(rpc::SaveCannedResponse {
            id: None,
            scope,
            draft: draft(text),
        })
    };
    let actions = h.req(AGENT, RequestId(1), save(CannedScope::Center, "您好"));
    assert!(matches!(
        response(&actions, AGENT, RequestId(1)),
        Err(ApiError::NotPermitted { .. })
    ));
    assert!(persisted(&actions).is_empty());
    let (_, q) = query(&h.req(ADMIN, RequestId(2), save(CannedScope::Center, "您好")));
    assert!(matches!(
        q,
        StoreQuery::SaveCanned {
            center_id: CENTER_A,
            agent_id: AgentId(12),
            scope: CannedScope::Center,
            ..
        }
    ));
    let (_, q) = query(&h.req(AGENT, RequestId(3), save(CannedScope::Personal, "  您好  ")));
    let StoreQuery::SaveCanned { draft: stored, .. } = q else {
        panic!("{q:?}")
    };
    assert_eq!(
        (stored.category.as_str(), stored.text.as_str()),
        ("问候", "您好")
    );
    let long = "长".repeat(MAX_CANNED_TEXT_BYTES);
    let actions = h.req(AGENT, RequestId(4), save(CannedScope::Personal, &long));
    assert!(matches!(
        response(&actions, AGENT, RequestId(4)),
        Err(ref e) if e.is_bad_input()
    ));
    let actions = h.req(AGENT, RequestId(5), save(CannedScope::Personal, "   "));
    assert!(matches!(
        response(&actions, AGENT, RequestId(5)),
        Err(ref e) if e.is_bad_input()
    ));
    // Deleting: only a manager may touch center-wide ones (the store checks the row).
    let (_, q) = query(&h.req(
        AGENT,
        RequestId(6),
        Request::DeleteCannedResponse(rpc::DeleteCannedResponse {
            id: CannedResponseId(9),
        }),
    ));
    assert!(matches!(
        q,
        StoreQuery::DeleteCanned {
            manages: false,
            agent_id: AgentId(10),
            ..
        }
    ));
    let (_, q) = query(&h.req(
        ADMIN,
        RequestId(7),
        Request::DeleteCannedResponse(rpc::DeleteCannedResponse {
            id: CannedResponseId(9),
        }),
    ));
    assert!(matches!(q, StoreQuery::DeleteCanned { manages: true, .. }));
}

#[test]
fn an_answer_for_a_connection_that_left_is_dropped() {
    let (mut h, _) = served();
    let (token, _) = query(&h.req(
        COLLEAGUE,
        RequestId(1),
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
    ));
    h.disconnect(COLLEAGUE);
    let result = Err(ApiError::Storage);
    h.core
        .handle_store_report(h.now, StoreReport::Query { token, result });
    assert!(h.drain().is_empty());
    // Customers cannot read the library.
    let actions = h.req(
        CUSTOMER,
        RequestId(2),
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
    );
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(2)),
        Err(ApiError::NotPermitted { .. })
    ));
}
