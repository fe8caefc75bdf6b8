//! The personal area's presence selector (A2, R4): 在线 / 示忙 / 离开 / 离线.

use egui::RichText;
use porpoise_protocol::wire::Presence;
use porpoise_ui::Language;

use crate::{
    i18n,
    i18n::Msg,
    state::{Intent, Workspace},
};

/// The presences an agent may pick.
pub const CHOICES: [Presence; 4] = [
    Presence::Online,
    Presence::Busy,
    Presence::Away,
    Presence::Offline,
];

/// The color of a presence dot.
pub fn presence_color(p: Presence) -> egui::Color32 {
    match p {
        Presence::Online => egui::Color32::from_rgb(40, 170, 70),
        Presence::Busy => egui::Color32::from_rgb(220, 60, 50),
        Presence::Away => egui::Color32::from_rgb(230, 160, 30),
        Presence::Offline | Presence::Exited => egui::Color32::GRAY,
    }
}

/// The selector; picking another presence is reported as [`Intent::SetPresence`].
pub fn presence_ui(ui: &mut egui::Ui, lang: Language, ws: &Workspace, intents: &mut Vec<Intent>) {
    let Some(current) = ws.presence() else { return };
    let shown = ws.presence_change().map_or(current, |(p, _)| p);
    ui.label(RichText::new("●").color(presence_color(shown)));
    let mut picked = shown;
    egui::ComboBox::from_label(Msg::Status.text(lang))
        .selected_text(i18n::presence(lang, shown))
        .show_ui(ui, |ui| {
            for p in CHOICES {
                ui.selectable_value(&mut picked, p, i18n::presence(lang, p));
            }
        });
    if ws.presence_change().is_some() {
        ui.label(RichText::new("…").weak());
    }
    if picked != shown {
        intents.push(Intent::SetPresence(picked));
    }
}
