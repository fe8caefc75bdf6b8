//! `porpoise-screen-bench`: measures the screen pipeline at 1920×1080 on a private Xvfb and
//! prints the numbers (no assertions: targets live here, not in tests).
//!
//! 1. Codec alone on a captured xterm screen: key-frame encode and decode time, bytes.
//! 2. The whole pipeline (helper capture → encode → relay over QUIC loopback → decode) while an
//!    xterm scrolls text continuously: frames per second and bytes per frame.
//!
//! Run it in release for meaningful numbers: `cargo run --release -p porpoise-tools --bin
//! porpoise-screen-bench -- --seconds 10`; with `--record docs/benchmarks.md` the numbers also
//! replace this tool's section of that file.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use clap::Parser;
use porpoise_codec::{ScreenDecoder, ScreenEncoder};
use porpoise_helper::capture::make_capture;
use porpoise_protocol::wire::{Event, MediaHeader, MediaKind, RemoteAction};
use porpoise_quic::screen::{stream_screen, view_screen, ScreenSource};
use porpoise_tools::{
    peer::{served_session, WAIT},
    record::{Report, Table},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::Xvfb,
};

#[derive(Parser, Debug)]
struct Cli {
    /// Seconds to measure the streaming pipeline.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Also write the results into this tool's section of this Markdown file (between its
    /// `<!-- bench:porpoise-screen-bench -->` markers), conventionally `docs/benchmarks.md`.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

/// Codec alone on a captured terminal screen (medians of 10 key frames).
struct CodecResult {
    width: u32,
    height: u32,
    key_bytes: usize,
    capture_ms: f64,
    encode_ms: f64,
    decode_ms: f64,
}

impl CodecResult {
    fn ratio(&self) -> f64 {
        (self.width * self.height * 4) as f64 / self.key_bytes as f64
    }
}

/// The streaming pipeline while a terminal scrolls.
#[derive(Default)]
struct PipelineResult {
    /// Delta frames decoded, the seconds between the first and the last, their bytes in all.
    deltas: Option<(usize, f64, usize)>,
    /// The first key frame's bytes.
    key_bytes: Option<usize>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let mut x = Xvfb::start()?;
    // The helper's capture reads DISPLAY; set it before any thread starts.
    std::env::set_var("DISPLAY", &x.display);
    let mut static_term = x.command("xterm");
    static_term.args([
        "-geometry",
        "100x40+50+50",
        "-e",
        "sh",
        "-c",
        "ls -la /usr/bin | head -60; exec sleep 1000",
    ]);
    x.spawn(static_term)?;
    std::thread::sleep(Duration::from_millis(1500));
    let codec = codec_bench()?;

    let mut busy = x.command("xterm");
    busy.args([
        "-geometry",
        "160x50+700+200",
        "-e",
        "sh",
        "-c",
        "while :; do ls -la /usr/lib; done",
    ]);
    x.spawn(busy)?;
    std::thread::sleep(Duration::from_millis(1000));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let pipeline = runtime.block_on(pipeline_bench(Duration::from_secs(cli.seconds)))?;
    if let Some(path) = &cli.record {
        record(path, &cli, &codec, &pipeline)?;
        eprintln!("recorded in {}", path.display());
    }
    Ok(())
}

/// Writes both results into the screen bench's section of `path`.
fn record(path: &Path, cli: &Cli, codec: &CodecResult, pipeline: &PipelineResult) -> Result<()> {
    let mut report = Report::new("porpoise-screen-bench");
    let mut table = Table::new([
        "codec, captured xterm screen (median of 10 key frames)",
        "value",
    ]);
    table
        .row([
            format!("key frame, {}x{}", codec.width, codec.height),
            format!("{} bytes ({:.1}:1)", codec.key_bytes, codec.ratio()),
        ])
        .row(["capture".to_owned(), format!("{:.2} ms", codec.capture_ms)])
        .row(["encode".to_owned(), format!("{:.2} ms", codec.encode_ms)])
        .row(["decode".to_owned(), format!("{:.2} ms", codec.decode_ms)]);
    report.table(&table);
    let mut table = Table::new([
        format!(
            "pipeline, 1920x1080 scrolling xterm over QUIC loopback, {} s",
            cli.seconds
        ),
        "value".to_owned(),
    ]);
    match pipeline.deltas {
        Some((frames, secs, total)) => {
            table
                .row([
                    "delta frames decoded".to_owned(),
                    format!("{frames} in {secs:.1} s = {:.1} fps", fps(frames, secs)),
                ])
                .row([
                    "bytes per delta frame (mean)".to_owned(),
                    format!("{:.0}", total as f64 / frames as f64),
                ])
                .row([
                    "bit rate".to_owned(),
                    format!("{:.1} Mbit/s", total as f64 * 8.0 / secs / 1e6),
                ]);
        }
        None => {
            table.row(["delta frames decoded", "none"]);
        }
    }
    if let Some(key) = pipeline.key_bytes {
        table.row(["first key frame".to_owned(), format!("{key} bytes")]);
    }
    report.table(&table);
    report.record(path)?;
    Ok(())
}

/// Frames per second of `frames` frames whose first and last are `secs` apart.
fn fps(frames: usize, secs: f64) -> f64 {
    frames.saturating_sub(1) as f64 / secs
}

fn codec_bench() -> Result<CodecResult> {
    let mut capture = make_capture().context("capture")?;
    let mut decoder = ScreenDecoder::new();
    let mut capture_ms = Vec::new();
    let mut encode_ms = Vec::new();
    let mut decode_ms = Vec::new();
    let mut bytes = 0;
    for _ in 0..10 {
        let mut encoder = ScreenEncoder::new();
        let t0 = Instant::now();
        let mut frame = None;
        capture.capture(&mut |f| {
            let t1 = Instant::now();
            frame = Some((t1, encoder.encode(f, 0, true)));
        })?;
        let (t1, encoded) = frame.context("no capture")?;
        let encoded = encoded?.context("no frame")?;
        let t2 = Instant::now();
        decoder.decode(&encoded)?;
        let t3 = Instant::now();
        capture_ms.push((t1 - t0).as_secs_f64() * 1e3);
        encode_ms.push((t2 - t1).as_secs_f64() * 1e3);
        decode_ms.push((t3 - t2).as_secs_f64() * 1e3);
        bytes = encoded.data.len();
    }
    let (width, height) = decoder.size();
    let result = CodecResult {
        width,
        height,
        key_bytes: bytes,
        capture_ms: median(&mut capture_ms),
        encode_ms: median(&mut encode_ms),
        decode_ms: median(&mut decode_ms),
    };
    println!(
        "codec: {width}x{height} xterm screen key frame: {bytes} bytes ({:.1}:1)",
        result.ratio()
    );
    println!(
        "codec: capture median {:.2} ms, encode median {:.2} ms, decode median {:.2} ms",
        result.capture_ms, result.encode_ms, result.decode_ms
    );
    Ok(result)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn pipeline_bench(duration: Duration) -> Result<PipelineResult> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let (mut agent, mut customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "bench").await?;
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::ConsentRequested { .. }).then_some(())
        })
        .await?;
    customer
        .answer(session, RemoteAction::ViewDesktop, true)
        .await?;
    let out = customer
        .client
        .open_media(MediaHeader {
            session_id: session,
            kind: MediaKind::Screen,
        })
        .await?;
    let sender = tokio::spawn(stream_screen(make_capture, out.send, out.recv));
    let incoming = agent.wait_media(MediaKind::Screen, WAIT).await?;
    let counts: Arc<Mutex<Vec<(Instant, usize, bool)>>> = Arc::default();
    let sink = counts.clone();
    let viewer = tokio::spawn(view_screen(incoming.send, incoming.recv, move |u| {
        if let Ok(mut c) = sink.lock() {
            c.push((Instant::now(), u.encoded_bytes, u.key));
        }
    }));
    tokio::time::sleep(duration).await;
    customer.stop(session, RemoteAction::ViewDesktop).await?;
    let _ = viewer.await;
    let _ = sender.await;
    let frames = counts.lock().map(|c| c.clone()).unwrap_or_default();
    let deltas: Vec<_> = frames.iter().filter(|f| !f.2).collect();
    let mut result = PipelineResult::default();
    if let (Some(first), Some(last)) = (deltas.first(), deltas.last()) {
        let secs = (last.0 - first.0).as_secs_f64().max(1e-6);
        let total: usize = deltas.iter().map(|f| f.1).sum();
        result.deltas = Some((deltas.len(), secs, total));
    }
    result.key_bytes = frames.iter().find(|f| f.2).map(|f| f.1);
    if let Some((count, secs, total)) = result.deltas {
        println!(
            "pipeline: 1920x1080 scrolling xterm over QUIC loopback: {} frames in {:.1} s = {:.1} fps, {:.0} bytes/frame mean ({:.1} Mbit/s)",
            count,
            secs,
            fps(count, secs),
            total as f64 / count as f64,
            total as f64 * 8.0 / secs / 1e6
        );
    }
    if let Some(key) = result.key_bytes {
        println!("pipeline: first key frame {key} bytes");
    }
    relay.stop().await;
    Ok(result)
}
