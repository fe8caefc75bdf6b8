//! Writes small valid seed inputs for every fuzz target into `corpus/<target>/`, made with the
//! product's own encoders. Run from `fuzz/`: `cargo +nightly run -p porpoise-fuzz-seeds`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use porpoise_codec::stream::{CursorShape, CursorUpdate, ImageQuality, StreamSettings};
use porpoise_codec::{chat_image, CapturedFrame, ScreenEncoder, ScreenMessage};
use porpoise_protocol::framing::{
    encode_frame, MAX_CONTROL_FRAME_BYTES, MAX_INPUT_FRAME_BYTES,
};
use porpoise_protocol::input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent};
use porpoise_protocol::wire::rpc::{GetBranding, RequestService, SendChat, SendChatImage};
use porpoise_protocol::wire::{
    ApiError, Branding, CenterId, ClientMessage, Event, Field, Hello, HelloRole, InstallId,
    MediaHeader, MediaKind, MessageId, Notice, RefusedReason, Request, RequestId, Response, Rgb,
    ServerMessage, ServiceRoute, SessionId, Welcome, MAX_MEDIA_HEADER_BYTES, PROTOCOL_VERSION,
};
use porpoise_quic::files::{
    FailReason, FileOffer, FileTransferId, ReceiverFrame, RefuseReason, SenderFrame,
    MAX_FILE_FRAME_BYTES,
};
use porpoise_quic::tls::Fingerprint;
use porpoise_quic::trailer::{self, EmbeddedConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

fn with_flag(flag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![flag];
    v.extend_from_slice(body);
    v
}

fn frames<T: serde::Serialize>(msgs: &[T], max: usize) -> Vec<u8> {
    msgs.iter().flat_map(|m| encode_frame(m, max).unwrap()).collect()
}

/// A `w`×`h` RGBA picture: gradient, a stripe of flat colour and a little noise.
fn rgba(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let mut v = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let n = ((x * 7919 + y * 104_729) % 31) as u8;
            v.extend_from_slice(&[
                (x * 255 / w.max(1)) as u8,
                (y * 255 / h.max(1)) as u8,
                if y < h / 3 { 200 } else { n * 8 },
                if alpha { (x * 13) as u8 | 0x80 } else { 255 },
            ]);
        }
    }
    v
}

fn png(w: u32, h: u32, color: png::ColorType, depth: png::BitDepth) -> Vec<u8> {
    let src = rgba(w, h, true);
    let channels = match color {
        png::ColorType::Grayscale | png::ColorType::Indexed => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
    };
    let bytes_per_sample = if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    let mut data = Vec::new();
    for p in src.chunks_exact(4) {
        for c in 0..channels {
            let v = if color == png::ColorType::Indexed { p[0] % 4 } else { p[c] };
            for _ in 0..bytes_per_sample {
                data.push(v);
            }
        }
    }
    if depth == png::BitDepth::One {
        data = vec![0b1010_0101; (w as usize).div_ceil(8) * h as usize];
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(color);
    enc.set_depth(depth);
    if color == png::ColorType::Indexed {
        enc.set_palette(vec![0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
        enc.set_trns(vec![255, 128, 0, 255]);
    }
    let mut writer = enc.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

fn jpeg(w: u16, h: u16, progressive: bool, gray: bool) -> Vec<u8> {
    let src = rgba(u32::from(w), u32::from(h), false);
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
    enc.set_progressive(progressive);
    if gray {
        let luma: Vec<u8> = src.chunks_exact(4).map(|p| p[0] / 2 + p[1] / 2).collect();
        enc.encode(&luma, w, h, jpeg_encoder::ColorType::Luma).unwrap();
    } else {
        enc.encode(&src, w, h, jpeg_encoder::ColorType::Rgba).unwrap();
    }
    out
}

fn control() {
    let hello = |role| ClientMessage::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        role,
    });
    let request = |id, body: Request| ClientMessage::Request {
        id: RequestId(id),
        body,
    };
    let client = vec![
        hello(HelloRole::Agent {
            center_id: CenterId(8_000_001),
            username: "alice".into(),
            password: "correct horse".into(),
        }),
        hello(HelloRole::Customer {
            center_id: CenterId(8_000_001),
            install_id: InstallId(0x0123_4567_89ab_cdef),
        }),
        request(
            1,
            RequestService {
                name: "王小明".into(),
                phone: "13800000000".into(),
                route: ServiceRoute::AutoAssign {
                    group_id: None,
                    product_type_id: None,
                },
            }
            .into(),
        ),
        request(
            2,
            SendChat {
                session_id: SessionId(7),
                message_id: MessageId(42),
                text: "你好, hello".into(),
            }
            .into(),
        ),
        request(
            3,
            SendChatImage {
                session_id: SessionId(7),
                message_id: MessageId(43),
                data: png(4, 4, png::ColorType::Rgb, png::BitDepth::Eight),
            }
            .into(),
        ),
        request(4, GetBranding.into()),
    ];
    let stream = frames(&client, MAX_CONTROL_FRAME_BYTES);
    write("control_frame", "client", &with_flag(0xfe, &stream));
    write("control_frame", "client-bytewise", &with_flag(0x00, &stream[..stream.len().min(200)]));
    let server = vec![
        ServerMessage::Welcome(Welcome::Directory {
            usernames: vec!["alice".into(), "bob".into()],
        }),
        ServerMessage::Refused(RefusedReason::VersionMismatch {
            relay: PROTOCOL_VERSION,
            client: 1,
        }),
        ServerMessage::Response {
            id: RequestId(1),
            result: Ok(Response::Done),
        },
        ServerMessage::Response {
            id: RequestId(2),
            result: Err(ApiError::Empty {
                field: Field::ChatText,
            }),
        },
        ServerMessage::Event(Event::QueuePosition {
            position: 3,
            estimated_wait_s: Some(90),
        }),
    ];
    let stream = frames(&server, MAX_CONTROL_FRAME_BYTES);
    write("control_frame", "server", &with_flag(0xff, &stream));
    write("control_frame", "server-pieces", &with_flag(0x0f, &stream));
}

fn media() {
    let header = |kind| {
        encode_frame(
            &MediaHeader {
                session_id: SessionId(7),
                kind,
            },
            MAX_MEDIA_HEADER_BYTES,
        )
        .unwrap()
    };
    let events = vec![
        InputEvent::Mouse(MouseEvent::MoveTo { x: 100, y: -5 }),
        InputEvent::Mouse(MouseEvent::Button {
            button: MouseButton::Left,
            down: true,
        }),
        InputEvent::Mouse(MouseEvent::Scroll { dx: 0, dy: -3 }),
        InputEvent::Key(KeyEvent::Key {
            key: Key::F(5),
            down: true,
        }),
        InputEvent::Key(KeyEvent::Key {
            key: Key::Char('c'),
            down: false,
        }),
        InputEvent::Key(KeyEvent::Text("你好 world".into())),
    ];
    let mut input = header(MediaKind::Input);
    input.extend(frames(&events, MAX_INPUT_FRAME_BYTES));
    write("media_header", "input", &input);
    for (name, kind) in [
        ("screen", MediaKind::Screen),
        ("demo", MediaKind::Demo),
        ("clipboard", MediaKind::Clipboard),
        ("file", MediaKind::File),
    ] {
        write("media_header", name, &header(kind));
    }
}

fn screen() {
    let (w, h) = (150u32, 100u32);
    let image = |t: u32| -> Vec<u8> {
        let mut v = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let px = if y < h / 3 {
                    [250, 250, 250]
                } else if y < 2 * h / 3 {
                    if (x + y + t) % 7 < 2 {
                        [20, 20, 20]
                    } else {
                        [240, 240, 240]
                    }
                } else {
                    let f = (x + t * 3) as f32 / 9.0;
                    [(128.0 + 100.0 * f.sin()) as u8, (y * 3 + t) as u8, (x * 5 + y) as u8]
                };
                v.extend_from_slice(&[px[0], px[1], px[2], 255]);
            }
        }
        v
    };
    for (name, quality) in [("balanced", ImageQuality::Balanced), ("low", ImageQuality::Low)] {
        let mut enc = ScreenEncoder::new();
        enc.set_settings(quality, 100);
        let mut out = Vec::new();
        for t in 0..3 {
            let img = image(t * 4);
            let f = CapturedFrame {
                width: w,
                height: h,
                stride: w as usize * 4,
                bgra: &img,
            };
            if let Some(frame) = enc.encode(f, u64::from(t), false).unwrap() {
                out.extend(postcard::to_stdvec(&ScreenMessage::Frame(frame)).unwrap());
            }
        }
        write("screen_frame", name, &out);
    }
    // Scrolling (copy tiles) after a key frame.
    let tall: Vec<u8> = (0..3).flat_map(|t| image(t * 5)).collect();
    let mut enc = ScreenEncoder::new();
    let mut out = Vec::new();
    for t in 0..3u32 {
        let off = ((h - 30 + t * 7) * w * 4) as usize;
        let f = CapturedFrame {
            width: w,
            height: h,
            stride: w as usize * 4,
            bgra: &tall[off..off + (w * h * 4) as usize],
        };
        if let Some(frame) = enc.encode(f, u64::from(t), false).unwrap() {
            out.extend(postcard::to_stdvec(&ScreenMessage::Frame(frame)).unwrap());
        }
    }
    write("screen_frame", "scroll", &out);
    // A still, a cursor, settings and an ack.
    let mut enc = ScreenEncoder::new();
    let img = image(1);
    let f = CapturedFrame {
        width: w,
        height: h,
        stride: w as usize * 4,
        bgra: &img,
    };
    let still = enc.encode_still(f, 0).unwrap();
    let msgs = vec![
        ScreenMessage::Still { id: 1, frame: still },
        ScreenMessage::Cursor(CursorUpdate {
            x: 10,
            y: 20,
            visible: true,
            shape: Some(CursorShape {
                serial: 1,
                width: 2,
                height: 2,
                hot_x: 1,
                hot_y: 0,
                rgba: vec![255; 16],
            }),
        }),
        ScreenMessage::Settings(StreamSettings::default()),
        ScreenMessage::Ack { seq: 1, decode_us: 900 },
        ScreenMessage::StillRequest { id: 2 },
    ];
    let out: Vec<u8> = msgs.iter().flat_map(|m| postcard::to_stdvec(m).unwrap()).collect();
    write("screen_frame", "still-cursor-settings", &out);
}

fn files() {
    let offer = |name: &str| {
        SenderFrame::Offer(FileOffer {
            transfer_id: FileTransferId(0xfeed),
            name: name.into(),
            size: 5,
            sha256: [7; 32],
        })
    };
    let sent = vec![
        offer("report.pdf"),
        SenderFrame::Chunk(b"hello".to_vec()),
        SenderFrame::Done,
    ];
    write("file_frame", "send", &with_flag(0, &frames(&sent, MAX_FILE_FRAME_BYTES)));
    let long = format!("{}{}.txt", "季度 报告 ".repeat(20), " ".repeat(40));
    for (name, raw) in [
        ("name-long", long.as_str()),
        ("name-path", "../../etc/CON.txt"),
        ("name-bidi", "invoice\u{202E}fdp.exe"),
    ] {
        write("file_frame", name, &with_flag(0, &frames(&[offer(raw), SenderFrame::Cancel], MAX_FILE_FRAME_BYTES)));
    }
    let answers = vec![
        ReceiverFrame::Accept { offset: 0 },
        ReceiverFrame::Refuse(RefuseReason::TooBig { size: 9, max: 5 }),
        ReceiverFrame::Verified {
            saved_as: "report (1).pdf".into(),
        },
        ReceiverFrame::Failed(FailReason::Write("disk".into())),
        ReceiverFrame::Cancel,
    ];
    write("file_frame", "answers", &with_flag(1, &frames(&answers, MAX_FILE_FRAME_BYTES)));
}

fn chat_images() {
    use png::{BitDepth, ColorType};
    let pngs = [
        ("png-rgba8", png(16, 12, ColorType::Rgba, BitDepth::Eight)),
        ("png-rgb16", png(9, 7, ColorType::Rgb, BitDepth::Sixteen)),
        ("png-gray8", png(10, 10, ColorType::Grayscale, BitDepth::Eight)),
        ("png-gray1", png(13, 5, ColorType::Grayscale, BitDepth::One)),
        ("png-graya", png(6, 6, ColorType::GrayscaleAlpha, BitDepth::Eight)),
        ("png-indexed", png(8, 8, ColorType::Indexed, BitDepth::Eight)),
    ];
    for (name, bytes) in &pngs {
        write("chat_image", name, bytes);
    }
    write("chat_image", "jpeg-baseline", &jpeg(16, 16, false, false));
    write("chat_image", "jpeg-progressive", &jpeg(24, 9, true, false));
    write("chat_image", "jpeg-gray", &jpeg(8, 8, false, true));
    // What the apps send: `prepare` of a picture (PNG here).
    write("chat_image", "prepared", &chat_image::prepare(&rgba(20, 20, false), 20, 20).unwrap());
}

/// `data:image/png;base64,…` (as `porpoise_ui::png_image::png_data_url`, without linking the UI).
fn data_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("data:image/png;base64,");
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn small_branding() -> Branding {
    Branding {
        product_name: "海豚远程协助".into(),
        icon_png: png(8, 8, png::ColorType::Rgba, png::BitDepth::Eight),
        primary: Some(Rgb([0x0B, 0x5F, 0xA5])),
        accent: Some(Rgb([0xF2, 0x6B, 0x3A])),
        notice: Notice {
            text: "客服热线 400-000-0000".into(),
            image_png: png(12, 4, png::ColorType::Rgb, png::BitDepth::Eight),
            link: "https://example.com/help".into(),
        },
    }
}

fn branding() {
    write("branding", "full", &with_flag(0, &postcard::to_stdvec(&small_branding()).unwrap()));
    write("branding", "empty", &with_flag(0, &postcard::to_stdvec(&Branding::default()).unwrap()));
    write("branding", "icon", &with_flag(1, &png(16, 16, png::ColorType::Rgba, png::BitDepth::Eight)));
    write("branding", "icon-indexed", &with_flag(1, &png(8, 8, png::ColorType::Indexed, png::BitDepth::Eight)));
    write("branding", "notice", &with_flag(2, &png(20, 6, png::ColorType::GrayscaleAlpha, png::BitDepth::Eight)));
    write("branding", "notice-16", &with_flag(2, &png(5, 5, png::ColorType::Rgba, png::BitDepth::Sixteen)));
    write("branding", "photo", &with_flag(3, &png(10, 10, png::ColorType::Rgb, png::BitDepth::Eight)));
    let url = data_url(&png(4, 4, png::ColorType::Grayscale, png::BitDepth::Eight));
    write("branding", "photo-url", &with_flag(3, url.as_bytes()));
}

fn trailers() {
    let made = rcgen::generate_simple_self_signed(vec!["relay.example.com".to_owned()]).unwrap();
    let cert = CertificateDer::from(made.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
    let plain = EmbeddedConfig {
        relay_addr: "relay.example.com:18000".into(),
        fingerprint: Fingerprint::of_der(cert.as_ref()).0,
        center_id: CenterId(8_000_001),
        branding: None,
    };
    let branded = EmbeddedConfig {
        branding: Some(Branding {
            icon_png: Vec::new(),
            notice: Notice {
                image_png: Vec::new(),
                ..small_branding().notice
            },
            ..small_branding()
        }),
        ..plain.clone()
    };
    for (name, config) in [("plain", &plain), ("branded", &branded)] {
        let mut file = b"\x7fELF pretend helper".to_vec();
        file.extend(trailer::build(config, &cert, &key).unwrap());
        write("trailer", &format!("file-{name}"), &with_flag(0, &file));
        write("trailer", &format!("payload-{name}"), &with_flag(1, &postcard::to_stdvec(config).unwrap()));
    }
    write("trailer", "no-trailer", &with_flag(0, b"\x7fELF just a binary"));
}

fn main() {
    control();
    media();
    screen();
    files();
    chat_images();
    branding();
    trailers();
    eprintln!("seeds written under corpus/");
}
