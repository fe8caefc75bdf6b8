//! The service-history tab of the quick-reply panel (服务记录, A11): the customer's earlier
//! sessions with date, agent, duration and disposition; a session's transcript is read page by
//! page when it is expanded.

use chrono::TimeZone;
use egui::{CollapsingHeader, RichText, ScrollArea};
use porpoise_protocol::wire::{HistoryItem, Party, SessionId, UnixMs};
use porpoise_ui::Language;

use crate::{
    clock::message_time_text,
    i18n::{self, Msg},
    state::{HistoryView, Intent, Library, Loaded, SessionTab, Transcript},
};

/// Draws the history of `tab`'s customer; asks for it the first time it is shown
/// ([`Intent::LoadHistory`]) and for a transcript's pages ([`Intent::ReadTranscript`]).
pub fn history_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    tab: &SessionTab,
    intents: &mut Vec<Intent>,
) {
    let session_id = tab.session_id;
    let empty = HistoryView::default();
    let view = lib.histories.get(&session_id).unwrap_or(&empty);
    if view.list.wants_loading() {
        intents.push(Intent::LoadHistory {
            session_id,
            refresh: false,
        });
    }
    if ui.button(Msg::Refresh.text(lang)).clicked() {
        intents.push(Intent::LoadHistory {
            session_id,
            refresh: true,
        });
    }
    let history = match &view.list {
        Loaded::Ready(history) => history.clone(),
        Loaded::NotAsked | Loaded::Loading => {
            ui.label(RichText::new(Msg::Loading.text(lang)).weak());
            return;
        }
        Loaded::Failed(error) => {
            ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
            return;
        }
    };
    ScrollArea::vertical()
        .id_salt(("history", session_id))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            if history.items.is_empty() {
                ui.label(RichText::new(Msg::NoHistory.text(lang)).weak());
            }
            for item in &history.items {
                item_ui(ui, lang, session_id, item, view, intents);
            }
            if history.truncated {
                ui.label(RichText::new(Msg::HistoryTruncated.text(lang)).weak());
            }
        });
}

/// Local date and time of `unix_ms` as `YYYY-MM-DD HH:MM`.
fn date_time_text(unix_ms: UnixMs) -> String {
    chrono::Local
        .timestamp_millis_opt(unix_ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// One past session: a header with date and agent; expanded, the summary, the disposition and
/// the transcript.
fn item_ui(
    ui: &mut egui::Ui,
    lang: Language,
    session_id: SessionId,
    item: &HistoryItem,
    view: &HistoryView,
    intents: &mut Vec<Intent>,
) {
    let mut title = date_time_text(item.started_at);
    if let Some(disposition) = &item.disposition {
        title.push_str(&format!(" · {disposition}"));
    }
    CollapsingHeader::new(title)
        .id_salt(("history-item", session_id, item.session_id))
        .show(ui, |ui| {
            let agent = i18n::history_agent(lang, item);
            let summary = i18n::history_summary(lang, &agent, item.duration_ms, item.message_count);
            ui.label(summary);
            let disposition = item.disposition.as_deref().unwrap_or("—");
            ui.label(format!("{}: {disposition}", Msg::Disposition.text(lang)));
            let empty = Transcript::default();
            let transcript = view.transcripts.get(&item.session_id).unwrap_or(&empty);
            let read = |after| Intent::ReadTranscript {
                session_id,
                past_session_id: item.session_id,
                after,
            };
            if !transcript.started && !transcript.loading && transcript.error.is_none() {
                intents.push(read(None));
            }
            ui.separator();
            transcript_ui(ui, lang, item, transcript);
            if let (Some(next), false) = (transcript.next, transcript.loading) {
                if ui.button(Msg::LoadMore.text(lang)).clicked() {
                    intents.push(read(Some(next)));
                }
            }
        });
}

/// The messages read so far, each with its time and author.
fn transcript_ui(ui: &mut egui::Ui, lang: Language, item: &HistoryItem, t: &Transcript) {
    let now = crate::clock::now_unix_ms();
    for m in &t.messages {
        let author = match m.from {
            Party::Agent => i18n::history_agent(lang, item),
            other => i18n::author(lang, other, &item.customer_name),
        };
        ui.horizontal_wrapped(|ui| {
            let time = message_time_text(m.sent_at, now);
            ui.label(RichText::new(format!("{time} {author}")).weak());
            match &m.image {
                Some(info) => ui.label(
                    RichText::new(format!(
                        "{} {}×{}",
                        Msg::PictureMessage.text(lang),
                        info.width,
                        info.height
                    ))
                    .italics(),
                ),
                None => ui.label(&m.text),
            };
        });
    }
    if t.loading {
        ui.label(RichText::new(Msg::Loading.text(lang)).weak());
    }
    if let Some(error) = &t.error {
        ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
    }
}
