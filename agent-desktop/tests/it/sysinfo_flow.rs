//! System info (A10) in the service window with a fake network: the button asks for consent,
//! the report opens a window with every section, the programs table sorts, and Copy puts a
//! plain-text version on the clipboard.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_agent::net::NetCommand;
use porpoise_protocol::wire::{
    ActionState, CpuInfo, DiskInfo, Event, MemoryInfo, NetworkAdapter, OsInfo, Party, ProcessInfo,
    RemoteAction, Role, SystemInfo,
};

fn report() -> SystemInfo {
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
            swap_total_bytes: 2 << 30,
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
            name: "Ethernet".into(),
            mac: "aa:bb:cc:dd:ee:ff".into(),
            addresses: vec!["192.168.1.20/24".into()],
            received_bytes: 3 << 29,
            transmitted_bytes: 2048,
        }],
        processes: vec![
            ProcessInfo {
                name: "chrome.exe".into(),
                pid: 4242,
                memory_bytes: 500 << 20,
                cpu_permille: 30,
            },
            ProcessInfo {
                name: "printer-agent.exe".into(),
                pid: 77,
                memory_bytes: 12 << 20,
                cpu_permille: 905,
            },
        ],
        process_count: 123,
    }
}

fn changed(state: ActionState, by: Party) -> Event {
    Event::ActionChanged {
        session_id: SESSION,
        action: RemoteAction::SystemInfo,
        state,
        by,
    }
}

#[test]
fn system_info_asks_consent_shows_the_report_and_copies_it() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );

    harness
        .get_by_role_and_label(A11y::Button, "System info")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        sent.iter().any(|c| matches!(
            c,
            NetCommand::RequestAction {
                session_id: SESSION,
                action: RemoteAction::SystemInfo
            }
        )),
        "{sent:?}"
    );
    harness.get_by_label("Waiting for the customer's consent…");
    harness.get_by_role_and_label(A11y::Button, "Cancel");

    relay(&side, changed(ActionState::Granted, Party::Customer));
    harness.run();
    harness.get_by_label("Reading the customer's computer…");
    assert!(harness.query_by_label("Copy").is_none(), "no report yet");

    relay(
        &side,
        Event::SystemInfoReported {
            session_id: SESSION,
            info: Box::new(report()),
        },
    );
    relay(&side, changed(ActionState::Stopped, Party::Customer));
    harness.run();
    // The button is back for the next report; the window shows every section.
    harness.get_by_role_and_label(A11y::Button, "System info");
    harness.get_by_label("System info — 张三");
    for text in [
        "Operating system",
        "Windows 11 Pro",
        "PC-ZHANG",
        "1 d 1 h 1 min",
        "Intel(R) Core(TM) i5-8250U",
        "4 / 8",
        "1800 MHz",
        "12.5 %",
        "8.0 GiB",
        "3.0 GiB / 8.0 GiB (37.5 %)",
        "Disks",
        "C:\\",
        "NTFS",
        "100.0 GiB",
        "Network adapters",
        "aa:bb:cc:dd:ee:ff",
        "192.168.1.20/24",
        "1.5 GiB",
        "Running programs (2 / 123)",
        "chrome.exe",
        "500.0 MiB",
        "printer-agent.exe",
        "90.5 %",
    ] {
        assert!(
            harness.query_all_by_label(text).next().is_some(),
            "{text} not shown"
        );
    }

    // Sorting: memory (largest first) by default; a click on CPU sorts by CPU, again flips it.
    harness.get_by_role_and_label(A11y::Button, "Memory ▼");
    harness.get_by_role_and_label(A11y::Button, "CPU").click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "CPU ▼");
    harness.get_by_role_and_label(A11y::Button, "Memory");
    harness.get_by_role_and_label(A11y::Button, "CPU ▼").click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "CPU ▲");

    // Copy: the plain-text report goes to the clipboard in the frame of the click.
    harness.get_by_role_and_label(A11y::Button, "Copy").click();
    harness.step();
    let copied: Vec<String> = harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    let [text] = copied.as_slice() else {
        panic!("one copy expected: {copied:?}");
    };
    assert!(text.starts_with("System info — 张三\n"), "{text}");
    assert!(text.contains("Operating system: Windows 11 Pro"), "{text}");
    assert!(
        text.contains("chrome.exe\t4242\t500.0 MiB\t3.0 %"),
        "{text}"
    );
    harness.run();
    harness.get_by_label("Copied to the clipboard");
}
