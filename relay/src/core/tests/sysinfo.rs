//! System-info reports (A10): forwarded once per consent, only to the session's own agent.
//! Virtual clock, no sockets.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, CpuInfo, MemoryInfo, OsInfo, Party, ProcessInfo, RemoteAction, Request,
    Response, SystemInfo, MAX_SYSINFO_PROCESSES,
};

use super::*;

const AGENT: ConnId = ConnId(1);
const CUSTOMER: ConnId = ConnId(11);
const OTHER_AGENT: ConnId = ConnId(2);
const OTHER_CUSTOMER: ConnId = ConnId(12);
const FOREIGN_AGENT: ConnId = ConnId(20);
const FOREIGN_CUSTOMER: ConnId = ConnId(21);
const ACTION: RemoteAction = RemoteAction::SystemInfo;

/// Center A: agent 1 serves customer 11, agent 2 serves customer 12. Center B: agent 20 serves
/// customer 21. Returns the harness and the sessions of customers 11, 12 and 21.
fn three_sessions() -> (Harness, [SessionId; 3]) {
    let mut h = Harness::new();
    let mut sessions = [SessionId(0); 3];
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
        sessions[i] = h.accept(agent, ticket);
    }
    (h, sessions)
}

fn report(host: &str) -> SystemInfo {
    SystemInfo {
        collected_at: 1_700_000_000_000,
        os: OsInfo {
            name: "Windows 11 Pro".into(),
            kernel: "26100".into(),
            arch: "x86_64".into(),
            hostname: host.into(),
            uptime_s: 3600,
        },
        cpu: CpuInfo {
            brand: "Intel(R) Core(TM) i5".into(),
            physical_cores: Some(4),
            logical_cores: 8,
            frequency_mhz: 1600,
            usage_permille: 125,
        },
        memory: MemoryInfo {
            total_bytes: 8 << 30,
            used_bytes: 3 << 30,
            swap_total_bytes: 1 << 30,
            swap_used_bytes: 0,
        },
        disks: vec![],
        adapters: vec![],
        processes: vec![ProcessInfo {
            name: "chrome.exe".into(),
            pid: 4242,
            memory_bytes: 500 << 20,
            cpu_permille: 30,
        }],
        process_count: 1,
    }
}

fn send(
    h: &mut Harness,
    conn: ConnId,
    id: u64,
    session_id: SessionId,
    info: SystemInfo,
) -> Vec<Action> {
    h.req(
        conn,
        RequestId(id),
        Request::ReportSystemInfo(rpc::ReportSystemInfo {
            session_id,
            info: Box::new(info),
        }),
    )
}

/// Agent asks, customer answers; returns the answer's actions.
fn consent(h: &mut Harness, session_id: SessionId, grant: bool) -> Vec<Action> {
    let asked = h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id,
            action: ACTION,
        }),
    );
    assert_eq!(response(&asked, AGENT, RequestId(1)), Ok(Response::Done));
    assert!(
        events_to(&asked, CUSTOMER).contains(&Event::ConsentRequested {
            session_id,
            action: ACTION
        })
    );
    h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id,
            action: ACTION,
            grant,
        }),
    )
}

fn reports_to(actions: &[Action], conn: ConnId) -> Vec<(SessionId, SystemInfo)> {
    events_to(actions, conn)
        .into_iter()
        .filter_map(|e| match e {
            Event::SystemInfoReported { session_id, info } => Some((session_id, *info)),
            _ => None,
        })
        .collect()
}

fn state_events(actions: &[Action], conn: ConnId) -> Vec<(ActionState, Party)> {
    events_to(actions, conn)
        .into_iter()
        .filter_map(|e| match e {
            Event::ActionChanged {
                action: ACTION,
                state,
                by,
                ..
            } => Some((state, by)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_granted_report_reaches_the_agent_once_and_ends_the_action() {
    let (mut h, [s, ..]) = three_sessions();
    let granted = consent(&mut h, s, true);
    assert_eq!(
        state_events(&granted, AGENT),
        [(ActionState::Granted, Party::Customer)]
    );

    let sent = send(&mut h, CUSTOMER, 3, s, report("PC-ANN"));
    assert_eq!(response(&sent, CUSTOMER, RequestId(3)), Ok(Response::Done));
    assert_eq!(reports_to(&sent, AGENT), [(s, report("PC-ANN"))]);
    // One report per consent: both sides see the action end.
    for conn in [AGENT, CUSTOMER] {
        assert_eq!(
            state_events(&sent, conn),
            [(ActionState::Stopped, Party::Customer)]
        );
    }
    assert!(
        reports_to(&sent, CUSTOMER).is_empty(),
        "never echoed to the customer"
    );

    // A second report without a new consent is refused and reaches nobody.
    let again = send(&mut h, CUSTOMER, 4, s, report("PC-ANN"));
    assert!(matches!(
        response(&again, CUSTOMER, RequestId(4)),
        Err(ApiError::Conflict(_))
    ));
    assert!(reports_to(&again, AGENT).is_empty());

    // A new consent allows a new report.
    consent(&mut h, s, true);
    let third = send(&mut h, CUSTOMER, 5, s, report("PC-ANN-2"));
    assert_eq!(reports_to(&third, AGENT), [(s, report("PC-ANN-2"))]);
}

#[test]
fn without_consent_or_after_a_refusal_nothing_is_forwarded() {
    let (mut h, [s, ..]) = three_sessions();
    let unasked = send(&mut h, CUSTOMER, 3, s, report("PC"));
    assert!(matches!(
        response(&unasked, CUSTOMER, RequestId(3)),
        Err(ApiError::Conflict(_))
    ));
    assert!(reports_to(&unasked, AGENT).is_empty());

    // Asked but not answered yet.
    h.req(
        AGENT,
        RequestId(4),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action: ACTION,
        }),
    );
    let pending = send(&mut h, CUSTOMER, 5, s, report("PC"));
    assert!(matches!(
        response(&pending, CUSTOMER, RequestId(5)),
        Err(ApiError::Conflict(_))
    ));
    assert!(reports_to(&pending, AGENT).is_empty());
    h.req(
        CUSTOMER,
        RequestId(6),
        Request::StopAction(rpc::StopAction {
            session_id: s,
            action: ACTION,
        }),
    );

    let refused = consent(&mut h, s, false);
    assert_eq!(
        state_events(&refused, AGENT),
        [(ActionState::Refused, Party::Customer)]
    );
    let after = send(&mut h, CUSTOMER, 7, s, report("PC"));
    assert!(matches!(
        response(&after, CUSTOMER, RequestId(7)),
        Err(ApiError::Conflict(_))
    ));
    assert!(reports_to(&after, AGENT).is_empty());
}

#[test]
fn reports_never_cross_sessions_or_centers() {
    let (mut h, [s, theirs, foreign]) = three_sessions();
    consent(&mut h, s, true);
    // Customers of another session of the same center and of another center cannot report
    // into this session, even while it is granted; nobody hears of it.
    for (conn, id) in [(OTHER_CUSTOMER, 10), (FOREIGN_CUSTOMER, 11)] {
        let actions = send(&mut h, conn, id, s, report("INTRUDER"));
        assert_eq!(
            response(&actions, conn, RequestId(id)),
            Err(ApiError::UnknownSession)
        );
        for agent in [AGENT, OTHER_AGENT, FOREIGN_AGENT] {
            assert!(reports_to(&actions, agent).is_empty());
        }
    }
    // The agent cannot forge a report.
    let forged = send(&mut h, AGENT, 12, s, report("FORGED"));
    assert!(matches!(
        response(&forged, AGENT, RequestId(12)),
        Err(ApiError::NotPermitted { .. })
    ));
    // The grant of session `s` does not cover the other sessions.
    for (conn, id, session) in [
        (OTHER_CUSTOMER, 13, theirs),
        (FOREIGN_CUSTOMER, 14, foreign),
    ] {
        let actions = send(&mut h, conn, id, session, report("PC"));
        assert!(matches!(
            response(&actions, conn, RequestId(id)),
            Err(ApiError::Conflict(_))
        ));
        assert!(reports_to(&actions, OTHER_AGENT).is_empty());
        assert!(reports_to(&actions, FOREIGN_AGENT).is_empty());
    }
    // The real report goes to its own agent only.
    let real = send(&mut h, CUSTOMER, 15, s, report("PC-ANN"));
    assert_eq!(reports_to(&real, AGENT).len(), 1);
    for other in [OTHER_AGENT, FOREIGN_AGENT, OTHER_CUSTOMER, FOREIGN_CUSTOMER] {
        assert!(sent_to(&real, other).is_empty(), "conn {other} heard of it");
    }
}

#[test]
fn an_oversized_report_is_refused_and_the_grant_stays() {
    let (mut h, [s, ..]) = three_sessions();
    consent(&mut h, s, true);
    let mut big = report("PC");
    big.processes = vec![ProcessInfo::default(); MAX_SYSINFO_PROCESSES + 1];
    let refused = send(&mut h, CUSTOMER, 3, s, big);
    match response(&refused, CUSTOMER, RequestId(3)) {
        Err(ApiError::Malformed {
            field: porpoise_protocol::wire::Field::SystemInfo,
        }) => {}
        other => panic!("not refused: {other:?}"),
    }
    assert!(reports_to(&refused, AGENT).is_empty());
    assert!(
        state_events(&refused, AGENT).is_empty(),
        "the grant is not used up"
    );
    // The connection and the grant survive: a valid report still goes through.
    let ok = send(&mut h, CUSTOMER, 4, s, report("PC"));
    assert_eq!(response(&ok, CUSTOMER, RequestId(4)), Ok(Response::Done));
    assert_eq!(reports_to(&ok, AGENT).len(), 1);
}

#[test]
fn an_agent_disconnect_withdraws_the_grant() {
    let (mut h, [s, ..]) = three_sessions();
    consent(&mut h, s, true);
    let gone = h.disconnect(AGENT);
    assert_eq!(
        state_events(&gone, CUSTOMER),
        [(ActionState::Stopped, Party::Relay)]
    );
    let actions = send(&mut h, CUSTOMER, 3, s, report("PC"));
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(3)),
        Err(ApiError::Conflict(_))
    ));
    // The agent comes back: the old consent does not carry over.
    h.agent(AGENT, CENTER_A, AgentId(101));
    let back = send(&mut h, CUSTOMER, 4, s, report("PC"));
    assert!(matches!(
        response(&back, CUSTOMER, RequestId(4)),
        Err(ApiError::Conflict(_))
    ));
    assert!(reports_to(&back, AGENT).is_empty());
}
