//! The system-info window of a session (A10, "maintenance" of A6): the customer's OS, CPU,
//! memory, disks, network adapters and running programs as the helper reported them, with a
//! sortable programs table and Copy (a plain-text version on the clipboard).
//!
//! The formatters ([`format_size`], [`format_permille`], [`format_uptime`], [`plain_text`]) are
//! pure and unit-tested; the window only lays them out.

use chrono::TimeZone as _;
use egui::{Grid, RichText, ScrollArea};
use porpoise_protocol::wire::{SystemInfo, UnixMs};
use porpoise_ui::Language;

use crate::{
    i18n::Msg,
    state::{Intent, ProcessColumn, SessionTab, SystemInfoView},
};

/// Default size of the window, in points.
pub const WINDOW_SIZE: [f32; 2] = [680.0, 760.0];
/// Height of the programs table before it scrolls, in points.
pub const PROCESS_TABLE_HEIGHT: f32 = 260.0;

/// A size in bytes with binary units and one decimal: `512 B`, `1.5 KiB`, `8.0 GiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision loss above 2^53 bytes is far below the one decimal shown.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // 1023.95 KiB would print as "1024.0 KiB": show it as the next unit instead.
    if value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Tenths of a percent as a percentage with one decimal: `125` → `12.5 %`.
pub fn format_permille(permille: u32) -> String {
    format!("{}.{} %", permille / 10, permille % 10)
}

/// An uptime in seconds as days, hours and minutes: `3 d 4 h 5 min` / `3天4小时5分钟`; under a
/// minute is `0 min`.
pub fn format_uptime(lang: Language, seconds: u64) -> String {
    let (d, h, m) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    let (du, hu, mu, sep) = match lang {
        Language::ZhCn => ("天", "小时", "分钟", ""),
        Language::En => (" d", " h", " min", " "),
    };
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}{du}"));
    }
    if d > 0 || h > 0 {
        parts.push(format!("{h}{hu}"));
    }
    parts.push(format!("{m}{mu}"));
    parts.join(sep)
}

/// `used / total (p %)`, the percentage in whole tenths; `-` when the total is 0.
fn used_of(used: u64, total: u64) -> String {
    if total == 0 {
        return "-".into();
    }
    let permille = (u128::from(used) * 1000 / u128::from(total)).min(u128::from(u32::MAX));
    format!(
        "{} / {} ({})",
        format_size(used),
        format_size(total),
        format_permille(u32::try_from(permille).unwrap_or(u32::MAX))
    )
}

fn or_unknown(lang: Language, text: &str) -> String {
    if text.trim().is_empty() {
        Msg::SysUnknown.text(lang).into()
    } else {
        text.into()
    }
}

fn local_time(unix_ms: UnixMs) -> String {
    chrono::Local
        .timestamp_millis_opt(unix_ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn yes_no(lang: Language, yes: bool) -> &'static str {
    if yes { Msg::SysYes } else { Msg::SysNo }.text(lang)
}

/// Label/value rows of the OS, CPU and memory sections.
fn summary_rows(lang: Language, info: &SystemInfo) -> [(Msg, Vec<(Msg, String)>); 3] {
    let os = &info.os;
    let cpu = &info.cpu;
    let mem = &info.memory;
    let cores = match cpu.physical_cores {
        Some(p) => format!("{p} / {}", cpu.logical_cores),
        None => cpu.logical_cores.to_string(),
    };
    [
        (
            Msg::SysOs,
            vec![
                (Msg::SysOs, or_unknown(lang, &os.name)),
                (Msg::SysHostname, or_unknown(lang, &os.hostname)),
                (Msg::SysKernel, or_unknown(lang, &os.kernel)),
                (Msg::SysArch, or_unknown(lang, &os.arch)),
                (Msg::SysUptime, format_uptime(lang, os.uptime_s)),
            ],
        ),
        (
            Msg::SysCpu,
            vec![
                (Msg::SysName, or_unknown(lang, &cpu.brand)),
                (Msg::SysCores, cores),
                (Msg::SysFrequency, format!("{} MHz", cpu.frequency_mhz)),
                (Msg::SysUsage, format_permille(cpu.usage_permille.into())),
            ],
        ),
        (
            Msg::SysMemory,
            vec![
                (Msg::SysTotal, format_size(mem.total_bytes)),
                (Msg::SysUsed, used_of(mem.used_bytes, mem.total_bytes)),
                (
                    Msg::SysSwap,
                    used_of(mem.swap_used_bytes, mem.swap_total_bytes),
                ),
            ],
        ),
    ]
}

/// The whole report as plain text for the clipboard: a title line naming the customer and the
/// collection time, one `[section]` per part, `label: value` lines, and tab-separated tables
/// (disks, adapters, programs) that paste into a spreadsheet. Labels in `lang`.
pub fn plain_text(lang: Language, customer: &str, info: &SystemInfo) -> String {
    let t = |m: Msg| m.text(lang);
    let mut out = format!(
        "{} — {customer}\n{}: {}\n",
        t(Msg::SystemInfo),
        t(Msg::SysCollectedAt),
        local_time(info.collected_at)
    );
    for (section, rows) in summary_rows(lang, info) {
        out.push_str(&format!("\n[{}]\n", t(section)));
        for (label, value) in rows {
            out.push_str(&format!("{}: {value}\n", t(label)));
        }
    }
    out.push_str(&format!("\n[{}]\n", t(Msg::SysDisks)));
    let header = [
        Msg::SysMount,
        Msg::SysName,
        Msg::SysFileSystem,
        Msg::SysFree,
        Msg::SysTotal,
        Msg::SysRemovable,
    ];
    push_row(&mut out, header.iter().map(|m| t(*m).to_owned()));
    for d in &info.disks {
        push_row(
            &mut out,
            [
                d.mount_point.clone(),
                d.name.clone(),
                d.file_system.clone(),
                format_size(d.available_bytes),
                format_size(d.total_bytes),
                yes_no(lang, d.removable).to_owned(),
            ],
        );
    }
    out.push_str(&format!("\n[{}]\n", t(Msg::SysNetwork)));
    let header = [
        Msg::SysName,
        Msg::SysMac,
        Msg::SysAddresses,
        Msg::SysReceived,
        Msg::SysSent,
    ];
    push_row(&mut out, header.iter().map(|m| t(*m).to_owned()));
    for n in &info.adapters {
        push_row(
            &mut out,
            [
                n.name.clone(),
                n.mac.clone(),
                n.addresses.join(", "),
                format_size(n.received_bytes),
                format_size(n.transmitted_bytes),
            ],
        );
    }
    out.push_str(&format!(
        "\n[{}] {} / {}\n",
        t(Msg::SysProcesses),
        info.processes.len(),
        info.process_count
    ));
    let header = [Msg::SysName, Msg::SysPid, Msg::SysMemory, Msg::SysCpu];
    push_row(&mut out, header.iter().map(|m| t(*m).to_owned()));
    for p in &info.processes {
        push_row(
            &mut out,
            [
                p.name.clone(),
                p.pid.to_string(),
                format_size(p.memory_bytes),
                format_permille(p.cpu_permille),
            ],
        );
    }
    out
}

/// One tab-separated line; tabs and line breaks inside a cell become spaces.
fn push_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| c.replace(['\t', '\n', '\r'], " "))
        .collect();
    out.push_str(&cells.join("\t"));
    out.push('\n');
}

/// "Show system info" in the service window's action row, when a report exists and its window
/// is closed; a click reports [`Intent::ShowSystemInfo`].
pub fn show_button_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    intents: &mut Vec<Intent>,
) {
    if tab.system_info.as_ref().is_some_and(|v| !v.open)
        && ui.button(Msg::SysShowReport.text(lang)).clicked()
    {
        intents.push(Intent::ShowSystemInfo {
            session_id: tab.session_id,
            open: true,
        });
    }
}

/// The report window of `tab`, if a report arrived and the window is open. Closing it, Copy and
/// sorting are reported as intents.
pub fn system_info_window(
    ctx: &egui::Context,
    lang: Language,
    tab: &SessionTab,
    intents: &mut Vec<Intent>,
) {
    let customer = &tab.customer_name;
    let session_id = tab.session_id;
    let Some(view) = tab.system_info.as_ref() else {
        return;
    };
    let mut open = view.open;
    egui::Window::new(format!("{} — {customer}", Msg::SystemInfo.text(lang)))
        .id(egui::Id::unique(("system-info", session_id)))
        .open(&mut open)
        .default_size(WINDOW_SIZE)
        .vscroll(true)
        .show(ctx, |ui| {
            report_ui(ui, lang, customer, session_id, view, intents)
        });
    if open != view.open {
        intents.push(Intent::ShowSystemInfo { session_id, open });
    }
}

fn report_ui(
    ui: &mut egui::Ui,
    lang: Language,
    customer: &str,
    session_id: porpoise_protocol::wire::SessionId,
    view: &SystemInfoView,
    intents: &mut Vec<Intent>,
) {
    let t = |m: Msg| m.text(lang);
    let info = &view.info;
    ui.horizontal(|ui| {
        ui.label(format!(
            "{}: {}",
            t(Msg::SysCollectedAt),
            local_time(info.collected_at)
        ));
        if ui.button(t(Msg::SysCopy)).clicked() {
            ui.ctx().copy_text(plain_text(lang, customer, info));
            intents.push(Intent::SystemInfoCopied(session_id));
        }
        if view.copied {
            ui.label(RichText::new(t(Msg::SysCopied)).weak());
        }
    });
    for (section, rows) in summary_rows(lang, info) {
        ui.add_space(4.0);
        ui.strong(t(section));
        Grid::new(("sys-summary", section))
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (label, value) in rows {
                    ui.label(t(label));
                    ui.label(value);
                    ui.end_row();
                }
            });
    }
    ui.add_space(4.0);
    ui.strong(t(Msg::SysDisks));
    Grid::new("sys-disks").striped(true).show(ui, |ui| {
        for m in [
            Msg::SysMount,
            Msg::SysName,
            Msg::SysFileSystem,
            Msg::SysFree,
            Msg::SysTotal,
            Msg::SysRemovable,
        ] {
            ui.strong(t(m));
        }
        ui.end_row();
        for d in &info.disks {
            ui.label(&d.mount_point);
            ui.label(&d.name);
            ui.label(&d.file_system);
            ui.label(format_size(d.available_bytes));
            ui.label(format_size(d.total_bytes));
            ui.label(yes_no(lang, d.removable));
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    ui.strong(t(Msg::SysNetwork));
    Grid::new("sys-network").striped(true).show(ui, |ui| {
        for m in [
            Msg::SysName,
            Msg::SysMac,
            Msg::SysAddresses,
            Msg::SysReceived,
            Msg::SysSent,
        ] {
            ui.strong(t(m));
        }
        ui.end_row();
        for n in &info.adapters {
            ui.label(&n.name);
            ui.label(&n.mac);
            ui.label(n.addresses.join("\n"));
            ui.label(format_size(n.received_bytes));
            ui.label(format_size(n.transmitted_bytes));
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    ui.strong(format!(
        "{} ({} / {})",
        t(Msg::SysProcesses),
        info.processes.len(),
        info.process_count
    ));
    if let Some(column) = processes_ui(ui, lang, view) {
        intents.push(Intent::SortProcesses { session_id, column });
    }
}

/// The programs table; returns the column header clicked (sorts by it; again: the other way
/// round).
fn processes_ui(ui: &mut egui::Ui, lang: Language, view: &SystemInfoView) -> Option<ProcessColumn> {
    let order = view.sort.order(&view.info.processes);
    let columns = [
        (ProcessColumn::Name, Msg::SysName),
        (ProcessColumn::Pid, Msg::SysPid),
        (ProcessColumn::Memory, Msg::SysMemory),
        (ProcessColumn::Cpu, Msg::SysCpu),
    ];
    let mut clicked = None;
    ScrollArea::vertical()
        .id_salt("sys-processes")
        .max_height(PROCESS_TABLE_HEIGHT)
        .show(ui, |ui| {
            Grid::new("sys-processes-grid")
                .num_columns(columns.len())
                .striped(true)
                .show(ui, |ui| {
                    for (column, msg) in columns {
                        let mut text = msg.text(lang).to_owned();
                        if view.sort.column == column {
                            text.push_str(if view.sort.descending { " ▼" } else { " ▲" });
                        }
                        if ui.button(text).clicked() {
                            clicked = Some(column);
                        }
                    }
                    ui.end_row();
                    for i in order {
                        let p = &view.info.processes[i];
                        ui.label(&p.name);
                        ui.label(p.pid.to_string());
                        ui.label(format_size(p.memory_bytes));
                        ui.label(format_permille(p.cpu_permille));
                        ui.end_row();
                    }
                });
        });
    clicked
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::{
        CpuInfo, DiskInfo, MemoryInfo, NetworkAdapter, OsInfo, ProcessInfo,
    };

    use super::*;

    #[test]
    fn sizes_use_binary_units_with_one_decimal() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1024), "1.0 KiB");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
        assert_eq!(format_size(8 << 30), "8.0 GiB");
        assert_eq!(format_size((1 << 20) - 1), "1.0 MiB", "never 1024.0 KiB");
        assert_eq!(format_size(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn percentages_and_uptimes() {
        assert_eq!(format_permille(0), "0.0 %");
        assert_eq!(format_permille(125), "12.5 %");
        assert_eq!(format_permille(1000), "100.0 %");
        assert_eq!(format_permille(3505), "350.5 %");
        assert_eq!(format_uptime(Language::En, 59), "0 min");
        assert_eq!(format_uptime(Language::En, 3 * 3600 + 120), "3 h 2 min");
        assert_eq!(
            format_uptime(Language::En, 2 * 86_400 + 5 * 60),
            "2 d 0 h 5 min"
        );
        assert_eq!(
            format_uptime(Language::ZhCn, 86_400 + 3600 + 60),
            "1天1小时1分钟"
        );
        assert_eq!(used_of(3 << 30, 8 << 30), "3.0 GiB / 8.0 GiB (37.5 %)");
        assert_eq!(used_of(5, 0), "-");
    }

    pub(crate) fn sample() -> SystemInfo {
        SystemInfo {
            collected_at: 1_700_000_000_000,
            os: OsInfo {
                name: "Windows 11 Pro".into(),
                kernel: "26100".into(),
                arch: "x86_64".into(),
                hostname: "PC-ZHANG".into(),
                uptime_s: 90_061,
            },
            cpu: CpuInfo {
                brand: "Intel(R) Core(TM) i5-8250U".into(),
                physical_cores: Some(4),
                logical_cores: 8,
                frequency_mhz: 1800,
                usage_permille: 125,
            },
            memory: MemoryInfo {
                total_bytes: 8 << 30,
                used_bytes: 3 << 30,
                swap_total_bytes: 0,
                swap_used_bytes: 0,
            },
            disks: vec![DiskInfo {
                name: "Windows".into(),
                mount_point: "C:\\".into(),
                file_system: "NTFS".into(),
                total_bytes: 256 << 30,
                available_bytes: 100 << 30,
                removable: false,
            }],
            adapters: vec![NetworkAdapter {
                name: "Ethernet\t1".into(),
                mac: "aa:bb:cc:dd:ee:ff".into(),
                addresses: vec!["192.168.1.20/24".into(), "fe80::1/64".into()],
                received_bytes: 3 << 29,
                transmitted_bytes: 2048,
            }],
            processes: vec![ProcessInfo {
                name: "chrome.exe".into(),
                pid: 4242,
                memory_bytes: 500 << 20,
                cpu_permille: 30,
            }],
            process_count: 120,
        }
    }

    #[test]
    fn plain_text_has_every_section_and_tab_separated_tables() {
        let text = plain_text(Language::En, "Zhang San", &sample());
        assert!(text.starts_with("System info — Zhang San\n"), "{text}");
        for line in [
            "[Operating system]",
            "Operating system: Windows 11 Pro",
            "Computer name: PC-ZHANG",
            "Up for: 1 d 1 h 1 min",
            "[CPU]",
            "Name: Intel(R) Core(TM) i5-8250U",
            "Cores: 4 / 8",
            "Frequency: 1800 MHz",
            "Usage: 12.5 %",
            "[Memory]",
            "Total: 8.0 GiB",
            "Used: 3.0 GiB / 8.0 GiB (37.5 %)",
            "Swap: -",
            "C:\\\tWindows\tNTFS\t100.0 GiB\t256.0 GiB\tno",
            // A tab inside a cell cannot break the columns.
            "Ethernet 1\taa:bb:cc:dd:ee:ff\t192.168.1.20/24, fe80::1/64\t1.5 GiB\t2.0 KiB",
            "[Running programs] 1 / 120",
            "Name\tPID\tMemory\tCPU",
            "chrome.exe\t4242\t500.0 MiB\t3.0 %",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        let zh = plain_text(Language::ZhCn, "张三", &sample());
        assert!(
            zh.contains("[操作系统]") && zh.contains("[进程] 1 / 120"),
            "{zh}"
        );
        assert!(zh.contains("已运行: 1天1小时1分钟"), "{zh}");
    }
}
