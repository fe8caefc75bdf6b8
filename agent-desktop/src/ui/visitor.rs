//! The customer panel next to the chat: visitor card (访客名片, A15) with one-click fills from
//! the customer's messages, customer tags (A13), and the context tab (A18, [`super::context`]).
//! Also the chat's message context menu for message tags (A13), [`message_context_menu`].

use egui::RichText;
use porpoise_protocol::wire::{MessageId, Party, SessionId, VisitorCard};
use porpoise_ui::Language;

use super::status_ui;
use crate::{
    contacts::{find_contacts, Contact},
    i18n::Msg,
    state::{CustomerPanel, CustomerView, Intent, Loadable, SessionTab},
};

/// Default width of the customer panel, in points.
pub const CUSTOMER_PANEL_WIDTH: f32 = 270.0;

/// The center's lists and endpoint the panel needs.
pub struct PanelCx<'a> {
    /// UI language.
    pub lang: Language,
    /// The center's customer tags.
    pub customer_tags: &'a [String],
    /// The center has a context endpoint (A18): show the context tab.
    pub has_context: bool,
}

/// Draws the customer panel of `tab`; asks for the profile the first time
/// ([`Intent::LoadCustomerProfile`]). The card is edited as a copy; changes and clicks are
/// reported as intents.
pub fn customer_panel_ui(
    ui: &mut egui::Ui,
    cx: &PanelCx<'_>,
    tab: &SessionTab,
    intents: &mut Vec<Intent>,
) {
    let lang = cx.lang;
    let session_id = tab.session_id;
    if tab.customer.profile == Loadable::NotAsked {
        intents.push(Intent::LoadCustomerProfile(session_id));
    }
    ui.horizontal(|ui| {
        let mut view = tab.customer.view;
        ui.selectable_value(&mut view, CustomerView::Card, Msg::CardTitle.text(lang));
        if cx.has_context {
            ui.selectable_value(&mut view, CustomerView::Context, Msg::CtxTitle.text(lang));
        }
        if view != tab.customer.view {
            intents.push(Intent::ShowCustomerView { session_id, view });
        }
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt(("customer-panel", session_id))
        .show(ui, |ui| match tab.customer.view {
            CustomerView::Context if cx.has_context => {
                super::context::context_ui(ui, lang, tab, intents)
            }
            _ => match &tab.customer.profile {
                Loadable::Failed(e) => {
                    ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
                    if ui.button(Msg::Refresh.text(lang)).clicked() {
                        intents.push(Intent::ReloadCustomerProfile(session_id));
                    }
                }
                Loadable::NotAsked | Loadable::Loading => {
                    ui.label(RichText::new(Msg::Loading.text(lang)).weak());
                }
                Loadable::Loaded(()) => {
                    card_ui(ui, lang, tab, intents);
                    ui.separator();
                    customer_tags_ui(
                        ui,
                        lang,
                        cx.customer_tags,
                        session_id,
                        &tab.customer,
                        intents,
                    );
                }
            },
        });
}

/// The card's fields, the contacts found in the customer's messages, and Save.
fn card_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab, intents: &mut Vec<Intent>) {
    let found = find_contacts(
        tab.chat
            .iter()
            .filter(|e| e.message.from == Party::Customer)
            .map(|e| e.message.text.as_str()),
    );
    let panel = &tab.customer;
    let mut edited = panel.card.clone();
    let card = &mut edited;
    egui::Grid::new(("visitor-card", tab.session_id))
        .num_columns(2)
        .show(ui, |ui| {
            let fields: [(Msg, &mut String); 7] = [
                (Msg::Name, &mut card.name),
                (Msg::CardMobile, &mut card.mobile),
                (Msg::CardLandline, &mut card.landline),
                (Msg::CardEmail, &mut card.email),
                (Msg::CardQqWechat, &mut card.qq_wechat),
                (Msg::CardCompany, &mut card.company),
                (Msg::CardAddress, &mut card.address),
            ];
            for (label, value) in fields {
                let l = ui.label(label.text(lang));
                ui.add(egui::TextEdit::singleline(value).desired_width(160.0))
                    .labelled_by(l.id);
                ui.end_row();
            }
            let l = ui.label(Msg::CardNotes.text(lang));
            ui.add(
                egui::TextEdit::multiline(&mut card.notes)
                    .desired_rows(2)
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    let offers: Vec<Contact> = found
        .into_iter()
        .filter(|c| field_of(card, c).as_str() != c.value())
        .collect();
    if !offers.is_empty() {
        ui.label(RichText::new(Msg::CardFound.text(lang)).small().weak());
        ui.horizontal_wrapped(|ui| {
            for c in offers {
                let label = format!("{}: {}", contact_label(lang, &c), c.value());
                if ui.small_button(label).clicked() {
                    *field_of(card, &c) = c.value().to_owned();
                }
            }
        });
    }
    let session_id = tab.session_id;
    if edited != panel.card {
        intents.push(Intent::EditCard {
            session_id,
            card: Box::new(edited),
        });
    }
    status_ui(ui, &panel.card_status);
    if ui
        .add_enabled(
            !panel.card_status.busy(),
            egui::Button::new(Msg::CardSave.text(lang)),
        )
        .clicked()
    {
        intents.push(Intent::SaveCard { session_id, lang });
    }
}

/// The card field a contact fills.
fn field_of<'a>(card: &'a mut VisitorCard, c: &Contact) -> &'a mut String {
    match c {
        Contact::Mobile(_) => &mut card.mobile,
        Contact::Landline(_) => &mut card.landline,
        Contact::Email(_) => &mut card.email,
        Contact::Qq(_) => &mut card.qq_wechat,
    }
}

fn contact_label(lang: Language, c: &Contact) -> &'static str {
    match c {
        Contact::Mobile(_) => Msg::CardMobile,
        Contact::Landline(_) => Msg::CardLandline,
        Contact::Email(_) => Msg::CardEmail,
        Contact::Qq(_) => Msg::CardQqWechat,
    }
    .text(lang)
}

/// Checkboxes of the center's customer tags; a change is reported at once
/// ([`Intent::SetCustomerTags`]).
fn customer_tags_ui(
    ui: &mut egui::Ui,
    lang: Language,
    allowed: &[String],
    session_id: SessionId,
    panel: &CustomerPanel,
    intents: &mut Vec<Intent>,
) {
    ui.label(RichText::new(Msg::TagsCustomer.text(lang)).strong());
    let mut tags = panel.customer_tags.clone();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        for tag in allowed {
            let mut on = tags.contains(tag);
            if ui.checkbox(&mut on, tag).changed() {
                toggle(&mut tags, tag, on);
                changed = true;
            }
        }
    });
    status_ui(ui, &panel.tags_status);
    if changed {
        intents.push(Intent::SetCustomerTags { session_id, tags });
    }
}

fn toggle(tags: &mut Vec<String>, tag: &str, on: bool) {
    tags.retain(|t| t != tag);
    if on {
        tags.push(tag.to_owned());
    }
}

/// The right-click menu of one chat message: the center's message tags as checkboxes (A13).
/// A change is reported as [`Intent::TagMessage`] (which sends `SetMessageTags`); the tab's
/// tags change when the relay confirms it (`state/answers.rs`). Call it with the message
/// label's response (the label needs `Sense::click()`), with `allowed` =
/// `ws.settings().records.message_tags`:
/// `message_context_menu(&label, lang, tab.session_id, m.message_id, &tab.customer, allowed, intents)`.
pub fn message_context_menu(
    response: &egui::Response,
    lang: Language,
    session_id: SessionId,
    message_id: MessageId,
    panel: &CustomerPanel,
    allowed: &[String],
    intents: &mut Vec<Intent>,
) {
    if let Some(tags) = tags_menu(response, lang, panel.tags_of(message_id), allowed) {
        intents.push(Intent::TagMessage {
            session_id,
            message_id,
            tags,
        });
    }
}

/// Like [`message_context_menu`] for the chat history: a change is reported as
/// [`Intent::TagMessage`]. The allowed tags are the center's, copied into the tab by
/// [`customer_side_ui`]. One line in the chat:
/// `crate::ui::visitor::message_tags_menu(&label, lang, tab, m.message_id, intents);`
pub fn message_tags_menu(
    response: &egui::Response,
    lang: Language,
    tab: &SessionTab,
    message_id: MessageId,
    intents: &mut Vec<Intent>,
) {
    let panel = &tab.customer;
    if let Some(tags) = tags_menu(response, lang, panel.tags_of(message_id), &panel.tag_list) {
        intents.push(Intent::TagMessage {
            session_id: tab.session_id,
            message_id,
            tags,
        });
    }
}

/// The tag checkboxes of a message's context menu; the new tag list when one changed.
fn tags_menu(
    response: &egui::Response,
    lang: Language,
    current: &[String],
    allowed: &[String],
) -> Option<Vec<String>> {
    if allowed.is_empty() {
        return None;
    }
    let mut changed = None;
    response.context_menu(|ui| {
        ui.label(RichText::new(Msg::TagsMessage.text(lang)).strong());
        let mut tags = current.to_vec();
        for tag in allowed {
            let mut on = tags.contains(tag);
            if ui.checkbox(&mut on, tag).changed() {
                toggle(&mut tags, tag, on);
                changed = Some(tags.clone());
            }
        }
        if changed.is_some() {
            ui.close();
        }
    });
    changed
}

/// The tags of one message as small labels (nothing when it has none).
pub fn message_tags_ui(ui: &mut egui::Ui, panel: &CustomerPanel, message_id: MessageId) {
    let tags = panel.tags_of(message_id);
    if tags.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for tag in tags {
            ui.label(
                RichText::new(format!("#{tag}"))
                    .small()
                    .color(ui.visuals().hyperlink_color),
            );
        }
    });
}

/// Narrowest work area (points) that shows this panel beside the open quick replies (A8) and a
/// usable chat; narrower ones fold it.
pub const MIN_WIDTH_WITH_QUICK_REPLIES: f32 = 1000.0;

/// The customer side panel of the selected session (right of the work area): Support record
/// button, then the customer panel; a narrow strip with a button while hidden (or while the
/// quick replies are open in a narrow work area).
pub fn customer_side_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &crate::state::Workspace,
    selected: SessionId,
    intents: &mut Vec<Intent>,
) {
    let customer_tags = &ws.settings().records.customer_tags;
    let has_context = ws.settings().context_endpoint.is_some();
    let Some(tab) = ws.session(selected) else {
        return;
    };
    // With the quick replies open too, a narrow work area keeps this panel folded so that the
    // chat between them stays usable; unfolding it closes the quick replies.
    let crowded = ws.library().open && ui.available_width() < MIN_WIDTH_WITH_QUICK_REPLIES;
    if tab.customer.hidden || crowded {
        egui::Panel::right(("customer-strip", selected))
            .resizable(false)
            .show(ui, |ui| {
                if ui
                    .button(format!("« {}", Msg::CustPanel.text(lang)))
                    .clicked()
                {
                    intents.push(Intent::ShowCustomerPanel(selected));
                }
            });
        return;
    }
    egui::Panel::right(("customer-panel", selected))
        .resizable(true)
        .default_size(CUSTOMER_PANEL_WIDTH)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                super::record::record_button_ui(ui, lang, tab, intents);
                if ui
                    .button("»")
                    .on_hover_text(Msg::CustPanel.text(lang))
                    .clicked()
                {
                    intents.push(Intent::HideCustomerPanel(selected));
                }
            });
            let cx = PanelCx {
                lang,
                customer_tags,
                has_context,
            };
            customer_panel_ui(ui, &cx, tab, intents);
        });
}
