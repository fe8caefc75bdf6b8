//! The service settings editor (R5, R6, R11, R12): mode, countdowns, queue view, texts, working
//! hours per weekday and holidays.

use porpoise_protocol::wire::{
    CenterSettings, DayHours, Holiday, QueueView, ServiceMode, TimedReply,
};
use porpoise_ui::Language;

use crate::{
    i18n::{self, Msg},
    state::{Intent, Status},
};

/// Default "after" seconds when an automatic reply is turned on.
pub const DEFAULT_AUTO_REPLY_S: u32 = 60;

/// Draws the editor on the admin window's copy of the draft; Save reports
/// [`Intent::SaveCenterSettings`].
pub fn center_settings_ui(
    ui: &mut egui::Ui,
    lang: Language,
    draft: &mut CenterSettings,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    egui::ScrollArea::vertical()
        .max_height(520.0)
        .show(ui, |ui| {
            egui::Grid::new("center-settings")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(Msg::ServiceMode.text(lang));
                    ui.horizontal(|ui| {
                        for m in [
                            ServiceMode::Showcase,
                            ServiceMode::SessionCode,
                            ServiceMode::AutoAssign,
                        ] {
                            ui.radio_value(&mut draft.service_mode, m, i18n::service_mode(lang, m));
                        }
                    });
                    ui.end_row();
                    let l = ui.label(Msg::OfferTimeout.text(lang));
                    ui.add(egui::DragValue::new(&mut draft.offer_timeout_s).range(5..=300))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(Msg::CodeValidity.text(lang));
                    ui.add(
                        egui::DragValue::new(&mut draft.session_code_validity_s).range(60..=86_400),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                    // File transfer limit (A6), edited in MiB.
                    let l = ui.label(Msg::FileLimitMb.text(lang));
                    let mut mib = draft.max_file_bytes / (1024 * 1024);
                    let max_mib =
                        porpoise_protocol::wire::MAX_FILE_BYTES_RANGE.end() / (1024 * 1024);
                    let changed = ui
                        .add(egui::DragValue::new(&mut mib).range(1..=max_mib))
                        .labelled_by(l.id)
                        .changed();
                    if changed {
                        draft.max_file_bytes = mib * 1024 * 1024;
                    }
                    ui.end_row();
                    storage_rows(ui, lang, draft);
                    // M5 "auto survey": the helper shows the satisfaction survey at the end (C7).
                    ui.label(Msg::AutoSurvey.text(lang));
                    ui.checkbox(&mut draft.auto_survey, Msg::AutoSurveyOn.text(lang));
                    ui.end_row();
                    ui.label(Msg::QueueViewLabel.text(lang));
                    ui.horizontal(|ui| {
                        ui.radio_value(
                            &mut draft.queue_view,
                            QueueView::PickAny,
                            Msg::PickAny.text(lang),
                        );
                        ui.radio_value(
                            &mut draft.queue_view,
                            QueueView::CountOnly,
                            Msg::CountOnly.text(lang),
                        );
                    });
                    ui.end_row();
                    let l = ui.label(Msg::Greeting.text(lang));
                    ui.text_edit_multiline(&mut draft.greeting)
                        .labelled_by(l.id);
                    ui.end_row();
                    timed_reply_ui(ui, lang, Msg::AutoReply, &mut draft.auto_reply);
                    timed_reply_ui(
                        ui,
                        lang,
                        Msg::ReceptionTimeout,
                        &mut draft.reception_timeout,
                    );
                    ui.label(Msg::Seats.text(lang));
                    ui.label(draft.seats.to_string());
                    ui.end_row();
                });
            ui.separator();
            hours_ui(ui, lang, draft);
            ui.separator();
            faq_ui(ui, lang, &mut draft.faq);
            ui.separator();
            super::records::records_settings_ui(ui, lang, draft);
        });
    ui.separator();
    super::super::status_ui(ui, status);
    if ui
        .add_enabled(!status.busy(), egui::Button::new(Msg::Save.text(lang)))
        .clicked()
    {
        intents.push(Intent::SaveCenterSettings);
    }
}

/// Retention, customer files accepted without asking, and the (read-only) storage quota
/// (issue 14); grid rows.
fn storage_rows(ui: &mut egui::Ui, lang: Language, draft: &mut CenterSettings) {
    use porpoise_protocol::wire::{AUTO_ACCEPT_FILES_RANGE, RETENTION_DAYS_RANGE};
    const MIB: u64 = 1024 * 1024;
    let row = ui.label(Msg::RetentionLabel.text(lang));
    ui.horizontal(|ui| {
        let mut on = draft.retention_days.is_some();
        if ui.checkbox(&mut on, Msg::RetentionOn.text(lang)).changed() {
            draft.retention_days = on.then_some(180);
        }
        if let Some(days) = draft.retention_days.as_mut() {
            ui.add(egui::DragValue::new(days).range(RETENTION_DAYS_RANGE))
                .labelled_by(row.id);
            ui.label(Msg::RetentionDaysUnit.text(lang));
        }
    });
    ui.end_row();
    let row = ui.label(Msg::AutoAcceptLabel.text(lang));
    ui.horizontal(|ui| {
        let max_mib = porpoise_protocol::wire::MAX_FILE_BYTES_RANGE.end() / MIB;
        let mut mib = draft.auto_accept_file_bytes / MIB;
        if ui
            .add(egui::DragValue::new(&mut mib).range(0..=max_mib))
            .labelled_by(row.id)
            .changed()
        {
            draft.auto_accept_file_bytes = mib * MIB;
        }
        ui.label(Msg::AutoAcceptSizeUnit.text(lang));
        ui.add(egui::DragValue::new(&mut draft.auto_accept_files).range(AUTO_ACCEPT_FILES_RANGE))
            .labelled_by(row.id);
        ui.label(Msg::AutoAcceptCountUnit.text(lang));
    });
    ui.end_row();
    ui.label(Msg::StorageQuota.text(lang));
    ui.label(porpoise_protocol::lang::format_bytes(
        draft.storage_quota_bytes,
    ));
    ui.end_row();
}

/// The common questions (常见问题, M6): question and answer per row, Remove, Add (up to
/// `MAX_FAQ_ITEMS`). The helper shows them, pushed with the closed reply off hours.
fn faq_ui(ui: &mut egui::Ui, lang: Language, faq: &mut Vec<porpoise_protocol::wire::FaqItem>) {
    ui.label(egui::RichText::new(Msg::FaqTitle.text(lang)).strong());
    ui.label(egui::RichText::new(Msg::FaqHelp.text(lang)).small().weak());
    let mut remove = None;
    for (i, item) in faq.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let l = ui.label(format!("{} {}", Msg::FaqQuestion.text(lang), i + 1));
            ui.add(egui::TextEdit::singleline(&mut item.question).desired_width(220.0))
                .labelled_by(l.id);
            let l = ui.label(Msg::FaqAnswer.text(lang));
            ui.add(
                egui::TextEdit::multiline(&mut item.answer)
                    .desired_rows(1)
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
            if ui.small_button(Msg::Remove.text(lang)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        faq.remove(i);
    }
    if ui
        .add_enabled(
            faq.len() < porpoise_protocol::wire::MAX_FAQ_ITEMS,
            egui::Button::new(Msg::AddFaq.text(lang)),
        )
        .clicked()
    {
        faq.push(porpoise_protocol::wire::FaqItem::default());
    }
}

fn timed_reply_ui(ui: &mut egui::Ui, lang: Language, label: Msg, reply: &mut Option<TimedReply>) {
    let mut on = reply.is_some();
    let check = ui.checkbox(&mut on, label.text(lang));
    match (on, reply.as_mut()) {
        (true, Some(r)) => {
            ui.horizontal(|ui| {
                let unit = Msg::AfterSeconds.text(lang);
                ui.add(egui::DragValue::new(&mut r.after_s).range(5..=86_400))
                    .labelled_by(check.id);
                ui.label(unit);
                ui.text_edit_singleline(&mut r.text).labelled_by(check.id);
            });
        }
        (true, None) => {
            *reply = Some(TimedReply {
                after_s: DEFAULT_AUTO_REPLY_S,
                text: String::new(),
            })
        }
        (false, _) => {
            *reply = None;
            ui.label("");
        }
    }
    ui.end_row();
}

/// Minutes after midnight as two drag values (hours, minutes).
fn minutes_ui(ui: &mut egui::Ui, min: &mut u16, label: egui::Id) {
    let (mut h, mut m) = (*min / 60, *min % 60);
    ui.add(egui::DragValue::new(&mut h).range(0..=24))
        .labelled_by(label);
    ui.label(":");
    ui.add(egui::DragValue::new(&mut m).range(0..=59))
        .labelled_by(label);
    *min = (h * 60 + m).min(24 * 60);
}

/// Time zones offered in the picker (any IANA name may be typed; the relay checks it).
pub const COMMON_TIME_ZONES: [&str; 10] = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
];

/// A `yyyymmdd` date edited as `YYYY-MM-DD` (typed or dragged); what cannot be parsed keeps
/// the old value, and the relay refuses a date that does not exist (2027-02-31).
fn date_ui(ui: &mut egui::Ui, date: &mut u32, label: egui::Id) {
    ui.add(
        egui::DragValue::new(date)
            .range(19_700_101..=29_991_231)
            .custom_formatter(|n, _| {
                let n = n as u32;
                format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
            })
            .custom_parser(|s| {
                let mut parts = s.trim().split('-').map(|p| p.parse::<u32>().ok());
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(Some(y)), Some(Some(m)), Some(Some(d)), None) => {
                        Some(f64::from(y * 10_000 + m * 100 + d))
                    }
                    _ => None,
                }
            }),
    )
    .labelled_by(label);
}

/// Per-weekday opening hours, time zone, off-hours reply, extra working days and holidays.
fn hours_ui(ui: &mut egui::Ui, lang: Language, draft: &mut CenterSettings) {
    ui.strong(Msg::WorkingHours.text(lang));
    let wh = &mut draft.working_hours;
    ui.horizontal(|ui| {
        let l = ui.label(Msg::TimeZone.text(lang));
        ui.add(egui::TextEdit::singleline(&mut wh.time_zone).desired_width(180.0))
            .labelled_by(l.id);
        egui::ComboBox::from_id_salt("time-zone-pick")
            .selected_text("")
            .show_ui(ui, |ui| {
                for tz in COMMON_TIME_ZONES {
                    ui.selectable_value(&mut wh.time_zone, tz.to_owned(), tz);
                }
            })
            .response
            .labelled_by(l.id);
    });
    egui::Grid::new("weekly-hours")
        .num_columns(2)
        .show(ui, |ui| {
            for (i, day) in wh.weekly.iter_mut().enumerate() {
                let mut open = day.is_some();
                let check = ui.checkbox(&mut open, i18n::weekday(lang, i));
                match (open, day.as_mut()) {
                    (true, Some(h)) => {
                        ui.horizontal(|ui| {
                            minutes_ui(ui, &mut h.start_min, check.id);
                            ui.label("–");
                            minutes_ui(ui, &mut h.end_min, check.id);
                        });
                    }
                    (true, None) => {
                        *day = Some(DayHours {
                            start_min: 9 * 60,
                            end_min: 18 * 60,
                        });
                        ui.label("");
                    }
                    (false, _) => {
                        *day = None;
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
    let l = ui.label(Msg::OffHoursReply.text(lang));
    ui.text_edit_singleline(&mut wh.off_hours_reply)
        .labelled_by(l.id);
    let extra = ui.strong(Msg::ExtraWorkingDays.text(lang));
    ui.horizontal(|ui| {
        ui.label(Msg::ExtraDayHours.text(lang));
        minutes_ui(ui, &mut wh.extra_day_hours.start_min, extra.id);
        ui.label("–");
        minutes_ui(ui, &mut wh.extra_day_hours.end_min, extra.id);
    });
    let mut remove = None;
    for (i, day) in wh.extra_working_days.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            date_ui(ui, day, extra.id);
            if ui.button(Msg::Remove.text(lang)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        wh.extra_working_days.remove(i);
    }
    if ui
        .add(egui::Button::new(Msg::Add.text(lang)))
        .labelled_by(extra.id)
        .clicked()
    {
        wh.extra_working_days.push(20_270_101);
    }
    let holidays = ui.strong(Msg::Holidays.text(lang));
    let mut remove = None;
    for (i, h) in wh.holidays.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            date_ui(ui, &mut h.date, holidays.id);
            ui.text_edit_singleline(&mut h.reply)
                .labelled_by(holidays.id);
            if ui.button(Msg::Remove.text(lang)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        wh.holidays.remove(i);
    }
    if ui
        .add(egui::Button::new(Msg::Add.text(lang)))
        .labelled_by(holidays.id)
        .clicked()
    {
        wh.holidays.push(Holiday {
            date: 20_270_101,
            reply: String::new(),
        });
    }
}
