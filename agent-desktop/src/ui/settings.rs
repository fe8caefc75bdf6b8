//! The personal settings dialog (A17): alert sounds, language, chat text size, the relay's
//! address and fingerprint for the next login, auto-away minutes and changing one's password.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{Request, MIN_PASSWORD_CHARS};
use porpoise_ui::Language;

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
                        super::call(outbox, Request::SetAutoAway(rpc::SetAutoAway { minutes }));
                    }
                });
                super::status_ui(ui, &d.auto_away_status);
                ui.separator();
            }
            preferences_ui(ui, lang, d, &mut ws.prefs);
            ui.separator();
            password_ui(ui, lang, d, outbox);
        });
    if !open {
        ws.settings_dialog = None;
    }
}

/// Sounds, language and text size apply at once; the connection settings are checked and
/// kept for the next login.
fn preferences_ui(
    ui: &mut egui::Ui,
    lang: Language,
    d: &mut SettingsDialog,
    prefs: &mut crate::prefs::Preferences,
) {
    use crate::prefs::{language_code, MAX_CHAT_FONT_SIZE, MIN_CHAT_FONT_SIZE};
    if ui
        .checkbox(&mut d.sounds, Msg::SoundsOn.text(lang))
        .changed()
    {
        prefs.sounds = d.sounds;
    }
    ui.horizontal(|ui| {
        let label = ui.label(Msg::LanguageLabel.text(lang));
        let before = d.language;
        egui::ComboBox::from_id_salt("settings-language")
            .selected_text(language_name(d.language))
            .show_ui(ui, |ui| {
                for l in [Language::ZhCn, Language::En] {
                    ui.selectable_value(&mut d.language, l, language_name(l));
                }
            })
            .response
            .labelled_by(label.id);
        if d.language != before {
            prefs.language = Some(language_code(d.language).to_owned());
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label(Msg::ChatFontSize.text(lang));
        let slider = egui::Slider::new(
            &mut d.chat_font_size,
            MIN_CHAT_FONT_SIZE..=MAX_CHAT_FONT_SIZE,
        )
        .step_by(1.0)
        .suffix(" pt");
        if ui.add(slider).labelled_by(label.id).changed() {
            prefs.chat_font_size = d.chat_font_size;
        }
    });
    ui.separator();
    ui.strong(Msg::ConnectionSettings.text(lang));
    egui::Grid::new("settings-connection")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label(Msg::RelayAddress.text(lang));
            ui.text_edit_singleline(&mut d.relay_addr)
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(Msg::Fingerprint.text(lang));
            ui.add(egui::TextEdit::singleline(&mut d.fingerprint).desired_width(320.0))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if ui.button(Msg::SaveForNextLogin.text(lang)).clicked() {
            match check_connection(lang, d) {
                Ok(fingerprint) => {
                    d.connection_error = None;
                    prefs.relay_addr = Some(d.relay_addr.trim().to_owned());
                    prefs.fingerprint = Some(fingerprint);
                }
                Err(e) => d.connection_error = Some(e),
            }
        }
        let saved = prefs.relay_addr.as_deref() == Some(d.relay_addr.trim())
            && d.connection_error.is_none()
            && !d.relay_addr.trim().is_empty();
        if saved {
            ui.label(egui::RichText::new(Msg::UsedAtNextLogin.text(lang)).weak());
        }
    });
    if let Some(e) = &d.connection_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => "简体中文",
        Language::En => "English",
    }
}

/// Checks the connection fields: the fingerprint as the relay prints it (normalised), or the
/// error text.
pub fn check_connection(lang: Language, d: &SettingsDialog) -> Result<String, String> {
    let addr = d.relay_addr.trim();
    if addr.is_empty() || !addr.contains(':') {
        return Err(Msg::BadRelayAddress.text(lang).to_owned());
    }
    d.fingerprint
        .trim()
        .parse::<porpoise_quic::tls::Fingerprint>()
        .map(|f| f.to_string())
        .map_err(|_| Msg::BadFingerprint.text(lang).to_owned())
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
                    Request::ChangePassword(rpc::ChangePassword {
                        old: d.old_password.clone(),
                        new: d.new_password.clone(),
                    }),
                );
            }
            Err(e) => d.password_status = Status::Failed(e),
        }
    }
}
