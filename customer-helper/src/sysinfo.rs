//! The system-info report (A10): what the helper tells the agent about this computer after the
//! customer consented to [`RemoteAction::SystemInfo`](porpoise_protocol::wire::RemoteAction).
//!
//! [`collect`] reads the operating system, CPU, memory, disks, network adapters and running
//! programs with the `sysinfo` crate and converts them into the wire type
//! [`SystemInfo`], trimmed to its caps ([`SystemInfo::fit`]: the programs using the most memory
//! first). It blocks for [`CPU_SAMPLE_INTERVAL`] (CPU usage is the difference of two samples),
//! so the network side runs it on a blocking thread, and only after the grant: nothing is read
//! before the customer says yes.

use std::{ffi::OsStr, time::Duration};

use porpoise_protocol::wire::{
    CpuInfo, DiskInfo, MemoryInfo, NetworkAdapter, OsInfo, ProcessInfo, SystemInfo, UnixMs,
};
use sysinfo::{Disks, Networks, ProcessesToUpdate, System};

/// Time between the two CPU samples whose difference gives CPU usage, in ms. At least
/// `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL`; long enough to smooth out a single busy moment.
pub const CPU_SAMPLE_INTERVAL: Duration = Duration::from_millis(500);

/// Reads this computer's system info, trimmed to the wire caps. Blocks for about
/// [`CPU_SAMPLE_INTERVAL`]; call it on a blocking thread. Never fails: what the platform does
/// not tell is left empty or zero.
pub fn collect() -> SystemInfo {
    let mut info = snapshot();
    info.fit();
    info
}

/// Like [`collect`] but not trimmed: every running program, in no particular order.
fn snapshot() -> SystemInfo {
    let mut system = System::new();
    system.refresh_cpu_all();
    system.refresh_processes(ProcessesToUpdate::All, true);
    std::thread::sleep(CPU_SAMPLE_INTERVAL.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL));
    system.refresh_cpu_all();
    system.refresh_memory();
    system.refresh_processes(ProcessesToUpdate::All, true);
    let disks = Disks::new_with_refreshed_list();
    let networks = Networks::new_with_refreshed_list();
    report_from(&system, &disks, &networks, now_ms())
}

/// Converts what `sysinfo` read into the wire report, collected at `collected_at` (unix ms).
/// Pure apart from the static OS queries of `sysinfo::System` (name, kernel, host, uptime).
fn report_from(
    system: &System,
    disks: &Disks,
    networks: &Networks,
    collected_at: UnixMs,
) -> SystemInfo {
    let processes: Vec<ProcessInfo> = system
        .processes()
        .values()
        .map(|p| ProcessInfo {
            name: text(p.name()),
            pid: p.pid().as_u32(),
            memory_bytes: p.memory(),
            cpu_permille: permille(p.cpu_usage()),
        })
        .collect();
    let mut adapters: Vec<NetworkAdapter> = networks
        .list()
        .iter()
        .map(|(name, data)| NetworkAdapter {
            name: name.clone(),
            mac: data.mac_address().to_string(),
            addresses: data.ip_networks().iter().map(|n| n.to_string()).collect(),
            received_bytes: data.total_received(),
            transmitted_bytes: data.total_transmitted(),
        })
        .collect();
    adapters.sort_by(|a, b| a.name.cmp(&b.name));
    SystemInfo {
        collected_at,
        os: OsInfo {
            name: os_name(
                System::long_os_version(),
                System::name(),
                System::os_version(),
            ),
            kernel: System::kernel_version().unwrap_or_default(),
            arch: System::cpu_arch(),
            hostname: System::host_name().unwrap_or_default(),
            uptime_s: System::uptime(),
        },
        cpu: CpuInfo {
            brand: system
                .cpus()
                .first()
                .map(|c| c.brand().trim().to_owned())
                .unwrap_or_default(),
            physical_cores: System::physical_core_count().and_then(|n| u32::try_from(n).ok()),
            logical_cores: u32::try_from(system.cpus().len()).unwrap_or(u32::MAX),
            frequency_mhz: system.cpus().first().map_or(0, |c| c.frequency()),
            usage_permille: u16::try_from(permille(system.global_cpu_usage()).min(1000))
                .unwrap_or(1000),
        },
        memory: MemoryInfo {
            total_bytes: system.total_memory(),
            used_bytes: system.used_memory(),
            swap_total_bytes: system.total_swap(),
            swap_used_bytes: system.used_swap(),
        },
        disks: disks
            .list()
            .iter()
            .map(|d| DiskInfo {
                name: text(d.name()),
                mount_point: d.mount_point().display().to_string(),
                file_system: text(d.file_system()),
                total_bytes: d.total_space(),
                available_bytes: d.available_space(),
                removable: d.is_removable(),
            })
            .collect(),
        process_count: u32::try_from(processes.len()).unwrap_or(u32::MAX),
        adapters,
        processes,
    }
}

/// A percentage as `sysinfo` gives it (0.0..=100.0 per logical CPU) in tenths of a percent,
/// rounded; NaN and negatives are 0.
fn permille(percent: f32) -> u32 {
    if percent.is_nan() || percent <= 0.0 {
        return 0;
    }
    let scaled = (f64::from(percent) * 10.0).round();
    if scaled >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // In range and non-negative: checked above.
        scaled as u32
    }
}

/// The OS line: the long name if known (`Windows 11 Pro 23H2`, `Linux (Ubuntu 24.04)`), else the
/// name with its version, else whatever is known.
fn os_name(long: Option<String>, name: Option<String>, version: Option<String>) -> String {
    if let Some(long) = long.filter(|l| !l.trim().is_empty()) {
        return long;
    }
    match (name, version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n,
        (None, Some(v)) => v,
        (None, None) => String::new(),
    }
}

/// An OS string as text; invalid UTF-8 becomes U+FFFD.
fn text(s: &OsStr) -> String {
    s.to_string_lossy().into_owned()
}

fn now_ms() -> UnixMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| {
            UnixMs::try_from(d.as_millis()).unwrap_or(UnixMs::MAX)
        })
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::MAX_SYSINFO_PROCESSES;

    use super::*;

    #[test]
    fn usage_becomes_permille_without_surprises() {
        assert_eq!(permille(12.34), 123);
        assert_eq!(permille(12.36), 124);
        assert_eq!(permille(100.0), 1000);
        assert_eq!(permille(350.0), 3500, "several cores");
        assert_eq!(permille(-1.0), 0);
        assert_eq!(permille(f32::NAN), 0);
        assert_eq!(permille(f32::INFINITY), u32::MAX);
    }

    #[test]
    fn the_os_line_prefers_the_long_name() {
        let s = |t: &str| Some(t.to_owned());
        assert_eq!(
            os_name(s("Windows 11 Pro"), s("Windows"), s("11")),
            "Windows 11 Pro"
        );
        assert_eq!(os_name(s("  "), s("Ubuntu"), s("24.04")), "Ubuntu 24.04");
        assert_eq!(os_name(None, s("Ubuntu"), None), "Ubuntu");
        assert_eq!(os_name(None, None, None), "");
    }

    #[test]
    fn the_real_collector_describes_this_machine() {
        let mut info = snapshot();
        assert!(info.cpu.logical_cores >= 1, "{:?}", info.cpu);
        assert!(info.memory.total_bytes > 0);
        assert!(info.memory.used_bytes <= info.memory.total_bytes);
        assert!(info.cpu.usage_permille <= 1000);
        assert!(!info.os.arch.is_empty());
        assert!(info.collected_at > 1_600_000_000_000, "a real clock");
        // This test process is among the running programs, with its real memory.
        let me = std::process::id();
        let own = info
            .processes
            .iter()
            .find(|p| p.pid == me)
            .unwrap_or_else(|| panic!("pid {me} missing from {} programs", info.processes.len()));
        assert!(own.memory_bytes > 0);
        assert!(!own.name.is_empty());
        // Trimmed, it keeps the caps and the biggest programs.
        let biggest = info.processes.iter().map(|p| p.memory_bytes).max();
        info.fit();
        assert_eq!(info.validate(), Ok(()));
        assert!(info.processes.len() <= MAX_SYSINFO_PROCESSES);
        assert_eq!(info.processes.first().map(|p| p.memory_bytes), biggest);
    }
}
