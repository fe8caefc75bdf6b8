//! Area-average (box filter) downscaling of a BGRX image.

/// Fixed-point one for filter weights.
const ONE: u32 = 1 << 12;

/// Source taps per destination pixel: ⌈ratio⌉ + 1 for ratios up to 2 (scales ≥ 50 %).
const TAPS: usize = 3;

/// One destination pixel's source pixels (clamped to the image) and weights (sum [`ONE`]).
#[derive(Debug, Clone, Copy)]
struct Taps {
    at: [usize; TAPS],
    w: [u32; TAPS],
}

/// For each destination pixel, the source pixels it covers and their area weights.
fn contributions(src: u32, dst: u32) -> Vec<Taps> {
    let ratio = src as f64 / dst as f64;
    (0..dst)
        .map(|i| {
            let (a, b) = (i as f64 * ratio, (i + 1) as f64 * ratio);
            let first = a.floor() as usize;
            let mut t = Taps {
                at: [0; TAPS],
                w: [0; TAPS],
            };
            for k in 0..TAPS {
                let j = first + k;
                t.at[k] = j.min(src as usize - 1);
                let cover = (b.min(j as f64 + 1.0) - a.max(j as f64)).max(0.0);
                if j < src as usize {
                    t.w[k] = (cover / ratio * ONE as f64).round() as u32;
                }
            }
            let sum: u32 = t.w.iter().sum();
            if let Some(m) = t.w.iter_mut().max() {
                *m = (*m + ONE).saturating_sub(sum);
            }
            t
        })
        .collect()
}

/// Reusable buffers for [`Scaler::scale`].
#[derive(Debug, Default)]
pub(super) struct Scaler {
    key: (u32, u32, u32, u32),
    cols: Vec<Taps>,
    rows: Vec<Taps>,
    tmp: Vec<u8>,
    /// The last output: `dw × dh` px, 4 bytes each, tightly packed.
    pub out: Vec<u8>,
}

impl Scaler {
    /// Downscales `src` (`sw × sh` px, BGRX, `stride` bytes per row) to `dw × dh` px into
    /// [`Scaler::out`] by area averaging. `dw ≥ sw / 2` and `dh ≥ sh / 2`.
    pub fn scale(&mut self, src: &[u8], stride: usize, sw: u32, sh: u32, dw: u32, dh: u32) {
        if sw == 2 * dw && sh == 2 * dh {
            self.half(src, stride, dw, dh);
            return;
        }
        if sw * 3 == dw * 4 && sh * 3 == dh * 4 {
            self.three_quarters(src, stride, dw, dh);
            return;
        }
        self.area(src, stride, sw, sh, dw, dh);
    }

    /// The general area-average path (any ratio from 1:1 to 2:1).
    pub fn area(&mut self, src: &[u8], stride: usize, sw: u32, sh: u32, dw: u32, dh: u32) {
        if self.key != (sw, sh, dw, dh) {
            self.cols = contributions(sw, dw);
            self.rows = contributions(sh, dh);
            self.key = (sw, sh, dw, dh);
        }
        let drow = dw as usize * 4;
        self.tmp.resize(drow * sh as usize, 0);
        for y in 0..sh as usize {
            let s = &src[y * stride..y * stride + sw as usize * 4];
            let d = &mut self.tmp[y * drow..(y + 1) * drow];
            for (px, t) in d.chunks_exact_mut(4).zip(&self.cols) {
                let p0 = &s[t.at[0] * 4..t.at[0] * 4 + 4];
                let p1 = &s[t.at[1] * 4..t.at[1] * 4 + 4];
                let p2 = &s[t.at[2] * 4..t.at[2] * 4 + 4];
                for c in 0..4 {
                    let v = p0[c] as u32 * t.w[0]
                        + p1[c] as u32 * t.w[1]
                        + p2[c] as u32 * t.w[2]
                        + ONE / 2;
                    px[c] = (v >> 12).min(255) as u8;
                }
            }
        }
        self.out.resize(drow * dh as usize, 0);
        for (y, t) in self.rows.iter().enumerate() {
            let d = &mut self.out[y * drow..(y + 1) * drow];
            let r0 = &self.tmp[t.at[0] * drow..(t.at[0] + 1) * drow];
            let r1 = &self.tmp[t.at[1] * drow..(t.at[1] + 1) * drow];
            let r2 = &self.tmp[t.at[2] * drow..(t.at[2] + 1) * drow];
            let [w0, w1, w2] = t.w;
            for (((o, &a), &b), &c) in d.iter_mut().zip(r0).zip(r1).zip(r2) {
                let v = a as u32 * w0 + b as u32 * w1 + c as u32 * w2 + ONE / 2;
                *o = (v >> 12).min(255) as u8;
            }
        }
    }

    /// Exact 2:1 in both directions: each output px is the mean of a 2×2 block.
    fn half(&mut self, src: &[u8], stride: usize, dw: u32, dh: u32) {
        let drow = dw as usize * 4;
        self.out.resize(drow * dh as usize, 0);
        for (y, d) in self.out.chunks_exact_mut(drow).enumerate() {
            let a = &src[2 * y * stride..][..2 * drow];
            let b = &src[(2 * y + 1) * stride..][..2 * drow];
            for ((o, a), b) in d
                .chunks_exact_mut(4)
                .zip(a.chunks_exact(8))
                .zip(b.chunks_exact(8))
            {
                for c in 0..4 {
                    let sum = a[c] as u16 + a[c + 4] as u16 + b[c] as u16 + b[c + 4] as u16;
                    o[c] = ((sum + 2) >> 2) as u8;
                }
            }
        }
    }

    /// Exact 4:3 in both directions: weights ¾ ¼, ½ ½, ¼ ¾ over each group of 4 px.
    fn three_quarters(&mut self, src: &[u8], stride: usize, dw: u32, dh: u32) {
        let drow = dw as usize * 4;
        let sh = dh as usize * 4 / 3;
        self.tmp.resize(drow * sh, 0);
        for (y, d) in self.tmp.chunks_exact_mut(drow).enumerate() {
            let s = &src[y * stride..][..drow / 3 * 4];
            for (o, s) in d.chunks_exact_mut(12).zip(s.chunks_exact(16)) {
                for c in 0..4 {
                    let (p0, p1, p2, p3) = (
                        s[c] as u16,
                        s[c + 4] as u16,
                        s[c + 8] as u16,
                        s[c + 12] as u16,
                    );
                    o[c] = ((3 * p0 + p1 + 2) >> 2) as u8;
                    o[c + 4] = ((p1 + p2 + 1) >> 1) as u8;
                    o[c + 8] = ((p2 + 3 * p3 + 2) >> 2) as u8;
                }
            }
        }
        self.out.resize(drow * dh as usize, 0);
        for (o, s) in self
            .out
            .chunks_exact_mut(3 * drow)
            .zip(self.tmp.chunks_exact(4 * drow))
        {
            let (r0, rest) = s.split_at(drow);
            let (r1, rest) = rest.split_at(drow);
            let (r2, r3) = rest.split_at(drow);
            let (o0, rest) = o.split_at_mut(drow);
            let (o1, o2) = rest.split_at_mut(drow);
            for i in 0..drow {
                let (p0, p1, p2, p3) = (r0[i] as u16, r1[i] as u16, r2[i] as u16, r3[i] as u16);
                o0[i] = ((3 * p0 + p1 + 2) >> 2) as u8;
                o1[i] = ((p1 + p2 + 1) >> 1) as u8;
                o2[i] = ((p2 + 3 * p3 + 2) >> 2) as u8;
            }
        }
    }
}
