//! The satisfaction survey on the agent's side (C7): 推送调查表 in the service window (A6) and
//! the customer's answer shown there; the admin's automatic-survey switch (M5).

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CenterSettings, Event, Party, Request, Response, Role, SurveyAnswer,
};

#[test]
fn push_survey_then_the_answer_shows_in_the_service_window() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );

    harness
        .get_by_role_and_label(A11y::Button, "Push survey")
        .hover();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Push survey")
        .click();
    harness.run();
    let push = Request::PushSurvey(rpc::PushSurvey {
        session_id: SESSION,
    });
    assert_eq!(calls(&mut side), vec![push.clone()]);
    answer(&side, push, Ok(Response::Done));
    harness.run();
    harness.get_by_label("Survey sent to the customer");
    assert!(harness.query_by_label("Push survey").is_none());

    relay(
        &side,
        Event::SurveySubmitted {
            session_id: SESSION,
            answer: SurveyAnswer {
                stars: 4,
                comment: "很耐心".into(),
            },
        },
    );
    harness.run();
    harness.get_by_label("Customer rating: ★★★★☆ Satisfied — 很耐心");

    // Still shown after the session ended.
    relay(
        &side,
        Event::SessionEnded {
            session_id: SESSION,
            by: Party::Customer,
        },
    );
    harness.run();
    harness.get_by_label("Customer rating: ★★★★☆ Satisfied — 很耐心");
}

#[test]
fn a_refused_push_is_shown_in_the_tab() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    harness
        .get_by_role_and_label(A11y::Button, "Push survey")
        .hover();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Push survey")
        .click();
    harness.run();
    let push = calls(&mut side).remove(0);
    answer(
        &side,
        push,
        Err(ApiError::peer_away(
            porpoise_protocol::wire::Party::Customer,
        )),
    );
    harness.run();
    harness.get_by_label_contains("The customer is not connected");
    // Not pushed: the button stays for another try.
    harness.get_by_role_and_label(A11y::Button, "Push survey");
}

#[test]
fn admin_turns_the_automatic_survey_on() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::SuperAdmin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Service settings").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::GetCenterSettings(rpc::GetCenterSettings)]
    );
    let settings = CenterSettings::default();
    assert!(!settings.auto_survey, "off unless the center enables it");
    answer(
        &side,
        Request::GetCenterSettings(rpc::GetCenterSettings),
        Ok(Response::CenterSettings(settings.clone())),
    );
    harness.run();
    let switch = "Show the survey to the customer when the session ends";
    harness.get_by_label(switch).hover();
    harness.run();
    harness.get_by_label(switch).click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let update = Request::UpdateCenterSettings(rpc::UpdateCenterSettings(CenterSettings {
        auto_survey: true,
        ..settings
    }));
    assert_eq!(calls(&mut side), vec![update]);
}

/// Issue 14: the admin turns retention on (180 days by default) in the service settings and
/// sees the operator's storage quota; Save sends them.
#[test]
fn admin_sets_how_long_transcripts_are_kept() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::SuperAdmin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Service settings").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::GetCenterSettings(rpc::GetCenterSettings)]
    );
    let settings = CenterSettings::default();
    assert_eq!(
        settings.retention_days, None,
        "kept unless the center sets it"
    );
    answer(
        &side,
        Request::GetCenterSettings(rpc::GetCenterSettings),
        Ok(Response::CenterSettings(settings.clone())),
    );
    harness.run();
    assert!(
        harness.query_by_label("10.0 GB").is_some(),
        "the quota is shown"
    );
    let switch = "Delete chat, pictures and handled messages after";
    harness.get_by_label(switch).hover();
    harness.run();
    harness.get_by_label(switch).click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let update = Request::UpdateCenterSettings(rpc::UpdateCenterSettings(CenterSettings {
        retention_days: Some(180),
        ..settings
    }));
    assert_eq!(calls(&mut side), vec![update]);
}
