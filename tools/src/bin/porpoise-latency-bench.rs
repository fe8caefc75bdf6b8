//! `porpoise-latency-bench`: end-to-end latency of the screen and input pipelines on loopback
//! at 1920×1080, through a real relay, and prints the numbers (no assertions).
//!
//! - A probe window ([`porpoise_tools::probe`]) draws a 16-bit frame counter every 33 ms and
//!   records when the X server had each value. The helper side (a child process: this binary
//!   with `--role helper`) captures, encodes and streams the real screen; the agent side (this
//!   process) decodes, reads the counter from the decoded canvas and computes
//!   draw → decoded latency.
//! - The agent clicks on the probe's marker square (InputEvent over an input stream, injected
//!   by the helper with `EnigoInjector`); the probe switches the marker's colour on ButtonPress.
//!   Click → toggled colour in a decoded frame is the input-to-pixel latency.
//! - Helper CPU: utime + stime of the helper process (`/proc/<pid>/stat`) ÷ wall time over the
//!   measured period, per thread too.
//!
//! Run in release: `cargo run --release -p porpoise-tools --bin porpoise-latency-bench --
//! --clicks 100`; with `--record docs/benchmarks.md` the numbers also replace this tool's
//! section of that file.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use porpoise_codec::stream::{ImageQuality, StreamSettings};
use porpoise_helper::{
    capture::make_capture,
    input::{EnigoInjector, InputInjector},
};
use porpoise_protocol::{
    input::{InputEvent, MouseButton, MouseEvent},
    wire::{ActionState, Event, InstallId, MediaHeader, MediaKind, RemoteAction},
};
use porpoise_quic::{
    client::{random_id, ClientConfig},
    screen::{
        read_input, stream_screen, view_screen_with, viewer_channel, InputSender, ViewerEvent,
    },
    tls::Fingerprint,
};
use porpoise_tools::{
    peer::{Peer, WAIT},
    probe::{self, Marker, Probe},
    record::{Report, Table},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::Xvfb,
};

const CUSTOMER: &str = "latency-bench";
const TICK: Duration = Duration::from_millis(33);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    /// Run the whole bench (default).
    Bench,
    /// Internal: the helper side, started by the bench.
    Helper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QualityArg {
    Best,
    Balanced,
    Low,
}

#[derive(Parser, Debug)]
struct Cli {
    #[arg(long, value_enum, default_value = "bench")]
    role: Role,
    /// Clicks to measure input-to-pixel latency with.
    #[arg(long, default_value_t = 100)]
    clicks: usize,
    /// Measure at least this many seconds (the counter latency is measured all along).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Image quality the viewer asks for.
    #[arg(long, value_enum, default_value = "balanced")]
    quality: QualityArg,
    /// Also run a terminal that scrolls text continuously (a busy screen next to the probe).
    #[arg(long)]
    busy: bool,
    /// Helper role: relay address.
    #[arg(long)]
    relay: Option<String>,
    /// Helper role: relay certificate fingerprint.
    #[arg(long)]
    fingerprint: Option<Fingerprint>,
    /// Also write the results into this tool's section of this Markdown file (between its
    /// `<!-- bench:porpoise-latency-bench -->` markers), conventionally `docs/benchmarks.md`.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.role {
        Role::Helper => {
            let config = ClientConfig {
                relay_addr: cli.relay.clone().context("--relay")?,
                fingerprint: cli.fingerprint.context("--fingerprint")?,
            };
            runtime.block_on(helper(config))
        }
        Role::Bench => {
            let mut x = Xvfb::start()?;
            std::env::set_var("DISPLAY", &x.display);
            let mut term = x.command("xterm");
            term.args([
                "-geometry",
                "120x45+600+100",
                "-e",
                "sh",
                "-c",
                "ls -la /usr/bin | head -60; exec sleep 1000",
            ]);
            x.spawn(term)?;
            if cli.busy {
                let mut busy = x.command("xterm");
                busy.args([
                    "-geometry",
                    "160x50+600+200",
                    "-e",
                    "sh",
                    "-c",
                    "while :; do ls -la /usr/lib; done",
                ]);
                x.spawn(busy)?;
            }
            let probe = Probe::start(&x.display, TICK)?;
            std::thread::sleep(Duration::from_millis(1000));
            let summary = runtime.block_on(bench(&cli, &x, Arc::new(probe)))?;
            if let Some(path) = &cli.record {
                summary.record(path)?;
                eprintln!("recorded in {}", path.display());
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helper side (child process)

async fn helper(config: ClientConfig) -> Result<()> {
    let mut peer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(random_id())).await?;
    peer.request_service(CUSTOMER, "13800000000").await?;
    let session = peer
        .wait_for(WAIT * 3, |e| match e {
            Event::SessionStarted(info) => Some(info.session_id),
            _ => None,
        })
        .await?;
    let mut screen = None;
    let mut input = None;
    let mut control = false;
    loop {
        match peer
            .wait_for(Duration::from_millis(20), |e| Some(e.clone()))
            .await
        {
            Ok(Event::ConsentRequested { session_id, action }) if session_id == session => {
                peer.answer(session, action, true).await?;
            }
            Ok(Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            }) if session_id == session => {
                if action == RemoteAction::RemoteControl {
                    control = state == ActionState::Granted;
                }
                if state == ActionState::Granted && screen.is_none() {
                    let stream = peer
                        .client
                        .open_media(MediaHeader {
                            session_id: session,
                            kind: MediaKind::Screen,
                        })
                        .await?;
                    screen = Some(tokio::spawn(stream_screen(
                        make_capture,
                        stream.send,
                        stream.recv,
                    )));
                }
            }
            Ok(Event::SessionEnded { session_id, .. }) if session_id == session => return Ok(()),
            Ok(_) => {}
            Err(_) if !peer.client.is_open() => return Ok(()),
            Err(_) => {}
        }
        if control && input.is_none() {
            if let Ok(stream) = peer
                .wait_media(MediaKind::Input, Duration::from_millis(1))
                .await
            {
                let mut recv = stream.recv;
                input = Some(tokio::spawn(async move {
                    let mut injector = EnigoInjector::new()?;
                    while let Some(event) = read_input(&mut recv).await? {
                        injector.inject(&event)?;
                    }
                    Ok::<(), anyhow::Error>(())
                }));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bench side

#[derive(Default)]
struct Seen {
    /// Measuring since (frames before are warm-up).
    since: Option<Instant>,
    frames: u64,
    bytes: u64,
    decode_us: u64,
    last_counter: Option<u16>,
    /// Draw → decoded, ms, one per new counter value seen.
    counter_ms: Vec<f64>,
    /// Counter values skipped between two decoded frames (captures missed them).
    counter_skipped: u64,
    unreadable: u64,
    marker: Option<Marker>,
    /// When the decoded marker changed colour, and to which.
    marker_changes: Vec<(Instant, Marker)>,
    first_frame: Option<Instant>,
    last_frame: Option<Instant>,
}

async fn bench(cli: &Cli, x: &Xvfb, probe: Arc<Probe>) -> Result<Summary> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .env("DISPLAY", &x.display)
        .args([
            "--role",
            "helper",
            "--relay",
            &relay.addr.to_string(),
            "--fingerprint",
            &relay.fingerprint.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .context("starting the helper process")?;
    let result = measure(cli, &relay, probe, &mut child).await;
    let _ = child.kill();
    let _ = child.wait();
    relay.stop().await;
    result
}

async fn measure(
    cli: &Cli,
    relay: &TestRelay,
    probe: Arc<Probe>,
    child: &mut Child,
) -> Result<Summary> {
    let config = relay.client_config();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let session = agent.take_customer(CUSTOMER, WAIT * 3).await?;
    agent
        .request_granted(session, RemoteAction::ViewDesktop, WAIT)
        .await?;
    // The customer accepted: the issue-6 target is the first frame within 1 s of this.
    let granted = Instant::now();
    let stream = agent.wait_media(MediaKind::Screen, WAIT).await?;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let (handle, control) = viewer_channel();
    let quality = match cli.quality {
        QualityArg::Best => ImageQuality::Best,
        QualityArg::Balanced => ImageQuality::Balanced,
        QualityArg::Low => ImageQuality::Low,
    };
    handle.set_settings(StreamSettings {
        quality,
        ..StreamSettings::default()
    });
    let sink = seen.clone();
    let probe_in = probe.clone();
    let viewer = tokio::spawn(view_screen_with(
        stream.send,
        stream.recv,
        control,
        move |ev| {
            let ViewerEvent::Frame(u) = ev else {
                return;
            };
            let now = Instant::now();
            let (w, _) = u.decoder.size();
            let rgba = u.decoder.rgba();
            let counter = probe::read_counter(rgba, w);
            let marker = probe::read_marker(rgba, w);
            let Ok(mut s) = sink.lock() else {
                return;
            };
            s.first_frame.get_or_insert(now);
            s.last_frame = Some(now);
            if marker.is_some() && marker != s.marker {
                s.marker = marker;
                if let Some(m) = marker {
                    s.marker_changes.push((now, m));
                }
            }
            let Some(since) = s.since else {
                s.last_counter = counter.or(s.last_counter);
                return;
            };
            s.frames += 1;
            s.bytes += u.encoded_bytes as u64;
            s.decode_us += u64::from(u.decode_us);
            match counter {
                None => s.unreadable += 1,
                Some(c) if Some(c) != s.last_counter => {
                    if let Some(last) = s.last_counter {
                        s.counter_skipped += u64::from(c.wrapping_sub(last).saturating_sub(1));
                    }
                    s.last_counter = Some(c);
                    if let Some(drawn) = probe_in.drawn(c) {
                        if drawn >= since && drawn <= now {
                            s.counter_ms.push((now - drawn).as_secs_f64() * 1e3);
                        }
                    }
                }
                Some(_) => {}
            }
        },
    ));
    // Wait for the picture, then take control.
    let start = Instant::now();
    while seen.lock().map(|s| s.marker.is_none()).unwrap_or(true) {
        if start.elapsed() > WAIT {
            bail!("the probe's marker never showed up in a decoded frame");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_frame_ms = seen
        .lock()
        .ok()
        .and_then(|s| s.first_frame)
        .map_or(f64::NAN, |t| (t - granted).as_secs_f64() * 1e3);
    agent
        .request_granted(session, RemoteAction::RemoteControl, WAIT)
        .await?;
    let input_stream = agent
        .client
        .open_media(MediaHeader {
            session_id: session,
            kind: MediaKind::Input,
        })
        .await?;
    let mut input = InputSender::new(input_stream.send);
    let (mx, my) = probe::marker_center();
    input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: mx, y: my }))
        .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let cpu0 = ProcCpu::read(child.id())?;
    let t0 = Instant::now();
    if let Ok(mut s) = seen.lock() {
        s.since = Some(t0);
    }
    let mut click_ms = Vec::new();
    let mut press_ms = Vec::new();
    let mut missed = 0;
    for i in 0..cli.clicks {
        let before = seen.lock().ok().and_then(|s| s.marker);
        let sent = Instant::now();
        for down in [true, false] {
            input
                .send(&InputEvent::Mouse(MouseEvent::Button {
                    button: MouseButton::Left,
                    down,
                }))
                .await?;
        }
        let deadline = sent + Duration::from_secs(3);
        let seen_at = loop {
            let hit = seen.lock().ok().and_then(|s| {
                s.marker_changes
                    .iter()
                    .find(|(t, m)| *t > sent && Some(*m) != before)
                    .map(|(t, _)| *t)
            });
            if hit.is_some() || Instant::now() > deadline {
                break hit;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        match seen_at {
            Some(t) => click_ms.push((t - sent).as_secs_f64() * 1e3),
            None => missed += 1,
        }
        let press = probe
            .times
            .lock()
            .ok()
            .and_then(|p| p.presses.iter().find(|(t, _)| *t > sent).map(|(t, _)| *t));
        if let Some(p) = press {
            press_ms.push((p - sent).as_secs_f64() * 1e3);
        }
        // Spread the clicks over the capture phase: 150..250 ms apart, deterministic.
        tokio::time::sleep(Duration::from_millis(150 + (i as u64 * 37) % 100)).await;
    }
    let min = Duration::from_secs(cli.seconds);
    if t0.elapsed() < min {
        tokio::time::sleep(min - t0.elapsed()).await;
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu1 = ProcCpu::read(child.id())?;
    // The viewer keeps decoding into a fresh (unmeasured) record.
    let s = seen
        .lock()
        .map(|mut g| std::mem::take(&mut *g))
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    let frames = s.frames.max(1);
    let ticks = clk_tck();
    let total = (cpu1.total - cpu0.total) as f64 / ticks;
    let mut per: Vec<(String, f64)> = Vec::new();
    for (tid, (name, t1)) in &cpu1.threads {
        let t0 = cpu0.threads.get(tid).map_or(0, |(_, t)| *t);
        let secs = (t1 - t0) as f64 / ticks;
        match per.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v += secs,
            None => per.push((name.clone(), secs)),
        }
    }
    per.sort_by(|a, b| b.1.total_cmp(&a.1));
    let summary = Summary {
        quality: cli.quality,
        busy: cli.busy,
        wall,
        first_frame_ms,
        counter: Latency::of(&s.counter_ms),
        counter_skipped: s.counter_skipped,
        unreadable: s.unreadable,
        click: Latency::of(&click_ms),
        missed,
        press: Latency::of(&press_ms),
        frames: s.frames,
        fps: s.frames as f64 / wall,
        bytes_per_frame: s.bytes as f64 / frames as f64,
        mbit_s: s.bytes as f64 * 8.0 / wall / 1e6,
        decode_ms: s.decode_us as f64 / 1e3 / frames as f64,
        cpu_s: total,
        threads: per
            .iter()
            .filter(|(_, v)| *v > 0.0)
            .map(|(n, v)| (n.clone(), v / wall * 100.0))
            .collect(),
    };
    summary.print();
    input.finish();
    let _ = agent.stop(session, RemoteAction::RemoteControl).await;
    let _ = agent.stop(session, RemoteAction::ViewDesktop).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), viewer).await;
    Ok(summary)
}

/// p50, p99 and max of a set of latencies, ms (NaN when empty), and how many there were.
#[derive(Debug, Clone, Copy)]
struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
    count: usize,
}

impl Latency {
    fn of(ms: &[f64]) -> Latency {
        Latency {
            p50: pct(ms, 50.0),
            p99: pct(ms, 99.0),
            max: pct(ms, 100.0),
            count: ms.len(),
        }
    }
}

/// The bench's results: printed, and recorded with `--record`.
struct Summary {
    quality: QualityArg,
    busy: bool,
    /// Seconds measured.
    wall: f64,
    /// ViewDesktop granted → first frame decoded, ms.
    first_frame_ms: f64,
    /// Probe draw → counter read from a decoded frame.
    counter: Latency,
    counter_skipped: u64,
    unreadable: u64,
    /// Click sent → toggled marker in a decoded frame.
    click: Latency,
    missed: usize,
    /// Click sent → ButtonPress at the probe.
    press: Latency,
    frames: u64,
    fps: f64,
    bytes_per_frame: f64,
    mbit_s: f64,
    /// Decode time per frame, mean, ms.
    decode_ms: f64,
    /// Helper process CPU seconds over `wall`.
    cpu_s: f64,
    /// Helper threads (by name) and their CPU, % of one core, busiest first.
    threads: Vec<(String, f64)>,
}

impl Summary {
    fn screen(&self) -> &'static str {
        if self.busy {
            "busy screen (a terminal scrolling text)"
        } else {
            "quiet screen (only the probe changes)"
        }
    }

    fn cpu_percent(&self) -> f64 {
        self.cpu_s / self.wall * 100.0
    }

    fn thread_list(&self) -> String {
        let list: Vec<String> = self
            .threads
            .iter()
            .map(|(n, v)| format!("{n} {v:.1} %"))
            .collect();
        list.join(", ")
    }

    fn print(&self) {
        let (c, k, p) = (self.counter, self.click, self.press);
        println!();
        println!(
            "porpoise latency bench: 1920x1080 Xvfb, helper process → relay (QUIC loopback) → agent, quality {:?}, {}, {:.1} s measured",
            self.quality,
            self.screen(),
            self.wall
        );
        println!(
            "first frame after the customer's consent (ViewDesktop granted → first 1080p frame decoded by the agent): {:.1} ms (target ≤ 1000 ms)",
            self.first_frame_ms
        );
        println!(
            "capture-to-decoded (probe draw+XSync → counter read from decoded canvas): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} counter values seen, {} skipped, {} frames unreadable)",
            c.p50, c.p99, c.max, c.count, self.counter_skipped, self.unreadable
        );
        println!(
            "input-to-pixel (InputEvent sent → toggled marker in a decoded frame): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} clicks, {} missed)",
            k.p50, k.p99, k.max, k.count, self.missed
        );
        println!(
            "  of which send → ButtonPress at the probe (relay + injection): p50 {:.1} ms, p99 {:.1} ms",
            p.p50, p.p99
        );
        println!(
            "frames: {} decoded = {:.1} fps, {:.0} bytes/frame mean ({:.2} Mbit/s), decode {:.2} ms/frame mean",
            self.frames, self.fps, self.bytes_per_frame, self.mbit_s, self.decode_ms
        );
        println!(
            "helper process CPU (utime+stime from /proc/<pid>/stat, capture+encode+QUIC+inject): {:.1} % of one core ({:.2} s CPU in {:.1} s)",
            self.cpu_percent(),
            self.cpu_s,
            self.wall
        );
        println!("  by thread: {}", self.thread_list());
    }

    /// Writes the same numbers into the latency bench's section of `path`.
    fn record(&self, path: &Path) -> Result<()> {
        let ms = |v: f64| format!("{v:.1}");
        let mut latency = Table::new(["latency", "p50 ms", "p99 ms", "max ms", "samples"]);
        let (c, k, p) = (self.counter, self.click, self.press);
        latency
            .row([
                "capture-to-decoded (probe draw+XSync → counter read from the decoded canvas)"
                    .to_owned(),
                ms(c.p50),
                ms(c.p99),
                ms(c.max),
                format!(
                    "{} counter values, {} skipped, {} frames unreadable",
                    c.count, self.counter_skipped, self.unreadable
                ),
            ])
            .row([
                "input-to-pixel (InputEvent sent → toggled marker in a decoded frame)".to_owned(),
                ms(k.p50),
                ms(k.p99),
                ms(k.max),
                format!("{} clicks, {} missed", k.count, self.missed),
            ])
            .row([
                "of which send → ButtonPress at the probe (relay + injection)".to_owned(),
                ms(p.p50),
                ms(p.p99),
                ms(p.max),
                format!("{} presses", p.count),
            ]);
        let mut other = Table::new(["measurement", "value"]);
        other
            .row([
                "first frame after the customer's consent (ViewDesktop granted → first 1080p frame decoded by the agent; target ≤ 1000 ms)".to_owned(),
                format!("{:.1} ms", self.first_frame_ms),
            ])
            .row([
                "frames decoded".to_owned(),
                format!("{} = {:.1} fps", self.frames, self.fps),
            ])
            .row([
                "bytes per frame (mean)".to_owned(),
                format!("{:.0} ({:.2} Mbit/s)", self.bytes_per_frame, self.mbit_s),
            ])
            .row([
                "decode per frame (mean)".to_owned(),
                format!("{:.2} ms", self.decode_ms),
            ])
            .row([
                "helper process CPU (utime+stime from /proc/<pid>/stat, capture+encode+QUIC+inject)".to_owned(),
                format!(
                    "{:.1} % of one core ({:.2} s CPU in {:.1} s)",
                    self.cpu_percent(),
                    self.cpu_s,
                    self.wall
                ),
            ])
            .row(["helper CPU by thread".to_owned(), self.thread_list()]);
        let mut report = Report::new("porpoise-latency-bench");
        report
            .text(format!(
                "1920x1080 Xvfb, helper process → relay (QUIC loopback) → agent, quality {:?}, {}, {:.1} s measured:",
                self.quality,
                self.screen(),
                self.wall
            ))
            .table(&latency)
            .table(&other);
        report.record(path)?;
        Ok(())
    }
}

/// The `p`th percentile (nearest rank) of `v` in ms; NaN if empty.
fn pct(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0 * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}

/// CPU ticks of a process and of its live threads (by name).
struct ProcCpu {
    total: u64,
    threads: HashMap<u32, (String, u64)>,
}

impl ProcCpu {
    fn read(pid: u32) -> Result<ProcCpu> {
        let (_, total) = stat_ticks(&format!("/proc/{pid}/stat"))?;
        let mut threads = HashMap::new();
        for entry in std::fs::read_dir(format!("/proc/{pid}/task"))?.flatten() {
            let Ok(tid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Ok(t) = stat_ticks(&format!("/proc/{pid}/task/{tid}/stat")) {
                threads.insert(tid, t);
            }
        }
        Ok(ProcCpu { total, threads })
    }
}

/// (comm, utime + stime) from a `/proc/.../stat` file.
fn stat_ticks(path: &str) -> Result<(String, u64)> {
    let s = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let open = s.find('(').context("stat")?;
    let close = s.rfind(')').context("stat")?;
    let comm = s[open + 1..close].to_string();
    let fields: Vec<&str> = s[close + 2..].split_whitespace().collect();
    // Fields after the comm start at field 3 (state); utime is field 14, stime 15.
    let utime: u64 = fields.get(11).context("utime")?.parse()?;
    let stime: u64 = fields.get(12).context("stime")?.parse()?;
    Ok((comm, utime + stime))
}

fn clk_tck() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}
