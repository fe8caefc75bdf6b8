//! `porpoise-capture-bench`: measures X11 screen capture ([`porpoise_platform::capture`]) on a
//! private Xvfb 1920×1080 with an xterm and prints a table (no assertions):
//!
//! - a raw x11rb MIT-SHM `GetImage` of the whole root (the floor for any capture),
//! - [`ScreenSource::capture`] of the same screen,
//! - [`ScreenSource::wait_for_change`] on a static screen: the cost of one check (zero timeout),
//!   and the CPU time used while blocked for a second,
//! - how soon `wait_for_change` wakes after another client draws,
//! - [`ScreenSource::cursor`] with the pointer at rest.
//!
//! Run in release: `cargo run --release -p porpoise-tools --bin porpoise-capture-bench`; with
//! `--record docs/benchmarks.md` the tables also replace this tool's section of that file.

use std::{
    hint::black_box,
    path::PathBuf,
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use clap::Parser;
use porpoise_codec::stream::ScreenSource;
use porpoise_platform::capture::ScreenCapture;
use porpoise_tools::{
    record::{Report, Table},
    xvfb::Xvfb,
};
use x11rb::{
    connection::Connection,
    protocol::{
        shm,
        xproto::{ChangeWindowAttributesAux, ConnectionExt as _, ImageFormat},
    },
    rust_connection::RustConnection,
    wrapper::ConnectionExt as _,
};

#[derive(Parser, Debug)]
struct Cli {
    /// Grabs (and cursor queries) per measurement.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// Also write the results into this tool's section of this Markdown file (between its
    /// `<!-- bench:porpoise-capture-bench -->` markers), conventionally `docs/benchmarks.md`.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

/// Median and 99th percentile of samples, ms.
fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(samples[samples.len() / 2]);
    let p99 = ms(samples[(samples.len() * 99 / 100).min(samples.len() - 1)]);
    (median, p99)
}

fn time_n(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<Vec<Duration>> {
    // Warm up.
    for _ in 0..10 {
        f()?;
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        out.push(t.elapsed());
    }
    Ok(out)
}

/// CPU time this thread has used so far (from /proc/thread-self/schedstat).
fn thread_cpu() -> Result<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").context("schedstat")?;
    let ns: u64 = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .context("schedstat format")?;
    Ok(Duration::from_nanos(ns))
}

fn print_row(name: &str, (median, p99): (f64, f64)) {
    println!("| {name:<46} | {median:>9.3} | {p99:>9.3} |");
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let n = cli.iterations.max(10);
    let mut x = Xvfb::start()?;
    let mut term = x.command("xterm");
    term.args([
        "-geometry",
        "100x40+50+50",
        "-e",
        "sh",
        "-c",
        "ls -la /usr/bin | head -60; exec sleep 1000",
    ]);
    x.spawn(term)?;
    x.wait_window("", Duration::from_secs(10)).ok();
    std::thread::sleep(Duration::from_millis(1500));

    // 1. Raw MIT-SHM GetImage of the whole root.
    let (conn, screen) = RustConnection::connect(Some(&x.display)).context("connect")?;
    let s = &conn.setup().roots[screen];
    let (root, w, h) = (s.root, s.width_in_pixels, s.height_in_pixels);
    let size = u32::from(w) * u32::from(h) * 4;
    let seg = conn.generate_id()?;
    let _fd = shm::create_segment(&conn, seg, size, false)?
        .reply()
        .context("MIT-SHM CreateSegment")?
        .shm_fd;
    let raw = time_n(n, || {
        let r = shm::get_image(
            &conn,
            root,
            0,
            0,
            w,
            h,
            !0,
            ImageFormat::Z_PIXMAP.into(),
            seg,
            0,
        )?
        .reply()?;
        if r.size != size {
            bail!("raw grab returned {} bytes", r.size);
        }
        Ok(())
    })?;

    // 2. Ours.
    let mut capture = ScreenCapture::with_display(&x.display)?;
    if !capture.uses_shared_memory() {
        bail!("capture fell back to plain GetImage");
    }
    let ours = time_n(n, || {
        let mut seen = 0u8;
        capture.capture(&mut |f| {
            seen = f.bgra[0] ^ f.bgra[f.bgra.len() - 1];
        })?;
        black_box(seen);
        Ok(())
    })?;
    let (raw_med, _) = stats(raw.clone());
    let (ours_med, _) = stats(ours.clone());

    // 3. wait_for_change on a static screen.
    let settle = Instant::now();
    loop {
        capture.capture(&mut |_| {})?;
        if !capture.wait_for_change(Duration::from_millis(300)) {
            break;
        }
        if settle.elapsed() > Duration::from_secs(10) {
            bail!("the screen never became static");
        }
    }
    let check = time_n(n, || {
        if capture.wait_for_change(Duration::ZERO) {
            bail!("a static screen reported a change");
        }
        Ok(())
    })?;
    let cpu0 = thread_cpu()?;
    let t0 = Instant::now();
    let changed = capture.wait_for_change(Duration::from_secs(1));
    let blocked = t0.elapsed();
    let idle_cpu = thread_cpu()? - cpu0;

    // 4. Wake-up latency: another client repaints part of the root.
    let (drawer, _) = RustConnection::connect(Some(&x.display))?;
    let (tx, rx) = mpsc::channel();
    let display_root = root;
    let draw_thread = std::thread::spawn(move || -> Result<()> {
        for i in 0..30u32 {
            std::thread::sleep(Duration::from_millis(30));
            drawer.change_window_attributes(
                display_root,
                &ChangeWindowAttributesAux::new().background_pixel(0x0010_2030 + i),
            )?;
            drawer.clear_area(false, display_root, 1800, 1000, 100, 60)?;
            let t = Instant::now();
            drawer.sync()?;
            tx.send(t)?;
        }
        Ok(())
    });
    let mut wake = Vec::new();
    for _ in 0..30 {
        let woke = capture.wait_for_change(Duration::from_secs(2));
        let at = Instant::now();
        let sent = rx.recv_timeout(Duration::from_secs(2)).context("drawer")?;
        if woke {
            wake.push(at.saturating_duration_since(sent));
        }
        capture.capture(&mut |_| {})?;
    }
    draw_thread
        .join()
        .map_err(|_| anyhow::anyhow!("drawer panicked"))??;

    // 5. cursor() with the pointer at rest.
    x.run("xdotool", &["mousemove", "500", "500"])?;
    capture.cursor();
    let cursor = time_n(n, || {
        black_box(capture.cursor());
        Ok(())
    })?;

    // The results, printed and (with --record) recorded from the same rows.
    let title = format!(
        "X11 capture on Xvfb {w}x{h}, {n} samples each (ms; release build {})",
        if cfg!(debug_assertions) { "NO" } else { "yes" }
    );
    let mut rows = vec![
        (
            "raw x11rb shm::get_image, whole root".to_owned(),
            stats(raw),
        ),
        (
            "ScreenSource::capture (monitor 0 = root)".to_owned(),
            stats(ours),
        ),
        (
            "wait_for_change(0) on a static screen".to_owned(),
            stats(check),
        ),
    ];
    if !wake.is_empty() {
        rows.push((
            format!("wait_for_change wake after a draw ({} of 30)", wake.len()),
            stats(wake),
        ));
    }
    rows.push(("cursor(), pointer at rest".to_owned(), stats(cursor)));
    let notes = [
        format!("capture / raw (medians): {:.2}x", ours_med / raw_med),
        format!(
            "wait_for_change(1 s) on a static screen: returned {changed} after {:.0} ms, \
             thread CPU {:.3} ms",
            blocked.as_secs_f64() * 1000.0,
            idle_cpu.as_secs_f64() * 1000.0
        ),
    ];

    println!("\n{title}\n");
    println!("| {:<46} | {:>9} | {:>9} |", "measurement", "median", "p99");
    println!("|{:-<48}|{:-<11}|{:-<11}|", "", "", "");
    for (name, stats) in &rows {
        print_row(name, *stats);
    }
    println!();
    for note in &notes {
        println!("{note}");
    }

    if let Some(path) = &cli.record {
        let mut table = Table::new(["measurement", "median ms", "p99 ms"]);
        for (name, (median, p99)) in &rows {
            table.row([name.clone(), format!("{median:.3}"), format!("{p99:.3}")]);
        }
        let mut report = Report::new("porpoise-capture-bench");
        report.text(format!("{title}:")).table(&table);
        for note in &notes {
            report.text(format!("{note}."));
        }
        report.record(path)?;
        eprintln!("recorded in {}", path.display());
    }
    Ok(())
}
