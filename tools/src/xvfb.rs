//! A private X server for end-to-end tests: Xvfb on a free display number, plus the X tools
//! (xterm, xdotool, xev, import) the tests use to set up known content and to check what the
//! X server saw.

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

/// Screen geometry of the test X server, px.
pub const SCREEN: (u32, u32) = (1920, 1080);

/// A running Xvfb, killed on drop together with every client started through it.
pub struct Xvfb {
    /// Display name, e.g. `:117`.
    pub display: String,
    server: Child,
    clients: Vec<Child>,
}

impl Xvfb {
    /// Starts Xvfb 1920×1080×24 on a free display (`-displayfd`).
    ///
    /// Errors: Xvfb missing (install the `xvfb` package) or not starting within 10 s.
    pub fn start() -> Result<Xvfb> {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &format!("{}x{}x24", SCREEN.0, SCREEN.1),
            ])
            .args(["-nolisten", "tcp", "-noreset"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb; install the xvfb package")?;
        let stdout = server.stdout.take().context("no Xvfb stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading display number")?;
        let number: u32 = line
            .trim()
            .parse()
            .with_context(|| format!("Xvfb printed {line:?}"))?;
        Ok(Xvfb {
            display: format!(":{number}"),
            server,
            clients: Vec::new(),
        })
    }

    /// A command with DISPLAY set to this server.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display);
        c
    }

    /// Starts a client program that is killed with the server.
    pub fn spawn(&mut self, mut cmd: Command) -> Result<()> {
        let child = cmd
            .stdin(Stdio::null())
            .spawn()
            .context("spawning X client")?;
        self.clients.push(child);
        Ok(())
    }

    /// Starts a client program and returns it (the caller owns it).
    pub fn spawn_owned(&self, mut cmd: Command) -> Result<Child> {
        cmd.stdin(Stdio::null())
            .spawn()
            .context("spawning X client")
    }

    /// Runs a command to completion and returns its stdout.
    pub fn run(&self, program: &str, args: &[&str]) -> Result<String> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Gives window `id` the keyboard focus, retrying for up to 5 s while the server refuses
    /// (a window mapped a moment ago may not be viewable yet).
    pub fn focus_window(&self, id: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            match self.run("xdotool", &["windowfocus", "--sync", id]) {
                Ok(_) => return Ok(()),
                Err(e) if start.elapsed() > Duration::from_secs(5) => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Waits for a window whose name matches `name`; returns its id.
    pub fn wait_window(&self, name: &str, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            // Only a mapped (viewable) window: focusing one that exists but is not mapped yet
            // fails with BadMatch.
            if let Ok(out) = self.run("xdotool", &["search", "--onlyvisible", "--name", name]) {
                if let Some(id) = out.lines().next() {
                    return Ok(id.trim().to_owned());
                }
            }
            if start.elapsed() > timeout {
                bail!("window {name:?} did not appear within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pointer position the X server reports, px.
    pub fn pointer(&self) -> Result<(i32, i32)> {
        let out = self.run("xdotool", &["getmouselocation"])?;
        let field = |k: &str| -> Result<i32> {
            out.split_whitespace()
                .find_map(|f| f.strip_prefix(k))
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("no {k} in {out:?}"))
        };
        Ok((field("x:")?, field("y:")?))
    }

    /// A screenshot of the root window as RGBA (`import -window root`), width × height × 4 bytes.
    pub fn screenshot(&self, path: &Path) -> Result<(u32, u32, Vec<u8>)> {
        let p = path.to_str().context("path")?;
        self.run(
            "import",
            &["-window", "root", "-depth", "8", &format!("png24:{p}")],
        )?;
        crate::image::read_png_rgba(path)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        for c in &mut self.clients {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Reads whatever a child wrote to its piped stdout so far, without blocking for more.
pub fn drain_stdout(child: &mut Child, timeout: Duration) -> String {
    let Some(mut out) = child.stdout.take() else {
        return String::new();
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = out.read_to_string(&mut buf);
        let _ = tx.send(buf);
    });
    rx.recv_timeout(timeout).unwrap_or_default()
}
