//! The center directory from the admin window (issue 13, M3, M4, R7): who may create, change,
//! disable accounts and edit groups; what the store's answer changes; routing on product type
//! and auto-assign; hidden groups. The store is simulated from each `StoreOp::Directory`.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AccountProfile, AccountStatus, AgentId, ApiError, CatalogEntry, Event, Field, GroupId,
    GroupRecord, Permission, ProductTypeId, ProductTypeRecord, Request, Response, Role,
    ServiceRoute,
};

use super::routing::{group, harness_with};
use super::*;
use crate::core::{Account, CloseReason, DirectoryChange, DirectoryOp, StoreReport};

fn profile(name: &str, role: Role, groups: &[u32]) -> AccountProfile {
    AccountProfile {
        display_name: name.into(),
        role,
        custom_role: None,
        title: String::new(),
        phone: String::new(),
        photo: String::new(),
        groups: groups.iter().map(|g| GroupId(*g)).collect(),
        product_types: Vec::new(),
        max_sessions: 3,
        auto_assign: true,
    }
}

fn with_role(agent_id: i64, role: Role, groups: &[u32]) -> Account {
    Account {
        role,
        groups: groups.iter().map(|g| GroupId(*g)).collect(),
        ..Account::agent(CENTER_A, AgentId(agent_id), &format!("Account {agent_id}"))
    }
}

/// Plays the store for every directory write in `actions` (ids from 500 up) and returns the
/// actions that follow.
fn store(h: &mut Harness, actions: &[Action]) -> Vec<Action> {
    let mut out = Vec::new();
    for op in persisted(actions) {
        let StoreOp::Directory { token, op } = op else {
            continue;
        };
        let change = match op {
            DirectoryOp::CreateAccount {
                center_id,
                username,
                profile,
                ..
            } => {
                let mut a = Account::agent(center_id, AgentId(500), &profile.display_name);
                a.username = username;
                apply(&mut a, profile);
                DirectoryChange::Account(Box::new(a))
            }
            DirectoryOp::UpdateAccount {
                agent_id, profile, ..
            } => {
                let mut a = h.core.centers[&CENTER_A].accounts[&agent_id].clone();
                apply(&mut a, profile);
                DirectoryChange::Account(Box::new(a))
            }
            DirectoryOp::SetAccountStatus {
                agent_id, status, ..
            } => {
                let mut a = h.core.centers[&CENTER_A].accounts[&agent_id].clone();
                a.status = status;
                DirectoryChange::Account(Box::new(a))
            }
            DirectoryOp::SaveGroup {
                group_id,
                entry,
                regions,
                ..
            } => DirectoryChange::Group(GroupRecord {
                group_id: group_id.unwrap_or(GroupId(77)),
                entry,
                regions,
            }),
            DirectoryOp::SaveProductType {
                product_type_id,
                entry,
                ..
            } => DirectoryChange::ProductType(ProductTypeRecord {
                product_type_id: product_type_id.unwrap_or(ProductTypeId(88)),
                entry,
            }),
            DirectoryOp::ReorderGroups { order, .. } => DirectoryChange::GroupOrder(order),
            DirectoryOp::SaveRole { mut role, new, .. } => {
                if new {
                    role.role_id = porpoise_protocol::wire::RoleId(9);
                }
                DirectoryChange::Role(role)
            }
            DirectoryOp::ReorderProductTypes { order, .. } => {
                DirectoryChange::ProductTypeOrder(order)
            }
        };
        h.core.handle_store_report(
            h.now,
            StoreReport::Directory {
                token,
                result: Ok(change),
            },
        );
        out.extend(h.drain());
    }
    out
}

fn apply(a: &mut Account, p: AccountProfile) {
    a.display_name = p.display_name;
    a.role = p.role;
    a.custom_role = p.custom_role;
    a.groups = p.groups;
    a.product_types = p.product_types;
    a.max_sessions = p.max_sessions;
    a.auto_assign = p.auto_assign;
}

/// Sends `body` from `conn`, runs the store, returns the answer.
fn ask(h: &mut Harness, conn: u64, body: Request) -> (Result<Response, ApiError>, Vec<Action>) {
    let id = RequestId(4242);
    let mut actions = h.req(ConnId(conn), id, body);
    actions.extend(store(h, &actions));
    (response(&actions, ConnId(conn), id), actions)
}

fn create(username: &str, p: AccountProfile) -> Request {
    Request::CreateAccount(rpc::CreateAccount {
        username: username.into(),
        profile: p,
        password: None,
    })
}

#[test]
fn an_admin_creates_an_agent_who_is_listed_audited_and_routed_to() {
    let mut h = harness_with(super::routing::mode(
        porpoise_protocol::wire::ServiceMode::AutoAssign,
    ));
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    let (answer, actions) = ask(
        &mut h,
        1,
        create("zhang.san", profile("张三", Role::Agent, &[2])),
    );
    let Ok(Response::NewAccount(new)) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(new.agent_id, AgentId(500));
    let password = new.password.expect("a generated password, shown once");
    assert_eq!(password.len(), crate::core::GENERATED_PASSWORD_CHARS);
    let ops = persisted(&actions);
    assert!(ops.iter().any(|op| matches!(op, StoreOp::Audit(e)
        if e.action == crate::core::AuditAction::AccountCreated
            && e.actor.starts_with("agent 1 ")
            && e.target == "agent 500 zhang.san")));
    // No secret in any audit entry.
    assert!(!format!("{ops:?}").contains(&password));
    let (answer, _) = ask(&mut h, 1, Request::ListAccounts(rpc::ListAccounts));
    let Ok(Response::AccountDirectory(dir)) = answer else {
        panic!("{answer:?}");
    };
    let listed = dir.accounts.iter().find(|a| a.agent_id == AgentId(500));
    assert_eq!(listed.map(|a| a.username.as_str()), Some("zhang.san"));
    assert_eq!(dir.groups.len(), 2);
    assert_eq!(dir.center.center_id, CENTER_A);
    // The new agent logs in and gets a customer of group 2.
    let account = h.core.centers[&CENTER_A].accounts[&AgentId(500)].clone();
    h.login(ConnId(2), account);
    h.customer(ConnId(3), CENTER_A, InstallId(3));
    let actions = h.req(
        ConnId(3),
        RequestId(1),
        Request::RequestService(rpc::RequestService {
            name: "客户".into(),
            phone: "1".into(),
            route: ServiceRoute::AutoAssign {
                group_id: Some(GroupId(2)),
                product_type_id: None,
            },
        }),
    );
    assert!(events_to(&actions, ConnId(2))
        .iter()
        .any(|e| matches!(e, Event::OfferReceived(_))));
}

#[test]
fn nobody_gives_a_role_above_their_own_or_reuses_a_username() {
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(3), with_role(3, Role::Agent, &[1]));
    let refused = |needed| Err(ApiError::NotPermitted { needed });
    let (answer, actions) = ask(
        &mut h,
        1,
        create("boss", profile("Boss", Role::SuperAdmin, &[])),
    );
    assert_eq!(answer, refused(Permission::RoleWithinOwn));
    assert!(persisted(&actions).is_empty(), "nothing reaches the store");
    let (answer, _) = ask(&mut h, 3, create("x", profile("X", Role::Agent, &[1])));
    assert_eq!(answer, refused(Permission::ManageAccounts));
    let (answer, _) = ask(&mut h, 1, create("user3", profile("Dup", Role::Agent, &[])));
    assert_eq!(
        answer,
        Err(ApiError::Duplicate {
            field: Field::Username,
            value: "user3".into()
        })
    );
    let (answer, _) = ask(
        &mut h,
        1,
        create("a b", profile("Spaces", Role::Agent, &[])),
    );
    assert_eq!(
        answer,
        Err(ApiError::Malformed {
            field: Field::Username
        })
    );
    let mut big = profile("Big", Role::Agent, &[]);
    big.max_sessions = 0;
    let (answer, _) = ask(&mut h, 1, create("big", big));
    assert!(matches!(
        answer,
        Err(ApiError::OutOfRange {
            field: Field::MaxSessions,
            ..
        })
    ));
    let (answer, _) = ask(&mut h, 1, create("g9", profile("G", Role::Agent, &[9])));
    assert_eq!(
        answer,
        Err(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Group
        })
    );
    // An admin cannot promote an agent to super admin, nor change an equal admin.
    h.login(ConnId(4), with_role(4, Role::Admin, &[]));
    let update = |id, p| {
        Request::UpdateAccount(rpc::UpdateAccount {
            agent_id: AgentId(id),
            profile: p,
        })
    };
    let (answer, _) = ask(&mut h, 1, update(3, profile("P", Role::SuperAdmin, &[1])));
    assert_eq!(answer, refused(Permission::RoleWithinOwn));
    let (answer, _) = ask(&mut h, 1, update(4, profile("P", Role::Agent, &[])));
    assert_eq!(answer, refused(Permission::OutrankTarget));
    let (answer, _) = ask(
        &mut h,
        1,
        update(3, profile("Renamed", Role::GroupLeader, &[1, 2])),
    );
    assert_eq!(answer, Ok(Response::Done));
    let a = &h.core.centers[&CENTER_A].accounts[&AgentId(3)];
    assert_eq!(
        (a.display_name.as_str(), a.role),
        ("Renamed", Role::GroupLeader)
    );
}

/// M4: a group leader manages and lists the accounts of their own groups only, and edits no
/// groups; the relay refuses, not only the console.
#[test]
fn a_group_leader_manages_only_their_own_group() {
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::GroupLeader, &[1]));
    h.login(ConnId(2), with_role(2, Role::Agent, &[1]));
    h.login(ConnId(3), with_role(3, Role::Agent, &[2]));
    let refused = |needed| Err(ApiError::NotPermitted { needed });
    let (answer, _) = ask(&mut h, 1, Request::ListAccounts(rpc::ListAccounts));
    let Ok(Response::AccountDirectory(dir)) = answer else {
        panic!("{answer:?}");
    };
    let ids: Vec<i64> = dir.accounts.iter().map(|a| a.agent_id.0).collect();
    assert_eq!(ids, vec![1, 2], "not the agent of group 2");
    let (answer, _) = ask(&mut h, 1, create("n", profile("N", Role::Agent, &[2])));
    assert_eq!(answer, refused(Permission::OwnGroupOnly));
    let (answer, _) = ask(&mut h, 1, create("n", profile("N", Role::Agent, &[])));
    assert_eq!(answer, refused(Permission::OwnGroupOnly));
    let (answer, _) = ask(
        &mut h,
        1,
        Request::SetAccountStatus(rpc::SetAccountStatus {
            agent_id: AgentId(3),
            status: AccountStatus::Disabled,
        }),
    );
    assert_eq!(answer, refused(Permission::OwnGroupOnly));
    let (answer, _) = ask(
        &mut h,
        1,
        Request::SaveGroup(rpc::SaveGroup {
            group_id: None,
            entry: CatalogEntry {
                name: "New".into(),
                client_name: String::new(),
                hidden: false,
            },
            regions: Vec::new(),
        }),
    );
    assert_eq!(answer, refused(Permission::ManageSettings));
    // Own group: allowed; adding group 2 to the member is not.
    let (answer, _) = ask(
        &mut h,
        1,
        Request::UpdateAccount(rpc::UpdateAccount {
            agent_id: AgentId(2),
            profile: profile("Two", Role::Agent, &[1, 2]),
        }),
    );
    assert_eq!(answer, refused(Permission::OwnGroupOnly));
    let (answer, _) = ask(&mut h, 1, create("n", profile("N", Role::Agent, &[1])));
    assert!(matches!(answer, Ok(Response::NewAccount(_))), "{answer:?}");
}

#[test]
fn disabling_ends_the_login_and_the_sessions_and_frees_the_seat() {
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(2), with_role(2, Role::Agent, &[1]));
    h.customer(ConnId(3), CENTER_A, InstallId(3));
    let ticket = h.queue(ConnId(3), "客户");
    h.accept(ConnId(2), ticket);
    assert_eq!(h.core.seats_used(CENTER_A), 1);
    let (answer, actions) = ask(
        &mut h,
        1,
        Request::SetAccountStatus(rpc::SetAccountStatus {
            agent_id: AgentId(2),
            status: AccountStatus::Disabled,
        }),
    );
    assert_eq!(answer, Ok(Response::Done));
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::Close {
            conn: ConnId(2),
            ..
        }
    )));
    assert!(events_to(&actions, ConnId(3))
        .iter()
        .any(|e| matches!(e, Event::SessionEnded { .. })));
    assert_eq!(h.core.seats_used(CENTER_A), 0);
    assert!(persisted(&actions)
        .iter()
        .any(|op| matches!(op, StoreOp::Audit(e)
        if e.action == crate::core::AuditAction::AccountDisabled)));
    // A disabled account is no colleague card and gets no offer.
    assert!(h
        .core
        .agent_cards(CENTER_A)
        .iter()
        .all(|c| c.agent_id != AgentId(2)));
}

/// R7: product type is the second routing key; auto-assign off takes no offers.
#[test]
fn routing_uses_the_product_type_and_the_auto_assign_switch() {
    let mut settings = super::routing::mode(porpoise_protocol::wire::ServiceMode::AutoAssign);
    settings.seats = 10;
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A)],
        settings: vec![(CENTER_A, settings)],
        groups: vec![(CENTER_A, group(1, "售后"))],
        product_types: vec![
            (
                CENTER_A,
                ProductTypeRecord {
                    product_type_id: ProductTypeId(1),
                    entry: CatalogEntry {
                        name: "打印机".into(),
                        client_name: String::new(),
                        hidden: false,
                    },
                },
            ),
            (
                CENTER_A,
                ProductTypeRecord {
                    product_type_id: ProductTypeId(2),
                    entry: CatalogEntry {
                        name: "内部".into(),
                        client_name: String::new(),
                        hidden: true,
                    },
                },
            ),
        ],
        ..Default::default()
    };
    let mut h = Harness::with_snapshot(snapshot);
    // Agent 1 handles only product 2 and logged in first (longest idle); agent 2 handles all
    // but has auto-assign off; agent 3 handles product 1.
    let mut a1 = with_role(1, Role::Agent, &[1]);
    a1.product_types = vec![ProductTypeId(2)];
    let mut a2 = with_role(2, Role::Agent, &[1]);
    a2.auto_assign = false;
    let mut a3 = with_role(3, Role::Agent, &[1]);
    a3.product_types = vec![ProductTypeId(1)];
    h.login(ConnId(1), a1);
    h.tick(10);
    h.login(ConnId(2), a2);
    h.tick(10);
    h.login(ConnId(3), a3);
    h.customer(ConnId(9), CENTER_A, InstallId(9));
    let route = |p| ServiceRoute::AutoAssign {
        group_id: Some(GroupId(1)),
        product_type_id: Some(ProductTypeId(p)),
    };
    let actions = h.req(
        ConnId(9),
        RequestId(1),
        Request::RequestService(rpc::RequestService {
            name: "客户".into(),
            phone: "1".into(),
            route: route(1),
        }),
    );
    let offered: Vec<u64> = [1, 2, 3]
        .into_iter()
        .filter(|c| {
            events_to(&actions, ConnId(*c))
                .iter()
                .any(|e| matches!(e, Event::OfferReceived(_)))
        })
        .collect();
    assert_eq!(offered, vec![3]);
    // A hidden product type is not offered to customers and is refused if named anyway.
    h.customer(ConnId(8), CENTER_A, InstallId(8));
    let options = h.core.service_options(CENTER_A, h.now);
    assert_eq!(options.product_types.len(), 1);
    let actions = h.req(
        ConnId(8),
        RequestId(2),
        Request::RequestService(rpc::RequestService {
            name: "客户".into(),
            phone: "1".into(),
            route: route(2),
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(8), RequestId(2)),
        Err(ApiError::NotFound { .. })
    ));
}

#[test]
fn groups_are_added_renamed_hidden_and_reordered_and_agents_told() {
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(2), with_role(2, Role::Agent, &[1]));
    let entry = |name: &str, client: &str, hidden| CatalogEntry {
        name: name.into(),
        client_name: client.into(),
        hidden,
    };
    let (answer, actions) = ask(
        &mut h,
        1,
        Request::SaveGroup(rpc::SaveGroup {
            group_id: None,
            entry: entry("  VIP  ", "贵宾服务", false),
            regions: Vec::new(),
        }),
    );
    let Ok(Response::GroupSaved(saved)) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(saved.entry.name, "VIP", "trimmed");
    assert!(events_to(&actions, ConnId(2))
        .iter()
        .any(|e| matches!(e, Event::DirectoryChanged { groups, .. } if groups.len() == 3)));
    let names: Vec<String> = h
        .core
        .service_options(CENTER_A, h.now)
        .groups
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["售后服务", "技术支持", "贵宾服务"]);
    let (answer, _) = ask(
        &mut h,
        1,
        Request::SaveGroup(rpc::SaveGroup {
            group_id: Some(GroupId(1)),
            entry: entry("技术支持", "", false),
            regions: Vec::new(),
        }),
    );
    assert!(matches!(answer, Err(ApiError::Duplicate { .. })));
    let (answer, _) = ask(
        &mut h,
        1,
        Request::SaveGroup(rpc::SaveGroup {
            group_id: Some(GroupId(1)),
            entry: entry("售后服务", "", true),
            regions: Vec::new(),
        }),
    );
    assert!(answer.is_ok());
    let (answer, _) = ask(
        &mut h,
        1,
        Request::ReorderGroups(rpc::ReorderGroups {
            order: vec![GroupId(77), GroupId(2)],
        }),
    );
    assert_eq!(
        answer,
        Err(ApiError::Malformed {
            field: Field::ListOrder
        })
    );
    let (answer, _) = ask(
        &mut h,
        1,
        Request::ReorderGroups(rpc::ReorderGroups {
            order: vec![GroupId(77), GroupId(2), GroupId(1)],
        }),
    );
    assert_eq!(answer, Ok(Response::Done));
    let names: Vec<String> = h
        .core
        .service_options(CENTER_A, h.now)
        .groups
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(
        names,
        ["贵宾服务", "技术支持"],
        "hidden group 1 is not shown"
    );
}

/// M4: a custom role is a named permission set; the relay enforces it (an account whose role
/// lacks "serve customers" or "manage settings" is refused, whatever the console shows), and
/// nobody hands out a managing permission they lack.
#[test]
fn a_custom_role_is_enforced_by_the_relay() {
    use porpoise_protocol::wire::{CustomRole, RoleId};
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(2), with_role(2, Role::GroupLeader, &[1]));
    h.login(ConnId(3), with_role(3, Role::Agent, &[1]));
    let inspector = CustomRole {
        role_id: RoleId(0),
        name: "质检员".into(),
        base: Role::Agent,
        permissions: vec![Permission::SeeAuditLog, Permission::MonitorAgents],
    };
    // A group leader manages no settings; an admin may not give what a super admin has only.
    let (answer, _) = ask(
        &mut h,
        2,
        Request::SaveRole(rpc::SaveRole {
            role: inspector.clone(),
            new: true,
        }),
    );
    assert_eq!(
        answer,
        Err(ApiError::NotPermitted {
            needed: Permission::ManageSettings
        })
    );
    let (answer, _) = ask(
        &mut h,
        1,
        Request::SaveRole(rpc::SaveRole {
            role: CustomRole {
                base: Role::SuperAdmin,
                ..inspector.clone()
            },
            new: true,
        }),
    );
    assert_eq!(
        answer,
        Err(ApiError::NotPermitted {
            needed: Permission::RoleWithinOwn
        })
    );
    let (answer, actions) = ask(
        &mut h,
        1,
        Request::SaveRole(rpc::SaveRole {
            role: inspector,
            new: true,
        }),
    );
    let Ok(Response::RoleSaved(saved)) = answer else {
        panic!("{answer:?}");
    };
    assert!(persisted(&actions)
        .iter()
        .any(|op| matches!(op, StoreOp::Audit(e)
        if e.action == crate::core::AuditAction::RoleSaved)));
    // Agent 3 gets the role: reads the audit log, but serves and sets nothing.
    let mut p = profile("Three", Role::Agent, &[1]);
    p.custom_role = Some(saved.role_id);
    let (answer, actions) = ask(
        &mut h,
        1,
        Request::UpdateAccount(rpc::UpdateAccount {
            agent_id: AgentId(3),
            profile: p,
        }),
    );
    assert_eq!(answer, Ok(Response::Done));
    // Agent 3's console learns its new rights at once; nobody else is told.
    let rights = |actions: &[Action], conn| {
        events_to(actions, ConnId(conn))
            .into_iter()
            .filter(|e| matches!(e, Event::RightsChanged { .. }))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rights(&actions, 3),
        [Event::RightsChanged {
            role: Role::Agent,
            permissions: vec![Permission::MonitorAgents, Permission::SeeAuditLog],
        }]
    );
    assert!(rights(&actions, 1).is_empty() && rights(&actions, 2).is_empty());
    // Changing the custom role itself reaches its holders too.
    let (_, actions) = ask(
        &mut h,
        1,
        Request::SaveRole(rpc::SaveRole {
            role: CustomRole {
                permissions: vec![Permission::SeeAuditLog],
                ..saved.clone()
            },
            new: false,
        }),
    );
    assert_eq!(
        rights(&actions, 3),
        [Event::RightsChanged {
            role: Role::Agent,
            permissions: vec![Permission::SeeAuditLog],
        }]
    );
    let actions = h.req(
        ConnId(3),
        RequestId(7),
        Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: None,
            limit: 10,
        }),
    );
    assert!(
        persisted(&actions)
            .iter()
            .any(|op| matches!(op, StoreOp::Query { .. })),
        "allowed: goes to the store"
    );
    h.customer(ConnId(9), CENTER_A, InstallId(9));
    let ticket = h.queue(ConnId(9), "客户");
    let actions = h.req(
        ConnId(3),
        RequestId(8),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id: ticket }),
    );
    assert_eq!(
        response(&actions, ConnId(3), RequestId(8)),
        Err(ApiError::NotPermitted {
            needed: Permission::ServeCustomers
        })
    );
    let actions = h.req(
        ConnId(3),
        RequestId(9),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(Default::default())),
    );
    assert_eq!(
        response(&actions, ConnId(3), RequestId(9)),
        Err(ApiError::NotPermitted {
            needed: Permission::ManageSettings
        })
    );
    // Without "see audit log" (a plain agent) the same read is refused.
    h.login(ConnId(4), with_role(4, Role::Agent, &[1]));
    let actions = h.req(
        ConnId(4),
        RequestId(10),
        Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: None,
            limit: 10,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(4), RequestId(10)),
        Err(ApiError::NotPermitted {
            needed: Permission::SeeAuditLog
        })
    );
}

/// M1: the admin window saves the helper branding through the same checks as the CLI; a
/// customer's next Welcome carries it; an agent may not.
#[test]
fn branding_is_checked_saved_audited_and_sent_to_customers() {
    use porpoise_protocol::wire::{Branding, Notice, Rgb};
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(2), with_role(2, Role::Agent, &[1]));
    let mut branding = Branding {
        product_name: "Acme 远程协助".into(),
        primary: Some(Rgb([1, 2, 3])),
        notice: Notice {
            text: "工作日 9:00–18:00".into(),
            link: "http://insecure.example".into(),
            ..Notice::default()
        },
        ..Branding::default()
    };
    let save = |b: &Branding| {
        Request::SaveBranding(rpc::SaveBranding {
            branding: b.clone(),
        })
    };
    let (answer, _) = ask(&mut h, 2, save(&branding));
    assert_eq!(
        answer,
        Err(ApiError::NotPermitted {
            needed: Permission::ManageSettings
        })
    );
    let (answer, _) = ask(&mut h, 1, save(&branding));
    assert_eq!(
        answer,
        Err(ApiError::Malformed {
            field: Field::NoticeLink
        })
    );
    branding.notice.link = "https://acme.example/help".into();
    let (answer, actions) = ask(&mut h, 1, save(&branding));
    assert_eq!(answer, Ok(Response::Done));
    let ops = persisted(&actions);
    assert!(ops
        .iter()
        .any(|op| matches!(op, StoreOp::SaveBranding { branding: b, .. } if **b == branding)));
    assert!(ops.iter().any(|op| matches!(op, StoreOp::Audit(e)
        if e.target == "branding" && e.detail.contains("Acme"))));
    let actions = h.customer(ConnId(9), CENTER_A, InstallId(9));
    match welcome(&actions, ConnId(9)) {
        porpoise_protocol::wire::Welcome::Customer {
            branding: Some(b), ..
        } => assert_eq!(b.product_name, "Acme 远程协助"),
        other => panic!("{other:?}"),
    }
    let (answer, _) = ask(&mut h, 1, Request::GetBranding(rpc::GetBranding));
    let Ok(Response::BrandingPage(page)) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(page.branding, branding);
    assert_eq!(page.download_page, None, "no public address configured");
}

/// M7: knowledge-base edits need ManageLibrary (checked by the relay, not only hidden); an
/// impossible validity date and an end before the start are refused before the store; agents
/// ask for the live tree with the center's local date.
#[test]
fn knowledge_edits_need_the_library_permission_and_real_dates() {
    use porpoise_protocol::wire::{KnowledgeDraft, KnowledgeNodeId};
    let mut h = harness_with(Default::default());
    h.login(ConnId(1), with_role(1, Role::Admin, &[]));
    h.login(ConnId(3), with_role(3, Role::Agent, &[1]));
    let save = |draft: KnowledgeDraft| {
        Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
            id: None,
            parent: None,
            draft,
        })
    };
    let ok = KnowledgeDraft {
        title: "退货".into(),
        enabled: true,
        ..KnowledgeDraft::default()
    };
    for body in [
        save(ok.clone()),
        Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin),
        Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode {
            id: KnowledgeNodeId(1),
        }),
        Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode {
            id: KnowledgeNodeId(1),
            parent: None,
            index: 0,
        }),
        Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
            id: KnowledgeNodeId(1),
            data: None,
        }),
    ] {
        let (answer, actions) = ask(&mut h, 3, body);
        assert_eq!(
            answer,
            Err(ApiError::NotPermitted {
                needed: Permission::ManageLibrary
            })
        );
        assert!(persisted(&actions).is_empty(), "nothing reaches the store");
    }
    let bad_day = KnowledgeDraft {
        valid_from: Some(20_270_231),
        ..ok.clone()
    };
    let (answer, _) = ask(&mut h, 1, save(bad_day));
    assert_eq!(answer, Err(ApiError::InvalidDate { date: 20_270_231 }));
    let backwards = KnowledgeDraft {
        valid_from: Some(20_270_301),
        valid_until: Some(20_270_201),
        ..ok.clone()
    };
    let (answer, _) = ask(&mut h, 1, save(backwards));
    assert_eq!(
        answer,
        Err(ApiError::Malformed {
            field: Field::KnowledgeValidity
        })
    );
    let actions = h.req(
        ConnId(1),
        RequestId(7),
        Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode {
            id: KnowledgeNodeId(4),
            parent: Some(KnowledgeNodeId(4)),
            index: 0,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(1), RequestId(7)),
        Err(ApiError::Malformed {
            field: Field::KnowledgeParent
        })
    );
    // A picture that is not a PNG or JPEG is refused before the store.
    let (answer, actions) = ask(
        &mut h,
        1,
        Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
            id: KnowledgeNodeId(1),
            data: Some(b"GIF89a not a chat picture".to_vec()),
        }),
    );
    assert_eq!(
        answer,
        Err(ApiError::BadImage(
            porpoise_protocol::wire::ImageProblem::UnknownFormat
        ))
    );
    assert!(persisted(&actions).is_empty());
    // A picture's bytes: an agent gets only what is live today, the library manager any.
    for (conn, today) in [(3, Some(20_231_115)), (1, None)] {
        let actions = h.req(
            ConnId(conn),
            RequestId(9),
            Request::GetKnowledgeImage(rpc::GetKnowledgeImage {
                id: KnowledgeNodeId(2),
            }),
        );
        let ops = persisted(&actions);
        assert!(
            ops.iter().any(|op| matches!(
                op,
                StoreOp::Query {
                    query: crate::core::StoreQuery::KnowledgeImage { today: t, .. },
                    ..
                } if *t == today
            )),
            "{ops:?}"
        );
    }
    // An agent's list carries the center's local date (2023-11-15 at UTC+8, the default, at the harness clock: 22:13 UTC on the 14th).
    let actions = h.req(
        ConnId(3),
        RequestId(8),
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
    );
    let ops = persisted(&actions);
    assert!(
        ops.iter().any(|op| matches!(
            op,
            StoreOp::Query {
                query: crate::core::StoreQuery::KnowledgeBase {
                    today: Some(20_231_115),
                    ..
                },
                ..
            }
        )),
        "{ops:?}"
    );
}

/// M2: when a center's service period ends while its people are logged in, its agents are
/// logged out (`CenterExpired`), its customers disconnected (neutral `Unavailable`) and its
/// sessions ended by the relay; another center is untouched.
#[test]
fn logins_end_when_the_center_expires() {
    let mut h = harness_with(Default::default());
    let mut info = center(CENTER_A);
    info.expires_at = Some(h.now.unix_ms + 60_000);
    h.core.handle_login(
        h.now,
        ConnId(1),
        crate::core::Login::Agent {
            center: info.clone(),
            account: Box::new(with_role(1, Role::Agent, &[1])),
            address: "10.0.0.1:5000".parse().expect("addr"),
        },
    );
    h.drain();
    h.core.handle_login(
        h.now,
        ConnId(9),
        crate::core::Login::Customer {
            center: info,
            install_id: InstallId(9),
            address: "10.0.0.9:6000".parse().expect("addr"),
        },
    );
    h.drain();
    let mut other = with_role(5, Role::Agent, &[]);
    other.center_id = CENTER_B;
    h.login(ConnId(5), other);
    assert!(
        h.core.poll_timeout().is_some(),
        "the expiry is on the clock"
    );
    h.tick(30_000);
    h.core.handle_timeout(h.now);
    assert!(h.drain().iter().all(|a| !matches!(a, Action::Close { .. })));
    h.tick(31_000);
    h.core.handle_timeout(h.now);
    let actions = h.drain();
    let closes: Vec<(ConnId, CloseReason)> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Close { conn, reason } => Some((*conn, *reason)),
            _ => None,
        })
        .collect();
    assert!(
        closes.contains(&(ConnId(1), CloseReason::CenterExpired)),
        "{closes:?}"
    );
    assert!(
        closes.contains(&(ConnId(9), CloseReason::Unavailable)),
        "{closes:?}"
    );
    assert!(!closes.iter().any(|(c, _)| *c == ConnId(5)), "{closes:?}");
}
