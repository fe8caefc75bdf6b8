//! The system-info report of a session (A10) as the console keeps it: the last report, whether
//! its window is open, and how its programs table is sorted. Drawn by [`crate::ui::sysinfo`].

use porpoise_protocol::wire::{ProcessInfo, SystemInfo};

/// A column of the programs table that it can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessColumn {
    /// Program name (case-insensitive).
    Name,
    /// Process id.
    Pid,
    /// Resident memory.
    Memory,
    /// CPU usage.
    Cpu,
}

/// How the programs table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessSort {
    /// Sorted by this column.
    pub column: ProcessColumn,
    /// Largest (or Z) first.
    pub descending: bool,
}

impl Default for ProcessSort {
    /// As the helper sends it: most memory first.
    fn default() -> Self {
        ProcessSort {
            column: ProcessColumn::Memory,
            descending: true,
        }
    }
}

impl ProcessSort {
    /// A click on `column`'s header: the same column flips the order; another one sorts by it,
    /// numbers largest first and names A to Z.
    pub fn click(&mut self, column: ProcessColumn) {
        if self.column == column {
            self.descending = !self.descending;
        } else {
            self.column = column;
            self.descending = column != ProcessColumn::Name;
        }
    }

    /// Indices into `processes` in display order; ties keep pid order so rows never jump.
    pub fn order(&self, processes: &[ProcessInfo]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..processes.len()).collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (&processes[a], &processes[b]);
            let by = match self.column {
                ProcessColumn::Name => pa.name.to_lowercase().cmp(&pb.name.to_lowercase()),
                ProcessColumn::Pid => pa.pid.cmp(&pb.pid),
                ProcessColumn::Memory => pa.memory_bytes.cmp(&pb.memory_bytes),
                ProcessColumn::Cpu => pa.cpu_permille.cmp(&pb.cpu_permille),
            };
            let by = if self.descending { by.reverse() } else { by };
            by.then(pa.pid.cmp(&pb.pid))
        });
        order
    }
}

/// The last system-info report of a session and its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfoView {
    /// The report.
    pub info: SystemInfo,
    /// The window is shown.
    pub open: bool,
    /// Programs table order.
    pub sort: ProcessSort,
    /// "Copied" shown after Copy, until the next report.
    pub copied: bool,
}

impl SystemInfoView {
    /// A freshly arrived report: the window opens, programs by memory.
    pub fn new(info: SystemInfo) -> Self {
        SystemInfoView {
            info,
            open: true,
            sort: ProcessSort::default(),
            copied: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, pid: u32, memory_bytes: u64, cpu_permille: u32) -> ProcessInfo {
        ProcessInfo {
            name: name.into(),
            pid,
            memory_bytes,
            cpu_permille,
        }
    }

    #[test]
    fn header_clicks_sort_and_flip() {
        let list = [
            p("zsh", 3, 10, 0),
            p("Chrome", 1, 500, 20),
            p("bash", 2, 10, 900),
        ];
        let names = |s: &ProcessSort| -> Vec<&str> {
            s.order(&list)
                .into_iter()
                .map(|i| list[i].name.as_str())
                .collect()
        };
        let mut sort = ProcessSort::default();
        // Most memory first; the tie at 10 bytes in pid order.
        assert_eq!(names(&sort), ["Chrome", "bash", "zsh"]);
        sort.click(ProcessColumn::Cpu);
        assert_eq!(names(&sort), ["bash", "Chrome", "zsh"]);
        sort.click(ProcessColumn::Cpu);
        assert_eq!(names(&sort), ["zsh", "Chrome", "bash"]);
        sort.click(ProcessColumn::Name);
        assert!(!sort.descending, "names start A to Z");
        assert_eq!(names(&sort), ["bash", "Chrome", "zsh"]);
        sort.click(ProcessColumn::Pid);
        assert_eq!(names(&sort), ["zsh", "bash", "Chrome"]);
    }
}
