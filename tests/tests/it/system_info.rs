//! System info (A10) through a real relay: the helper's real collector on this machine, the
//! consent, the one-report-per-consent rule, the largest possible report, and isolation from
//! colleagues and other centers.

use porpoise_protocol::wire::rpc;
use std::time::Duration;

use anyhow::{bail, Result};
use porpoise_protocol::wire::{
    ActionState, ApiError, CenterId, Event, ProcessInfo, RemoteAction, Request, Response,
    SessionId, SystemInfo,
};
use porpoise_tools::{
    peer::{served_session, Peer, WAIT},
    relay::{seed_center, TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

const OTHER_CENTER: CenterId = CenterId(8_200_001);
const OTHER_PASSWORD: &str = "other-password";
/// How long a peer that must not get a report is watched.
const QUIET: Duration = Duration::from_millis(500);
const ACTION: RemoteAction = RemoteAction::SystemInfo;

async fn report(
    customer: &Peer,
    session_id: SessionId,
    info: &SystemInfo,
) -> Result<Response, ApiError> {
    customer
        .client
        .request(Request::ReportSystemInfo(rpc::ReportSystemInfo {
            session_id,
            info: Box::new(info.clone()),
        }))
        .await
}

async fn wait_report(peer: &mut Peer, session: SessionId, timeout: Duration) -> Result<SystemInfo> {
    peer.wait_for(timeout, |e| match e {
        Event::SystemInfoReported { session_id, info } if *session_id == session => {
            Some((**info).clone())
        }
        _ => None,
    })
    .await
}

/// Agent asks, customer sees the prompt and grants, agent sees the grant.
async fn grant(agent: &mut Peer, customer: &mut Peer, session: SessionId) -> Result<()> {
    agent.request_action(session, ACTION).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::ConsentRequested { session_id, action: ACTION } if *session_id == session)
                .then_some(())
        })
        .await?;
    customer.answer(session, ACTION, true).await?;
    match agent.action_outcome(session, ACTION, WAIT).await? {
        ActionState::Granted => Ok(()),
        other => bail!("system info ended as {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_report_reaches_only_its_agent_once_per_consent() -> Result<()> {
    let dir = tempfile::tempdir()?;
    seed_center(dir.path(), OTHER_CENTER, "Other", "other1", OTHER_PASSWORD).await?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let (mut agent, mut customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "系统信息").await?;
    let mut colleague = Peer::agent(&config, DEMO_CENTER_ID, "agent2", DEMO_PASSWORD).await?;
    let mut stranger = Peer::agent(&config, OTHER_CENTER, "other1", OTHER_PASSWORD).await?;

    // The helper's real collector, as it runs after a grant.
    let info = tokio::task::spawn_blocking(porpoise_helper::sysinfo::collect).await?;
    assert_eq!(info.validate(), Ok(()));
    assert!(info.cpu.logical_cores >= 1 && info.memory.total_bytes > 0);
    assert!(!info.processes.is_empty());

    // Without consent the relay refuses it and the agent hears nothing.
    let unasked = report(&customer, session, &info).await;
    assert!(matches!(unasked, Err(ApiError::Conflict(_))), "{unasked:?}");
    assert!(wait_report(&mut agent, session, QUIET).await.is_err());

    grant(&mut agent, &mut customer, session).await?;
    assert_eq!(report(&customer, session, &info).await?, Response::Done);
    assert_eq!(wait_report(&mut agent, session, WAIT).await?, info);
    // One report per consent: the action is over for both sides, a second one is refused.
    assert_eq!(
        agent.action_outcome(session, ACTION, WAIT).await?,
        ActionState::Stopped
    );
    let again = report(&customer, session, &info).await;
    assert!(matches!(again, Err(ApiError::Conflict(_))), "{again:?}");
    // Neither a colleague nor another center's agent ever got it.
    assert!(wait_report(&mut colleague, session, QUIET).await.is_err());
    assert!(wait_report(&mut stranger, session, QUIET).await.is_err());
    // A forged report from an agent is refused.
    let forged = report(&agent, session, &info).await;
    assert!(
        matches!(forged, Err(ApiError::NotPermitted { .. })),
        "{forged:?}"
    );

    // The largest report the caps allow goes through the real framing both ways.
    grant(&mut agent, &mut customer, session).await?;
    let big = SystemInfo::maximal();
    assert_eq!(report(&customer, session, &big).await?, Response::Done);
    assert_eq!(wait_report(&mut agent, session, WAIT).await?, big);
    assert_eq!(
        agent.action_outcome(session, ACTION, WAIT).await?,
        ActionState::Stopped
    );

    // One over a cap: refused as invalid, the connection and the grant survive.
    grant(&mut agent, &mut customer, session).await?;
    let mut over = SystemInfo::maximal();
    over.processes.push(ProcessInfo::default());
    let refused = report(&customer, session, &over).await;
    assert!(
        matches!(refused, Err(ref e) if e.is_bad_input()),
        "{refused:?}"
    );
    assert_eq!(report(&customer, session, &info).await?, Response::Done);
    assert_eq!(wait_report(&mut agent, session, WAIT).await?, info);

    relay.stop().await;
    Ok(())
}
