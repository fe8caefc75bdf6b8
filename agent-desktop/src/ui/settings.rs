//! The personal settings dialog (A17 basics): auto-away minutes and changing one's password.

use porpoise_shared::{
    ui::Language,
    wire::{Request, MIN_PASSWORD_CHARS},
};

use super::Outbox;
use crate::{
    i18n::{self, Msg},
    state::{SettingsDialog, Status, Workspace},
};

/// Most auto-away minutes offered (8 hours).
pub const MAX_AUTO_AWAY_MIN: u16 = 480;

/// Checks the password fields; the error text if they are not acceptable.
pub fn check_new_password(lang: Language, d: &SettingsDialog) -> Result<(), String> {
    if d.old_password.is_empty() {
        return Err(Msg::MissingPassword.text(lang).to_owned());
    }
    if d.new_password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(i18n::password_too_short(lang));
    }
    if d.new_password != d.repeat_password {
        return Err(Msg::PasswordsDiffer.text(lang).to_owned());
    }
    Ok(())
}

/// Draws the dialog while open.
pub fn settings_dialog_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &mut Workspace,
    outbox: &mut Outbox,
) {
    let serves = ws.serves();
    let Some(d) = ws.settings_dialog.as_mut() else {
        return;
    };
    let mut open = true;
    egui::Window::new(Msg::Settings.text(lang))
        .id(egui::Id::unique("settings-dialog"))
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .collapsible(false)
        .open(&mut open)
        .show(ctx, |ui| {
            if serves {
                ui.horizontal(|ui| {
                    ui.checkbox(&mut d.auto_away_on, Msg::AutoAway.text(lang));
                    let minutes = ui.add_enabled(
                        d.auto_away_on,
                        egui::DragValue::new(&mut d.auto_away_min).range(1..=MAX_AUTO_AWAY_MIN),
                    );
                    let unit = ui.label(Msg::AfterMinutes.text(lang));
                    minutes.labelled_by(unit.id);
                    let save = ui.add_enabled(
                        !d.auto_away_status.busy(),
                        egui::Button::new(Msg::Save.text(lang)),
                    );
                    if save.clicked() {
                        d.auto_away_status = Status::Busy;
                        let minutes = d.auto_away_on.then_some(d.auto_away_min);
                        super::call(outbox, Request::SetAutoAway { minutes });
                    }
                });
                super::status_ui(ui, &d.auto_away_status);
                ui.separator();
            }
            password_ui(ui, lang, d, outbox);
        });
    if !open {
        ws.settings_dialog = None;
    }
}

fn password_ui(ui: &mut egui::Ui, lang: Language, d: &mut SettingsDialog, outbox: &mut Outbox) {
    ui.strong(Msg::ChangePassword.text(lang));
    egui::Grid::new("password-grid")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, text) in [
                (Msg::OldPassword, &mut d.old_password),
                (Msg::NewPassword, &mut d.new_password),
                (Msg::RepeatPassword, &mut d.repeat_password),
            ] {
                let l = ui.label(label.text(lang));
                ui.add(egui::TextEdit::singleline(text).password(true))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    super::status_ui(ui, &d.password_status);
    let button = ui.add_enabled(
        !d.password_status.busy(),
        egui::Button::new(Msg::ChangePassword.text(lang)),
    );
    if button.clicked() {
        match check_new_password(lang, d) {
            Ok(()) => {
                d.password_status = Status::Busy;
                super::call(
                    outbox,
                    Request::ChangePassword {
                        old: d.old_password.clone(),
                        new: d.new_password.clone(),
                    },
                );
            }
            Err(e) => d.password_status = Status::Failed(e),
        }
    }
}
