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

use std::{ffi::OsString, io, path::PathBuf, process::Command};

use porpoise_shared::wire::ReconnectToken;

/// Environment variable with a shell command run instead of the real reboot (tests, demos).
/// Run with `sh -c` (Windows: `cmd /C`); a non-zero exit is a failed reboot.
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
            porpoise_shared::ui::Language::ZhCn => "zh-CN",
            porpoise_shared::ui::Language::En => "en",
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

/// The XDG autostart directory: `$XDG_CONFIG_HOME/autostart`, else `$HOME/.config/autostart`.
pub fn autostart_dir() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("autostart"))
}

/// The autostart entry's full path (Linux).
pub fn autostart_path() -> Option<PathBuf> {
    autostart_dir().map(|d| d.join(AUTOSTART_FILE))
}

/// Quotes one argument for the `Exec` key of a desktop entry (Desktop Entry Specification,
/// "The Exec key"): always inside double quotes, with `"`, `` ` ``, `$` and `\` escaped by a
/// backslash, `%` doubled; then the string-value escaping of the file doubles every backslash.
/// `None` for arguments with a line break (not representable).
pub fn quote_exec_arg(arg: &str) -> Option<String> {
    if arg.contains(['\n', '\r']) {
        return None;
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    Some(quoted.replace('\\', "\\\\"))
}

/// The autostart entry that starts `relaunch` once with `token` (Linux).
///
/// Errors: [`RebootError::BadArgument`] if an argument has a line break or is not UTF-8.
pub fn desktop_entry(relaunch: &Relaunch, token: &ReconnectToken) -> Result<String, RebootError> {
    let mut exec = Vec::new();
    for arg in relaunch.command_line(token) {
        let text = arg.to_str().ok_or(RebootError::BadArgument)?;
        exec.push(quote_exec_arg(text).ok_or(RebootError::BadArgument)?);
    }
    Ok(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Porpoise helper (reconnect)\n\
         Comment=Rejoins the support session once after the restart\n\
         Exec={}\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n\
         X-GNOME-Autostart-Delay=2\n",
        exec.join(" ")
    ))
}

/// Writes the one-time start (see the module docs).
///
/// Errors: the entry cannot be written.
pub fn register_one_time_start(
    relaunch: &Relaunch,
    token: &ReconnectToken,
) -> Result<(), RebootError> {
    #[cfg(windows)]
    {
        windows::register(relaunch, token)
    }
    #[cfg(not(windows))]
    {
        let entry = desktop_entry(relaunch, token)?;
        let path = autostart_path().ok_or_else(|| {
            RebootError::Register(io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_CONFIG_HOME nor HOME is set",
            ))
        })?;
        write_private(&path, entry.as_bytes()).map_err(RebootError::Register)
    }
}

/// Removes the one-time start; `Ok(false)` if there was none.
///
/// Errors: it exists but cannot be removed.
pub fn remove_one_time_start() -> io::Result<bool> {
    #[cfg(windows)]
    {
        windows::remove()
    }
    #[cfg(not(windows))]
    {
        let Some(path) = autostart_path() else {
            return Ok(false);
        };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file, readable by the owner only.
#[cfg(not(windows))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{AUTOSTART_FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// Runs [`REBOOT_COMMAND_ENV`] if set, else the platform's reboot.
fn run_reboot() -> Result<(), RebootError> {
    if let Some(command) = std::env::var_os(REBOOT_COMMAND_ENV).filter(|c| !c.is_empty()) {
        #[cfg(windows)]
        let mut cmd = {
            let mut c = Command::new("cmd");
            c.arg("/C").arg(command);
            c
        };
        #[cfg(not(windows))]
        let mut cmd = {
            let mut c = Command::new("sh");
            c.arg("-c").arg(command);
            c
        };
        return run(&mut cmd);
    }
    #[cfg(windows)]
    {
        run(Command::new("shutdown").args(["/r", "/t", "0"]))
    }
    #[cfg(not(windows))]
    {
        let systemctl = run(Command::new("systemctl").arg("reboot"));
        if systemctl.is_ok() {
            return systemctl;
        }
        // logind directly, for systems where systemctl is missing or refuses.
        run(Command::new("busctl").args([
            "call",
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "Reboot",
            "b",
            "false",
        ]))
        .map_err(|e| match systemctl {
            Err(first) => RebootError::Reboot(format!("{first}; {e}")),
            Ok(()) => e,
        })
    }
}

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

#[cfg(windows)]
mod windows {
    //! `RunOnce` through `reg.exe`: no extra dependency, no administrator rights (HKCU).

    use std::{io, os::windows::process::CommandExt as _, process::Command};

    use super::{
        RebootError, ReconnectToken, Relaunch, ARGS_FILE, ARGS_FILE_FLAG, MAX_RUN_ONCE_CHARS,
        RUN_ONCE_KEY, RUN_ONCE_VALUE,
    };

    /// Do not flash a console window.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;

    /// Quotes one argument for `CommandLineToArgvW`: inside double quotes, backslashes before a
    /// quote (and at the end) doubled, quotes escaped.
    fn quote(arg: &str) -> String {
        let mut out = String::from("\"");
        let mut backslashes = 0;
        for c in arg.chars() {
            match c {
                '\\' => backslashes += 1,
                '"' => {
                    out.push_str(&"\\".repeat(backslashes * 2 + 1));
                    out.push('"');
                    backslashes = 0;
                }
                _ => {
                    out.push_str(&"\\".repeat(backslashes));
                    out.push(c);
                    backslashes = 0;
                }
            }
        }
        out.push_str(&"\\".repeat(backslashes * 2));
        out.push('"');
        out
    }

    pub(super) fn register(relaunch: &Relaunch, token: &ReconnectToken) -> Result<(), RebootError> {
        let mut parts = Vec::new();
        for arg in relaunch.command_line(token) {
            let text = arg.to_str().ok_or(RebootError::BadArgument)?;
            parts.push(quote(text));
        }
        let mut line = parts.join(" ");
        if line.chars().count() > MAX_RUN_ONCE_CHARS {
            // Too long for RunOnce: the arguments go into a file in this user's temporary
            // directory, read and deleted once at the next start.
            let file = std::env::temp_dir().join(ARGS_FILE);
            let mut text = String::new();
            for arg in relaunch.command_line(token).iter().skip(1) {
                let arg = arg.to_str().ok_or(RebootError::BadArgument)?;
                if arg.contains(['\n', '\r']) {
                    return Err(RebootError::BadArgument);
                }
                text.push_str(arg);
                text.push('\n');
            }
            std::fs::write(&file, text).map_err(RebootError::Register)?;
            let exe = relaunch.exe.to_str().ok_or(RebootError::BadArgument)?;
            let path = file.to_str().ok_or(RebootError::BadArgument)?;
            line = format!("{} {ARGS_FILE_FLAG} {}", quote(exe), quote(path));
            if line.chars().count() > MAX_RUN_ONCE_CHARS {
                let _ = std::fs::remove_file(&file);
                return Err(RebootError::Register(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the helper's path is too long for RunOnce",
                )));
            }
        }
        let status = Command::new("reg")
            .args([
                "add",
                RUN_ONCE_KEY,
                "/v",
                RUN_ONCE_VALUE,
                "/t",
                "REG_SZ",
                "/d",
            ])
            .arg(&line)
            .arg("/f")
            .creation_flags(CREATE_NO_WINDOW)
            .status()
            .map_err(RebootError::Register)?;
        if status.success() {
            Ok(())
        } else {
            Err(RebootError::Register(io::Error::other(format!(
                "reg add: {status}"
            ))))
        }
    }

    pub(super) fn remove() -> io::Result<bool> {
        let status = Command::new("reg")
            .args(["delete", RUN_ONCE_KEY, "/v", RUN_ONCE_VALUE, "/f"])
            .creation_flags(CREATE_NO_WINDOW)
            .status()?;
        // reg.exe exits 1 when the value does not exist (Windows already deleted it).
        Ok(status.success())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relaunch() -> Relaunch {
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

    /// Splits an `Exec` value back into arguments the way a desktop-entry launcher does: undo
    /// the string escaping, then the quoting.
    fn unquote_exec(value: &str) -> Vec<String> {
        let unescaped = value.replace("\\\\", "\\");
        let mut args = Vec::new();
        let mut chars = unescaped.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => {}
                '"' => {
                    let mut arg = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => arg.push(chars.next().expect("escaped char")),
                            '"' => break,
                            '%' => {
                                assert_eq!(chars.next(), Some('%'));
                                arg.push('%');
                            }
                            c => arg.push(c),
                        }
                    }
                    args.push(arg);
                }
                c => panic!("unquoted argument starting with {c:?}"),
            }
        }
        args
    }

    #[test]
    fn the_autostart_entry_runs_the_helper_once_with_its_config_and_the_token() {
        let token = ReconnectToken([0x5a; 32]);
        let entry = desktop_entry(&relaunch(), &token).expect("entry");
        assert!(entry.starts_with("[Desktop Entry]\n"));
        assert!(entry.contains("\nType=Application\n"));
        assert!(entry.contains("\nX-GNOME-Autostart-enabled=true\n"));
        let exec = entry
            .lines()
            .find_map(|l| l.strip_prefix("Exec="))
            .expect("Exec line");
        assert_eq!(
            unquote_exec(exec),
            vec![
                "/opt/My Apps/porpoise-helper".to_owned(),
                "--relay".into(),
                "relay.example.com:18000".into(),
                "--data-dir".into(),
                "/home/ann/it's $HOME/100% \"data\"".into(),
                "--reconnect-token".into(),
                token.to_hex(),
            ]
        );
        // The path with a space stays one argument, `$` and `%` are not expanded.
        assert!(exec.starts_with("\"/opt/My Apps/porpoise-helper\" "));
        assert!(exec.contains("\\\\$HOME/100%% "));
    }

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

    #[test]
    fn a_line_break_in_an_argument_is_refused() {
        let mut r = relaunch();
        r.args.push("two\nlines".into());
        let token = ReconnectToken([1; 32]);
        assert!(matches!(
            desktop_entry(&r, &token),
            Err(RebootError::BadArgument)
        ));
    }
}
