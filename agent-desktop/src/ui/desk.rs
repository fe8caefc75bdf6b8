//! The logged-in layout (A2): top bar with the personal area, the task list on the left (queue
//! and offline messages), colleagues on the right, sessions in the middle, and the popups and
//! dialogs over it.

use egui::RichText;
use porpoise_protocol::wire::ServiceMode;
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::{self, Msg},
    state::{AdminWindow, Intent, SessionCodeDialog, Workspace},
};

/// Default width of the task panel (queue and offline messages), in points.
pub const QUEUE_PANEL_WIDTH: f32 = 330.0;
/// Default width of the colleagues panel, in points.
pub const AGENTS_PANEL_WIDTH: f32 = 210.0;

/// Draws the work area from `ws` and the panels' own `tools`; what the agent did is reported
/// to `intents` (see [`crate::ui`]). `now_s` is the UI clock (s).
pub fn working_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    tools: &mut super::SessionTools,
    now_s: f64,
    intents: &mut Vec<Intent>,
) {
    egui::Panel::top("top-bar").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.strong(Msg::AppName.text(lang));
            ui.separator();
            ui.label(i18n::logged_in_as(lang, ws.display_name()));
            if ws.serves() {
                ui.separator();
                super::personal::presence_ui(ui, lang, ws, intents);
            }
            ui.separator();
            toolbar_ui(ui, lang, ws, intents);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(Msg::LogOut.text(lang)).clicked() {
                    intents.push(Intent::LogOut);
                }
            });
        });
        if let Some(error) = ws.presence_error() {
            ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
        }
        if let crate::state::Link::Reconnecting { attempt, .. } = ws.link() {
            let text = i18n::reconnecting(lang, *attempt);
            ui.label(
                RichText::new(text)
                    .strong()
                    .color(ui.visuals().warn_fg_color),
            );
        }
    });
    egui::Panel::left("queue-panel")
        .resizable(true)
        .default_size(QUEUE_PANEL_WIDTH)
        .show(ui, |ui| {
            let now_ms = clock::now_unix_ms();
            super::queue::queue_ui(ui, lang, ws, now_ms, intents);
            ui.add_space(12.0);
            super::tasks::offline_ui(ui, lang, ws, now_ms, intents);
        });
    egui::Panel::right("agents-panel")
        .resizable(true)
        .default_size(AGENTS_PANEL_WIDTH)
        .show(ui, |ui| super::agents::agents_ui(ui, lang, ws, intents));
    egui::CentralPanel::default().show(ui, |ui| {
        super::session::sessions_ui(ui, lang, ws, tools, intents);
    });
    // The customers' screens, each in its own window (issue 15).
    super::remote::remote_windows_ui(ui.ctx(), lang, ws, tools, intents);
    windows_ui(
        ui.ctx(),
        lang,
        ws,
        &mut tools.knowledge_pictures,
        now_s,
        intents,
    );
    // Knowledge-base pictures (A8, M7): the large view of a clicked one, and fetches.
    tools
        .knowledge_pictures
        .viewer_ui(ui.ctx(), super::chat::picture_labels(lang));
    for (id, _) in tools.knowledge_pictures.take_wanted() {
        intents.push(Intent::FetchKnowledgePicture(id));
    }
}

/// Settings, session code and the admin menu.
fn toolbar_ui(ui: &mut egui::Ui, lang: Language, ws: &Workspace, intents: &mut Vec<Intent>) {
    if ui.button(Msg::Settings.text(lang)).clicked() {
        intents.push(Intent::OpenSettings { lang });
    }
    if ws.serves() && ws.settings().service_mode == ServiceMode::SessionCode {
        let requesting = matches!(ws.session_code(), Some(SessionCodeDialog::Requesting));
        let button = egui::Button::new(Msg::GetSessionCode.text(lang));
        if ui.add_enabled(!requesting, button).clicked() {
            intents.push(Intent::RequestSessionCode);
        }
    }
    // Each page needs its permission (M4); the relay checks them again.
    let windows = admin_windows(ws);
    if !windows.is_empty() {
        ui.menu_button(Msg::Admin.text(lang), |ui| {
            let windows = windows.iter().copied();
            for (label, window) in windows {
                if ui.button(label.text(lang)).clicked() {
                    intents.push(Intent::OpenAdmin(window));
                }
            }
        });
    }
}

/// The admin pages this account may open, in menu order.
fn admin_windows(ws: &Workspace) -> Vec<(Msg, AdminWindow)> {
    use crate::state::DirectoryPage;
    use porpoise_protocol::wire::Permission;
    let pages = [
        (
            Permission::ManageAccounts,
            Msg::Accounts,
            AdminWindow::Directory(DirectoryPage::Accounts),
        ),
        (
            Permission::ManageSettings,
            Msg::Groups,
            AdminWindow::Directory(DirectoryPage::Groups),
        ),
        (
            Permission::ManageSettings,
            Msg::ProductTypes,
            AdminWindow::Directory(DirectoryPage::ProductTypes),
        ),
        (
            Permission::ManageSettings,
            Msg::Roles,
            AdminWindow::Directory(DirectoryPage::Roles),
        ),
        (
            Permission::ManageSettings,
            Msg::AccountInfo,
            AdminWindow::Directory(DirectoryPage::AccountInfo),
        ),
        (
            Permission::MonitorAgents,
            Msg::LiveLogins,
            AdminWindow::Logins,
        ),
        (
            Permission::ManageAccounts,
            Msg::ResetPassword,
            AdminWindow::ResetPassword,
        ),
        (
            Permission::ManageSettings,
            Msg::ServiceSettings,
            AdminWindow::CenterSettings,
        ),
        (
            Permission::ManageSettings,
            Msg::BrandingTitle,
            AdminWindow::Branding,
        ),
        (
            Permission::BlockCustomers,
            Msg::Blocklist,
            AdminWindow::Blocklist,
        ),
        (
            Permission::ManageLibrary,
            Msg::KnowledgeAdmin,
            AdminWindow::Knowledge,
        ),
        (
            Permission::ManageLibrary,
            Msg::CommonFilesAdmin,
            AdminWindow::CommonFiles,
        ),
        (
            Permission::ManageSettings,
            Msg::Integrations,
            AdminWindow::Integrations,
        ),
        (
            Permission::SeeAuditLog,
            Msg::AuditLog,
            AdminWindow::AuditLog,
        ),
    ];
    pages
        .into_iter()
        .filter(|(p, _, _)| ws.can(*p))
        .map(|(_, m, w)| (m, w))
        .collect()
}

/// Popups, dialogs and notices over the work area.
fn windows_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    knowledge_pictures: &mut porpoise_ui::chat_pictures::ChatPictures<super::KnowledgePictureKey>,
    now_s: f64,
    intents: &mut Vec<Intent>,
) {
    super::offers::offers_ui(ctx, lang, ws, now_s, intents);
    super::offers::transfer_prompts_ui(ctx, lang, ws, now_s, intents);
    super::code::session_code_ui(ctx, lang, ws, intents);
    super::transfer::transfer_dialog_ui(ctx, lang, ws, intents);
    super::settings::settings_dialog_ui(ctx, lang, ws, intents);
    super::agents::agent_chat_ui(ctx, lang, ws, intents);
    super::admin::admin_ui(ctx, lang, ws, knowledge_pictures, intents);
    notices_ui(ctx, ws);
}

/// Short notices at the bottom right.
fn notices_ui(ctx: &egui::Context, ws: &Workspace) {
    if ws.notices().is_empty() {
        return;
    }
    egui::Area::new(egui::Id::unique("notices"))
        .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
        .show(ctx, |ui| {
            for notice in ws.notices() {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(&notice.text);
                });
            }
        });
    if let Some(next) = ws.notices().iter().map(|n| n.until_s).reduce(f64::min) {
        let now = ctx.input(|i| i.time);
        ctx.request_repaint_after(std::time::Duration::from_secs_f64((next - now).max(0.05)));
    }
}
