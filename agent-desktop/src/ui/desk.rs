//! The logged-in layout (A2): top bar with the personal area, the task list on the left (queue
//! and offline messages), colleagues on the right, sessions in the middle, and the popups and
//! dialogs over it.

use egui::RichText;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::ServiceMode;
use porpoise_ui::Language;

use super::Outbox;
use crate::{
    clock,
    i18n::{self, Msg},
    state::{AdminDialog, SessionCodeDialog, SettingsDialog, Status, Workspace},
};

/// Default width of the task panel (queue and offline messages), in points.
pub const QUEUE_PANEL_WIDTH: f32 = 330.0;
/// Default width of the colleagues panel, in points.
pub const AGENTS_PANEL_WIDTH: f32 = 210.0;

/// Draws the work area; returns true if the agent logged out. `now_s` is the UI clock (s).
pub fn working_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &mut Workspace,
    now_s: f64,
    outbox: &mut Outbox,
) -> bool {
    let mut logout = false;
    egui::Panel::top("top-bar").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.strong(Msg::AppName.text(lang));
            ui.separator();
            ui.label(i18n::logged_in_as(lang, &ws.display_name));
            if ws.serves() {
                ui.separator();
                super::personal::presence_ui(ui, lang, ws, outbox);
            }
            ui.separator();
            toolbar_ui(ui, lang, ws, outbox);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                logout = ui.button(Msg::LogOut.text(lang)).clicked();
            });
        });
        if let Some(error) = &ws.presence_error {
            ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
        }
        if let crate::state::Link::Reconnecting { attempt, .. } = &ws.link {
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
            super::queue::queue_ui(ui, lang, ws, now_ms, outbox);
            ui.add_space(12.0);
            super::tasks::offline_ui(ui, lang, ws, now_ms, outbox);
        });
    egui::Panel::right("agents-panel")
        .resizable(true)
        .default_size(AGENTS_PANEL_WIDTH)
        .show(ui, |ui| super::agents::agents_ui(ui, lang, ws));
    egui::CentralPanel::default().show(ui, |ui| {
        super::session::sessions_ui(ui, lang, ws, outbox);
    });
    windows_ui(ui.ctx(), lang, ws, now_s, outbox);
    logout
}

/// Settings, session code and the admin menu.
fn toolbar_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    if ui.button(Msg::Settings.text(lang)).clicked() {
        ws.settings_dialog =
            Some(SettingsDialog::new(ws.auto_away_min).with_prefs(&ws.prefs, lang));
    }
    if ws.serves() && ws.settings.service_mode == ServiceMode::SessionCode {
        let requesting = matches!(ws.session_code, Some(SessionCodeDialog::Requesting));
        let button = egui::Button::new(Msg::GetSessionCode.text(lang));
        if ui.add_enabled(!requesting, button).clicked() {
            ws.session_code = Some(SessionCodeDialog::Requesting);
            super::call(
                outbox,
                porpoise_protocol::wire::Request::CreateSessionCode(rpc::CreateSessionCode),
            );
        }
    }
    if ws.manages() {
        ui.menu_button(Msg::Admin.text(lang), |ui| {
            if ui.button(Msg::LiveLogins.text(lang)).clicked() {
                ws.admin = Some(AdminDialog::Logins {
                    logins: None,
                    confirm_kick: None,
                    status: Status::Busy,
                });
                super::call(
                    outbox,
                    porpoise_protocol::wire::Request::ListLogins(rpc::ListLogins),
                );
            }
            if ui.button(Msg::ResetPassword.text(lang)).clicked() {
                ws.admin = Some(AdminDialog::ResetPassword {
                    agent_id: None,
                    password: String::new(),
                    status: Status::Idle,
                });
            }
            if ui.button(Msg::ServiceSettings.text(lang)).clicked() {
                ws.admin = Some(AdminDialog::CenterSettings {
                    draft: None,
                    status: Status::Busy,
                });
                super::call(
                    outbox,
                    porpoise_protocol::wire::Request::GetCenterSettings(rpc::GetCenterSettings),
                );
            }
        });
    }
}

/// Popups, dialogs and notices over the work area.
fn windows_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &mut Workspace,
    now_s: f64,
    outbox: &mut Outbox,
) {
    super::offers::offers_ui(ctx, lang, ws, now_s, outbox);
    super::offers::transfer_prompts_ui(ctx, lang, ws, now_s, outbox);
    super::code::session_code_ui(ctx, lang, ws, outbox);
    super::transfer::transfer_dialog_ui(ctx, lang, ws, outbox);
    super::settings::settings_dialog_ui(ctx, lang, ws, outbox);
    super::agents::agent_chat_ui(ctx, lang, ws, outbox);
    super::admin::admin_ui(ctx, lang, ws, outbox);
    notices_ui(ctx, ws);
}

/// Short notices at the bottom right.
fn notices_ui(ctx: &egui::Context, ws: &Workspace) {
    if ws.notices.is_empty() {
        return;
    }
    egui::Area::new(egui::Id::unique("notices"))
        .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
        .show(ctx, |ui| {
            for notice in &ws.notices {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(&notice.text);
                });
            }
        });
    if let Some(next) = ws.notices.iter().map(|n| n.until_s).reduce(f64::min) {
        let now = ctx.input(|i| i.time);
        ctx.request_repaint_after(std::time::Duration::from_secs_f64((next - now).max(0.05)));
    }
}
