//! The personal settings dialog (A17): alert sounds, language, chat text size, the relay's
//! address and fingerprint for the next login, auto-away minutes and changing one's password.

use porpoise_ui::Language;

use crate::{
    i18n::Msg,
    state::{Intent, SettingsDialog, Workspace},
};

pub use crate::state::{check_connection, check_new_password};

/// Most auto-away minutes offered (8 hours).
pub const MAX_AUTO_AWAY_MIN: u16 = 480;

/// Draws the dialog while open. Its fields are edited as a copy, reported with
/// [`Intent::EditSettings`] when changed; the preferences that apply at once and the buttons
/// have their own intents.
pub fn settings_dialog_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let serves = ws.serves();
    let Some(shown) = ws.settings_dialog() else {
        return;
    };
    let mut d = shown.clone();
    let mut clicks = Vec::new();
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
                        clicks.push(Intent::SaveAutoAway);
                    }
                });
                super::status_ui(ui, &d.auto_away_status);
                ui.separator();
            }
            preferences_ui(ui, lang, &mut d, ws.prefs(), &mut clicks);
            ui.separator();
            password_ui(ui, lang, &mut d, &mut clicks);
        });
    // The edited fields first: the buttons act on them.
    if d != *shown {
        intents.push(Intent::EditSettings(Box::new(d)));
    }
    intents.extend(clicks);
    if !open {
        intents.push(Intent::CloseSettings);
    }
}

/// Sounds, language and text size apply at once; the connection settings are checked and
/// kept for the next login.
fn preferences_ui(
    ui: &mut egui::Ui,
    lang: Language,
    d: &mut SettingsDialog,
    prefs: &crate::prefs::Preferences,
    intents: &mut Vec<Intent>,
) {
    use crate::prefs::{MAX_CHAT_FONT_SIZE, MIN_CHAT_FONT_SIZE};
    if ui
        .checkbox(&mut d.sounds, Msg::SoundsOn.text(lang))
        .changed()
    {
        intents.push(Intent::SetSounds(d.sounds));
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
            intents.push(Intent::SetLanguage(d.language));
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
            intents.push(Intent::SetChatFontSize(d.chat_font_size));
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
            intents.push(Intent::SaveConnection { lang });
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

fn password_ui(
    ui: &mut egui::Ui,
    lang: Language,
    d: &mut SettingsDialog,
    intents: &mut Vec<Intent>,
) {
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
        intents.push(Intent::ChangePassword { lang });
    }
}
