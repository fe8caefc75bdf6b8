//! Wire type of the system-info report (A10, the "maintenance" buttons of A6): what the customer's
//! helper tells the agent about its computer after the customer consented to
//! [`RemoteAction::SystemInfo`](super::RemoteAction::SystemInfo).
//!
//! Re-exported from [`crate::wire`]; only this crate defines what crosses the network.
//!
//! A report is one control frame: every list and string has a named cap so that the largest
//! possible report (every cap reached) still fits in
//! [`MAX_CONTROL_FRAME_BYTES`](crate::framing::MAX_CONTROL_FRAME_BYTES). The helper trims its
//! report with [`SystemInfo::fit`]; the relay refuses one that breaks a cap
//! ([`SystemInfo::validate`]). Units: sizes in bytes, frequencies in MHz, CPU usage in tenths of
//! a percent (‰, so that the types stay `Eq`), times in seconds or unix ms.

use serde::{Deserialize, Serialize};

use super::UnixMs;

/// Longest text field of a report (OS name, host name, CPU brand, disk name, mount point, file
/// system, adapter name, program name), in bytes of UTF-8. Longer texts are cut at a character
/// boundary by [`SystemInfo::fit`].
pub const MAX_SYSINFO_TEXT_BYTES: usize = 256;
/// Longest MAC or IP address text (`fe80::1/64`), in bytes.
pub const MAX_SYSINFO_ADDRESS_BYTES: usize = 64;
/// Most disks in a report; more are dropped (the first ones are kept).
pub const MAX_SYSINFO_DISKS: usize = 64;
/// Most network adapters in a report.
pub const MAX_SYSINFO_ADAPTERS: usize = 32;
/// Most IP addresses per network adapter.
pub const MAX_SYSINFO_ADDRESSES: usize = 8;
/// Most running programs in a report: the ones using the most memory.
pub const MAX_SYSINFO_PROCESSES: usize = 200;
/// Most CPU usage of one program, ‰: 100 % of each of 1024 logical CPUs.
pub const MAX_PROCESS_CPU_PERMILLE: u32 = 1000 * 1024;

/// The customer's computer as the helper saw it (A10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// When the helper collected it, unix ms (the customer's clock).
    pub collected_at: UnixMs,
    /// Operating system (操作系统).
    pub os: OsInfo,
    /// Processor (CPU).
    pub cpu: CpuInfo,
    /// Memory (内存).
    pub memory: MemoryInfo,
    /// Disks (磁盘), at most [`MAX_SYSINFO_DISKS`].
    pub disks: Vec<DiskInfo>,
    /// Network adapters (网卡), at most [`MAX_SYSINFO_ADAPTERS`].
    pub adapters: Vec<NetworkAdapter>,
    /// Running programs (进程), most memory first, at most [`MAX_SYSINFO_PROCESSES`].
    pub processes: Vec<ProcessInfo>,
    /// How many programs were running in all (may exceed `processes.len()`).
    pub process_count: u32,
}

/// Operating system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// Name and version, e.g. `Windows 11 Pro 23H2` or `Ubuntu 24.04 LTS` (empty if unknown).
    pub name: String,
    /// Kernel version, e.g. `6.8.0-45-generic` or `26100` (empty if unknown).
    pub kernel: String,
    /// CPU architecture, e.g. `x86_64`.
    pub arch: String,
    /// Computer (host) name.
    pub hostname: String,
    /// Time since the computer started, seconds.
    pub uptime_s: u64,
}

/// Processor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuInfo {
    /// Brand, e.g. `Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz`.
    pub brand: String,
    /// Physical cores (`None` if unknown).
    pub physical_cores: Option<u32>,
    /// Logical processors (threads).
    pub logical_cores: u32,
    /// Current frequency of the first logical processor, MHz.
    pub frequency_mhz: u64,
    /// Overall usage, ‰ (0..=1000).
    pub usage_permille: u16,
}

/// Memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryInfo {
    /// Installed memory, bytes.
    pub total_bytes: u64,
    /// Memory in use, bytes.
    pub used_bytes: u64,
    /// Swap / page file size, bytes.
    pub swap_total_bytes: u64,
    /// Swap in use, bytes.
    pub swap_used_bytes: u64,
}

/// One mounted disk / volume.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskInfo {
    /// Device name, e.g. `/dev/sda1` or `Windows` (volume label).
    pub name: String,
    /// Where it is mounted, e.g. `/home` or `C:\`.
    pub mount_point: String,
    /// File system, e.g. `ext4`, `NTFS`.
    pub file_system: String,
    /// Size, bytes.
    pub total_bytes: u64,
    /// Free space available, bytes.
    pub available_bytes: u64,
    /// True for a removable disk (USB stick, SD card).
    pub removable: bool,
}

/// One network adapter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAdapter {
    /// Interface name, e.g. `eth0` or `Ethernet`.
    pub name: String,
    /// MAC address, `aa:bb:cc:dd:ee:ff`.
    pub mac: String,
    /// IP addresses with prefix length, e.g. `192.168.1.20/24`, at most
    /// [`MAX_SYSINFO_ADDRESSES`].
    pub addresses: Vec<String>,
    /// Bytes received since the computer started.
    pub received_bytes: u64,
    /// Bytes sent since the computer started.
    pub transmitted_bytes: u64,
}

/// One running program.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    /// Program name, e.g. `chrome.exe`.
    pub name: String,
    /// Process id.
    pub pid: u32,
    /// Resident memory, bytes.
    pub memory_bytes: u64,
    /// CPU usage, ‰ of one logical processor (may exceed 1000 on several), at most
    /// [`MAX_PROCESS_CPU_PERMILLE`].
    pub cpu_permille: u32,
}

/// Why a report breaks a cap ([`SystemInfo::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SystemInfoError {
    /// A list is longer than its cap.
    #[error("system info: {count} {what}, at most {max} allowed")]
    TooMany {
        /// Which list.
        what: &'static str,
        /// Its length.
        count: usize,
        /// Its cap.
        max: usize,
    },
    /// A text is longer than its cap.
    #[error("system info: a {what} of {bytes} bytes, at most {max} allowed")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// Its length in bytes.
        bytes: usize,
        /// Its cap in bytes.
        max: usize,
    },
    /// A number is out of range.
    #[error("system info: {what} {value} is out of range (at most {max})")]
    OutOfRange {
        /// Which field.
        what: &'static str,
        /// Its value.
        value: u64,
        /// Its largest allowed value.
        max: u64,
    },
}

fn check_text(what: &'static str, text: &str, max: usize) -> Result<(), SystemInfoError> {
    if text.len() > max {
        return Err(SystemInfoError::TooLong {
            what,
            bytes: text.len(),
            max,
        });
    }
    Ok(())
}

fn check_len<T>(what: &'static str, list: &[T], max: usize) -> Result<(), SystemInfoError> {
    if list.len() > max {
        return Err(SystemInfoError::TooMany {
            what,
            count: list.len(),
            max,
        });
    }
    Ok(())
}

fn check_max(what: &'static str, value: u64, max: u64) -> Result<(), SystemInfoError> {
    if value > max {
        return Err(SystemInfoError::OutOfRange { what, value, max });
    }
    Ok(())
}

/// Cuts `text` to at most `max` bytes at a character boundary.
pub fn truncate_text(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

impl SystemInfo {
    /// A text of exactly `bytes` bytes made of 3-byte characters (plus ASCII padding).
    fn text_of(bytes: usize) -> String {
        let mut s = "系".repeat(bytes / 3);
        s.push_str(&"x".repeat(bytes % 3));
        s
    }

    /// The largest report the caps allow: every list at its cap, every text at its cap (in
    /// 3-byte characters), every number at its largest. For capacity checks and tests.
    #[doc(hidden)]
    pub fn maximal() -> SystemInfo {
        let t = || Self::text_of(MAX_SYSINFO_TEXT_BYTES);
        let a = || Self::text_of(MAX_SYSINFO_ADDRESS_BYTES);
        SystemInfo {
            collected_at: UnixMs::MAX,
            os: OsInfo {
                name: t(),
                kernel: t(),
                arch: t(),
                hostname: t(),
                uptime_s: u64::MAX,
            },
            cpu: CpuInfo {
                brand: t(),
                physical_cores: Some(u32::MAX),
                logical_cores: u32::MAX,
                frequency_mhz: u64::MAX,
                usage_permille: 1000,
            },
            memory: MemoryInfo {
                total_bytes: u64::MAX,
                used_bytes: u64::MAX,
                swap_total_bytes: u64::MAX,
                swap_used_bytes: u64::MAX,
            },
            disks: vec![
                DiskInfo {
                    name: t(),
                    mount_point: t(),
                    file_system: t(),
                    total_bytes: u64::MAX,
                    available_bytes: u64::MAX,
                    removable: true,
                };
                MAX_SYSINFO_DISKS
            ],
            adapters: vec![
                NetworkAdapter {
                    name: t(),
                    mac: a(),
                    addresses: vec![a(); MAX_SYSINFO_ADDRESSES],
                    received_bytes: u64::MAX,
                    transmitted_bytes: u64::MAX,
                };
                MAX_SYSINFO_ADAPTERS
            ],
            processes: vec![
                ProcessInfo {
                    name: t(),
                    pid: u32::MAX,
                    memory_bytes: u64::MAX,
                    cpu_permille: MAX_PROCESS_CPU_PERMILLE,
                };
                MAX_SYSINFO_PROCESSES
            ],
            process_count: u32::MAX,
        }
    }

    /// Checks every cap: list lengths, text lengths, usage ranges.
    ///
    /// Errors: the first [`SystemInfoError`] found.
    pub fn validate(&self) -> Result<(), SystemInfoError> {
        const T: usize = MAX_SYSINFO_TEXT_BYTES;
        const A: usize = MAX_SYSINFO_ADDRESS_BYTES;
        let os = &self.os;
        check_text("OS name", &os.name, T)?;
        check_text("kernel version", &os.kernel, T)?;
        check_text("architecture", &os.arch, T)?;
        check_text("host name", &os.hostname, T)?;
        check_text("CPU brand", &self.cpu.brand, T)?;
        check_max("CPU usage ‰", self.cpu.usage_permille.into(), 1000)?;
        check_len("disks", &self.disks, MAX_SYSINFO_DISKS)?;
        for d in &self.disks {
            check_text("disk name", &d.name, T)?;
            check_text("mount point", &d.mount_point, T)?;
            check_text("file system", &d.file_system, T)?;
        }
        check_len("network adapters", &self.adapters, MAX_SYSINFO_ADAPTERS)?;
        for n in &self.adapters {
            check_text("adapter name", &n.name, T)?;
            check_text("MAC address", &n.mac, A)?;
            check_len("IP addresses", &n.addresses, MAX_SYSINFO_ADDRESSES)?;
            for a in &n.addresses {
                check_text("IP address", a, A)?;
            }
        }
        check_len("programs", &self.processes, MAX_SYSINFO_PROCESSES)?;
        for p in &self.processes {
            check_text("program name", &p.name, T)?;
            check_max(
                "program CPU usage ‰",
                p.cpu_permille.into(),
                MAX_PROCESS_CPU_PERMILLE.into(),
            )?;
        }
        Ok(())
    }

    /// Trims the report to the caps: programs sorted by memory (most first, then by pid) and cut
    /// to [`MAX_SYSINFO_PROCESSES`], other lists cut to theirs, texts cut at a character
    /// boundary, usages clamped. Afterwards [`SystemInfo::validate`] succeeds.
    pub fn fit(&mut self) {
        const T: usize = MAX_SYSINFO_TEXT_BYTES;
        const A: usize = MAX_SYSINFO_ADDRESS_BYTES;
        for text in [
            &mut self.os.name,
            &mut self.os.kernel,
            &mut self.os.arch,
            &mut self.os.hostname,
            &mut self.cpu.brand,
        ] {
            truncate_text(text, T);
        }
        self.cpu.usage_permille = self.cpu.usage_permille.min(1000);
        self.disks.truncate(MAX_SYSINFO_DISKS);
        for d in &mut self.disks {
            truncate_text(&mut d.name, T);
            truncate_text(&mut d.mount_point, T);
            truncate_text(&mut d.file_system, T);
        }
        self.adapters.truncate(MAX_SYSINFO_ADAPTERS);
        for n in &mut self.adapters {
            truncate_text(&mut n.name, T);
            truncate_text(&mut n.mac, A);
            n.addresses.truncate(MAX_SYSINFO_ADDRESSES);
            for a in &mut n.addresses {
                truncate_text(a, A);
            }
        }
        self.process_count = self
            .process_count
            .max(u32::try_from(self.processes.len()).unwrap_or(u32::MAX));
        self.processes
            .sort_by(|a, b| b.memory_bytes.cmp(&a.memory_bytes).then(a.pid.cmp(&b.pid)));
        self.processes.truncate(MAX_SYSINFO_PROCESSES);
        for p in &mut self.processes {
            truncate_text(&mut p.name, T);
            p.cpu_permille = p.cpu_permille.min(MAX_PROCESS_CPU_PERMILLE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::rpc;
    use crate::{
        framing::{encode_frame, MAX_CONTROL_FRAME_BYTES},
        wire::{ClientMessage, Event, Request, RequestId, ServerMessage, SessionId},
    };

    #[test]
    fn a_maximal_report_fits_in_one_control_frame_both_ways() {
        let info = SystemInfo::maximal();
        assert_eq!(info.validate(), Ok(()));
        let request = ClientMessage::Request {
            id: RequestId(u64::MAX),
            body: Request::ReportSystemInfo(rpc::ReportSystemInfo {
                session_id: SessionId(u64::MAX),
                info: Box::new(info.clone()),
            }),
        };
        let up = encode_frame(&request, MAX_CONTROL_FRAME_BYTES).expect("request fits");
        let event = ServerMessage::Event(Event::SystemInfoReported {
            session_id: SessionId(u64::MAX),
            info: Box::new(info),
        });
        let down = encode_frame(&event, MAX_CONTROL_FRAME_BYTES).expect("event fits");
        // Room to spare for a later field or two.
        assert!(
            up.len() < MAX_CONTROL_FRAME_BYTES * 3 / 4,
            "{} bytes",
            up.len()
        );
        assert!(
            down.len() < MAX_CONTROL_FRAME_BYTES * 3 / 4,
            "{} bytes",
            down.len()
        );
    }

    #[test]
    fn validate_names_the_broken_cap() {
        let mut info = SystemInfo::maximal();
        info.processes.push(ProcessInfo::default());
        assert_eq!(
            info.validate(),
            Err(SystemInfoError::TooMany {
                what: "programs",
                count: MAX_SYSINFO_PROCESSES + 1,
                max: MAX_SYSINFO_PROCESSES,
            })
        );
        let mut info = SystemInfo::maximal();
        info.adapters[3].addresses[0].push('x');
        assert!(matches!(
            info.validate(),
            Err(SystemInfoError::TooLong {
                what: "IP address",
                ..
            })
        ));
        let mut info = SystemInfo::maximal();
        info.cpu.usage_permille = 1001;
        assert!(matches!(
            info.validate(),
            Err(SystemInfoError::OutOfRange {
                what: "CPU usage ‰",
                ..
            })
        ));
    }

    #[test]
    fn fit_trims_an_oversized_report_to_a_valid_one() {
        let mut info = SystemInfo::maximal();
        info.os.hostname = "主机".repeat(200); // 1,200 bytes; the cut must land on a boundary
        info.disks.push(DiskInfo::default());
        info.adapters[0].addresses.push("10.0.0.1/8".into());
        info.processes = (0..500u32)
            .map(|pid| ProcessInfo {
                name: format!("p{pid}"),
                pid,
                memory_bytes: u64::from(pid % 7) * 1000 + u64::from(pid),
                cpu_permille: u32::MAX,
            })
            .collect();
        info.process_count = 3; // wrong: less than the list
        info.fit();
        assert_eq!(info.validate(), Ok(()));
        assert!(info.os.hostname.len() <= MAX_SYSINFO_TEXT_BYTES);
        assert!(info.os.hostname.starts_with("主机"));
        assert_eq!(info.processes.len(), MAX_SYSINFO_PROCESSES);
        assert_eq!(info.process_count, 500);
        assert!(info
            .processes
            .windows(2)
            .all(|w| w[0].memory_bytes >= w[1].memory_bytes));
        // The biggest program of all is kept.
        assert_eq!(info.processes[0].pid, 496);
        assert_eq!(info.processes[0].cpu_permille, MAX_PROCESS_CPU_PERMILLE);
    }
}
