use super::*;

/// A noisy BGRX screen (every tile many-coloured).
fn screen(width: u32, height: u32, seed: u8) -> Vec<u8> {
    (0..width * height * 4)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A smooth, photo-like BGRX image (gradients plus a little texture).
fn photo(width: u32, height: u32, phase: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let fx = (x + phase) as f32 / 23.0;
            let fy = y as f32 / 31.0;
            let b = 128.0 + 100.0 * (fx.sin() * fy.cos());
            let g = 128.0 + 90.0 * ((fx + fy) * 0.7).sin();
            let r = (x * 255 / width.max(1)) as f32 * 0.6 + 40.0 + ((x * 7 + y * 13) % 11) as f32;
            v.extend_from_slice(&[b as u8, g as u8, r.min(255.0) as u8, 255]);
        }
    }
    v
}

/// Text-like content: a light background with dark glyph-ish strokes in a few colours.
fn text(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut v = vec![0u8; (width * height * 4) as usize];
    for y in 0..height {
        for x in 0..width {
            let cell = (x / 8)
                .wrapping_mul(31)
                .wrapping_add((y / 16).wrapping_mul(17))
                ^ seed;
            let (gx, gy) = (x % 8, y % 16);
            let ink = gy > 2
                && gy < 13
                && (cell.wrapping_mul(2654435761) >> ((gx + gy * 3) % 29)) & 1 == 1;
            let px = if ink {
                [30, 30, (cell % 3 * 60) as u8, 255]
            } else {
                [250, 250, 250, 255]
            };
            let i = ((y * width + x) * 4) as usize;
            v[i..i + 4].copy_from_slice(&px);
        }
    }
    v
}

fn cap(bgra: &[u8], width: u32, height: u32) -> CapturedFrame<'_> {
    CapturedFrame {
        width,
        height,
        stride: width as usize * 4,
        bgra,
    }
}

fn assert_same(dec: &ScreenDecoder, bgra: &[u8]) {
    assert_eq!(dec.rgba().len(), bgra.len());
    for (d, s) in dec.rgba().chunks_exact(4).zip(bgra.chunks_exact(4)) {
        assert_eq!([d[0], d[1], d[2]], [s[2], s[1], s[0]]);
    }
}

fn psnr(dec: &ScreenDecoder, bgra: &[u8]) -> f64 {
    let mut se = 0f64;
    let mut n = 0f64;
    for (d, s) in dec.rgba().chunks_exact(4).zip(bgra.chunks_exact(4)) {
        for c in 0..3 {
            let e = d[c] as f64 - s[2 - c] as f64;
            se += e * e;
            n += 1.0;
        }
    }
    if se == 0.0 {
        return 99.0;
    }
    10.0 * (255.0f64 * 255.0 / (se / n)).log10()
}

fn kinds(f: &VideoFrame) -> (usize, usize, usize, usize) {
    let mut k = (0, 0, 0, 0);
    for t in &f.tiles {
        match t.kind {
            TileKind::Flat(_) => k.0 += 1,
            TileKind::Palette(_) => k.1 += 1,
            TileKind::Raw => k.2 += 1,
            TileKind::Lossy => k.3 += 1,
            TileKind::Copy { .. } | TileKind::CopyPatch { .. } => {}
        }
    }
    k
}

#[test]
fn key_then_delta_is_lossless_and_sends_only_changed_tiles() {
    let (w, h) = (200, 130);
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    let a = screen(w, h, 1);
    let f1 = enc
        .encode(cap(&a, w, h), 0, false)
        .expect("encode")
        .expect("key");
    assert!(f1.key);
    assert_eq!(f1.tiles.len(), 4 * 3);
    assert_eq!((f1.source_width, f1.source_height), (w, h));
    dec.decode(&f1).expect("decode");
    assert_same(&dec, &a);
    assert_eq!(dec.source_size(), (w, h));

    assert_eq!(enc.encode(cap(&a, w, h), 1, false).expect("encode"), None);
    assert_eq!(enc.last_stats().unchanged, 12);

    let mut b = a.clone();
    let i = (70 * w as usize + 150) * 4; // pixel (150, 70): tile (2, 1)
    b[i] ^= 0xff;
    let f2 = enc
        .encode(cap(&b, w, h), 2, false)
        .expect("encode")
        .expect("delta");
    assert!(!f2.key);
    let rects = dec.decode(&f2).expect("decode");
    assert_eq!(
        rects,
        vec![TileRect {
            x: 128,
            y: 64,
            w: 64,
            h: 64
        }]
    );
    assert_same(&dec, &b);
}

#[test]
fn flat_palette_and_raw_tiles_round_trip_bit_exact() {
    let (w, h) = (256, 64);
    let mut img = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            let px = match x / 64 {
                0 => [10, 20, 30, 255],                                           // flat
                1 => [(x % 2 * 200) as u8, 5, (y % 2 * 100) as u8, 255],          // 4 colours
                2 => [(x * 4) as u8, (y * 3) as u8, 7, 255],                      // ≤ 256? no: many
                _ => [(x * 7 + y * 13) as u8, (x * y) as u8, (y * 5) as u8, 255], // raw
            };
            img[((y * w + x) * 4) as usize..][..4].copy_from_slice(&px);
        }
    }
    for limit in [2, 16, 256] {
        let mut enc = ScreenEncoder::new();
        enc.set_palette_limit(limit);
        let f = enc
            .encode(cap(&img, w, h), 0, false)
            .expect("encode")
            .expect("key");
        assert!(matches!(f.tiles[0].kind, TileKind::Flat([10, 20, 30])));
        assert_eq!(f.tiles[3].kind, TileKind::Raw);
        let mut dec = ScreenDecoder::new();
        dec.decode(&f).expect("decode");
        assert_same(&dec, &img);
    }
    // Every palette bit depth, on odd tile widths.
    for colors in [2u32, 3, 4, 5, 16, 17, 200, 256] {
        let (w, h) = (61, 37);
        let img: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let c = (i * 7 + i / 5) % colors;
                [c as u8, (c * 3) as u8, 1, 255]
            })
            .collect();
        let mut enc = ScreenEncoder::new();
        let f = enc
            .encode(cap(&img, w, h), 0, false)
            .expect("encode")
            .expect("key");
        assert_eq!(
            f.tiles[0].kind,
            TileKind::Palette(colors as u16),
            "{colors}"
        );
        let mut dec = ScreenDecoder::new();
        dec.decode(&f).expect("decode");
        assert_same(&dec, &img);
    }
}

#[test]
fn text_is_mostly_palette_and_small() {
    let (w, h) = (640, 384);
    let img = text(w, h, 1);
    let mut enc = ScreenEncoder::new();
    let f = enc
        .encode(cap(&img, w, h), 0, false)
        .expect("encode")
        .expect("key");
    let (flat, pal, raw, lossy) = kinds(&f);
    assert_eq!(raw + lossy, 0, "{flat} {pal} {raw} {lossy}");
    let mut dec = ScreenDecoder::new();
    dec.decode(&f).expect("decode");
    assert_same(&dec, &img);
}

#[test]
fn video_tiles_go_lossy_after_repeated_changes_and_refine_later() {
    let (w, h) = (256, 192);
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    let mut last = Vec::new();
    let mut saw_lossy = false;
    for n in 0..6 {
        let img = photo(w, h, n * 3);
        let f = enc
            .encode(cap(&img, w, h), n as u64, false)
            .expect("encode")
            .expect("frame");
        let (_, _, _, lossy) = kinds(&f);
        if n < 2 {
            assert_eq!(lossy, 0, "frame {n}");
        }
        if lossy > 0 {
            saw_lossy = true;
            assert!(!f.jpeg.is_empty());
        }
        dec.decode(&f).expect("decode");
        let p = psnr(&dec, &img);
        assert!(p >= 30.0, "frame {n}: {p:.1} dB");
        last = img;
    }
    assert!(saw_lossy);
    // Still screen: nothing, then a lossless refinement of the lossy tiles.
    let mut refined = false;
    for n in 0..4 {
        if let Some(f) = enc.encode(cap(&last, w, h), 10 + n, false).expect("encode") {
            assert_eq!(kinds(&f).3, 0);
            dec.decode(&f).expect("decode");
            refined = true;
        }
    }
    assert!(refined);
    assert_same(&dec, &last);
}

#[test]
fn lossy_psnr_per_quality() {
    let (w, h) = (320, 192);
    let img = photo(w, h, 0);
    let mut by_q = Vec::new();
    for (q, floor) in [
        (ImageQuality::Best, 36.0),
        (ImageQuality::Balanced, 32.0),
        (ImageQuality::Low, 28.0),
    ] {
        let mut enc = ScreenEncoder::new();
        enc.set_settings(q, 100);
        // At Low every many-colour tile is lossy at once.
        let mut f = enc
            .encode(cap(&img, w, h), 0, false)
            .expect("encode")
            .expect("key");
        if q != ImageQuality::Low {
            for n in 1..4 {
                let moved = photo(w, h, n);
                let _ = enc.encode(cap(&moved, w, h), n as u64, false);
            }
            let img2 = photo(w, h, 9);
            f = enc
                .encode(cap(&img2, w, h), 9, false)
                .expect("encode")
                .expect("frame");
            let mut dec = ScreenDecoder::new();
            let key = ScreenEncoder::new()
                .encode(cap(&img2, w, h), 0, true)
                .expect("e")
                .expect("k");
            dec.decode(&key).expect("decode");
            dec.decode(&VideoFrame {
                key: false,
                ..f.clone()
            })
            .expect("decode");
            let p = psnr(&dec, &img2);
            assert!(kinds(&f).3 > 0);
            assert!(p >= floor, "{q:?}: {p:.1} dB");
            by_q.push((q, p, f.jpeg.len()));
            continue;
        }
        assert_eq!(kinds(&f).3, f.tiles.len());
        let mut dec = ScreenDecoder::new();
        dec.decode(&f).expect("decode");
        let p = psnr(&dec, &img);
        assert!(p >= floor, "{q:?}: {p:.1} dB");
        by_q.push((q, p, f.jpeg.len()));
    }
    eprintln!("lossy PSNR/bytes by quality: {by_q:?}");
}

#[test]
fn scale_changes_canvas_and_forces_key_quality_does_not() {
    let (w, h) = (333, 201);
    let img = photo(w, h, 0);
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    dec.decode(
        &enc.encode(cap(&img, w, h), 0, false)
            .expect("e")
            .expect("k"),
    )
    .expect("decode");
    for (pct, want) in [
        (75u8, (250u32, 151u32)),
        (50, (167, 101)),
        (60, (167, 101)),
        (90, (333, 201)),
    ] {
        enc.set_settings(ImageQuality::Balanced, pct);
        let f = enc.encode(cap(&img, w, h), 1, false).expect("e");
        if pct == 60 {
            // 60 rounds to 50: same scale, nothing changed.
            assert!(f.is_none());
            continue;
        }
        let f = f.expect("key");
        assert!(f.key, "{pct}");
        assert_eq!((f.width, f.height), want);
        assert_eq!((f.source_width, f.source_height), (w, h));
        dec.decode(&f).expect("decode");
        assert_eq!(dec.size(), want);
        assert_eq!(dec.source_size(), (w, h));
        let src = if pct == 90 { &img } else { &enc.scaler.out };
        assert!(psnr(&dec, src) > 90.0);
    }
    enc.set_settings(ImageQuality::Low, 100);
    assert!(enc.encode(cap(&img, w, h), 2, false).expect("e").is_none());
    let img2 = photo(w, h, 5);
    let f = enc
        .encode(cap(&img2, w, h), 3, false)
        .expect("e")
        .expect("delta");
    assert!(!f.key);
    dec.decode(&f).expect("decode");
}

#[test]
fn fast_scalers_match_the_area_average() {
    for (sw, sh, dw, dh) in [
        (64u32, 48u32, 32u32, 24u32),
        (64, 48, 48, 36),
        (1920, 1080, 1440, 810),
    ] {
        let img = photo(sw, sh, 1);
        let mut fast = scale::Scaler::default();
        fast.scale(&img, sw as usize * 4, sw, sh, dw, dh);
        let mut slow = scale::Scaler::default();
        slow.area(&img, sw as usize * 4, sw, sh, dw, dh);
        assert_eq!(fast.out.len(), (dw * dh * 4) as usize);
        let worst = fast
            .out
            .iter()
            .zip(&slow.out)
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(worst <= Some(2), "{sw}x{sh}->{dw}x{dh}: {worst:?}");
    }
    let flat = vec![77u8; 10 * 7 * 4];
    let mut s = scale::Scaler::default();
    s.area(&flat, 40, 10, 7, 8, 5);
    assert!(s.out.iter().all(|&v| v == 77));
}

#[test]
fn still_is_lossless_full_size_and_leaves_the_stream_alone() {
    let (w, h) = (200, 100);
    let img = photo(w, h, 0);
    let mut enc = ScreenEncoder::new();
    enc.set_settings(ImageQuality::Low, 50);
    let f1 = enc
        .encode(cap(&img, w, h), 0, false)
        .expect("e")
        .expect("key");
    let stats = enc.last_stats();
    let still = enc.encode_still(cap(&img, w, h), 5).expect("still");
    assert_eq!(
        (still.seq, still.key, still.width, still.height),
        (0, true, w, h)
    );
    assert!(still.jpeg.is_empty());
    let mut dec = ScreenDecoder::new();
    dec.decode(&still).expect("decode");
    assert_same(&dec, &img);
    assert_eq!(enc.last_stats(), stats);
    assert_eq!(enc.encode(cap(&img, w, h), 1, false).expect("e"), None);
    let f2 = enc
        .encode(cap(&photo(w, h, 3), w, h), 2, false)
        .expect("e")
        .expect("delta");
    assert_eq!(f2.seq, f1.seq + 1);
}

#[test]
fn delta_before_key_is_refused() {
    let mut dec = ScreenDecoder::new();
    let frame = VideoFrame {
        seq: 1,
        pts: 0,
        width: 10,
        height: 10,
        source_width: 10,
        source_height: 10,
        key: false,
        tiles: vec![],
        reference: 0,
        data: vec![],
        jpeg: vec![],
    };
    assert_eq!(dec.decode(&frame), Err(CodecError::NoKeyFrame));
}

#[test]
fn hostile_tiles_and_payloads_are_refused_and_leave_the_canvas() {
    let (w, h) = (130, 70);
    let img = photo(w, h, 0);
    let mut enc = ScreenEncoder::new();
    enc.set_settings(ImageQuality::Low, 100);
    let good = enc
        .encode(cap(&img, w, h), 0, false)
        .expect("e")
        .expect("key");
    let mut dec = ScreenDecoder::new();
    dec.decode(&good).expect("decode");
    let canvas = dec.rgba().to_vec();
    let bad = |f: VideoFrame, dec: &mut ScreenDecoder| {
        assert!(dec.decode(&f).is_err(), "{f:?}");
        assert_eq!(dec.rgba(), &canvas[..]);
    };
    let mut f = good.clone();
    f.tiles[0].index = 99;
    bad(f, &mut dec);
    let mut f = good.clone();
    f.tiles[1].index = 0;
    bad(f, &mut dec);
    let mut f = good.clone();
    f.tiles.push(f.tiles[0]);
    bad(f, &mut dec);
    let mut f = good.clone();
    f.tiles[0].kind = TileKind::Palette(1);
    bad(f, &mut dec);
    let mut f = good.clone();
    f.tiles[0].kind = TileKind::Raw;
    bad(f, &mut dec);
    let mut f = good.clone();
    f.jpeg.truncate(f.jpeg.len() / 2);
    bad(f, &mut dec);
    let mut f = good.clone();
    f.jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3];
    bad(f, &mut dec);
    let mut f = good.clone();
    f.tiles.truncate(2);
    bad(f, &mut dec);
    let f = VideoFrame {
        width: 100_000,
        ..good.clone()
    };
    bad(f, &mut dec);
    let f = VideoFrame {
        source_width: 0,
        ..good.clone()
    };
    bad(f, &mut dec);
    let f = VideoFrame {
        width: MAX_SCREEN_EDGE,
        height: MAX_SCREEN_EDGE,
        tiles: (0..MAX_TILES as u32 + 1)
            .map(|index| TileCode {
                index,
                kind: TileKind::Raw,
            })
            .collect(),
        ..good.clone()
    };
    assert!(matches!(
        dec.decode(&f),
        Err(CodecError::TooManyTiles { .. })
    ));
    // Lossless payload too short.
    let mut enc = ScreenEncoder::new();
    let good = enc
        .encode(cap(&screen(w, h, 3), w, h), 0, false)
        .expect("e")
        .expect("key");
    let mut f = good.clone();
    f.data = zstd::bulk::compress(&[0u8; 5], 1).expect("zstd");
    bad(f, &mut dec);
    dec.decode(&good).expect("decode");
}

#[test]
fn stride_padding_is_ignored() {
    let (w, h) = (3, 2);
    let stride = 16;
    let mut bgra = vec![0xAAu8; stride * h as usize];
    for y in 0..h as usize {
        for x in 0..w as usize {
            bgra[y * stride + x * 4..y * stride + x * 4 + 4].copy_from_slice(&[1, 2, 3, 0]);
        }
    }
    let mut enc = ScreenEncoder::new();
    let f = enc
        .encode(
            CapturedFrame {
                width: w,
                height: h,
                stride,
                bgra: &bgra,
            },
            0,
            false,
        )
        .expect("encode")
        .expect("key");
    let mut dec = ScreenDecoder::new();
    dec.decode(&f).expect("decode");
    assert!(dec.rgba().chunks_exact(4).all(|p| p == [3, 2, 1, 255]));
}

#[test]
fn short_capture_is_refused() {
    let mut enc = ScreenEncoder::new();
    let buf = vec![0u8; 10];
    assert_eq!(
        enc.encode(cap(&buf, 4, 4), 0, false),
        Err(CodecError::ShortCapture)
    );
}

fn copies(f: &VideoFrame) -> usize {
    f.tiles
        .iter()
        .filter(|t| matches!(t.kind, TileKind::Copy { .. } | TileKind::CopyPatch { .. }))
        .count()
}

#[test]
fn scrolled_text_is_sent_as_copies_and_decodes_bit_exact() {
    let (w, h) = (320, 400);
    let page = text(w, 2000, 7);
    let view = |top: u32| page[(top * w * 4) as usize..((top + h) * w * 4) as usize].to_vec();
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    let first = view(0);
    dec.decode(
        &enc.encode(cap(&first, w, h), 0, false)
            .expect("e")
            .expect("key"),
    )
    .expect("decode");
    let mut top = 0;
    for (n, step) in [16u32, 16, 37, 3, 100, 64].into_iter().enumerate() {
        top += step;
        let img = view(top);
        let f = enc
            .encode(cap(&img, w, h), n as u64 + 1, false)
            .expect("e")
            .expect("delta");
        let grid = f.tiles.len();
        let copied = copies(&f);
        assert_eq!(copied as u32, enc.last_stats().copied);
        // All but the bottom band (new content) and the tiles crossing it are copies.
        let band_tiles = w.div_ceil(TILE_SIZE) as usize;
        let new_bands = (step as usize).div_ceil(TILE_SIZE as usize) + 1;
        assert!(
            copied + new_bands * band_tiles >= grid,
            "scroll {step}: {copied} copies of {grid} tiles"
        );
        assert!(copied > 0);
        for t in &f.tiles {
            if let TileKind::Copy { dx, dy } = t.kind {
                assert_eq!((dx, dy), (0, step as i16));
            }
        }
        dec.decode(&f).expect("decode");
        assert_same(&dec, &img);
    }
    // A static screen afterwards: nothing sent.
    assert!(enc
        .encode(cap(&view(top), w, h), 99, false)
        .expect("e")
        .is_none());
}

#[test]
fn scrolled_pane_edges_are_patched_copies_and_decode_bit_exact() {
    // A text pane at x 37..290, y 21..300 (not tile-aligned) scrolls inside a static frame.
    let (w, h) = (320, 320);
    let page = text(253, 2000, 9);
    let draw = |top: u32| {
        let mut v = vec![0u8; (w * h * 4) as usize];
        for (i, px) in v.chunks_exact_mut(4).enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            px.copy_from_slice(&[(x * 3) as u8, 90, (y / 8 * 8) as u8, 255]);
        }
        for y in 0..279u32 {
            let d = (((21 + y) * w + 37) * 4) as usize;
            let s = (((top + y) * 253) * 4) as usize;
            v[d..d + 253 * 4].copy_from_slice(&page[s..s + 253 * 4]);
        }
        v
    };
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    dec.decode(
        &enc.encode(cap(&draw(0), w, h), 0, false)
            .expect("e")
            .expect("key"),
    )
    .expect("decode");
    let mut patched = 0;
    for (n, top) in [5u32, 12, 40, 41].into_iter().enumerate() {
        let img = draw(top);
        let f = enc
            .encode(cap(&img, w, h), n as u64 + 1, false)
            .expect("e")
            .expect("delta");
        patched += f
            .tiles
            .iter()
            .filter(|t| matches!(t.kind, TileKind::CopyPatch { .. }))
            .count();
        assert!(
            copies(&f) * 2 >= f.tiles.len(),
            "{} of {}",
            copies(&f),
            f.tiles.len()
        );
        dec.decode(&f).expect("decode");
        assert_same(&dec, &img);
    }
    assert!(patched > 0);
}

#[test]
fn hostile_patch_tiles_are_refused_and_leave_the_canvas() {
    let (w, h) = (130, 70);
    let img = text(w, h, 1);
    let mut enc = ScreenEncoder::new();
    let key = enc
        .encode(cap(&img, w, h), 0, false)
        .expect("e")
        .expect("key");
    let mut dec = ScreenDecoder::new();
    dec.decode(&key).expect("decode");
    let canvas = dec.rgba().to_vec();
    let frame = |patched: u16, dy: i16, payload: &[u8]| VideoFrame {
        seq: 2,
        key: false,
        tiles: vec![TileCode {
            index: 0,
            kind: TileKind::CopyPatch {
                dx: 0,
                dy,
                patched,
                colors: 0,
            },
        }],
        data: zstd::bulk::compress(payload, 1).expect("zstd"),
        jpeg: vec![],
        ..key.clone()
    };
    // 64 rows of 8 mask bytes; pixel (0, 0) patched.
    let mut good = vec![0u8; 512];
    good[0] = 0x80;
    good.extend_from_slice(&[1, 2, 3]);
    let mut bad_count = good.clone();
    bad_count[1] = 0x01; // two bits set, one pixel carried
    let mut too_many = vec![0xFFu8; 512];
    too_many.extend(std::iter::repeat_n(0, 4097 * 3));
    for (f, ok) in [
        (frame(1, 6, &good), true),
        (frame(1, 7, &good), false),        // source out of the canvas
        (frame(2, 6, &bad_count), false),   // mask and count disagree
        (frame(1, 6, &bad_count), false),   // payload length and mask disagree
        (frame(4097, 0, &too_many), false), // more pixels than the tile
        (frame(1, 6, &good[..300]), false), // short payload
    ] {
        let r = dec.decode(&f);
        assert_eq!(r.is_ok(), ok, "{:?}", f.tiles);
        if ok {
            let mut want = img.clone();
            for y in (0..64usize).rev() {
                for x in 0..64usize {
                    let d = (y * w as usize + x) * 4;
                    let s = ((y + 6) * w as usize + x) * 4;
                    let px: [u8; 4] = img[s..s + 4].try_into().expect("4");
                    want[d..d + 4].copy_from_slice(&px);
                }
            }
            want[..4].copy_from_slice(&[1, 2, 3, 255]);
            assert_same(&dec, &want);
            dec.decode(&key).expect("decode");
        } else {
            assert_eq!(dec.rgba(), &canvas[..]);
        }
    }
    let mut k = key.clone();
    k.tiles[0].kind = TileKind::CopyPatch {
        dx: 0,
        dy: 0,
        patched: 1,
        colors: 0,
    };
    assert!(dec.decode(&k).is_err());
    assert_eq!(dec.rgba(), &canvas[..]);
}

#[test]
fn moved_window_is_sent_as_copies_and_decodes_bit_exact() {
    let (w, h) = (640, 480);
    let bg = photo(w, h, 0);
    let win = text(300, 260, 3);
    let draw = |ox: u32, oy: u32| {
        let mut v = bg.clone();
        for y in 0..260 {
            let d = (((oy + y) * w + ox) * 4) as usize;
            let s = (y * 300 * 4) as usize;
            v[d..d + 300 * 4].copy_from_slice(&win[s..s + 300 * 4]);
        }
        v
    };
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    dec.decode(
        &enc.encode(cap(&draw(40, 30), w, h), 0, false)
            .expect("e")
            .expect("key"),
    )
    .expect("decode");
    let mut saw = 0;
    for (n, (ox, oy)) in [(57u32, 41u32), (90, 45), (91, 80), (60, 70)]
        .into_iter()
        .enumerate()
    {
        let img = draw(ox, oy);
        let f = enc
            .encode(cap(&img, w, h), n as u64 + 1, false)
            .expect("e")
            .expect("delta");
        saw += copies(&f);
        dec.decode(&f).expect("decode");
        // The background is photo-like and may change lossy; the window must be exact.
        if kinds(&f).3 == 0 {
            assert_same(&dec, &img);
        }
    }
    // The 300×260 window covers at least 3×3 whole tiles each frame.
    assert!(saw >= 4 * 6, "{saw} copies");
}

#[test]
fn hostile_copy_tiles_are_refused_and_leave_the_canvas() {
    let (w, h) = (130, 70);
    let img = text(w, h, 1);
    let mut enc = ScreenEncoder::new();
    let key = enc
        .encode(cap(&img, w, h), 0, false)
        .expect("e")
        .expect("key");
    let mut dec = ScreenDecoder::new();
    dec.decode(&key).expect("decode");
    let canvas = dec.rgba().to_vec();
    let delta = |tiles: Vec<TileCode>| VideoFrame {
        seq: 2,
        key: false,
        tiles,
        data: vec![],
        jpeg: vec![],
        ..key.clone()
    };
    let copy = |index, dx, dy| TileCode {
        index,
        kind: TileKind::Copy { dx, dy },
    };
    for tiles in [
        vec![copy(0, -1, 0)],
        vec![copy(0, 0, -1)],
        vec![copy(0, 67, 0)], // 64 + 67 > 130
        vec![copy(0, 0, 7)],  // 64 + 7 > 70
        vec![copy(2, 1, 0)],  // edge tile 2 px wide at x = 128
        vec![copy(5, 0, -7)], // bottom band: y = 64 - 7 ok, h = 6: fine, but next
        vec![copy(3, i16::MIN, i16::MAX)],
        vec![copy(0, 1, 1), copy(0, 1, 1)],
        vec![copy(99, 0, 0)],
    ] {
        // Tile 5 is (64, 64) 64×6 px: a source 7 px up is valid, so this one must decode.
        let valid = tiles == vec![copy(5, 0, -7)];
        let r = dec.decode(&delta(tiles.clone()));
        assert_eq!(r.is_ok(), valid, "{tiles:?}");
        if !valid {
            assert_eq!(dec.rgba(), &canvas[..]);
        } else {
            dec.decode(&key).expect("decode");
        }
    }
    // Not in a key frame.
    let mut f = key.clone();
    f.tiles[0] = copy(0, 1, 1);
    assert!(dec.decode(&f).is_err());
    assert_eq!(dec.rgba(), &canvas[..]);
    // A valid copy reads the canvas before the frame, even when the source is repainted by
    // the same frame: tile 0 ← tile 1 (old), tile 1 flat.
    let f = delta(vec![
        copy(0, 64, 0),
        TileCode {
            index: 1,
            kind: TileKind::Flat([1, 2, 3]),
        },
    ]);
    dec.decode(&f).expect("decode");
    let mut want = img.clone();
    for y in 0..64usize {
        for x in 0..64usize {
            let d = (y * w as usize + x) * 4;
            let s = (y * w as usize + x + 64) * 4;
            let px: [u8; 4] = img[s..s + 4].try_into().expect("4");
            want[d..d + 4].copy_from_slice(&px);
            want[s..s + 4].copy_from_slice(&[1, 2, 3, 255]);
        }
    }
    assert_same(&dec, &want);
}

#[test]
fn copies_never_read_tiles_sent_lossy() {
    // Video on the right half keeps changing (lossy); the left half scrolls. A copy whose
    // source overlaps a lossy tile would make the decoder diverge from the encoder.
    let (w, h) = (384, 256);
    let page = text(192, 1200, 5);
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    for n in 0..8u32 {
        let mut img = photo(w, h, n * 5);
        let top = n * 8;
        for y in 0..h {
            let d = (y * w * 4) as usize;
            let s = ((top + y) * 192 * 4) as usize;
            img[d..d + 192 * 4].copy_from_slice(&page[s..s + 192 * 4]);
        }
        let f = enc
            .encode(cap(&img, w, h), n as u64, false)
            .expect("e")
            .expect("frame");
        let cols = w.div_ceil(TILE_SIZE);
        for t in &f.tiles {
            if let TileKind::Copy { dx, .. } = t.kind {
                let x = (t.index % cols) * TILE_SIZE;
                assert!(x as i32 + dx as i32 + 64 <= 192, "copy from the video");
            }
        }
        dec.decode(&f).expect("decode");
        // The text half is always exact.
        for y in 0..h as usize {
            for x in 0..192usize {
                let i = (y * w as usize + x) * 4;
                let (d, s) = (&dec.rgba()[i..i + 3], &img[i..i + 3]);
                assert_eq!(
                    [d[0], d[1], d[2]],
                    [s[2], s[1], s[0]],
                    "frame {n} ({x}, {y})"
                );
            }
        }
    }
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever bytes arrive on a screen stream, decoding returns a value or an error; it
        /// never panics or allocates beyond the screen limit.
        #[test]
        fn arbitrary_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut dec = ScreenDecoder::new();
            if let Ok(ScreenMessage::Frame(f)) = postcard::from_bytes::<ScreenMessage>(&bytes) {
                let _ = dec.decode(&f);
            }
        }

        #[test]
        fn arbitrary_tiles_never_panic(
            key in any::<bool>(),
            width in 0u32..300, height in 0u32..300,
            tiles in proptest::collection::vec((0u32..40, 0u8..6, any::<u16>()), 0..12),
            payload in proptest::collection::vec(any::<u8>(), 0..256),
            jpeg in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut dec = ScreenDecoder::new();
            let tiles = tiles.into_iter().map(|(index, k, v)| TileCode {
                index,
                kind: match k {
                    0 => TileKind::Flat([v as u8, 0, 1]),
                    1 => TileKind::Palette(v % 300),
                    2 => TileKind::Raw,
                    3 if v & 1 == 0 => TileKind::Copy { dx: (v >> 8) as i8 as i16 * 3, dy: v as i8 as i16 * 3 },
                    3 => TileKind::CopyPatch {
                        dx: (v >> 8) as i8 as i16, dy: (v >> 4) as u8 as i16 - 8,
                        patched: v % 7, colors: (v >> 3) % 5,
                    },
                    _ => TileKind::Lossy,
                },
            }).collect();
            let data = zstd::bulk::compress(&payload, 1).unwrap_or_default();
            if !key && (1..300).contains(&width) && (1..300).contains(&height) {
                // A canvas to copy from, so delta frames get past the key-frame check.
                let img = text(width, height, width ^ height);
                let k = ScreenEncoder::new().encode(cap(&img, width, height), 0, true);
                if let Ok(Some(k)) = k {
                    dec.decode(&k).expect("key");
                }
            }
            let before = dec.rgba().to_vec();
            let r = dec.decode(&VideoFrame {
                seq: 1, pts: 0, width, height, source_width: width, source_height: height,
                key, tiles, reference: 0, data, jpeg,
            });
            if r.is_err() {
                prop_assert_eq!(dec.rgba(), &before[..]);
            }
        }

        /// Truncated or bit-flipped encodings of valid frames decode or fail, never panic.
        #[test]
        fn mutated_frames_never_panic(
            seed in any::<u8>(),
            cut in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
        ) {
            let (w, h) = (96, 80);
            let mut enc = ScreenEncoder::new();
            enc.set_settings(ImageQuality::Low, 100);
            let mut img = photo(w, h, seed as u32);
            img[..(w * 4 * 20) as usize].copy_from_slice(&text(w, 20, seed as u32));
            let f = enc.encode(cap(&img, w, h), 0, false).expect("e").expect("key");
            // A delta with copy tiles: the text scrolled up by 1 + seed % 40 px.
            let (tw, th) = (w, 400);
            let h2 = 200;
            let page = text(tw, th, seed as u32);
            let mut enc2 = ScreenEncoder::new();
            let k2 = enc2.encode(cap(&page[..(tw * h2 * 4) as usize], w, h2), 0, false)
                .expect("e").expect("key");
            let off = ((1 + seed as u32 % 40) * tw * 4) as usize;
            let d2 = enc2.encode(cap(&page[off..off + (tw * h2 * 4) as usize], w, h2), 1, false)
                .expect("e").expect("delta");
            prop_assert!(copies(&d2) > 0);
            for (frame, key) in [(f, None), (d2, Some(k2))] {
                let bytes = postcard::to_allocvec(&ScreenMessage::Frame(frame)).expect("ser");
                let mut flipped = bytes.clone();
                for &(at, bit) in &flips {
                    let i = at.index(flipped.len());
                    flipped[i] ^= 1 << bit;
                }
                let truncated = &bytes[..cut.index(bytes.len())];
                for b in [&flipped[..], truncated] {
                    let mut dec = ScreenDecoder::new();
                    if let Some(k) = &key {
                        dec.decode(k).expect("key");
                    }
                    let before = dec.rgba().to_vec();
                    if let Ok(ScreenMessage::Frame(f)) = postcard::from_bytes::<ScreenMessage>(b) {
                        if dec.decode(&f).is_err() {
                            prop_assert_eq!(dec.rgba(), &before[..]);
                        }
                    }
                }
            }
        }
    }
}

/// Frames of `text` scrolled by 16 px a step inside a static border, as the helper would see
/// a pane scrolling (the new lines repeat glyph rows sent in earlier frames).
fn scrolled_pane(w: u32, h: u32, steps: usize) -> Vec<Vec<u8>> {
    let page = text(w - 40, 4000, 3);
    (0..steps as u32)
        .map(|n| {
            let mut v = vec![40u8; (w * h * 4) as usize];
            for y in 0..h - 40 {
                let d = (((20 + y) * w + 20) * 4) as usize;
                let s = (((n * 16 + y) * (w - 40)) * 4) as usize;
                v[d..d + (w as usize - 40) * 4]
                    .copy_from_slice(&page[s..s + (w as usize - 40) * 4]);
            }
            v
        })
        .collect()
}

#[test]
fn delta_payloads_use_the_reference_and_decode_bit_exact() {
    let (w, h) = (320, 300);
    let frames = scrolled_pane(w, h, 8);
    let mut enc = ScreenEncoder::new();
    let mut dec = ScreenDecoder::new();
    let mut with_reference = 0usize;
    let mut without = 0usize;
    for (n, img) in frames.iter().enumerate() {
        let f = enc
            .encode(cap(img, w, h), n as u64, false)
            .expect("e")
            .expect("frame");
        if n == 0 {
            assert!(f.key);
            assert_eq!(f.reference, 0, "key frames have no reference");
        } else {
            assert_eq!(f.reference, f.seq - 1, "frame {n}");
            with_reference += f.data.len();
            // The same payload compressed alone, without a reference.
            let mut d = ZstdContexts {
                reference: dec.zstd.reference.clone(),
                reference_seq: dec.zstd.reference_seq,
                ..ZstdContexts::default()
            };
            let payload = d
                .decompress(&f.data, f.reference, 1 << 20)
                .expect("payload");
            without += ZstdContexts::default()
                .compress(&payload)
                .expect("zstd")
                .0
                .len();
        }
        dec.decode(&f).expect("decode");
        assert_same(&dec, img);
    }
    assert!(
        with_reference * 10 < without * 9,
        "{with_reference} bytes with the reference, {without} without"
    );
}

#[test]
fn a_decoder_that_missed_a_frame_refuses_until_the_next_key_frame() {
    let (w, h) = (320, 300);
    let frames = scrolled_pane(w, h, 5);
    let mut enc = ScreenEncoder::new();
    let coded: Vec<VideoFrame> = frames
        .iter()
        .enumerate()
        .map(|(n, img)| {
            enc.encode(cap(img, w, h), n as u64, false)
                .expect("e")
                .expect("frame")
        })
        .collect();
    let mut dec = ScreenDecoder::new();
    dec.decode(&coded[0]).expect("key");
    dec.decode(&coded[1]).expect("delta");
    // Frame 2 lost: frame 3 names frame 3 - 1 as its reference.
    let canvas = dec.rgba().to_vec();
    assert_eq!(
        dec.decode(&coded[3]),
        Err(CodecError::MissingReference {
            want: coded[2].seq,
            have: coded[1].seq
        })
    );
    assert_eq!(dec.rgba(), &canvas[..], "a refused frame leaves the canvas");
    // A key frame heals the stream.
    let key = enc
        .encode(cap(&frames[4], w, h), 9, true)
        .expect("e")
        .expect("key");
    assert_eq!(key.reference, 0);
    dec.decode(&key).expect("key");
    assert_same(&dec, &frames[4]);
    // A key frame that claims a reference is refused.
    let mut bad = key.clone();
    bad.reference = 1;
    assert!(matches!(
        ScreenDecoder::new().decode(&bad),
        Err(CodecError::MissingReference { .. })
    ));
}

#[test]
fn reference_keeps_the_newest_bytes_behind_a_guard() {
    let mut z = ZstdContexts::default();
    z.remember(1, &[]);
    assert_eq!(
        (z.reference.len(), z.reference_seq),
        (0, 0),
        "empty payload"
    );
    z.remember(1, &[7u8; 100]);
    assert_eq!(z.reference.len(), REFERENCE_GUARD + 100);
    assert_eq!(&z.reference[..REFERENCE_GUARD], &[0u8; REFERENCE_GUARD]);
    let big: Vec<u8> = (0..REFERENCE_BYTES + 50).map(|i| i as u8).collect();
    z.remember(2, &big);
    assert_eq!(z.reference.len(), REFERENCE_GUARD + REFERENCE_BYTES);
    assert_eq!(z.reference[REFERENCE_GUARD..], big[50..]);
    z.remember(3, &[9u8; 10]);
    assert_eq!(z.reference.len(), REFERENCE_GUARD + REFERENCE_BYTES);
    assert_eq!(&z.reference[z.reference.len() - 10..], &[9u8; 10]);
    assert_eq!(z.reference[REFERENCE_GUARD], big[60]);
    assert_eq!(z.reference_seq, 3);
    // A payload that starts with zstd's dictionary magic is still raw content.
    let mut z = ZstdContexts::default();
    let mut magic = vec![0x37, 0xA4, 0x30, 0xEC];
    magic.extend((0..4000u32).map(|i| (i % 251) as u8));
    z.remember(1, &magic);
    let (c, r) = z.compress(&magic).expect("compress");
    assert_eq!(r, 1);
    assert_eq!(z.decompress(&c, 1, magic.len()).expect("decompress"), magic);
}

#[test]
fn tile_codes_travel_as_runs() {
    let (w, h) = (640, 480);
    let frames = scrolled_pane(w, h, 3);
    let mut enc = ScreenEncoder::new();
    enc.encode(cap(&frames[0], w, h), 0, false).expect("e");
    let f = enc
        .encode(cap(&frames[1], w, h), 1, false)
        .expect("e")
        .expect("delta");
    assert!(copies(&f) >= 20, "{} copies", copies(&f));
    let wire = postcard::to_allocvec(&f).expect("ser");
    let plain = postcard::to_allocvec(&f.tiles).expect("ser").len();
    let back: VideoFrame = postcard::from_bytes(&wire).expect("de");
    assert_eq!(back, f);
    let runs_len = wire.len() - f.data.len() - f.jpeg.len();
    assert!(
        runs_len * 2 < plain,
        "runs {runs_len} bytes vs {plain} as a list of {} tiles",
        f.tiles.len()
    );
    // Any order survives (the decoder judges repeats and order, not serde).
    let odd = VideoFrame {
        tiles: [5u32, 3, 3, 0, 4_000_000_000, 1]
            .into_iter()
            .map(|index| TileCode {
                index,
                kind: TileKind::Raw,
            })
            .collect(),
        ..f.clone()
    };
    let back: VideoFrame =
        postcard::from_bytes(&postcard::to_allocvec(&odd).expect("ser")).expect("de");
    assert_eq!(back.tiles, odd.tiles);
}

#[test]
fn hostile_tile_runs_are_refused_without_allocating() {
    #[derive(Serialize)]
    struct Run {
        delta: i64,
        count: u32,
        kind: TileKind,
    }
    #[derive(Serialize)]
    struct Wire {
        seq: u64,
        pts: u64,
        width: u32,
        height: u32,
        source_width: u32,
        source_height: u32,
        key: bool,
        tiles: Vec<Run>,
        reference: u64,
        data: Vec<u8>,
        jpeg: Vec<u8>,
    }
    let wire = |tiles: Vec<Run>| {
        postcard::to_allocvec(&Wire {
            seq: 1,
            pts: 0,
            width: 64,
            height: 64,
            source_width: 64,
            source_height: 64,
            key: true,
            tiles,
            reference: 0,
            data: vec![],
            jpeg: vec![],
        })
        .expect("ser")
    };
    let run = |delta, count| Run {
        delta,
        count,
        kind: TileKind::Flat([1, 2, 3]),
    };
    let ok: VideoFrame = postcard::from_bytes(&wire(vec![run(0, 1)])).expect("a good frame");
    assert_eq!(ok.tiles.len(), 1);
    for (runs, what) in [
        (vec![run(0, 0)], "empty run"),
        (vec![run(-1, 1)], "index below 0"),
        (vec![run(0, u32::MAX)], "four billion tiles"),
        (
            vec![run(0, MAX_TILES as u32), run(0, 1)],
            "one tile too many",
        ),
        (vec![run(i64::MAX, 1)], "overflowing delta"),
        (vec![run(u32::MAX as i64, 2)], "index past u32"),
    ] {
        assert!(
            postcard::from_bytes::<VideoFrame>(&wire(runs)).is_err(),
            "{what} accepted"
        );
    }
}
