//! Chat of one session (A7): history with authors and times (once per 3-minute run), pending
//! marks until the relay stores a message, a tool row (emoji picker, text size, save
//! transcript) and the input where Enter sends and Ctrl+Enter inserts a new line.

use egui::{Key, KeyboardShortcut, Modifiers, RichText, TextEdit};
use porpoise_codec::chat_image;
use porpoise_protocol::wire::Party;
use porpoise_ui::{
    chat_pictures::{ChatPictures, Outgoing, PictureLabels},
    job::poll_slot,
    Language,
};

use crate::{
    clock, i18n,
    i18n::Msg,
    state::{Delivery, Intent, SessionPhase, SessionTab},
};

/// Rows of the chat input.
pub const INPUT_ROWS: usize = 3;
/// Step of the chat toolbar's text size buttons, points.
pub const FONT_STEP: f32 = 1.0;
/// The emoji offered by the picker: single code points, all in egui's bundled monochrome
/// emoji fonts (Noto Emoji, emoji-icon-font); a missing one fails the UI tests.
pub const EMOJI: &[&str] = &[
    "😀", "😃", "😄", "😁", "😆", "😊", "😉", "😍", "😘", "😋", "😜", "😂", "😅", "😭", "😢", "😞",
    "😔", "😡", "😮", "😱", "😳", "😴", "😎", "😇", "👍", "👎", "👌", "🙏", "👏", "💪", "👋", "👀",
    "❤", "💔", "🎉", "🌹", "🎁", "☕", "✅", "❌", "❓", "❗", "⭐", "💯", "🔥", "💡", "📞", "📧",
    "📱", "📎", "📅", "🕐", "💻", "🔧",
];

fn font_size_id() -> egui::Id {
    egui::Id::unique("porpoise-chat-font-size")
}

/// Sets the chat text size (points) used by [`chat_ui`] from now on; the work area calls it
/// with the agent's preference every frame.
pub fn set_font_size(ctx: &egui::Context, points: f32) {
    ctx.data_mut(|d| d.insert_temp(font_size_id(), points));
}

/// The chat text size in points (the text size buttons change it).
pub fn font_size(ctx: &egui::Context) -> f32 {
    ctx.data(|d| d.get_temp(font_size_id()))
        .unwrap_or(crate::prefs::DEFAULT_CHAT_FONT_SIZE)
}

/// Draws the chat: input at the bottom, history above it. A picture pasted (Ctrl+V) while the
/// session is open is encoded on a worker thread and sent to the customer once ready
/// ([`send_prepared`]). The draft is edited as a copy ([`Intent::EditDraft`]); Send is
/// [`Intent::SendChat`].
pub fn chat_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    place: ChatPlace,
    tools: &mut super::SessionTools,
    intents: &mut Vec<Intent>,
) {
    let size = font_size(ui.ctx());
    let pictures = &mut tools.pictures;
    if tab.phase == SessionPhase::Open {
        let pasted: Vec<std::sync::Arc<egui::ColorImage>> = ui.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::PasteImage(image) => Some(image.clone()),
                    _ => None,
                })
                .collect()
        });
        for image in pasted {
            let [w, h] = image.size;
            let source = Outgoing::Pixels {
                rgba: image.as_raw().to_vec(),
                width: w as u32,
                height: h as u32,
            };
            pictures.prepare_to_send(ui.ctx(), tab.session_id, source);
        }
    }
    send_prepared(lang, tab, pictures, intents);
    let mut draft = tab.draft.clone();
    egui::Panel::bottom(("chat-input", tab.session_id, place))
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(0, 6)))
        .show(ui, |ui| {
            typing_ui(ui, lang, tab);
            tools_ui(ui, lang, tab, place, &mut draft, tools, intents);
            input_ui(ui, lang, tab, place, &mut draft, size, intents)
        });
    egui::CentralPanel::no_frame().show(ui, |ui| {
        history_ui(ui, lang, tab, place, &mut tools.pictures, size, intents)
    });
}

/// The words of the picture widgets in `lang`.
pub fn picture_labels(lang: Language) -> PictureLabels<'static> {
    PictureLabels {
        loading: Msg::PictureLoading.text(lang),
        failed: Msg::PictureFailed.text(lang),
        enlarge: Msg::ClickToEnlarge.text(lang),
        close: Msg::Close.text(lang),
    }
}

/// Reports `data` (a PNG or JPEG) as a picture message of `tab` to send (A7,
/// [`Intent::SendPicture`]: shown at once as pending, stored by the relay, then delivered to
/// the customer; the app shows it from its own bytes).
///
/// Errors: the [`chat_image::probe`]'s reason when `data` is not an acceptable picture.
pub fn send_picture(
    tab: &SessionTab,
    data: Vec<u8>,
    intents: &mut Vec<Intent>,
) -> Result<(), String> {
    let image = chat_image::probe(&data).map_err(|e| e.to_string())?;
    intents.push(Intent::SendPicture {
        session_id: tab.session_id,
        data,
        image,
    });
    Ok(())
}

/// Sends the pictures of `tab` that finished encoding on their worker threads (pasted, picked,
/// dropped, screenshots) while the session is open; a failure becomes the tab's notice
/// (unreadable, too big, not a PNG/JPEG). Call once per frame; never blocks.
pub fn send_prepared(
    lang: Language,
    tab: &SessionTab,
    pictures: &mut ChatPictures,
    intents: &mut Vec<Intent>,
) {
    for prepared in pictures.take_prepared(tab.session_id) {
        if tab.phase != SessionPhase::Open {
            continue;
        }
        let sent = prepared.and_then(|data| send_picture(tab, data, intents));
        if let Err(e) = sent {
            intents.push(Intent::TabNotice {
                session_id: tab.session_id,
                text: Some(i18n::picture_failed(lang, &e)),
            });
        }
    }
}

/// Shows a picture the agent sends at once from its own bytes (A7); the app calls it for each
/// command it sends.
pub fn show_sent_picture(pictures: &mut ChatPictures, cmd: &crate::net::NetCommand) {
    use porpoise_protocol::wire::{rpc::SendChatImage, Request};
    if let crate::net::NetCommand::Call(crate::net::Call(Request::SendChatImage(SendChatImage {
        session_id,
        message_id,
        data,
    }))) = cmd
    {
        pictures.insert((*session_id, *message_id), data);
    }
}

/// Reads the picture file at `path` and fits it to the chat's limits on a worker thread; it is
/// sent by [`send_prepared`] once ready (A7), or its error shown there.
pub fn send_picture_file(
    ctx: &egui::Context,
    session_id: porpoise_protocol::wire::SessionId,
    pictures: &mut ChatPictures,
    path: &std::path::Path,
) {
    pictures.prepare_to_send(ctx, session_id, Outgoing::File(path.to_path_buf()));
}

pub use chat_image::is_picture_path;

fn picture_path_id(session_id: porpoise_protocol::wire::SessionId, place: ChatPlace) -> egui::Id {
    egui::Id::unique(("chat-picture-path", session_id, place))
}

/// The tool row over the input: emoji picker, picture, text size, save transcript.
fn tools_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    place: ChatPlace,
    draft: &mut String,
    tools: &mut super::SessionTools,
    intents: &mut Vec<Intent>,
) {
    use crate::prefs::{MAX_CHAT_FONT_SIZE, MIN_CHAT_FONT_SIZE};
    let open = tab.phase == SessionPhase::Open;
    let input_id = input_id(tab.session_id, place);
    ui.horizontal(|ui| {
        ui.add_enabled_ui(open, |ui| {
            ui.menu_button("😀", |ui| {
                egui::Grid::new(("emoji-grid", tab.session_id, place)).show(ui, |ui| {
                    for (i, e) in EMOJI.iter().enumerate() {
                        let button = egui::Button::new(RichText::new(*e).size(20.0)).frame(false);
                        if ui.add(button).on_hover_text(*e).clicked() {
                            insert_at_cursor(ui.ctx(), input_id, draft, e);
                            intents.push(Intent::EditDraft {
                                session_id: tab.session_id,
                                text: draft.clone(),
                            });
                            ui.close();
                        }
                        if i % 8 == 7 {
                            ui.end_row();
                        }
                    }
                });
            })
            .response
            .on_hover_text(Msg::Emoji.text(lang));
            let id = picture_row_id(tab.session_id, place);
            let mut shown = ui.data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
            if ui
                .toggle_value(&mut shown, Msg::Picture.text(lang))
                .changed()
            {
                ui.data_mut(|d| d.insert_temp(id, shown));
            }
        });
        let size = font_size(ui.ctx());
        let smaller = ui
            .add_enabled(size > MIN_CHAT_FONT_SIZE, egui::Button::new("A−"))
            .on_hover_text(Msg::SmallerText.text(lang));
        if smaller.clicked() {
            set_font_size(ui.ctx(), (size - FONT_STEP).max(MIN_CHAT_FONT_SIZE));
        }
        let larger = ui
            .add_enabled(size < MAX_CHAT_FONT_SIZE, egui::Button::new("A+"))
            .on_hover_text(Msg::LargerText.text(lang));
        if larger.clicked() {
            set_font_size(ui.ctx(), (size + FONT_STEP).min(MAX_CHAT_FONT_SIZE));
        }
        ui.menu_button(Msg::SaveTranscript.text(lang), |ui| {
            let format = if ui.button(Msg::AsText.text(lang)).clicked() {
                Some(crate::transcript::Format::Text)
            } else if ui.button(Msg::AsPdf.text(lang)).clicked() {
                Some(crate::transcript::Format::Pdf)
            } else {
                None
            };
            if let Some(format) = format {
                let job = crate::transcript::start_saving(ui.ctx(), lang, tab, format);
                tools.transcripts.insert(tab.session_id, Some(job));
                ui.close();
            }
        });
        let slot = tools.transcripts.entry(tab.session_id).or_default();
        if let Some(saved) = poll_slot(slot) {
            let text = match saved.map_err(|e| e.to_string()).and_then(|r| r) {
                Ok(path) => i18n::transcript_saved(lang, &path.display().to_string()),
                Err(e) => i18n::transcript_failed(lang, &e),
            };
            intents.push(Intent::TabNotice {
                session_id: tab.session_id,
                text: Some(text),
            });
        }
    });
    if open && ui.data(|d| d.get_temp::<bool>(picture_row_id(tab.session_id, place))) == Some(true)
    {
        picture_row_ui(ui, lang, tab, place, &mut tools.pictures, intents);
    }
}

fn picture_row_id(session_id: porpoise_protocol::wire::SessionId, place: ChatPlace) -> egui::Id {
    egui::Id::unique(("chat-picture-row", session_id, place))
}

/// The picture row under the tools: a path box with Send picture and Cancel, and how else to
/// send a picture.
fn picture_row_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    place: ChatPlace,
    pictures: &mut ChatPictures,
    intents: &mut Vec<Intent>,
) {
    let id = picture_path_id(tab.session_id, place);
    let mut path: String = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let mut send = false;
    let mut close = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(Msg::PicturePath.text(lang));
        let edit = ui
            .add(TextEdit::singleline(&mut path).desired_width(240.0))
            .labelled_by(label.id);
        send = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        send |= ui
            .add_enabled(
                !path.trim().is_empty(),
                egui::Button::new(Msg::SendPicture.text(lang)),
            )
            .clicked();
        close = ui.button(Msg::Cancel.text(lang)).clicked();
        ui.label(RichText::new(Msg::PictureHint.text(lang)).small().weak());
    });
    if send && !path.trim().is_empty() {
        let picked = std::path::PathBuf::from(path.trim());
        send_picture_file(ui.ctx(), tab.session_id, pictures, &picked);
        path.clear();
        close = true;
        intents.push(Intent::TabNotice {
            session_id: tab.session_id,
            text: None,
        });
    }
    if close {
        ui.data_mut(|d| d.insert_temp(picture_row_id(tab.session_id, place), false));
    }
    ui.data_mut(|d| d.insert_temp(id, path));
}

/// Where a session's chat is drawn: its tab in the main window, or the side panel of its
/// remote window (issue 15). Both can show at once; every id of the chat's widgets includes
/// the place, so the two never share widget state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatPlace {
    /// The session tab (A6).
    Tab,
    /// The remote window's chat panel.
    RemoteWindow,
}

/// Id of a session's chat input in `place`.
pub fn input_id(session_id: porpoise_protocol::wire::SessionId, place: ChatPlace) -> egui::Id {
    egui::Id::unique(("chat-input-text", session_id, place))
}

pub use porpoise_ui::insert_at_cursor;

/// The customer's unsent text in grey italics (R10), while there is any.
fn typing_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab) {
    if tab.typing.is_empty() || tab.phase != SessionPhase::Open {
        return;
    }
    let text = i18n::typing_preview(lang, &tab.customer_name, &tab.typing);
    ui.label(
        RichText::new(text)
            .italics()
            .color(ui.visuals().weak_text_color()),
    );
}

/// The message history, newest at the bottom (kept in view while new messages arrive).
fn history_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    place: ChatPlace,
    pictures: &mut ChatPictures,
    size: f32,
    intents: &mut Vec<Intent>,
) {
    let now_ms = clock::now_unix_ms();
    egui::ScrollArea::vertical()
        .id_salt(("chat-history", tab.session_id, place))
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            let mut last_shown = None;
            for entry in &tab.chat {
                let m = &entry.message;
                if clock::starts_time_run(last_shown, m.sent_at) {
                    last_shown = Some(m.sent_at);
                    ui.vertical_centered(|ui| {
                        ui.label(
                            RichText::new(clock::message_time_text(m.sent_at, now_ms))
                                .small()
                                .weak(),
                        );
                    });
                }
                let author = i18n::author(lang, m.from, &tab.customer_name);
                let color = match m.from {
                    Party::Agent => ui.visuals().hyperlink_color,
                    Party::Customer => ui.visuals().strong_text_color(),
                    Party::Relay => ui.visuals().weak_text_color(),
                };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(author).color(color).strong());
                    match &entry.delivery {
                        Delivery::Stored => {}
                        Delivery::Pending => {
                            ui.label(RichText::new(Msg::Sending.text(lang)).small().weak());
                        }
                        Delivery::Failed(error) => {
                            let text = RichText::new(Msg::NotSent.text(lang))
                                .small()
                                .color(ui.visuals().error_fg_color);
                            ui.label(text).on_hover_text(error);
                        }
                    }
                });
                let label = if let Some(info) = &m.image {
                    let key = (tab.session_id, m.message_id);
                    pictures.thumbnail_ui(ui, key, info, picture_labels(lang))
                } else {
                    let text = RichText::new(&m.text).size(size);
                    let text = if entry.delivery == Delivery::Pending {
                        text.weak()
                    } else {
                        text
                    };
                    ui.add(egui::Label::new(text).wrap().selectable(true))
                };
                // Message tags (A13): right-click menu and the tags under the message.
                crate::ui::visitor::message_tags_menu(&label, lang, tab, m.message_id, intents);
                crate::ui::visitor::message_tags_ui(ui, &tab.customer, m.message_id);
                ui.add_space(4.0);
            }
        });
}

/// The input box and Send button. Enter sends; Ctrl+Enter inserts a new line. `draft` is the
/// panel's copy of the tab's draft.
fn input_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    place: ChatPlace,
    draft: &mut String,
    size: f32,
    intents: &mut Vec<Intent>,
) {
    let open = tab.phase == SessionPhase::Open;
    let id = input_id(tab.session_id, place);
    let mut send = false;
    // Take plain Enter before the text edit sees it; Ctrl+Enter reaches it as its return key.
    if open && ui.memory(|m| m.has_focus(id)) {
        send = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
    }
    let label = ui.label(Msg::Message.text(lang));
    let mut edited = false;
    ui.add_enabled_ui(open, |ui| {
        ui.horizontal(|ui| {
            let button_width = 64.0;
            let edit = TextEdit::multiline(draft)
                .id(id)
                .return_key(KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter))
                .desired_rows(INPUT_ROWS)
                .font(egui::FontId::proportional(size))
                .desired_width(ui.available_width() - button_width - ui.spacing().item_spacing.x)
                .hint_text(Msg::ChatHint.text(lang));
            let r = ui.add(edit).labelled_by(label.id);
            if porpoise_ui::take_focus_request(ui.ctx(), id) {
                r.request_focus();
            }
            edited = r.changed();
            if ui
                .add_sized(
                    [button_width, 28.0],
                    egui::Button::new(Msg::Send.text(lang)),
                )
                .clicked()
            {
                send = true;
            }
        });
    });
    if edited {
        intents.push(Intent::EditDraft {
            session_id: tab.session_id,
            text: draft.clone(),
        });
    }
    if send && open {
        // Sent (and the input focused again) unless empty or too long.
        intents.push(Intent::SendChat(tab.session_id));
    }
}
