//! `porpoise-codec-bench`: our screen codec against ffmpeg's libx264 and libvpx-vp9 on the same
//! recorded 1920×1080 desktop sequences, and prints one table (no assertions).
//!
//! 1. Records each sequence once under a private Xvfb with the helper's own capture at 30 fps
//!    (idle xterm with a clock, typing, scrolling `less`, a window dragged, a video region) as
//!    raw BGRA frames in a file.
//! 2. Ours: encodes every frame in order on this thread, decodes it, and writes the decoded
//!    canvas out; CPU per frame from `/proc/thread-self/schedstat`, bytes = postcard size of
//!    `ScreenMessage::Frame`.
//! 3. ffmpeg libx264 and libvpx-vp9 (single thread) on the same file; CPU from ffmpeg's
//!    `-benchmark` (getrusage of the ffmpeg process).
//! 4. Quality of all three with ffmpeg's `ssim` and `psnr` filters against the source frames,
//!    both sides converted to the same pixel format (`--cmp-pix-fmt`, yuv444p by default).
//!
//! Run in release: `cargo run --release -p porpoise-tools --bin porpoise-codec-bench --
//! --frames 90`; with `--record docs/benchmarks.md` the tables also replace this tool's section
//! of that file.

use std::{
    fs::File,
    io::{BufWriter, Read, Write},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use porpoise_codec::{
    stream::ImageQuality,
    {CapturedFrame, EncodeStats, ScreenDecoder, ScreenEncoder, ScreenMessage},
};
use porpoise_helper::capture::make_capture;
use porpoise_quic::screen::ScreenSource;
use porpoise_tools::{
    ffmpeg::{self, RawVideo},
    record::{Report, Table},
    xvfb::{Xvfb, SCREEN},
};

const FPS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sequence {
    /// An xterm with text and a clock updating once a second.
    Idle,
    /// xdotool typing into a focused xterm running `cat`, about 12 characters per second.
    Typing,
    /// `less` on the GPL text scrolled one line per frame.
    Scroll,
    /// An xterm moved by 12×5 px per frame (no window manager: `xdotool windowmove`).
    Drag,
    /// ffplay showing a 640×480 mandelbrot zoom next to an xterm.
    Video,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QualityArg {
    Best,
    Balanced,
    Low,
}

impl QualityArg {
    fn image_quality(self) -> ImageQuality {
        match self {
            QualityArg::Best => ImageQuality::Best,
            QualityArg::Balanced => ImageQuality::Balanced,
            QualityArg::Low => ImageQuality::Low,
        }
    }
}

#[derive(Parser, Debug)]
struct Cli {
    /// Frames per sequence (at 30 fps).
    #[arg(long, default_value_t = 90)]
    frames: usize,
    /// Sequences to record and encode, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "idle,typing,scroll,drag,video"
    )]
    sequences: Vec<Sequence>,
    /// Keep recordings and encoded outputs in DIR (default: a temporary directory).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// With --keep: reuse recordings already in DIR instead of recording again.
    #[arg(long, requires = "keep")]
    reuse: bool,
    /// Our encoder's image quality (A12).
    #[arg(long, value_enum, default_value = "balanced")]
    quality: QualityArg,
    /// Pixel format both sides are converted to for PSNR/SSIM.
    #[arg(long, default_value = "yuv444p")]
    cmp_pix_fmt: String,
    /// libx264 constant rate factor (ffmpeg's default is 23).
    #[arg(long, default_value_t = 23)]
    x264_crf: u32,
    /// libvpx-vp9 rate control: `crf:N` (constant quality, -b:v 0 -crf N) or `cbr:KBPS`
    /// (-b:v = -minrate = -maxrate).
    #[arg(long, default_value = "cbr:2000")]
    vp9_rc: String,
    /// Also write the results into this tool's section of this Markdown file (between its
    /// `<!-- bench:porpoise-codec-bench -->` markers), conventionally `docs/benchmarks.md`.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

struct Row {
    sequence: Sequence,
    encoder: String,
    enc_ms: f64,
    enc_only_ms: Option<f64>,
    enc_p99_ms: Option<f64>,
    dec_ms: Option<f64>,
    bytes: f64,
    key_bytes: Option<usize>,
    quality: Option<ffmpeg::Quality>,
    stats: Option<StatsSum>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let tmp = tempfile::tempdir()?;
    let dir = match &cli.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => tmp.path().to_owned(),
    };
    let frame_bytes = SCREEN.0 as usize * SCREEN.1 as usize * 4;
    let mut recordings = Vec::new();
    for &seq in &cli.sequences {
        let path = dir.join(format!("{}.bgra", name(seq)));
        let want = (frame_bytes * cli.frames) as u64;
        if cli.reuse && ffmpeg::file_len(&path) == want {
            eprintln!("reusing {}", path.display());
        } else {
            let t = Instant::now();
            record(seq, cli.frames, &path).with_context(|| format!("recording {seq:?}"))?;
            eprintln!("recorded {:?} in {:.1} s", seq, t.elapsed().as_secs_f64());
        }
        recordings.push((
            seq,
            RawVideo {
                path,
                width: SCREEN.0,
                height: SCREEN.1,
                fps: FPS,
                pix_fmt: "bgra",
            },
        ));
    }

    let vp9_rc = vp9_rate_args(&cli.vp9_rc)?;
    let mut rows = Vec::new();
    for (seq, src) in &recordings {
        let frames = cli.frames;
        eprintln!("{seq:?}: ours");
        rows.push(run_ours(*seq, src, frames, &dir, &cli)?);
        eprintln!("{seq:?}: ffmpeg baseline (read + bgra→yuv420p)");
        let mut base = src.input_args();
        base.extend(["-threads", "1", "-pix_fmt", "yuv420p", "-f", "null", "-"].map(String::from));
        let baseline = ffmpeg::run_timed(&base)?.cpu_s() * 1e3 / frames as f64;
        eprintln!("{seq:?}: libx264");
        let x264 = [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-crf",
            &cli.x264_crf.to_string(),
            "-threads",
            "1",
            "-pix_fmt",
            "yuv420p",
        ]
        .map(String::from);
        rows.push(run_ffmpeg(
            *seq,
            "x264 ultrafast",
            src,
            frames,
            &x264,
            &dir.join(format!("{}.h264", name(*seq))),
            0,
            baseline,
            &cli.cmp_pix_fmt,
        )?);
        eprintln!("{seq:?}: libvpx-vp9");
        let mut vp9: Vec<String> = [
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "7",
            "-threads",
            "1",
            "-row-mt",
            "0",
            "-pix_fmt",
            "yuv420p",
        ]
        .map(String::from)
        .to_vec();
        vp9.extend(vp9_rc.iter().cloned());
        rows.push(run_ffmpeg(
            *seq,
            "vp9 rt cpu7",
            src,
            frames,
            &vp9,
            &dir.join(format!("{}.ivf", name(*seq))),
            // IVF: 32-byte file header, 12-byte frame headers.
            12,
            baseline,
            &cli.cmp_pix_fmt,
        )?);
    }
    print_table(&rows, &cli);
    if cli.keep.is_some() {
        println!("recordings and outputs kept in {}", dir.display());
    }
    if let Some(path) = &cli.record {
        record_tables(path, &rows, &cli)?;
        eprintln!("recorded in {}", path.display());
    }
    Ok(())
}

fn name(seq: Sequence) -> &'static str {
    match seq {
        Sequence::Idle => "idle",
        Sequence::Typing => "typing",
        Sequence::Scroll => "scroll",
        Sequence::Drag => "drag",
        Sequence::Video => "video",
    }
}

fn vp9_rate_args(spec: &str) -> Result<Vec<String>> {
    let (mode, value) = spec
        .split_once(':')
        .with_context(|| format!("--vp9-rc {spec:?}: expected crf:N or cbr:KBPS"))?;
    let v: u32 = value
        .parse()
        .with_context(|| format!("--vp9-rc {spec:?}"))?;
    Ok(match mode {
        "crf" => vec!["-b:v".into(), "0".into(), "-crf".into(), v.to_string()],
        "cbr" => {
            let rate = format!("{v}k");
            vec![
                "-b:v".into(),
                rate.clone(),
                "-minrate".into(),
                rate.clone(),
                "-maxrate".into(),
                rate,
            ]
        }
        _ => bail!("--vp9-rc {spec:?}: expected crf:N or cbr:KBPS"),
    })
}

// ---------------------------------------------------------------------------------------------
// Recording

/// Records `frames` frames of `seq` at 30 fps into `path` (raw BGRA, no stride padding).
fn record(seq: Sequence, frames: usize, path: &Path) -> Result<()> {
    let mut x = Xvfb::start()?;
    // The helper's capture reads DISPLAY; no other thread runs while it is set.
    std::env::set_var("DISPLAY", &x.display);
    let gpl = "/usr/share/common-licenses/GPL-3";
    let listing = "ls -la /usr/bin | head -45";
    let mut window = None;
    match seq {
        Sequence::Idle => {
            let script =
                format!("{listing}; while :; do printf '\\r%s' \"$(date +%T)\"; sleep 1; done");
            let c = xterm(&x, "120x50+80+60", "bench-idle", &script);
            x.spawn(c)?;
            x.wait_window("bench-idle", Duration::from_secs(10))?;
        }
        Sequence::Typing => {
            let c = xterm(
                &x,
                "120x50+80+60",
                "bench-typing",
                &format!("{listing}; exec cat"),
            );
            x.spawn(c)?;
            let id = x.wait_window("bench-typing", Duration::from_secs(10))?;
            x.focus_window(&id)?;
            window = Some(id);
        }
        Sequence::Scroll => {
            let c = xterm(
                &x,
                "160x60+60+30",
                "bench-scroll",
                &format!("exec less {gpl}"),
            );
            x.spawn(c)?;
            let id = x.wait_window("bench-scroll", Duration::from_secs(10))?;
            x.focus_window(&id)?;
            window = Some(id);
        }
        Sequence::Drag => {
            let back = xterm(
                &x,
                "200x65+0+0",
                "bench-back",
                &format!("cat {gpl} | head -64; exec sleep 1000"),
            );
            x.spawn(back)?;
            x.wait_window("bench-back", Duration::from_secs(10))?;
            let c = xterm(
                &x,
                "90x30+100+100",
                "bench-drag",
                &format!("{listing}; exec sleep 1000"),
            );
            x.spawn(c)?;
            window = Some(x.wait_window("bench-drag", Duration::from_secs(10))?);
        }
        Sequence::Video => {
            let back = xterm(
                &x,
                "200x65+0+0",
                "bench-back",
                &format!("cat {gpl} | head -64; exec sleep 1000"),
            );
            x.spawn(back)?;
            x.wait_window("bench-back", Duration::from_secs(10))?;
            let mut c = x.command("ffplay");
            c.env("SDL_AUDIODRIVER", "dummy")
                .env("SDL_RENDER_DRIVER", "software")
                .args([
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-an",
                    "-noborder",
                    "-left",
                    "900",
                    "-top",
                    "300",
                    "-window_title",
                    "bench-video",
                    "-f",
                    "lavfi",
                    "-i",
                    "mandelbrot=size=640x480:rate=30",
                ]);
            x.spawn(c)?;
            x.wait_window("bench-video", Duration::from_secs(10))?;
        }
    }
    // Let everything draw.
    std::thread::sleep(Duration::from_millis(1500));
    // Background drivers that run at their own steady rate.
    let mut driver = None;
    if seq == Sequence::Typing {
        let text = "The quick brown fox jumps over the lazy dog; 0123456789.\n\
                    Porpoise remote support: typing at a steady rate for the codec bench.\n\
                    Sphinx of black quartz, judge my vow. Pack my box with five dozen jugs.\n";
        let mut c = x.command("xdotool");
        c.args(["type", "--delay", "80", text]);
        driver = Some(x.spawn_owned(c)?);
    }

    let mut capture = make_capture().context("capture")?;
    let (w, h) = (SCREEN.0 as usize, SCREEN.1 as usize);
    let mut frame = vec![0u8; w * h * 4];
    let mut have = false;
    let mut out = BufWriter::with_capacity(1 << 22, File::create(path)?);
    let period = Duration::from_secs(1) / FPS;
    let start = Instant::now();
    let mut reused = 0;
    for i in 0..frames {
        std::thread::sleep((start + period * i as u32).saturating_duration_since(Instant::now()));
        match (seq, &window) {
            (Sequence::Scroll, Some(_)) if i > 0 => {
                // Keys go to the focused window (focused above).
                let _ = x.command("xdotool").args(["key", "Down"]).status();
            }
            (Sequence::Drag, Some(id)) if i > 0 => {
                let (px, py) = (100 + 12 * i, 100 + 5 * i);
                let _ = x
                    .command("xdotool")
                    .args(["windowmove", id, &px.to_string(), &py.to_string()])
                    .status();
            }
            _ => {}
        }
        let mut got = false;
        capture.capture(&mut |f: CapturedFrame<'_>| {
            let row = w * 4;
            for y in 0..h {
                frame[y * row..(y + 1) * row]
                    .copy_from_slice(&f.bgra[y * f.stride..y * f.stride + row]);
            }
            got = true;
        })?;
        if got {
            have = true;
        } else {
            reused += 1;
        }
        if !have {
            // The first capture always delivers a frame on X11; retry once if not.
            capture.capture(&mut |f: CapturedFrame<'_>| {
                let row = w * 4;
                for y in 0..h {
                    frame[y * row..(y + 1) * row]
                        .copy_from_slice(&f.bgra[y * f.stride..y * f.stride + row]);
                }
                have = true;
            })?;
            if !have {
                bail!("the capture delivered no first frame");
            }
        }
        out.write_all(&frame)?;
    }
    out.flush()?;
    let late = start.elapsed().as_secs_f64() - frames as f64 / FPS as f64;
    eprintln!(
        "  {frames} frames, {reused} unchanged captures reused, finished {:.0} ms after schedule",
        late * 1e3
    );
    if let Some(mut d) = driver {
        let _ = d.kill();
        let _ = d.wait();
    }
    drop(capture);
    drop(x);
    Ok(())
}

fn xterm(x: &Xvfb, geometry: &str, title: &str, script: &str) -> Command {
    let mut c = x.command("xterm");
    c.args([
        "-geometry",
        geometry,
        "-title",
        title,
        "-fa",
        "Monospace",
        "-fs",
        "11",
        "-e",
        "sh",
        "-c",
        script,
    ]);
    c
}

// ---------------------------------------------------------------------------------------------
// Encoders

/// CPU time of the calling thread, ns (`/proc/thread-self/schedstat`, first field).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn run_ours(seq: Sequence, src: &RawVideo, frames: usize, dir: &Path, cli: &Cli) -> Result<Row> {
    let (w, h) = (src.width, src.height);
    let frame_len = w as usize * h as usize * 4;
    let mut input = File::open(&src.path)?;
    let decoded_path = dir.join(format!("{}.ours.rgba", name(seq)));
    let mut decoded = BufWriter::with_capacity(1 << 22, File::create(&decoded_path)?);
    let mut encoder = ScreenEncoder::new();
    apply_settings(&mut encoder, cli.quality.image_quality());
    let mut decoder = ScreenDecoder::new();
    let mut buf = vec![0u8; frame_len];
    let (mut enc_cpu, mut dec_cpu) = (0u64, 0u64);
    let mut enc_wall = Vec::with_capacity(frames);
    let mut bytes = 0usize;
    let mut key_bytes = None;
    let mut stats = StatsSum::default();
    for i in 0..frames {
        input.read_exact(&mut buf)?;
        let frame = CapturedFrame {
            width: w,
            height: h,
            stride: w as usize * 4,
            bgra: &buf,
        };
        let pts = i as u64 * 1000 / FPS as u64;
        let (c0, t0) = (thread_cpu_ns(), Instant::now());
        let encoded = encoder.encode(frame, pts, false)?;
        enc_wall.push(t0.elapsed().as_secs_f64() * 1e3);
        enc_cpu += thread_cpu_ns().saturating_sub(c0);
        stats.add(encoder.last_stats(), encoded.is_some());
        if let Some(f) = encoded {
            let key = f.key;
            let message = postcard::to_allocvec(&ScreenMessage::Frame(f))?;
            bytes += message.len();
            if key && key_bytes.is_none() {
                key_bytes = Some(message.len());
            }
            let ScreenMessage::Frame(f) = postcard::from_bytes::<ScreenMessage>(&message)? else {
                bail!("not a frame");
            };
            let c1 = thread_cpu_ns();
            decoder.decode(&f)?;
            dec_cpu += thread_cpu_ns().saturating_sub(c1);
        }
        decoded.write_all(decoder.rgba())?;
    }
    decoded.flush()?;
    drop(decoded);
    let out = RawVideo {
        path: decoded_path.clone(),
        pix_fmt: "rgba",
        ..src.clone()
    };
    let quality = ffmpeg::quality(&out.input_args(), src, &cli.cmp_pix_fmt)?;
    if cli.keep.is_none() {
        let _ = std::fs::remove_file(&decoded_path);
    }
    // Delta frames only: the first (key) frame is reported by its size.
    let mut delta = enc_wall.split_off(1.min(enc_wall.len()));
    delta.sort_by(f64::total_cmp);
    let p99 = delta
        .get(((delta.len() * 99).div_ceil(100)).saturating_sub(1))
        .copied()
        .unwrap_or(f64::NAN);
    Ok(Row {
        sequence: seq,
        encoder: "porpoise".into(),
        enc_ms: enc_cpu as f64 / 1e6 / frames as f64,
        enc_only_ms: None,
        enc_p99_ms: Some(p99),
        dec_ms: Some(dec_cpu as f64 / 1e6 / frames as f64),
        bytes: bytes as f64 / frames as f64,
        key_bytes,
        quality: Some(quality),
        stats: Some(stats),
    })
}

/// Applies the image quality at 100 % scale.
fn apply_settings(encoder: &mut ScreenEncoder, quality: ImageQuality) {
    encoder.set_settings(quality, 100);
}

/// Sums of the encoder's per-frame statistics (`ScreenEncoder::last_stats`) over a sequence.
#[derive(Debug, Default, Clone, Copy)]
struct StatsSum {
    frames: usize,
    sent: usize,
    flat: u64,
    palette: u64,
    raw: u64,
    lossy: u64,
    unchanged: u64,
    detect_us: u64,
    encode_us: u64,
}

impl StatsSum {
    fn add(&mut self, s: EncodeStats, sent: bool) {
        self.frames += 1;
        self.sent += usize::from(sent);
        self.flat += u64::from(s.flat);
        self.palette += u64::from(s.palette);
        self.raw += u64::from(s.raw);
        self.lossy += u64::from(s.lossy);
        self.unchanged += u64::from(s.unchanged);
        self.detect_us += u64::from(s.detect_us);
        self.encode_us += u64::from(s.encode_us);
    }
}

#[allow(clippy::too_many_arguments)]
fn run_ffmpeg(
    seq: Sequence,
    label: &str,
    src: &RawVideo,
    frames: usize,
    codec_args: &[String],
    out: &Path,
    per_frame_overhead: u64,
    baseline_ms: f64,
    cmp_pix_fmt: &str,
) -> Result<Row> {
    let mut args = src.input_args();
    args.extend_from_slice(codec_args);
    args.push(out.display().to_string());
    let cpu = ffmpeg::run_timed(&args)?;
    let enc_ms = cpu.cpu_s() * 1e3 / frames as f64;
    let header = if per_frame_overhead > 0 { 32 } else { 0 };
    let payload = ffmpeg::file_len(out).saturating_sub(header + per_frame_overhead * frames as u64);
    let decoded_in = vec![
        "-threads".to_string(),
        "1".into(),
        "-i".into(),
        out.display().to_string(),
    ];
    let mut dec = decoded_in.clone();
    dec.extend(["-f", "null", "-"].map(String::from));
    let dec_ms = ffmpeg::run_timed(&dec)?.cpu_s() * 1e3 / frames as f64;
    let quality = ffmpeg::quality(&decoded_in, src, cmp_pix_fmt)?;
    let key_bytes = first_packet_size(out);
    Ok(Row {
        sequence: seq,
        encoder: label.into(),
        enc_ms,
        enc_only_ms: Some((enc_ms - baseline_ms).max(0.0)),
        enc_p99_ms: None,
        dec_ms: Some(dec_ms),
        bytes: payload as f64 / frames as f64,
        key_bytes,
        quality: Some(quality),
        stats: None,
    })
}

/// Size of the first packet (the key frame) with ffprobe, if available.
fn first_packet_size(path: &Path) -> Option<usize> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=size",
            "-read_intervals",
            "%+#1",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .trim_end_matches(',')
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------------------------
// Output

/// Column names of the comparison table.
const COLUMNS: [&str; 11] = [
    "seq",
    "encoder",
    "enc ms/f",
    "enc-only",
    "Δ p99 ms",
    "dec ms/f",
    "bytes/f",
    "kbit/s",
    "key B",
    "PSNR dB",
    "SSIM",
];

/// Column names of the encoder statistics table.
const STATS_COLUMNS: [&str; 9] = [
    "seq",
    "sent",
    "flat",
    "palette",
    "raw",
    "lossy",
    "unchanged",
    "detect ms",
    "code ms",
];

const STATS_TITLE: &str = "porpoise encoder stats (ScreenEncoder::last_stats summed over each sequence; tiles per frame, ms per frame):";

fn title(cli: &Cli) -> String {
    format!(
        "1920x1080 @ {FPS} fps, {} frames per sequence; ours at quality {:?}",
        cli.frames, cli.quality
    )
}

/// One row of the comparison table, formatted (stdout and Markdown show the same text).
fn cells(r: &Row) -> [String; 11] {
    let opt = |v: Option<f64>, prec: usize| match v {
        Some(v) => format!("{v:.prec$}"),
        None => "-".into(),
    };
    let (psnr, ssim) = match r.quality {
        Some(q) if q.psnr_db.is_infinite() => ("inf".to_string(), format!("{:.5}", q.ssim)),
        Some(q) => (format!("{:.2}", q.psnr_db), format!("{:.5}", q.ssim)),
        None => ("-".into(), "-".into()),
    };
    [
        name(r.sequence).to_owned(),
        r.encoder.clone(),
        format!("{:.2}", r.enc_ms),
        opt(r.enc_only_ms.or(Some(r.enc_ms)), 2),
        opt(r.enc_p99_ms, 2),
        opt(r.dec_ms, 2),
        format!("{:.0}", r.bytes),
        format!("{:.0}", r.bytes * 8.0 * FPS as f64 / 1000.0),
        r.key_bytes.map_or("-".into(), |b| b.to_string()),
        psnr,
        ssim,
    ]
}

/// One row of the encoder statistics table, for our rows only.
fn stats_cells(r: &Row) -> Option<[String; 9]> {
    let s = r.stats?;
    let n = s.frames.max(1) as f64;
    Some([
        name(r.sequence).to_owned(),
        format!("{}/{}", s.sent, s.frames),
        format!("{:.1}", s.flat as f64 / n),
        format!("{:.1}", s.palette as f64 / n),
        format!("{:.1}", s.raw as f64 / n),
        format!("{:.1}", s.lossy as f64 / n),
        format!("{:.1}", s.unchanged as f64 / n),
        format!("{:.2}", s.detect_us as f64 / 1e3 / n),
        format!("{:.2}", s.encode_us as f64 / 1e3 / n),
    ])
}

/// What the columns mean, one entry per column group (continuation lines start with two
/// spaces).
fn legend(cli: &Cli) -> Vec<String> {
    vec![
        "enc ms/f: CPU ms per frame on one core (single thread). Ours: thread CPU of encode() (/proc/thread-self/schedstat);\n  ffmpeg: user+sys of the whole ffmpeg process (-benchmark), incl. reading the raw BGRA and swscale bgra->yuv420p.".to_owned(),
        "enc-only: ffmpeg minus a baseline run of the same input converted to yuv420p into -f null (read + convert alone).".to_owned(),
        "Δ p99 ms: wall ms of our encode() call, 99th percentile over the delta frames (frame 1..N; the key frame is left out).".to_owned(),
        "dec ms/f: ours: CPU of ScreenDecoder::decode per frame (skipped frames count as 0); ffmpeg: -threads 1 decode to -f null.".to_owned(),
        "bytes/f: ours: postcard size of ScreenMessage::Frame (unchanged frames send nothing); x264: Annex B stream; vp9: IVF minus its headers.".to_owned(),
        format!(
            "PSNR/SSIM: ffmpeg psnr/ssim filters, decoded vs source, frame by frame, both converted to {} (BT.601 limited, swscale default).",
            cli.cmp_pix_fmt
        ),
        format!(
            "x264: -preset ultrafast -tune zerolatency -threads 1 -crf {} -pix_fmt yuv420p. vp9: -deadline realtime -cpu-used 7 -threads 1 -row-mt 0 -pix_fmt yuv420p {}.",
            cli.x264_crf,
            vp9_rate_args(&cli.vp9_rc).map(|a| a.join(" ")).unwrap_or_default()
        ),
    ]
}

fn print_table(rows: &[Row], cli: &Cli) {
    println!();
    println!("{}", title(cli));
    let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = COLUMNS;
    println!(
        "{c0:<7} {c1:<15} {c2:>9} {c3:>9} {c4:>8} {c5:>8} {c6:>10} {c7:>9} {c8:>9} {c9:>8} {c10:>7}"
    );
    for r in rows {
        let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = cells(r);
        println!(
            "{c0:<7} {c1:<15} {c2:>9} {c3:>9} {c4:>8} {c5:>8} {c6:>10} {c7:>9} {c8:>9} {c9:>8} {c10:>7}"
        );
    }
    println!();
    println!("{STATS_TITLE}");
    let [c0, c1, c2, c3, c4, c5, c6, c7, c8] = STATS_COLUMNS;
    println!("{c0:<7} {c1:>6} {c2:>8} {c3:>8} {c4:>8} {c5:>8} {c6:>10} {c7:>10} {c8:>10}");
    for [c0, c1, c2, c3, c4, c5, c6, c7, c8] in rows.iter().filter_map(stats_cells) {
        println!("{c0:<7} {c1:>6} {c2:>8} {c3:>8} {c4:>8} {c5:>8} {c6:>10} {c7:>10} {c8:>10}");
    }
    println!();
    for line in legend(cli) {
        println!("{line}");
    }
}

/// Writes the same tables into the codec bench's section of `path`.
fn record_tables(path: &Path, rows: &[Row], cli: &Cli) -> Result<()> {
    let mut table = Table::new(COLUMNS);
    for r in rows {
        table.row(cells(r));
    }
    let mut stats = Table::new(STATS_COLUMNS);
    for r in rows.iter().filter_map(stats_cells) {
        stats.row(r);
    }
    let legend: Vec<String> = legend(cli)
        .iter()
        .map(|entry| format!("- {entry}"))
        .collect();
    let mut report = Report::new("porpoise-codec-bench");
    report
        .text(format!("{}:", title(cli)))
        .table(&table)
        .text(STATS_TITLE)
        .table(&stats)
        .text(legend.join("\n"));
    report.record(path)?;
    Ok(())
}
