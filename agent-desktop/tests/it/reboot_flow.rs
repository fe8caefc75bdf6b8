//! Reboot and reconnect (A6 maintenance, C8) in the service window with a fake network: the
//! button asks the customer's consent, the tab shows that the computer is restarting and that
//! the relay waits up to 15 minutes, then that the customer is back — or, if the relay ends
//! the session after the wait, why.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_agent::net::NetCommand;
use porpoise_protocol::wire::{ActionState, Event, Party, RemoteAction, Role};

const WAITING: &str = "The customer's computer is restarting; waiting up to 15 min";

fn changed(state: ActionState, by: Party) -> Event {
    Event::ActionChanged {
        session_id: SESSION,
        action: RemoteAction::Reboot,
        state,
        by,
    }
}

/// Logs in with one session, clicks Reboot and reconnect, the customer accepts and leaves.
fn rebooting() -> (egui_kittest::Harness<'static, AgentApp>, RelaySide) {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    let button = harness.get_by_role_and_label(A11y::Button, "Reboot and reconnect");
    button.hover();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Reboot and reconnect")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        sent.iter().any(|c| matches!(
            c,
            NetCommand::RequestAction {
                session_id: SESSION,
                action: RemoteAction::Reboot
            }
        )),
        "{sent:?}"
    );
    harness.get_by_label("Waiting for the customer's consent…");
    harness.get_by_role_and_label(A11y::Button, "Cancel reboot");

    relay(&side, changed(ActionState::Granted, Party::Customer));
    harness.run();
    harness.get_by_label("Accepted; restarting…");
    relay(&side, changed(ActionState::Stopped, Party::Customer));
    relay(
        &side,
        Event::CustomerRebooting {
            session_id: SESSION,
            until: 1_700_000_900_000,
        },
    );
    harness.run();
    harness.get_by_label(WAITING);
    (harness, side)
}

#[test]
fn the_agent_asks_sees_the_wait_and_then_the_customer_back() {
    let (mut harness, side) = rebooting();
    relay(
        &side,
        Event::CustomerReconnected {
            session_id: SESSION,
        },
    );
    harness.run();
    assert!(harness.query_by_label(WAITING).is_none());
    harness.get_by_label("The customer reconnected");
    // Same tab, still open: the action buttons are there for the next step.
    harness.get_by_role_and_label(A11y::Button, "Reboot and reconnect");
    harness.get_by_role_and_label(A11y::Button, "System info");
}

#[test]
fn a_customer_who_never_comes_back_ends_the_session_with_a_clear_reason() {
    let (mut harness, side) = rebooting();
    relay(
        &side,
        Event::SessionEnded {
            session_id: SESSION,
            by: Party::Relay,
        },
    );
    harness.run();
    harness.get_by_label(
        "The customer did not reconnect within 15 min after the restart; the session has ended",
    );
}
