//! The session-code dialog (A16): the 6 digits large, their expiry countdown and Copy.

use egui::RichText;
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::{self, Msg},
    state::{Intent, SessionCodeDialog, Workspace},
};

/// Size of the code's digits, in points.
pub const CODE_TEXT_SIZE: f32 = 44.0;

/// Draws the dialog while open.
pub fn session_code_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let Some(dialog) = ws.session_code() else {
        return;
    };
    let mut open = true;
    let mut again = false;
    egui::Window::new(Msg::SessionCode.text(lang))
        .id(egui::Id::unique("session-code"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .open(&mut open)
        .show(ctx, |ui| match dialog {
            SessionCodeDialog::Requesting => {
                ui.label(RichText::new(Msg::Loading.text(lang)).weak());
            }
            SessionCodeDialog::Failed(error) => {
                ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
                again = ui.button(Msg::NewCode.text(lang)).clicked();
            }
            SessionCodeDialog::Shown { code, expires_at } => {
                let left_ms = expires_at - clock::now_unix_ms();
                ui.vertical_centered(|ui| {
                    ui.label(
                        RichText::new(code)
                            .monospace()
                            .strong()
                            .size(CODE_TEXT_SIZE),
                    );
                });
                if left_ms > 0 {
                    ui.label(i18n::with_detail(
                        lang,
                        Msg::CodeValidity,
                        &clock::wait_text(left_ms),
                    ));
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(500));
                } else {
                    ui.label(
                        RichText::new(Msg::CodeExpired.text(lang))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.label(RichText::new(Msg::SessionCodeHint.text(lang)).weak());
                ui.horizontal(|ui| {
                    if ui.button(Msg::Copy.text(lang)).clicked() {
                        ui.ctx().copy_text(code.clone());
                    }
                    again = ui.button(Msg::NewCode.text(lang)).clicked();
                });
            }
        });
    if again {
        intents.push(Intent::RequestSessionCode);
    } else if !open {
        intents.push(Intent::CloseSessionCode);
    }
}
