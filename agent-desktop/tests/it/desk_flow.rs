//! Personal, task-list and admin screens of the work area with a fake network (issue 3):
//! presence selector and auto-away, settings, count-only queue, offline messages, session code,
//! live logins and service settings.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::{NodeT, Queryable};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, Event, LoginInfo, OfflineMessage, OfflineMessageId, Presence, QueueView,
    Request, Response, Role, ServiceMode, TicketId,
};

#[test]
fn status_selector_sends_set_presence_and_shows_no_free_seat() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    harness.get_by_label("Status").click();
    harness.run();
    harness.get_by_label("Busy").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false
        })]
    );
    answer(
        &side,
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false,
        }),
        Ok(Response::Done),
    );
    harness.run();
    harness.get_by_label("Status").click();
    harness.run();
    harness.get_by_label("Online").click();
    harness.run();
    let sent = calls(&mut side);
    assert_eq!(sent.len(), 1, "{sent:?}");
    answer(
        &side,
        sent[0].clone(),
        Err(ApiError::NoFreeSeat { seats: 3 }),
    );
    harness.run();
    harness.get_by_label_contains("All 3 seats of the center are in use");
    let selector = harness.get_by_label("Status");
    let a11y = selector.accesskit_node();
    assert_eq!(a11y.value().as_deref(), Some("Busy"), "still busy");
}

#[test]
fn logging_in_offline_because_every_seat_is_taken_says_why() {
    let (mut harness, side, _recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |p| {
            p.presence = Presence::Offline;
            p.settings.seats = 1;
            p.agents = vec![card(AgentId(2), "李四", Presence::Online, 0)];
        },
        vec![],
    );
    harness.run();
    harness.get_by_label_contains("All 1 seats of the center are in use");
}

#[test]
fn count_only_queue_shows_only_the_count() {
    let (mut harness, side, _recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |p| p.settings.queue_view = QueueView::CountOnly,
        vec![],
    );
    relay(
        &side,
        Event::QueueChanged {
            queue: vec![],
            count: 4,
        },
    );
    harness.run();
    harness.get_by_label("4 waiting");
    harness.get_by_label("Queue (4)");
    assert!(harness
        .query_by_role_and_label(A11y::Button, "Accept")
        .is_none());
}

#[test]
fn offline_message_is_marked_handled_with_a_note() {
    let (mut harness, mut side, _recording) = app();
    let msg = OfflineMessage {
        id: OfflineMessageId(42),
        name: "赵六".into(),
        contact: "zhao@example.com".into(),
        text: "请回电话".into(),
        left_at: now_unix_ms(),
        handled: None,
    };
    let pending = msg.clone();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        move |p| {
            p.offline_messages = vec![pending];
            p.offline_pending = 1;
        },
        vec![],
    );
    harness.get_by_label("Offline messages (1)");
    // More wait than one list carries (the relay sends the oldest that fit): the count is
    // the total and the list says so.
    relay(
        &side,
        Event::OfflineMessagesChanged {
            pending: vec![msg.clone()],
            count: 40,
        },
    );
    harness.run();
    harness.get_by_label("Offline messages (40)");
    harness.get_by_label_contains("Showing the oldest 1 of 40");
    relay(
        &side,
        Event::OfflineMessagesChanged {
            pending: vec![msg.clone()],
            count: 1,
        },
    );
    harness.run();
    assert!(harness
        .query_by_label_contains("Showing the oldest")
        .is_none());
    harness
        .get_by_label_contains("赵六 · zhao@example.com")
        .click();
    harness.run();
    harness.get_by_label("请回电话");
    harness.get_by_label("Handling note").click();
    harness.get_by_label("Handling note").type_text("已回电");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Mark handled")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id: OfflineMessageId(42),
            note: "已回电".into()
        })]
    );
    answer(
        &side,
        Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id: OfflineMessageId(42),
            note: "已回电".into(),
        }),
        Ok(Response::Done),
    );
    relay(
        &side,
        Event::OfflineMessagesChanged {
            pending: vec![],
            count: 0,
        },
    );
    harness.run();
    harness.get_by_label("No offline messages");
    // Showing handled ones asks the relay for them.
    harness.get_by_label("Show handled").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ListOfflineMessages(rpc::ListOfflineMessages {
            include_handled: true
        })]
    );
}

#[test]
fn session_code_button_and_dialog() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    assert!(harness.query_by_label("Get session code").is_none());
    let settings = porpoise_protocol::wire::CenterSettings {
        service_mode: ServiceMode::SessionCode,
        ..Default::default()
    };
    relay(&side, Event::CenterSettingsChanged(Box::new(settings)));
    harness.run();
    harness.get_by_label("Get session code").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::CreateSessionCode(rpc::CreateSessionCode)]
    );
    answer(
        &side,
        Request::CreateSessionCode(rpc::CreateSessionCode),
        Ok(Response::SessionCode(rpc::SessionCode {
            code: "493817".into(),
            expires_at: now_unix_ms() + 600_000,
        })),
    );
    harness.run();
    harness.get_by_label("493817");
    harness.get_by_label_contains("Session code validity (s): 09:5");
    harness.get_by_role_and_label(A11y::Button, "Copy");
}

#[test]
fn admin_sees_logins_and_kicks_but_no_presence_or_accept() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    assert!(harness.query_by_label("Status").is_none());
    relay(
        &side,
        Event::QueueChanged {
            queue: vec![porpoise_protocol::wire::QueueEntry {
                ticket_id: TicketId(1),
                name: "张三".into(),
                phone: "1".into(),
                queued_at: now_unix_ms(),
                group_id: None,
                product_type_id: None,
            }],
            count: 1,
        },
    );
    harness.run();
    assert!(harness
        .query_by_role_and_label(A11y::Button, "Accept")
        .is_none());
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Live logins").click();
    harness.run();
    assert_eq!(calls(&mut side), vec![Request::ListLogins(rpc::ListLogins)]);
    answer(
        &side,
        Request::ListLogins(rpc::ListLogins),
        Ok(Response::Logins(vec![LoginInfo {
            agent_id: AgentId(2),
            username: "agent2".into(),
            address: "10.0.0.5:50000".into(),
            since: now_unix_ms(),
            presence: Presence::Online,
            role: Role::Agent,
        }])),
    );
    harness.run();
    harness.get_by_label("10.0.0.5:50000");
    harness.get_by_role_and_label(A11y::Button, "Kick").click();
    harness.run();
    harness.get_by_label("Kick agent2 off?");
    assert!(
        calls(&mut side).is_empty(),
        "nothing before the confirmation"
    );
    harness
        .get_by_role_and_label(A11y::Button, "Confirm")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(2)
        })]
    );
}

#[test]
fn auto_away_after_idle_minutes_and_back_on_input() {
    let (mut harness, mut side, _recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |p| p.auto_away_min = Some(1),
        vec![],
    );
    harness.run_steps(4 * 50);
    assert!(calls(&mut side).is_empty(), "not yet idle for a minute");
    harness.run_steps(4 * 12);
    let away = Request::SetPresence(rpc::SetPresence {
        presence: Presence::Away,
        automatic: true,
    });
    assert_eq!(calls(&mut side), vec![away.clone()]);
    answer(&side, away, Ok(Response::Done));
    harness.run();
    let selector = harness.get_by_label("Status");
    assert_eq!(selector.accesskit_node().value().as_deref(), Some("Away"));
    harness.run_steps(20);
    assert!(calls(&mut side).is_empty(), "stays away while idle");
    harness.hover_at(egui::pos2(600.0, 400.0));
    harness.run_steps(2);
    assert_eq!(
        calls(&mut side),
        vec![Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: true
        })]
    );
}

#[test]
fn settings_dialog_checks_passwords_and_saves_auto_away() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    harness
        .get_by_role_and_label(A11y::Button, "Settings")
        .click();
    harness.run();
    harness.get_by_label("Auto-away when idle").click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::SetAutoAway(rpc::SetAutoAway { minutes: Some(10) })]
    );
    answer(
        &side,
        Request::SetAutoAway(rpc::SetAutoAway { minutes: Some(10) }),
        Ok(Response::Done),
    );
    harness.run();
    harness.get_by_label("Saved");
    for (field, text) in [
        ("Current password", "old-password"),
        ("New password", "short"),
        ("Repeat new password", "short"),
    ] {
        harness.get_by_label(field).click();
        harness.get_by_label(field).type_text(text);
        harness.run();
    }
    harness
        .get_by_role_and_label(A11y::Button, "Change password")
        .click();
    harness.run();
    harness.get_by_label("The new password needs at least 8 characters");
    assert!(calls(&mut side).is_empty());
    for field in ["New password", "Repeat new password"] {
        harness.get_by_label(field).click();
        harness.get_by_label(field).type_text("-long-enough");
        harness.run();
    }
    harness
        .get_by_role_and_label(A11y::Button, "Change password")
        .click();
    harness.run();
    let sent = calls(&mut side);
    assert_eq!(
        sent,
        vec![Request::ChangePassword(rpc::ChangePassword {
            old: "old-password".into(),
            new: "short-long-enough".into()
        })]
    );
    answer(&side, sent[0].clone(), Err(ApiError::WrongPassword));
    harness.run();
    harness.get_by_label("The current password is wrong");
}

#[test]
fn admin_edits_service_settings_and_resets_a_password() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::SuperAdmin, |_| {}, vec![]);
    harness.get_by_label("Status"); // a super admin serves too
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Service settings").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::GetCenterSettings(rpc::GetCenterSettings)]
    );
    let mut settings = porpoise_protocol::wire::CenterSettings::default();
    settings.working_hours.weekly[0] = Some(porpoise_protocol::wire::DayHours {
        start_min: 9 * 60,
        end_min: 18 * 60,
    });
    answer(
        &side,
        Request::GetCenterSettings(rpc::GetCenterSettings),
        Ok(Response::CenterSettings(settings.clone())),
    );
    harness.run();
    // The window settles (it sizes itself over its first frames) before the pointer acts.
    harness.get_by_label("Only the count").hover();
    harness.run();
    harness.get_by_label("Only the count").click();
    harness.get_by_label("Session code mode").click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    settings.queue_view = QueueView::CountOnly;
    settings.service_mode = ServiceMode::SessionCode;
    let update = Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings));
    assert_eq!(calls(&mut side), vec![update.clone()]);
    answer(&side, update, Ok(Response::Done));
    harness.run();
    harness.get_by_label("Saved");
    harness.get_by_label("Get session code");

    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Reset password").click();
    harness.run();
    harness.get_by_label("Account").click();
    harness.run();
    // The colleagues panel lists 李四 too; the drop-down's entry is the last one.
    harness
        .get_all_by_label("李四")
        .last()
        .expect("李四 in the drop-down")
        .click();
    harness.run();
    harness.get_by_label("New password").click();
    harness
        .get_by_label("New password")
        .type_text("brand-new-pw");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Reset password")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ResetPassword(rpc::ResetPassword {
            agent_id: AgentId(2),
            new_password: "brand-new-pw".into()
        })]
    );
}

/// R18: the admin reads the audit log (操作日志) in the console: newest first, codes in words,
/// a filter, and older pages on demand; a non-manager's refusal is shown as text.
#[test]
fn admin_reads_and_filters_the_audit_log_and_loads_older_rows() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Audit log").click();
    harness.run();
    let first = rpc::ListAuditLog {
        before_seq: None,
        limit: 100,
    };
    assert_eq!(calls(&mut side), vec![Request::ListAuditLog(first.clone())]);
    let rows: Vec<rpc::AuditRecord> = (0..100)
        .map(|i| {
            let seq = 200 - i;
            let failed = seq == 190;
            rpc::AuditRecord {
                seq,
                at: now_unix_ms() - i * 1000,
                actor: if failed {
                    "address 10.0.0.9".into()
                } else {
                    format!("agent 1 user{seq}")
                },
                action: if failed { "login_failed" } else { "login" }.into(),
                target: if failed {
                    "username agent2".into()
                } else {
                    String::new()
                },
                detail: String::new(),
            }
        })
        .collect();
    answer(
        &side,
        Request::ListAuditLog(first),
        Ok(Response::AuditLog(rows)),
    );
    harness.run();
    harness.get_by_label("Failed login");
    harness.get_by_label("account agent2");
    assert!(
        harness.query_by_label("user195").is_none(),
        "a label matches whole"
    );
    harness.get_by_label("user195 (#1)");
    harness.get_by_label("Filter").click();
    harness.run();
    harness.get_by_label("Filter").type_text("agent2");
    harness.run();
    harness.get_by_label("IP 10.0.0.9");
    assert!(
        harness.query_by_label("user195 (#1)").is_none(),
        "filtered out"
    );
    harness
        .get_by_role_and_label(A11y::Button, "Load more")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: Some(101),
            limit: 100,
        })]
    );
}

/// M4: a group leader's admin menu offers only 成员管理, and the page offers only their own
/// group's checkbox and roles up to group leader; what the relay answers is shown as it is.
#[test]
fn a_group_leader_gets_only_the_accounts_page_for_their_own_group() {
    use porpoise_protocol::wire::{
        AccountDirectory, CatalogEntry, CenterAccount, CenterId, GroupId, GroupRecord,
    };
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::GroupLeader, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    assert!(harness.query_by_label("Audit log").is_none());
    assert!(harness.query_by_label("Groups").is_none());
    harness.get_by_label("Accounts").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ListAccounts(rpc::ListAccounts)]
    );
    let entry = |name: &str| CatalogEntry {
        name: name.into(),
        client_name: String::new(),
        hidden: false,
    };
    let dir = AccountDirectory {
        accounts: Vec::new(),
        groups: vec![
            GroupRecord {
                group_id: GroupId(1),
                entry: entry("售后服务"),
                regions: Vec::new(),
            },
            GroupRecord {
                group_id: GroupId(2),
                entry: entry("技术支持"),
                regions: Vec::new(),
            },
        ],
        product_types: Vec::new(),
        roles: Vec::new(),
        center: CenterAccount {
            center_id: CenterId(8_000_001),
            name: "Demo".into(),
            created_at: 0,
            seats: 10,
            seats_used: 1,
            online: 1,
            active_accounts: 3,
            expires_at: None,
            storage_used_bytes: 3 * 1024 * 1024,
            storage_quota_bytes: 10 * 1024 * 1024 * 1024,
        },
    };
    answer(
        &side,
        Request::ListAccounts(rpc::ListAccounts),
        Ok(Response::AccountDirectory(Box::new(dir))),
    );
    harness.run();
    assert!(harness.query_by_label("Roles").is_none(), "no roles page");
    harness.get_by_label("New account").click();
    harness.run();
    // The leader is in group 1 (see `profile`): group 2 is greyed out.
    let own = harness.get_by_role_and_label(A11y::CheckBox, "售后服务");
    assert!(!own.accesskit_node().is_disabled());
    let other = harness.get_by_role_and_label(A11y::CheckBox, "技术支持");
    assert!(other.accesskit_node().is_disabled());

    // M13: a photo from a PNG file, read and checked on a worker, goes out as a data URL.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("face.png");
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 8, 8);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[90; 8 * 8 * 3]).expect("data");
    }
    std::fs::write(&path, &png).expect("write");
    std::fs::write(dir.path().join("big.png"), vec![0u8; 20_000]).expect("write");
    for (file, expect) in [("big.png", "20000 >"), ("face.png", "PNG 0.1 KB")] {
        harness
            .get_by_role_and_label(A11y::TextInput, "PNG file")
            .focus();
        harness.run();
        harness
            .get_by_role_and_label(A11y::TextInput, "PNG file")
            .type_text(&dir.path().join(file).display().to_string());
        harness.run();
        harness
            .get_by_role_and_label(A11y::Button, "Load")
            .click_accesskit();
        for _ in 0..50 {
            harness.run();
            if harness.query_by_label_contains(expect).is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        harness.get_by_label_contains(expect);
        // The next file path replaces this one.
        harness
            .get_by_role_and_label(A11y::TextInput, "PNG file")
            .focus();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.key_press(egui::Key::Backspace);
        harness.run();
    }
    for (field, text) in [("Username", "hanmeimei"), ("Display name", "韩梅梅")] {
        harness
            .get_by_role_and_label(A11y::TextInput, field)
            .focus();
        harness.run();
        harness
            .get_by_role_and_label(A11y::TextInput, field)
            .type_text(text);
        harness.run();
    }
    harness
        .get_by_role_and_label(A11y::Button, "Save")
        .click_accesskit();
    harness.run();
    let sent = calls(&mut side);
    let Some(Request::CreateAccount(create)) = sent.first() else {
        panic!("{sent:?}");
    };
    assert_eq!(
        create.profile.photo,
        porpoise_ui::png_image::png_data_url(&png)
    );
}

/// R16: with the permission, the session tab offers "Block customer"; the dialog sends the
/// session, the address choice and the reason; the relay's answer is shown.
#[test]
fn a_group_leader_blocks_the_customer_of_a_session_by_address() {
    use porpoise_protocol::wire::{
        BlockBy, BlockId, BlockRule, BlockTarget, SessionBlock, SessionId, SessionInfo,
    };
    let (mut harness, mut side, _recording) = app();
    let info = SessionInfo {
        session_id: SessionId(5),
        customer_name: "广告号".into(),
        customer_phone: String::new(),
        agent_name: "Agent One".into(),
        started_at: now_unix_ms(),
        messages: vec![],
    };
    log_in(&mut harness, &side, Role::GroupLeader, |_| {}, vec![info]);
    harness.get_by_label("Block customer").click();
    harness.run();
    harness
        .get_by_label("Block the address (IPv6: its /64)")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "Reason")
        .click();
    harness
        .get_by_role_and_label(A11y::TextInput, "Reason")
        .type_text("spam");
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Block").click();
    harness.run();
    let sent = calls(&mut side);
    let expected = Request::BlockCustomer(rpc::BlockCustomer {
        block: SessionBlock {
            session_id: SessionId(5),
            by: BlockBy::Address,
        },
        reason: "spam".into(),
        expires_at: None,
    });
    assert_eq!(sent, vec![expected.clone()]);
    answer(
        &side,
        expected,
        Ok(Response::Blocked(BlockRule {
            block_id: BlockId(1),
            target: BlockTarget::address("192.0.2.1".parse().expect("ip")),
            reason: "spam".into(),
            created_at: now_unix_ms(),
            expires_at: None,
            created_by: "Agent One".into(),
        })),
    );
    harness.run();
    harness.get_by_label("Blocked; the customer was disconnected");
}

/// R12, M6: the admin picks an IANA time zone and adds a holiday typed as YYYY-MM-DD; a date
/// that does not exist comes back as the relay's refusal, naming the date.
#[test]
fn admin_sets_a_time_zone_and_an_impossible_holiday_is_refused_by_date() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Service settings").click();
    harness.run();
    calls(&mut side);
    let mut settings = porpoise_protocol::wire::CenterSettings::default();
    answer(
        &side,
        Request::GetCenterSettings(rpc::GetCenterSettings),
        Ok(Response::CenterSettings(settings.clone())),
    );
    harness.run();
    let zone = "Time zone (e.g. Asia/Shanghai; empty = fixed offset)";
    harness.get_by_role_and_label(A11y::TextInput, zone).hover();
    harness.run();
    harness.get_by_role_and_label(A11y::TextInput, zone).click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, zone)
        .type_text("America/New_York");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Holidays")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Holidays")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::SpinButton, "Holidays")
        .scroll_to_me();
    harness.run();
    // The date is a drag value shown as YYYY-MM-DD; a click turns it into a text box.
    harness
        .get_by_role_and_label(A11y::SpinButton, "Holidays")
        .click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(A11y::SpinButton, "Holidays")
        .type_text("2027-02-31");
    harness.key_press(egui::Key::Enter);
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    settings.working_hours.time_zone = "America/New_York".into();
    settings
        .working_hours
        .holidays
        .push(porpoise_protocol::wire::Holiday {
            date: 20_270_231,
            reply: String::new(),
        });
    let update = Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings));
    assert_eq!(calls(&mut side), vec![update.clone()]);
    answer(
        &side,
        update,
        Err(ApiError::InvalidDate { date: 20_270_231 }),
    );
    harness.run();
    harness.get_by_label("2027-02-31 is not a valid date");
}

/// M1, M11: the admin edits the helper branding with a live preview, loads an icon from a PNG
/// file (read and checked on a worker), saves it, and copies the download links.
#[test]
fn admin_brands_the_helper_with_an_icon_file_and_sees_the_links() {
    use porpoise_protocol::wire::{rpc::BrandingPage, Branding};
    let dir = tempfile::tempdir().expect("tempdir");
    let icon_path = dir.path().join("icon.png");
    let mut icon = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut icon, 16, 16);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[200; 16 * 16 * 4]).expect("data");
    }
    std::fs::write(&icon_path, &icon).expect("write icon");
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Helper branding").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::GetBranding(rpc::GetBranding)]
    );
    let page = BrandingPage {
        branding: Branding::default(),
        download_page: Some("https://support.example:18000/c/8000001/".into()),
    };
    answer(
        &side,
        Request::GetBranding(rpc::GetBranding),
        Ok(Response::BrandingPage(Box::new(page))),
    );
    harness.run();
    harness.get_by_label("Porpoise remote support"); // the preview's default name
    harness.get_by_label("https://support.example:18000/c/8000001/helper/windows");
    // The window settles (it sizes itself over its first frames) before the pointer acts.
    harness
        .get_by_role_and_label(A11y::TextInput, "Product name")
        .hover();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "Product name")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "Product name")
        .type_text("Acme 远程协助");
    harness.run();
    harness
        .get_all_by_label("Acme 远程协助")
        .next()
        .expect("preview");
    let file = harness
        .get_all_by_role_and_label(A11y::TextInput, "PNG file")
        .next()
        .expect("icon path");
    file.focus();
    harness.run();
    let file = harness
        .get_all_by_role_and_label(A11y::TextInput, "PNG file")
        .next()
        .expect("icon path");
    file.type_text(&icon_path.display().to_string());
    harness.run();
    harness
        .get_all_by_role_and_label(A11y::Button, "Load")
        .next()
        .expect("Load")
        .click();
    harness.run();
    harness.get_by_label("0.1 KB");
    harness
        .get_by_role_and_label(A11y::Button, "Save")
        .click_accesskit();
    harness.run();
    let saved = Branding {
        product_name: "Acme 远程协助".into(),
        icon_png: icon,
        ..Branding::default()
    };
    assert_eq!(
        calls(&mut side),
        vec![Request::SaveBranding(rpc::SaveBranding { branding: saved })]
    );
}

/// R17: the admin makes the signing key (shown once with Copy), sets the webhook URL and its
/// events, turns it on and saves; a failed delivery in the log is queued again with Retry.
#[test]
fn admin_creates_a_signing_key_sets_the_webhook_and_retries_a_delivery() {
    use porpoise_protocol::wire::{
        AppCredentials, DeliveryStatus, IntegrationPage, WebhookDelivery, WebhookEvent,
        WebhookSettings,
    };
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Integrations").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::GetIntegration(rpc::GetIntegration)]
    );
    let empty = IntegrationPage {
        app_id: None,
        key_created_at: None,
        webhook: WebhookSettings::default(),
        deliveries: Vec::new(),
    };
    answer(
        &side,
        Request::GetIntegration(rpc::GetIntegration),
        Ok(Response::IntegrationPage(Box::new(empty))),
    );
    harness.run();
    harness.get_by_label("Nothing sent yet");
    harness
        .get_by_role_and_label(A11y::Button, "Create key")
        .hover();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Create key")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::RotateSigningKey(rpc::RotateSigningKey)]
    );
    answer(
        &side,
        Request::RotateSigningKey(rpc::RotateSigningKey),
        Ok(Response::AppCredentials(AppCredentials {
            app_id: "ppa_abc".into(),
            signing_key: "whsec_secret123".into(),
        })),
    );
    harness.run();
    harness.get_by_label("whsec_secret123");
    harness.get_by_label_contains("not shown again");
    assert_eq!(
        calls(&mut side),
        vec![Request::GetIntegration(rpc::GetIntegration)],
        "the page reloads after the key is made"
    );
    let failed = WebhookDelivery {
        id: 41,
        event: WebhookEvent::SessionEnded,
        created_at: now_unix_ms(),
        status: DeliveryStatus::Failed,
        attempts: 16,
        last_attempt_at: Some(now_unix_ms()),
        next_attempt_at: None,
        last_status: Some(500),
        last_error: String::new(),
    };
    let page = IntegrationPage {
        app_id: Some("ppa_abc".into()),
        key_created_at: Some(now_unix_ms()),
        webhook: WebhookSettings::default(),
        deliveries: vec![failed],
    };
    answer(
        &side,
        Request::GetIntegration(rpc::GetIntegration),
        Ok(Response::IntegrationPage(Box::new(page))),
    );
    harness.run();
    harness.get_by_label("ppa_abc");
    harness.get_by_label("HTTP 500");
    harness.get_by_label("whsec_secret123"); // still shown until the window closes
    harness
        .get_by_role_and_label(A11y::TextInput, "Webhook URL")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "Webhook URL")
        .type_text("https://crm.example.com/hook");
    harness.run();
    for event in ["Session ended", "Survey answered", "Webhook on"] {
        harness
            .get_by_role_and_label(A11y::CheckBox, event)
            .click_accesskit();
        harness.run();
    }
    harness
        .get_by_role_and_label(A11y::Button, "Save")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::SaveWebhook(rpc::SaveWebhook {
            webhook: WebhookSettings {
                url: "https://crm.example.com/hook".into(),
                events: vec![WebhookEvent::SessionEnded, WebhookEvent::SurveyAnswered],
                enabled: true,
            }
        })]
    );
    answer(
        &side,
        Request::SaveWebhook(rpc::SaveWebhook {
            webhook: WebhookSettings::default(),
        }),
        Ok(Response::Done),
    );
    harness.run();
    let _reload = calls(&mut side);
    harness
        .get_by_role_and_label(A11y::Button, "Retry")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::RetryDelivery(rpc::RetryDelivery { id: 41 })]
    );
}

/// M7: the admin adds a child entry under a folder of the knowledge base with keywords and a
/// validity, a date typed wrong is refused before sending, and an entry is moved up and
/// deleted (confirmed).
#[test]
fn admin_edits_the_knowledge_base_tree() {
    use porpoise_protocol::wire::{KnowledgeBase, KnowledgeDraft, KnowledgeNode, KnowledgeNodeId};
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Knowledge base").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin)]
    );
    let node = |id: i64, parent: Option<i64>, title: &str, enabled: bool| KnowledgeNode {
        id: KnowledgeNodeId(id),
        parent: parent.map(KnowledgeNodeId),
        title: title.into(),
        keywords: Vec::new(),
        text: String::new(),
        enabled,
        valid_from: None,
        valid_until: None,
        image: None,
    };
    let base = KnowledgeBase {
        nodes: vec![
            node(1, None, "售后", true),
            node(2, Some(1), "退货流程", true),
            node(3, Some(1), "旧政策", false),
        ],
        truncated: false,
    };
    answer(
        &side,
        Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin),
        Ok(Response::KnowledgeBase(base)),
    );
    harness.run();
    harness.get_by_label("旧政策 [off]");
    harness.get_by_label("售后").hover();
    harness.run();
    harness.get_by_label("售后").click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "New child entry")
        .click();
    harness.run();
    for (field, text) in [
        ("Title", "换货流程"),
        ("Keywords (comma-separated)", "换货, 退换"),
        ("Valid from (YYYY-MM-DD)", "2027/02/30"),
    ] {
        harness
            .get_by_role_and_label(A11y::TextInput, field)
            .focus();
        harness.run();
        harness
            .get_by_role_and_label(A11y::TextInput, field)
            .type_text(text);
        harness.run();
    }
    harness
        .get_by_role_and_label(A11y::Button, "Save")
        .click_accesskit();
    harness.run();
    // 2027/02/30 has the right shape: the relay judges whether the day exists.
    assert_eq!(
        calls(&mut side),
        vec![Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
            id: None,
            parent: Some(KnowledgeNodeId(1)),
            draft: KnowledgeDraft {
                title: "换货流程".into(),
                keywords: vec!["换货".into(), "退换".into()],
                text: String::new(),
                enabled: true,
                valid_from: Some(20_270_230),
                valid_until: None,
            },
        })]
    );
    answer(
        &side,
        Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
            id: None,
            parent: None,
            draft: KnowledgeDraft::default(),
        }),
        Err(ApiError::InvalidDate { date: 20_270_230 }),
    );
    harness.run();
    harness.get_by_label_contains("2027-02-30");
    harness
        .get_by_role_and_label(A11y::TextInput, "Valid from (YYYY-MM-DD)")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "Valid from (YYYY-MM-DD)")
        .type_text("x");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Save")
        .click_accesskit();
    harness.run();
    assert!(calls(&mut side).is_empty(), "a malformed date is not sent");
    harness.get_by_label("Type dates as YYYY-MM-DD");

    // 旧政策: up one place, then deleted after confirming.
    harness.get_by_label("旧政策 [off]").click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Up")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode {
            id: KnowledgeNodeId(3),
            parent: Some(KnowledgeNodeId(1)),
            index: 0,
        })]
    );
    answer(
        &side,
        Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode {
            id: KnowledgeNodeId(3),
            parent: None,
            index: 0,
        }),
        Ok(Response::Done),
    );
    harness.run();
    let _reload = calls(&mut side);
    harness
        .get_by_role_and_label(A11y::Button, "Remove")
        .click_accesskit();
    harness.run();
    harness.get_by_label("Its child entries are deleted too.");
    harness
        .get_by_role_and_label(A11y::Button, "Confirm")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode {
            id: KnowledgeNodeId(3)
        })]
    );
    answer(
        &side,
        Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode {
            id: KnowledgeNodeId(3),
        }),
        Ok(Response::Done),
    );
    harness.run();
    let _reload = calls(&mut side);

    // M7 图片: 退货流程 gets a picture from a PNG file (read and fitted on a worker), shown
    // from the admin's own bytes once saved, then removed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("退货示例图.png");
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 40, 30);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[200; 40 * 30 * 3]).expect("data");
    }
    std::fs::write(&path, &png).expect("write");
    harness.get_by_label("退货流程").hover();
    harness.run();
    harness.get_by_label("退货流程").click();
    harness.run();
    harness.get_by_label("(none)");
    let field = "Picture file (PNG/JPEG):";
    harness
        .get_by_role_and_label(A11y::TextInput, field)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, field)
        .type_text(&path.display().to_string());
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Set picture")
        .click_accesskit();
    let mut sent = Vec::new();
    for _ in 0..100 {
        harness.run();
        sent = calls(&mut side);
        if !sent.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let [Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
        id: KnowledgeNodeId(2),
        data: Some(data),
    })] = sent.as_slice()
    else {
        panic!("{sent:?}");
    };
    assert_eq!(data, &png, "a small PNG is sent as it is");
    let info = porpoise_protocol::wire::ChatImage {
        format: porpoise_protocol::wire::ImageFormat::Png,
        width: 40,
        height: 30,
        bytes: png.len() as u32,
    };
    answer(
        &side,
        sent[0].clone(),
        Ok(Response::KnowledgeNodeSaved(KnowledgeNode {
            image: Some(info),
            ..node(2, Some(1), "退货流程", true)
        })),
    );
    harness.run();
    let _reload = calls(&mut side);
    harness.get_by_label_contains("PNG 40 × 30 px");
    harness.get_by_label("Saved");
    harness
        .get_by_role_and_label(A11y::Button, "Remove picture")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
            id: KnowledgeNodeId(2),
            data: None,
        })]
    );
}

/// M7: the admin uploads a common file from a path: read on a worker, sent in ordered chunks
/// (the next after each answer) with a progress bar; then deletes another after confirming.
#[test]
fn admin_uploads_a_common_file_in_chunks_and_deletes_one() {
    use porpoise_protocol::wire::CommonFile;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("manual.pdf");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &content).expect("write");
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Admin, |_| {}, vec![]);
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Common files").click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::ListCommonFiles(rpc::ListCommonFiles)]
    );
    answer(
        &side,
        Request::ListCommonFiles(rpc::ListCommonFiles),
        Ok(Response::CommonFiles(vec![CommonFile {
            name: "old.txt".into(),
            size: 2048,
        }])),
    );
    harness.run();
    harness.get_by_label("old.txt");
    harness
        .get_by_role_and_label(A11y::TextInput, "File to upload (path)")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(A11y::TextInput, "File to upload (path)")
        .type_text(&path.display().to_string());
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Upload")
        .click_accesskit();
    let mut sent = Vec::new();
    for _ in 0..100 {
        harness.run();
        sent = calls(&mut side);
        if !sent.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let chunk = rpc::COMMON_FILE_CHUNK_BYTES;
    let first = rpc::UploadCommonFile {
        name: "manual.pdf".into(),
        offset: 0,
        total: 200_000,
        data: content[..chunk].to_vec(),
    };
    assert_eq!(sent, vec![Request::UploadCommonFile(first.clone())]);
    answer(&side, Request::UploadCommonFile(first), Ok(Response::Done));
    harness.run();
    harness.get_by_label_contains("128.0 KB / 195.3 KB");
    let second = rpc::UploadCommonFile {
        name: "manual.pdf".into(),
        offset: chunk as u64,
        total: 200_000,
        data: content[chunk..].to_vec(),
    };
    assert_eq!(
        calls(&mut side),
        vec![Request::UploadCommonFile(second.clone())]
    );
    answer(&side, Request::UploadCommonFile(second), Ok(Response::Done));
    harness.run();
    harness.get_by_label("Uploaded");
    assert_eq!(
        calls(&mut side),
        vec![Request::ListCommonFiles(rpc::ListCommonFiles)]
    );
    harness
        .get_by_role_and_label(A11y::Button, "Remove")
        .click_accesskit();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Confirm")
        .click_accesskit();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::DeleteCommonFile(rpc::DeleteCommonFile {
            name: "old.txt".into()
        })]
    );
}

/// M4: an admin gives this agent a custom role with "see audit log" while it works: the Admin
/// menu appears at once with 操作日志 only, and goes when the permission is taken back.
#[test]
fn rights_changed_by_an_admin_reach_the_menus_at_once() {
    use porpoise_protocol::wire::Permission;
    let (mut harness, side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    assert!(harness.query_by_label("Admin").is_none());
    relay(
        &side,
        Event::RightsChanged {
            role: Role::Agent,
            permissions: vec![Permission::ServeCustomers, Permission::SeeAuditLog],
        },
    );
    harness.run();
    harness.get_by_label("Admin").click();
    harness.run();
    harness.get_by_label("Audit log");
    assert!(harness.query_by_label("Accounts").is_none());
    harness.key_press(egui::Key::Escape);
    harness.run();
    relay(
        &side,
        Event::RightsChanged {
            role: Role::Agent,
            permissions: vec![Permission::ServeCustomers],
        },
    );
    harness.run();
    assert!(harness.query_by_label("Admin").is_none());
}
