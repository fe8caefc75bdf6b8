//! Admin windows (R3, R5), for roles that manage: live logins with Kick (confirmed), resetting
//! an account's password, and the center's service settings.

use egui::RichText;
use porpoise_ui::{chat_pictures::ChatPictures, Language};

use crate::{
    clock,
    i18n::{self, Msg},
    state::{AdminDialog, Intent, Status, Workspace},
};

mod blocklist;
mod branding;
mod center;
mod common_files;
mod directory;
mod integrations;
mod knowledge;
mod records;

/// Draws the open admin window. Its fields are edited as a copy, reported with
/// [`Intent::EditAdmin`] when changed; buttons have their own intents.
pub fn admin_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    knowledge_pictures: &mut ChatPictures<super::KnowledgePictureKey>,
    intents: &mut Vec<Intent>,
) {
    let Some(shown) = ws.admin() else {
        return;
    };
    let mut copy = shown.clone();
    let dialog = &mut copy;
    let mut clicks = Vec::new();
    let title = match dialog {
        AdminDialog::Logins { .. } => Msg::LiveLogins,
        AdminDialog::ResetPassword { .. } => Msg::ResetPassword,
        AdminDialog::CenterSettings { .. } => Msg::ServiceSettings,
        AdminDialog::AuditLog { .. } => Msg::AuditLog,
        AdminDialog::Blocklist { .. } => Msg::Blocklist,
        AdminDialog::Integrations { .. } => Msg::Integrations,
        AdminDialog::Knowledge(_) => Msg::KnowledgeAdmin,
        AdminDialog::CommonFiles { .. } => Msg::CommonFilesAdmin,
        AdminDialog::Branding { .. } => Msg::BrandingTitle,
        AdminDialog::BlockCustomer { .. } => Msg::BlockCustomer,
        AdminDialog::Directory(view) => match view.page {
            crate::state::DirectoryPage::Accounts => Msg::Accounts,
            crate::state::DirectoryPage::Groups => Msg::Groups,
            crate::state::DirectoryPage::ProductTypes => Msg::ProductTypes,
            crate::state::DirectoryPage::Roles => Msg::Roles,
            crate::state::DirectoryPage::AccountInfo => Msg::AccountInfo,
        },
    };
    let viewer = ws.viewer();
    let mut open = true;
    let agents = ws.agents();
    egui::Window::new(title.text(lang))
        .id(egui::Id::unique("admin-window"))
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .collapsible(false)
        .default_width(520.0)
        .open(&mut open)
        .show(ctx, |ui| match dialog {
            AdminDialog::Logins {
                logins,
                confirm_kick,
                status,
            } => logins_ui(
                ui,
                lang,
                &viewer,
                logins.as_deref(),
                confirm_kick,
                status,
                &mut clicks,
            ),
            AdminDialog::ResetPassword {
                agent_id,
                password,
                status,
            } => {
                egui::ComboBox::from_label(Msg::Account.text(lang))
                    .selected_text(
                        agent_id
                            .and_then(|id| agents.iter().find(|a| a.agent_id == id))
                            .map_or(String::new(), |a| a.nickname.clone()),
                    )
                    .show_ui(ui, |ui| {
                        for a in agents {
                            ui.selectable_value(agent_id, Some(a.agent_id), &a.nickname);
                        }
                    });
                let l = ui.label(Msg::NewPassword.text(lang));
                ui.add(egui::TextEdit::singleline(password).password(true))
                    .labelled_by(l.id);
                super::status_ui(ui, status);
                let ok = agent_id.is_some() && !status.busy();
                if ui
                    .add_enabled(ok, egui::Button::new(Msg::ResetPassword.text(lang)))
                    .clicked()
                {
                    clicks.push(Intent::ResetPassword { lang });
                }
            }
            AdminDialog::AuditLog {
                rows,
                filter,
                more,
                status,
            } => audit_ui(
                ui,
                lang,
                rows.as_deref(),
                filter,
                *more,
                status,
                &mut clicks,
            ),
            AdminDialog::Branding {
                draft,
                download_page,
                paths,
                problems,
                status,
            } => match draft {
                Some(draft) => branding::branding_ui(
                    ui,
                    lang,
                    draft,
                    download_page.as_deref(),
                    paths,
                    problems,
                    status,
                    &mut clicks,
                ),
                None => super::status_ui(ui, status),
            },
            AdminDialog::Knowledge(view) => {
                knowledge::knowledge_ui(ui, lang, view, knowledge_pictures, &mut clicks)
            }
            AdminDialog::CommonFiles {
                path,
                confirm_delete,
                progress,
                status,
            } => common_files::common_files_ui(
                ui,
                lang,
                ws.common_files(),
                path,
                confirm_delete,
                *progress,
                status,
                &mut clicks,
            ),
            AdminDialog::Integrations {
                page,
                draft,
                new_key,
                confirm_rotate,
                status,
            } => integrations::integrations_ui(
                ui,
                lang,
                page.as_deref(),
                draft,
                new_key.as_ref(),
                confirm_rotate,
                status,
                &mut clicks,
            ),
            AdminDialog::Blocklist {
                rows,
                target,
                reason,
                days,
                confirm_remove,
                status,
            } => blocklist::blocklist_ui(
                ui,
                lang,
                rows.as_deref(),
                target,
                reason,
                days,
                confirm_remove,
                status,
                &mut clicks,
            ),
            AdminDialog::BlockCustomer {
                customer,
                by_address,
                reason,
                days,
                status,
                ..
            } => blocklist::block_customer_ui(
                ui,
                lang,
                customer,
                by_address,
                reason,
                days,
                status,
                &mut clicks,
            ),
            AdminDialog::Directory(view) => {
                directory::directory_ui(ui, lang, view, &viewer, &mut clicks)
            }
            AdminDialog::CenterSettings { draft, status } => match draft {
                Some(draft) => center::center_settings_ui(ui, lang, draft, status, &mut clicks),
                None => {
                    super::status_ui(ui, status);
                }
            },
        });
    // The edited fields first: the buttons act on them.
    if copy != *shown {
        intents.push(Intent::EditAdmin(Box::new(copy)));
    }
    intents.extend(clicks);
    if !open {
        intents.push(Intent::CloseAdmin);
    }
}

fn logins_ui(
    ui: &mut egui::Ui,
    lang: Language,
    viewer: &crate::state::Viewer,
    logins: Option<&[porpoise_protocol::wire::LoginInfo]>,
    confirm_kick: &mut Option<porpoise_protocol::wire::AgentId>,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    if ui.button(Msg::Refresh.text(lang)).clicked() {
        intents.push(Intent::RefreshLogins);
    }
    super::status_ui(ui, status);
    let Some(logins) = logins else { return };
    let now_ms = clock::now_unix_ms();
    egui::Grid::new("logins")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for h in [Msg::Account, Msg::Address, Msg::Since, Msg::Status] {
                ui.label(RichText::new(h.text(lang)).strong());
            }
            ui.label("");
            ui.end_row();
            for l in logins {
                ui.label(&l.username);
                ui.label(&l.address);
                ui.label(clock::message_time_text(l.since, now_ms));
                ui.label(i18n::presence(lang, l.presence));
                if *confirm_kick == Some(l.agent_id) {
                    ui.horizontal(|ui| {
                        ui.label(i18n::confirm_kick(lang, &l.username));
                        if ui.button(Msg::Confirm.text(lang)).clicked() {
                            *confirm_kick = None;
                            intents.push(Intent::KickLogin(l.agent_id));
                        }
                        if ui.button(Msg::Cancel.text(lang)).clicked() {
                            *confirm_kick = None;
                        }
                    });
                } else if viewer.agent_id != Some(l.agent_id)
                    && viewer.role.is_some_and(|r| r.may_act_on(l.role))
                {
                    if ui.button(Msg::Kick.text(lang)).clicked() {
                        *confirm_kick = Some(l.agent_id);
                    }
                } else {
                    // The relay would refuse (M4): nothing to offer.
                    ui.label("");
                }
                ui.end_row();
            }
        });
}

/// The audit log (操作日志, R18): newest first, filtered by a text, older pages on demand.
fn audit_ui(
    ui: &mut egui::Ui,
    lang: Language,
    rows: Option<&[porpoise_protocol::wire::rpc::AuditRecord]>,
    filter: &mut String,
    more: bool,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal(|ui| {
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshAuditLog);
        }
        let l = ui.label(Msg::Filter.text(lang));
        ui.add(egui::TextEdit::singleline(filter).desired_width(200.0))
            .labelled_by(l.id);
    });
    super::status_ui(ui, status);
    let Some(rows) = rows else { return };
    let needle = filter.trim().to_lowercase();
    let shown = rows.iter().filter(|r| {
        needle.is_empty()
            || [&r.actor, &r.action, &r.target, &r.detail]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
            || i18n::audit_action(lang, &r.action).contains(filter.trim())
    });
    egui::ScrollArea::vertical()
        .max_height(420.0)
        .show(ui, |ui| {
            egui::Grid::new("audit-log")
                .num_columns(5)
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        Msg::When,
                        Msg::Who,
                        Msg::WhatDone,
                        Msg::Target,
                        Msg::Details,
                    ] {
                        ui.label(RichText::new(h.text(lang)).strong());
                    }
                    ui.end_row();
                    for r in shown {
                        ui.label(clock::date_time_text(r.at));
                        ui.label(i18n::audit_party(lang, &r.actor));
                        ui.label(i18n::audit_action(lang, &r.action));
                        ui.label(i18n::audit_party(lang, &r.target));
                        ui.label(i18n::audit_party(lang, &r.detail));
                        ui.end_row();
                    }
                });
            if more && ui.button(Msg::LoadMore.text(lang)).clicked() {
                intents.push(Intent::OlderAuditLog);
            }
        });
}
