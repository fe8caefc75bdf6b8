//! The permissions panel (C5: list, revoke one, others remain; share my screen) and the
//! satisfaction survey (C7: stars, comment, submit, skip), with egui_kittest and a fake network.

use crate::common;

use common::{harness, options, type_into, FakeNet};
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_helper::{
    net::{NetCommand, NetEvent, RequestFailure},
    state::{ServiceState, SurveyFormError},
    HelperApp,
};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, Party, RemoteAction, Request, Response, ServiceMode, SessionId,
    SessionInfo, SurveyAnswer,
};
use porpoise_ui::Language;

const SID: SessionId = SessionId(7);

fn served(language: Language) -> (Harness<'static, HelperApp>, FakeNet) {
    let (mut h, mut net) = harness(language, "Wang Wei");
    let info = SessionInfo {
        session_id: SID,
        customer_name: "Wang Wei".into(),
        customer_phone: "13800000000".into(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    };
    net.welcome(options(ServiceMode::AutoAssign), Some(info));
    h.run();
    assert!(net.drain().is_empty());
    (h, net)
}

fn changed(action: RemoteAction, state: ActionState, by: Party) -> Event {
    Event::ActionChanged {
        session_id: SID,
        action,
        state,
        by,
    }
}

#[test]
fn the_panel_lists_every_grant_and_revokes_one_at_a_time() {
    let (mut h, mut net) = served(Language::En);
    h.get_by_label("The agent has no permissions now.");
    let all = [
        RemoteAction::ViewDesktop,
        RemoteAction::RemoteControl,
        RemoteAction::RemoteDemo,
        RemoteAction::ClipboardSync,
        RemoteAction::FileTransfer,
    ];
    for action in all {
        net.relay(changed(action, ActionState::Granted, Party::Customer));
    }
    h.run();
    net.drain();
    for name in [
        "Revoke: View your screen",
        "Revoke: Control your computer",
        "Revoke: Show you their screen",
        "Revoke: Clipboard sync",
        "Revoke: Send you files",
    ] {
        h.get_by_label(name);
    }
    // Sharing: the banner is there and there is no "Share my screen".
    h.get_by_label_contains("Alice is controlling your computer");
    assert!(h.query_by_label("Share my screen").is_none());

    // Revoke file transfer: only that action stops; the rest stay granted.
    h.get_by_label("Revoke: Send you files").hover();
    h.run();
    h.get_by_label("Revoke: Send you files").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::StopAction(rpc::StopAction {
            session_id: SID,
            action: RemoteAction::FileTransfer
        })]
    );
    assert!(h.query_by_label("Revoke: Send you files").is_none());
    for name in [
        "Revoke: View your screen",
        "Revoke: Control your computer",
        "Revoke: Show you their screen",
        "Revoke: Clipboard sync",
    ] {
        h.get_by_label(name);
    }
    assert_eq!(
        h.state().sharing(),
        Some((SID, RemoteAction::RemoteControl))
    );

    // Revoke control: viewing goes on (the screen is still shared, the banner says viewing).
    h.get_by_label("Revoke: Control your computer").click();
    h.run();
    let commands = net.drain();
    assert!(
        commands.contains(&NetCommand::Request(Request::StopAction(rpc::StopAction {
            session_id: SID,
            action: RemoteAction::RemoteControl
        })))
    );
    assert!(commands.contains(&NetCommand::StartSharing {
        session_id: SID,
        action: RemoteAction::ViewDesktop
    }));
    h.get_by_label_contains("Alice is viewing your screen");
    h.get_by_label("Revoke: Show you their screen");

    // Revoke viewing: the screen stops; the customer may share it again themselves.
    h.get_by_label("Revoke: View your screen").click();
    h.run();
    let commands = net.drain();
    assert!(commands.contains(&NetCommand::StopSharing { session_id: SID }));
    assert!(h
        .query_by_label_contains("is viewing your screen")
        .is_none());
    h.get_by_label("Revoke: Clipboard sync");
    h.get_by_label("Share my screen");
}

#[test]
fn share_my_screen_grants_viewing_without_a_request() {
    let (mut h, mut net) = served(Language::ZhCn);
    h.get_by_label("共享我的屏幕").hover();
    h.run();
    h.get_by_label("共享我的屏幕").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::StartAction(rpc::StartAction {
            session_id: SID,
            action: RemoteAction::ViewDesktop
        })]
    );
    // The relay grants it (by the customer): sharing starts, the window stays on top with
    // the banner, and the panel lists it with its own revoke button.
    net.relay(changed(
        RemoteAction::ViewDesktop,
        ActionState::Granted,
        Party::Customer,
    ));
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::StartSharing {
            session_id: SID,
            action: RemoteAction::ViewDesktop
        }]
    );
    h.get_by_label_contains("Alice 正在观看您的桌面");
    h.get_by_label("撤销 观看桌面");
    assert!(h.query_by_label("共享我的屏幕").is_none());
}

#[test]
fn survey_at_the_end_with_stars_and_comment_then_thanks() {
    let (mut h, mut net) = served(Language::ZhCn);
    net.relay(Event::SessionEnded {
        session_id: SID,
        by: Party::Agent,
    });
    net.relay(Event::SurveyRequested { session_id: SID });
    h.run();
    h.get_by_label("满意度调查");
    assert!(
        h.query_by_label_contains("会话已结束").is_none(),
        "the survey comes before the ended screen"
    );
    // Submit without stars: a clear error, nothing sent.
    h.get_by_label("提交").hover();
    h.run();
    h.get_by_label("提交").click();
    h.run();
    h.get_by_label("请选择满意程度。");
    assert!(net.requests().is_empty());

    h.get_by_label("★★★★☆ 满意").click();
    h.run();
    type_into(&mut h, "意见或建议（可选）", "很耐心");
    h.get_by_label("提交").click();
    h.run();
    let answer = SurveyAnswer {
        stars: 4,
        comment: "很耐心".into(),
    };
    let sent = net.requests();
    assert_eq!(
        sent,
        vec![Request::SubmitSurvey(rpc::SubmitSurvey {
            session_id: SID,
            answer: answer.clone()
        })]
    );
    h.get_by_label("正在提交…");
    net.push(NetEvent::Answered {
        request: sent[0].clone(),
        result: Ok(Response::Done),
    });
    h.run();
    h.get_by_label_contains("感谢您的评价");
    h.get_by_label_contains("会话已结束");
    assert!(h.state().state().survey.is_none());
}

#[test]
fn survey_can_be_skipped_and_relay_errors_shown() {
    let (mut h, mut net) = served(Language::En);
    // Pushed by the agent during the session.
    net.relay(Event::SurveyRequested { session_id: SID });
    h.run();
    h.get_by_label("Satisfaction survey");
    h.get_by_label("★★★★★ Very satisfied").hover();
    h.run();
    h.get_by_label("★☆☆☆☆ Very dissatisfied").click();
    h.run();
    h.get_by_label("Submit").click();
    h.run();
    let sent = net.requests();
    assert_eq!(sent.len(), 1);
    net.push(NetEvent::Answered {
        request: sent[0].clone(),
        result: Err(RequestFailure::Relay(ApiError::Storage)),
    });
    h.run();
    assert!(matches!(
        h.state()
            .state()
            .survey
            .as_ref()
            .and_then(|f| f.error.clone()),
        Some(SurveyFormError::Failed(_))
    ));
    // Skip: back to the chat, nothing sent.
    h.get_by_label("Skip").click();
    h.run();
    assert!(net.requests().is_empty());
    assert!(h.query_by_label("Satisfaction survey").is_none());
    assert!(matches!(
        h.state().state().service,
        ServiceState::Serving(_)
    ));
}

#[test]
fn the_banner_stays_visible_in_a_small_window() {
    let (mut h, net) = served(Language::ZhCn);
    net.relay(changed(
        RemoteAction::RemoteControl,
        ActionState::Granted,
        Party::Customer,
    ));
    h.set_size(egui::vec2(320.0, 400.0));
    h.run();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(320.0, 400.0));
    let stop = h.get_by_label("停止").rect();
    let banner = h.get_by_label_contains("正在远程控制您的电脑").rect();
    assert!(window.contains_rect(stop), "Stop at {stop:?}");
    assert!(window.contains_rect(banner), "banner text at {banner:?}");
}

#[test]
fn a_refused_survey_says_why_in_the_customers_language() {
    let (mut h, net) = served(Language::ZhCn);
    net.relay(Event::SurveyRequested { session_id: SID });
    h.run();
    let error = ApiError::UnknownSession;
    net.push(NetEvent::Answered {
        request: Request::SubmitSurvey(rpc::SubmitSurvey {
            session_id: SID,
            answer: SurveyAnswer {
                stars: 1,
                comment: String::new(),
            },
        }),
        result: Err(RequestFailure::Relay(error.clone())),
    });
    h.run();
    let expected = format!(
        "操作失败：{}",
        porpoise_protocol::lang::errors::api_error_text(Language::ZhCn, &error)
    );
    assert!(
        !expected.chars().any(|c| c.is_ascii_alphabetic()),
        "no English words: {expected}"
    );
    h.get_by_label(&expected);
}
