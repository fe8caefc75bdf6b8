//! The one-time start and the reboot on Windows: a `RunOnce` value written with `reg.exe` (no
//! extra dependency, no administrator rights: HKCU); `shutdown /r /t 0`.
//!
//! Unverified here: the development machine cannot build for Windows, so this file is not
//! compiled or tested by the Linux CI; it was moved unchanged from the former single
//! `reboot.rs` (only wrapped in the [`RebootPlatform`] trait), which is where it was written.

use std::{ffi::OsStr, io, os::windows::process::CommandExt as _, process::Command};

use super::{
    run, RebootError, RebootPlatform, ReconnectToken, Relaunch, ARGS_FILE, ARGS_FILE_FLAG,
    MAX_RUN_ONCE_CHARS, RUN_ONCE_KEY, RUN_ONCE_VALUE,
};

/// The Windows platform.
#[derive(Debug, Clone, Copy, Default)]
pub struct Windows;

impl RebootPlatform for Windows {
    fn register(&self, relaunch: &Relaunch, token: &ReconnectToken) -> Result<(), RebootError> {
        register(relaunch, token)
    }

    fn remove(&self) -> io::Result<bool> {
        remove()
    }

    fn shell(&self, command: &OsStr) -> Command {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command);
        c
    }

    fn reboot(&self) -> Result<(), RebootError> {
        run(Command::new("shutdown").args(["/r", "/t", "0"]))
    }
}

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

fn register(relaunch: &Relaunch, token: &ReconnectToken) -> Result<(), RebootError> {
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

fn remove() -> io::Result<bool> {
    let status = Command::new("reg")
        .args(["delete", RUN_ONCE_KEY, "/v", RUN_ONCE_VALUE, "/f"])
        .creation_flags(CREATE_NO_WINDOW)
        .status()?;
    // reg.exe exits 1 when the value does not exist (Windows already deleted it).
    Ok(status.success())
}
