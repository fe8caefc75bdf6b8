//! ffmpeg as a reference for the benches: encode raw frames with libx264 / libvpx-vp9, measure
//! the CPU time ffmpeg used (`-benchmark`), and compare decoded video with the source frames
//! (the `ssim` and `psnr` filters), all by running the `ffmpeg` command (Debian package `ffmpeg`).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

/// A raw video file: frames back to back, no header.
#[derive(Debug, Clone)]
pub struct RawVideo {
    /// The file.
    pub path: PathBuf,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Frame rate, fps.
    pub fps: u32,
    /// ffmpeg pixel format name, e.g. `bgra`.
    pub pix_fmt: &'static str,
}

impl RawVideo {
    /// ffmpeg input options that read this file.
    pub fn input_args(&self) -> Vec<String> {
        [
            "-f",
            "rawvideo",
            "-pix_fmt",
            self.pix_fmt,
            "-s",
            &format!("{}x{}", self.width, self.height),
            "-framerate",
            &self.fps.to_string(),
            "-i",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([self.path.display().to_string()])
        .collect()
    }
}

/// CPU and wall time ffmpeg reported with `-benchmark` (`getrusage` of the whole process: all
/// its threads, input reading and pixel format conversion included).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTimes {
    /// User CPU, s.
    pub user_s: f64,
    /// System CPU, s.
    pub sys_s: f64,
    /// Wall time, s.
    pub real_s: f64,
}

impl CpuTimes {
    /// User + system CPU, s.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// Runs `ffmpeg -hide_banner -nostdin -y ARGS` and returns its stderr.
///
/// Errors: ffmpeg missing (install the `ffmpeg` package) or failing (its stderr's tail).
pub fn run(args: &[String]) -> Result<String> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-y"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .context("cannot run ffmpeg; install the ffmpeg package")?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!("ffmpeg {args:?} failed:\n{}", tail.join("\n"));
    }
    Ok(stderr)
}

/// Runs ffmpeg with `-benchmark` and returns the CPU times it printed.
///
/// Errors: as [`run`], or no `bench:` line in the output.
pub fn run_timed(args: &[String]) -> Result<CpuTimes> {
    let mut all = vec!["-benchmark".to_string()];
    all.extend_from_slice(args);
    let stderr = run(&all)?;
    parse_bench(&stderr).with_context(|| format!("no bench: line in ffmpeg output:\n{stderr}"))
}

/// Parses `bench: utime=1.234s stime=0.010s rtime=1.300s`.
pub fn parse_bench(stderr: &str) -> Option<CpuTimes> {
    let line = stderr.lines().rev().find(|l| l.contains("bench: utime="))?;
    let field = |k: &str| -> Option<f64> {
        let rest = &line[line.find(k)? + k.len()..];
        let end = rest.find('s')?;
        rest[..end].parse().ok()
    };
    Some(CpuTimes {
        user_s: field("utime=")?,
        sys_s: field("stime=")?,
        real_s: field("rtime=")?,
    })
}

/// Image quality of a decoded video against its source.
#[derive(Debug, Clone, Copy)]
pub struct Quality {
    /// Mean PSNR over all frames and planes, dB (`inf` when identical).
    pub psnr_db: f64,
    /// Mean SSIM over all frames ("All"), 0..=1.
    pub ssim: f64,
}

/// Compares `decoded` (ffmpeg input options, e.g. `["-i", "out.h264"]`) with `source` frame by
/// frame (frame N with frame N, timestamps ignored), both converted to `pix_fmt` by ffmpeg's
/// default swscale conversion, with the `ssim` and `psnr` filters.
///
/// Errors: ffmpeg failing or printing no averages.
pub fn quality(decoded: &[String], source: &RawVideo, pix_fmt: &str) -> Result<Quality> {
    let graph = format!(
        "[0:v]setpts=N/({fps}*TB),format={pix_fmt},split[a1][a2];\
         [1:v]setpts=N/({fps}*TB),format={pix_fmt},split[b1][b2];\
         [a1][b1]ssim;[a2][b2]psnr",
        fps = source.fps
    );
    let mut args: Vec<String> = vec!["-nostats".into()];
    args.extend_from_slice(decoded);
    args.extend(source.input_args());
    args.extend([
        "-lavfi".into(),
        graph,
        "-f".into(),
        "null".into(),
        "-".into(),
    ]);
    let stderr = run(&args)?;
    let after = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        let end = rest.find(' ').unwrap_or(rest.len());
        rest[..end].trim().parse().ok()
    };
    let ssim = stderr
        .lines()
        .filter(|l| l.contains("SSIM ") && l.contains("All:"))
        .find_map(|l| after(l, "All:"))
        .with_context(|| format!("no SSIM in ffmpeg output:\n{stderr}"))?;
    let psnr_db = stderr
        .lines()
        .filter(|l| l.contains("PSNR ") && l.contains("average:"))
        .find_map(|l| after(l, "average:"))
        .with_context(|| format!("no PSNR in ffmpeg output:\n{stderr}"))?;
    Ok(Quality { psnr_db, ssim })
}

/// Size of a file in bytes (0 if it does not exist).
pub fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_line_is_parsed() {
        let t = parse_bench(
            "frame= 90\nbench: utime=1.234s stime=0.010s rtime=1.300s\nbench: maxrss=1kB\n",
        )
        .expect("parsed");
        assert!((t.cpu_s() - 1.244).abs() < 1e-9);
        assert!((t.real_s - 1.3).abs() < 1e-9);
    }
}
