//! A real `porpoise-relay` process for the load tools (so that its memory can be read): start it
//! on loopback with extra flags, read its address and fingerprint, its resident memory, and the
//! size of its database files.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use anyhow::{bail, Context, Result};
use porpoise_quic::{client::ClientConfig, tls::Fingerprint};

/// A relay process, killed when dropped.
pub struct RelayProcess {
    /// The process.
    pub child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// Its certificate fingerprint.
    pub fingerprint: Fingerprint,
    /// Its data directory.
    pub data_dir: PathBuf,
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RelayProcess {
    /// Starts `porpoise-relay` (from the directory of the running binary) on `127.0.0.1:0` with
    /// `data_dir` and `extra` flags; its log goes to `data_dir/relay.log`.
    ///
    /// Errors: the binary is missing, or it exits before printing its address.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Result<RelayProcess> {
        let exe = std::env::current_exe()?;
        let bin: PathBuf = exe.parent().context("bin dir")?.join("porpoise-relay");
        let mut child = Command::new(&bin)
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(data_dir.join("relay.log"))?)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let mut addr = None;
        let mut fingerprint = None;
        while addr.is_none() || fingerprint.is_none() {
            let Some(line) = lines.next() else {
                bail!("relay exited")
            };
            let line = line?;
            if let Some(a) = line.strip_prefix("listening on ") {
                addr = Some(a.trim().to_owned());
            } else if let Some(f) = line.strip_prefix("fingerprint ") {
                fingerprint = Some(f.trim().parse()?);
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Ok(RelayProcess {
            child,
            addr: addr.unwrap_or_default(),
            fingerprint: fingerprint.context("fp")?,
            data_dir: data_dir.to_owned(),
        })
    }

    /// What clients connect with.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            relay_addr: self.addr.clone(),
            fingerprint: self.fingerprint,
        }
    }

    /// Resident memory, KiB.
    ///
    /// Errors: `/proc` unreadable.
    pub fn rss_kib(&self) -> Result<u64> {
        rss_kib(self.child.id())
    }

    /// Bytes of the database, its WAL and shared memory file.
    pub fn disk_bytes(&self) -> u64 {
        let db = porpoise_relay::RelayConfig::new(&self.data_dir).database_path();
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                std::fs::metadata(PathBuf::from(name)).ok()
            })
            .map(|m| m.len())
            .sum()
    }
}

/// Resident memory of process `pid`, KiB (`VmRSS` of `/proc/<pid>/status`).
///
/// Errors: `/proc` unreadable or without `VmRSS`.
pub fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

/// The `p` quantile (0..=1) of an ascending slice; NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
