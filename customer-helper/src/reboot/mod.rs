//! Reboot and reconnect (C8): the one-time start after the next login, and the reboot itself.
//!
//! After the customer accepted the agent's 重启客户电脑并重连 and the relay issued a reconnect
//! token, [`reboot_and_reconnect`] registers a one-time start of this very program with the
//! same relay and center and `--reconnect-token <hex>`, then reboots:
//! - Linux: an XDG autostart entry `$XDG_CONFIG_HOME/autostart/`[`AUTOSTART_FILE`] (default
//!   `~/.config/autostart`), mode 0600 because it holds the token; reboot with `systemctl
//!   reboot`, falling back to logind over D-Bus (`busctl call … Reboot b false`);
//! - Windows: a `RunOnce` value under `HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce`
//!   written with `reg.exe` (no administrator rights needed); reboot with `shutdown /r /t 0`.
//!
//! The helper started with `--reconnect-token` calls [`remove_one_time_start`] before anything
//! else, so the entry runs once even if the reconnect fails. Tests replace the reboot with the
//! shell command in [`REBOOT_COMMAND_ENV`].
//!
//! Shape (as `agent-desktop/src/idle/`): this file holds the portable logic and the
//! [`RebootPlatform`] trait; `linux.rs` (Linux and other Unix-likes) and `windows.rs` implement
//! it, one `cfg` per OS, and [`native`] picks the one built.

#[cfg(not(windows))]
mod linux;
#[cfg(windows)]
mod windows;

use std::{
    ffi::{OsStr, OsString},
    io,
    path::PathBuf,
    process::Command,
};

#[cfg(not(windows))]
pub use linux::{autostart_dir, autostart_path, desktop_entry, quote_exec_arg};

use porpoise_protocol::wire::ReconnectToken;

/// Environment variable with a shell command run instead of the real reboot (tests). Run with
/// `sh -c` (Windows: `cmd /C`); a non-zero exit is a failed reboot. Honoured only in debug
/// (test) builds: a released helper never runs a command from its environment (issue 14).
pub const REBOOT_COMMAND_ENV: &str = "PORPOISE_REBOOT_COMMAND";
/// File name of the XDG autostart entry (Linux).
pub const AUTOSTART_FILE: &str = "porpoise-helper-reconnect.desktop";
/// Name of the `RunOnce` value (Windows).
pub const RUN_ONCE_VALUE: &str = "PorpoiseHelperReconnect";
/// Registry key of the one-time start (Windows, per user).
pub const RUN_ONCE_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce";
/// Longest command line Windows accepts in a `RunOnce` value, in characters. A longer one is
/// written to [`ARGS_FILE`] and the value runs the helper with [`ARGS_FILE_FLAG`] instead.
pub const MAX_RUN_ONCE_CHARS: usize = 260;
/// Flag naming a file with the helper's arguments, one per line (used by the one-time start
/// when the arguments are too long for `RunOnce`; must be the only argument).
pub const ARGS_FILE_FLAG: &str = "--reconnect-args";
/// Name of that file in the temporary directory.
pub const ARGS_FILE: &str = "porpoise-helper-reconnect.args";
/// Largest arguments file read, in bytes.
pub const MAX_ARGS_FILE_BYTES: u64 = 16 * 1024;

/// If `argv` is `[exe, --reconnect-args, FILE]`, reads FILE (one argument per line, the token
/// among them), deletes it (one-time) and returns `[exe, args…]`; `None` for any other
/// command line.
///
/// Errors: FILE cannot be read, is larger than [`MAX_ARGS_FILE_BYTES`] or is not UTF-8.
pub fn args_from_file_flag(
    argv: impl IntoIterator<Item = OsString>,
) -> Option<io::Result<Vec<OsString>>> {
    let argv: Vec<OsString> = argv.into_iter().collect();
    let [exe, flag, file] = argv.as_slice() else {
        return None;
    };
    if flag != ARGS_FILE_FLAG {
        return None;
    }
    let path = PathBuf::from(file);
    let read = (|| {
        use std::io::Read as _;
        let mut text = String::new();
        std::fs::File::open(&path)?
            .take(MAX_ARGS_FILE_BYTES + 1)
            .read_to_string(&mut text)?;
        if text.len() as u64 > MAX_ARGS_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the reconnect arguments file is too large",
            ));
        }
        let mut out = vec![exe.clone()];
        out.extend(text.lines().map(OsString::from));
        Ok(out)
    })();
    if let Err(e) = std::fs::remove_file(&path) {
        if e.kind() != io::ErrorKind::NotFound {
            tracing::warn!(error = %e, "cannot remove the reconnect arguments file");
        }
    }
    Some(read)
}

/// How to start this helper again after the reboot: the program and its arguments (without the
/// token, which [`reboot_and_reconnect`] appends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relaunch {
    /// The helper's own executable.
    pub exe: PathBuf,
    /// Arguments that reproduce the relay, center and data directory of this run.
    pub args: Vec<OsString>,
}

impl Relaunch {
    /// The running helper with `config`'s relay, fingerprint, center, data directory and
    /// language. Errors: the executable's path cannot be found.
    pub fn of_current_exe(config: &crate::HelperConfig) -> io::Result<Self> {
        let exe = std::env::current_exe()?;
        let lang = match config.language {
            porpoise_ui::Language::ZhCn => "zh-CN",
            porpoise_ui::Language::En => "en",
        };
        let args = vec![
            "--relay".into(),
            config.relay_addr.clone().into(),
            "--fingerprint".into(),
            // Without colons: 64 characters instead of 95 (RunOnce allows 260 in all).
            config.fingerprint.to_string().replace(':', "").into(),
            "--center".into(),
            config.center_id.to_string().into(),
            "--data-dir".into(),
            config.data_dir.clone().into_os_string(),
            "--lang".into(),
            lang.into(),
        ];
        Ok(Self { exe, args })
    }

    /// Program and arguments, the token last.
    fn command_line(&self, token: &ReconnectToken) -> Vec<OsString> {
        let mut all = vec![self.exe.clone().into_os_string()];
        all.extend(self.args.iter().cloned());
        all.push("--reconnect-token".into());
        all.push(token.to_hex().into());
        all
    }
}

/// Why the reboot did not happen. The one-time start is removed again in every case.
#[derive(Debug, thiserror::Error)]
pub enum RebootError {
    /// The one-time start could not be registered.
    #[error("cannot register the start after the reboot: {0}")]
    Register(io::Error),
    /// An argument cannot be written into the autostart entry (line break).
    #[error("an argument of the helper contains a line break")]
    BadArgument,
    /// The reboot command could not be run or failed.
    #[error("the computer could not be restarted: {0}")]
    Reboot(String),
}

/// Registers the one-time start with `token`, then reboots. Returns once the reboot command
/// was accepted (the system then goes down); on any error nothing stays registered.
pub fn reboot_and_reconnect(
    relaunch: &Relaunch,
    token: &ReconnectToken,
) -> Result<(), RebootError> {
    register_one_time_start(relaunch, token)?;
    if let Err(e) = run_reboot() {
        if let Err(undo) = remove_one_time_start() {
            tracing::warn!(error = %undo, "cannot remove the one-time start after a failed reboot");
        }
        return Err(e);
    }
    Ok(())
}

/// What differs between operating systems: registering and removing the one-time start,
/// the shell that runs [`REBOOT_COMMAND_ENV`], and the reboot itself.
pub trait RebootPlatform {
    /// Writes the one-time start of `relaunch` with `token` (see the module docs).
    ///
    /// Errors: [`RebootError::Register`] when it cannot be written,
    /// [`RebootError::BadArgument`] for an argument it cannot hold.
    fn register(&self, relaunch: &Relaunch, token: &ReconnectToken) -> Result<(), RebootError>;

    /// Removes the one-time start; `Ok(false)` if there was none.
    ///
    /// Errors: it exists but cannot be removed.
    fn remove(&self) -> io::Result<bool>;

    /// A command that runs `command` in the system's shell (`sh -c`, `cmd /C`).
    fn shell(&self, command: &OsStr) -> Command;

    /// Restarts the computer; returns once the system accepted the request.
    ///
    /// Errors: [`RebootError::Reboot`] with the commands' failures.
    fn reboot(&self) -> Result<(), RebootError>;
}

/// The platform this helper was built for.
pub fn native() -> &'static dyn RebootPlatform {
    #[cfg(windows)]
    {
        &windows::Windows
    }
    #[cfg(not(windows))]
    {
        &linux::Linux
    }
}

/// Writes the one-time start (see the module docs).
///
/// Errors: the entry cannot be written.
pub fn register_one_time_start(
    relaunch: &Relaunch,
    token: &ReconnectToken,
) -> Result<(), RebootError> {
    native().register(relaunch, token)
}

/// Removes the one-time start; `Ok(false)` if there was none.
///
/// Errors: it exists but cannot be removed.
pub fn remove_one_time_start() -> io::Result<bool> {
    native().remove()
}

/// Runs [`REBOOT_COMMAND_ENV`] if set in a debug (test) build, else the platform's reboot.
fn run_reboot() -> Result<(), RebootError> {
    let platform = native();
    if let Some(command) = reboot_command_override() {
        return run(&mut platform.shell(&command));
    }
    platform.reboot()
}

/// The test hook: [`REBOOT_COMMAND_ENV`] in debug builds; always `None` in release builds.
fn reboot_command_override() -> Option<OsString> {
    if cfg!(debug_assertions) {
        std::env::var_os(REBOOT_COMMAND_ENV).filter(|c| !c.is_empty())
    } else {
        None
    }
}

/// Runs `cmd` to its end.
///
/// Errors: [`RebootError::Reboot`] naming the program when it cannot start or exits non-zero.
fn run(cmd: &mut Command) -> Result<(), RebootError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let status = cmd
        .status()
        .map_err(|e| RebootError::Reboot(format!("{program}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(RebootError::Reboot(format!("{program}: {status}")))
    }
}

/// A relaunch with awkward characters for the platforms' tests.
#[cfg(all(test, not(windows)))]
pub(crate) fn test_relaunch() -> Relaunch {
    Relaunch {
        exe: PathBuf::from("/opt/My Apps/porpoise-helper"),
        args: vec![
            "--relay".into(),
            "relay.example.com:18000".into(),
            "--data-dir".into(),
            "/home/ann/it's $HOME/100% \"data\"".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arguments_file_is_read_once_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(ARGS_FILE);
        let data = r"C:\Users\Ann Lee\data";
        std::fs::write(&file, format!("--center\n8000001\n--data-dir\n{data}\n")).expect("write");
        let argv = |f: &std::path::Path| {
            vec![
                OsString::from("helper.exe"),
                ARGS_FILE_FLAG.into(),
                f.as_os_str().to_owned(),
            ]
        };
        let read = args_from_file_flag(argv(&file))
            .expect("flag")
            .expect("read");
        assert_eq!(
            read,
            ["helper.exe", "--center", "8000001", "--data-dir", data].map(OsString::from)
        );
        assert!(!file.exists(), "one-time");
        assert!(args_from_file_flag(argv(&file)).expect("flag").is_err());
        assert!(args_from_file_flag(["helper.exe".into(), "--center".into()]).is_none());
    }
}
