//! The service-history tab of the quick-reply panel (服务记录, A11): the customer's earlier
//! sessions with date, agent, duration and disposition; a session's transcript is read page by
//! page when it is expanded.

use chrono::TimeZone;
use egui::{CollapsingHeader, RichText, ScrollArea};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{HistoryItem, Party, Request, SessionId, UnixMs};
use porpoise_ui::Language;

use super::{call, Outbox};
use crate::{
    clock::message_time_text,
    i18n::{self, Msg},
    state::{HistoryView, Library, Loaded, SessionTab, Transcript},
};

/// Draws the history of `tab`'s customer; asks the relay the first time it is shown.
pub fn history_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &mut Library,
    tab: &SessionTab,
    outbox: &mut Outbox,
) {
    let session_id = tab.session_id;
    let view = lib.history_mut(session_id);
    let list_request = Request::ListServiceHistory(rpc::ListServiceHistory { session_id });
    if view.list.wants_loading() {
        view.list = Loaded::Loading;
        call(outbox, list_request.clone());
    }
    if ui.button(Msg::Refresh.text(lang)).clicked() {
        *view = HistoryView {
            list: Loaded::Loading,
            ..HistoryView::default()
        };
        call(outbox, list_request);
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
                item_ui(ui, lang, session_id, item, view, outbox);
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
    view: &mut HistoryView,
    outbox: &mut Outbox,
) {
    let mut title = date_time_text(item.started_at);
    if let Some(disposition) = &item.disposition {
        title.push_str(&format!(" · {disposition}"));
    }
    CollapsingHeader::new(title)
        .id_salt(("history-item", session_id, item.session_id))
        .show(ui, |ui| {
            let summary =
                i18n::history_summary(lang, &item.agent_name, item.duration_ms, item.message_count);
            ui.label(summary);
            let disposition = item.disposition.as_deref().unwrap_or("—");
            ui.label(format!("{}: {disposition}", Msg::Disposition.text(lang)));
            let transcript = view.transcripts.entry(item.session_id).or_default();
            let read = |after| {
                Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
                    session_id,
                    past_session_id: item.session_id,
                    after,
                })
            };
            if !transcript.started && !transcript.loading && transcript.error.is_none() {
                transcript.loading = true;
                call(outbox, read(None));
            }
            ui.separator();
            transcript_ui(ui, lang, item, transcript);
            if let (Some(next), false) = (transcript.next, transcript.loading) {
                if ui.button(Msg::LoadMore.text(lang)).clicked() {
                    transcript.loading = true;
                    call(outbox, read(Some(next)));
                }
            }
        });
}

/// The messages read so far, each with its time and author.
fn transcript_ui(ui: &mut egui::Ui, lang: Language, item: &HistoryItem, t: &Transcript) {
    let now = crate::clock::now_unix_ms();
    for m in &t.messages {
        let author = match m.from {
            Party::Agent => item.agent_name.clone(),
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
