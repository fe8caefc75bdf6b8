//! The one-time start and the reboot on Linux (and other Unix-likes): an XDG autostart entry,
//! mode 0600 because it holds the token; `systemctl reboot`, falling back to logind over D-Bus.

use std::{ffi::OsStr, io, path::PathBuf, process::Command};

use porpoise_protocol::wire::ReconnectToken;

use super::{run, RebootError, RebootPlatform, Relaunch, AUTOSTART_FILE};

/// The Linux (Unix) platform.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linux;

impl RebootPlatform for Linux {
    fn register(&self, relaunch: &Relaunch, token: &ReconnectToken) -> Result<(), RebootError> {
        let entry = desktop_entry(relaunch, token)?;
        let path = autostart_path().ok_or_else(|| {
            RebootError::Register(io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_CONFIG_HOME nor HOME is set",
            ))
        })?;
        write_private(&path, entry.as_bytes()).map_err(RebootError::Register)
    }

    fn remove(&self) -> io::Result<bool> {
        let Some(path) = autostart_path() else {
            return Ok(false);
        };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn shell(&self, command: &OsStr) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    }

    fn reboot(&self) -> Result<(), RebootError> {
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

/// Writes `bytes` to `path` through a temporary file, readable by the owner only.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reboot::test_relaunch as relaunch;

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
