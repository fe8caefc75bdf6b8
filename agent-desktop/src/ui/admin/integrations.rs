//! The integrations page (系统集成, R17): the center's app ID and signing key (shown once,
//! rotated with a confirmation), the webhook (URL, events, on/off, test event) and the
//! delivery log with Retry for failed deliveries. The relay checks the permission and the URL.

use egui::RichText;
use porpoise_protocol::wire::{
    AppCredentials, DeliveryStatus, IntegrationPage, WebhookDelivery, WebhookEvent, WebhookSettings,
};
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::Msg,
    state::{Intent, Status},
};

/// The label of an event in the UI language.
pub fn event_label(event: WebhookEvent) -> Msg {
    match event {
        WebhookEvent::SessionStarted => Msg::EventSessionStarted,
        WebhookEvent::SessionEnded => Msg::EventSessionEnded,
        WebhookEvent::SessionTransferred => Msg::EventSessionTransferred,
        WebhookEvent::OfflineMessageLeft => Msg::EventOfflineMessage,
        WebhookEvent::SurveyAnswered => Msg::EventSurveyAnswered,
        WebhookEvent::Test => Msg::EventTest,
    }
}

fn status_label(status: DeliveryStatus) -> (Msg, egui::Color32) {
    match status {
        DeliveryStatus::Pending => (
            Msg::DeliveryPending,
            egui::Color32::from_rgb(0xB0, 0x7A, 0x00),
        ),
        DeliveryStatus::Delivered => (
            Msg::DeliveryDelivered,
            egui::Color32::from_rgb(0x2E, 0x7D, 0x32),
        ),
        DeliveryStatus::Failed => (
            Msg::DeliveryFailed,
            egui::Color32::from_rgb(0xC6, 0x28, 0x28),
        ),
    }
}

/// `HTTP 500`, the failure text, or nothing.
fn last_result(d: &WebhookDelivery) -> String {
    match (d.last_status, d.last_error.is_empty()) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, false) => d.last_error.clone(),
        (None, true) => String::new(),
    }
}

/// The key section: app ID, when the key was made, a new key shown once with Copy, and
/// Create / Rotate (confirmed).
fn key_ui(
    ui: &mut egui::Ui,
    lang: Language,
    page: &IntegrationPage,
    new_key: Option<&AppCredentials>,
    confirm_rotate: &mut bool,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    egui::Grid::new("integration-key")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(Msg::AppId.text(lang));
            match &page.app_id {
                Some(id) => {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(id).monospace());
                        if ui.small_button(Msg::Copy.text(lang)).clicked() {
                            ui.ctx().copy_text(id.clone());
                        }
                    });
                }
                None => {
                    ui.label(Msg::NoSigningKey.text(lang));
                }
            }
            ui.end_row();
            ui.label(Msg::SigningKey.text(lang));
            match page.key_created_at {
                Some(at) => ui.label(format!(
                    "{} {}",
                    Msg::KeyCreatedAt.text(lang),
                    clock::date_time_text(at)
                )),
                None => ui.label(Msg::NoSigningKey.text(lang)),
            };
            ui.end_row();
        });
    if let Some(creds) = new_key {
        ui.group(|ui| {
            ui.label(RichText::new(Msg::KeyShownOnce.text(lang)).strong());
            ui.horizontal(|ui| {
                ui.label(RichText::new(&creds.signing_key).monospace());
                if ui.button(Msg::Copy.text(lang)).clicked() {
                    ui.ctx().copy_text(creds.signing_key.clone());
                }
            });
        });
    }
    ui.horizontal(|ui| {
        if page.app_id.is_none() {
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::CreateKey.text(lang)))
                .clicked()
            {
                intents.push(Intent::RotateSigningKey);
            }
        } else if *confirm_rotate {
            ui.label(Msg::RotateWarning.text(lang));
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::Confirm.text(lang)))
                .clicked()
            {
                intents.push(Intent::RotateSigningKey);
            }
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                *confirm_rotate = false;
            }
        } else if ui
            .add_enabled(!busy, egui::Button::new(Msg::RotateKey.text(lang)))
            .clicked()
        {
            *confirm_rotate = true;
        }
    });
}

/// The webhook form: URL, events, on/off; Save and Send test event.
fn webhook_ui(
    ui: &mut egui::Ui,
    lang: Language,
    draft: &mut WebhookSettings,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    egui::Grid::new("integration-webhook")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(Msg::WebhookUrlLabel.text(lang));
            ui.add(
                egui::TextEdit::singleline(&mut draft.url)
                    .hint_text("https://crm.example.com/porpoise")
                    .desired_width(380.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label(Msg::WebhookEvents.text(lang));
            ui.horizontal_wrapped(|ui| {
                for event in WebhookEvent::SUBSCRIBABLE {
                    let mut on = draft.events.contains(&event);
                    if ui
                        .checkbox(&mut on, event_label(event).text(lang))
                        .changed()
                    {
                        if on {
                            draft.events.push(event);
                        } else {
                            draft.events.retain(|e| *e != event);
                        }
                    }
                }
            });
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut draft.enabled, Msg::WebhookEnabled.text(lang));
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(Msg::Save.text(lang)))
            .clicked()
        {
            intents.push(Intent::SaveWebhook);
        }
        if ui
            .add_enabled(!busy, egui::Button::new(Msg::SendTestEvent.text(lang)))
            .clicked()
        {
            intents.push(Intent::SendTestWebhook);
        }
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshIntegration);
        }
    });
    ui.label(RichText::new(Msg::SignatureHelp.text(lang)).small().weak());
}

/// The delivery log, newest first, with Retry on failed rows.
fn log_ui(ui: &mut egui::Ui, lang: Language, rows: &[WebhookDelivery], intents: &mut Vec<Intent>) {
    ui.label(RichText::new(Msg::DeliveryLog.text(lang)).strong());
    if rows.is_empty() {
        ui.label(Msg::NoDeliveries.text(lang));
        return;
    }
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("delivery-log")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        Msg::When,
                        Msg::DeliveryEvent,
                        Msg::DeliveryStatusColumn,
                        Msg::Attempts,
                        Msg::LastResult,
                    ] {
                        ui.label(RichText::new(h.text(lang)).strong());
                    }
                    ui.label("");
                    ui.end_row();
                    for d in rows {
                        ui.label(clock::date_time_text(d.created_at));
                        ui.label(event_label(d.event).text(lang));
                        let (text, colour) = status_label(d.status);
                        ui.label(RichText::new(text.text(lang)).color(colour));
                        ui.label(d.attempts.to_string());
                        ui.label(last_result(d));
                        if d.status == DeliveryStatus::Failed {
                            if ui.small_button(Msg::Retry.text(lang)).clicked() {
                                intents.push(Intent::RetryDelivery(d.id));
                            }
                        } else {
                            ui.label("");
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The whole page (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn integrations_ui(
    ui: &mut egui::Ui,
    lang: Language,
    page: Option<&IntegrationPage>,
    draft: &mut WebhookSettings,
    new_key: Option<&AppCredentials>,
    confirm_rotate: &mut bool,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    let Some(page) = page else {
        super::super::status_ui(ui, status);
        return;
    };
    let busy = status.busy();
    key_ui(ui, lang, page, new_key, confirm_rotate, busy, intents);
    ui.separator();
    webhook_ui(ui, lang, draft, busy, intents);
    super::super::status_ui(ui, status);
    ui.separator();
    log_ui(ui, lang, &page.deliveries, intents);
}
