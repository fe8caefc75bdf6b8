//! The first screen of a plain helper, the refusal of a modified download and the center's
//! branding (header, notice text/image/link) — egui_kittest (C1, M1).

use crate::common;

use common::{harness, options};
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_helper::{
    config::{remembered, Connection, ConnectionError},
    i18n::Tr,
    launch::{refused_ui, SetupScreen},
    net::NetEvent,
};
use porpoise_protocol::wire::CenterId;
use porpoise_protocol::wire::{Branding, Notice, Rgb, ServiceMode};
use porpoise_ui::Language;

const FP: &str = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

struct Setup {
    screen: SetupScreen,
    connected: Option<Connection>,
}

fn setup_harness(language: Language, prefill: [String; 3]) -> Harness<'static, Setup> {
    Harness::builder()
        .with_size([420.0, 600.0])
        .with_context_setup(porpoise_ui::install_fonts_compact)
        .build_ui_state(
            move |ui, s: &mut Setup| {
                if let Some(c) = s.screen.ui(ui, Tr(language)) {
                    s.connected = Some(c);
                }
            },
            Setup {
                screen: SetupScreen::new(prefill),
                connected: None,
            },
        )
}

fn type_into(h: &mut Harness<'static, Setup>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn plain_helper_asks_for_the_relay_and_checks_each_field() {
    let mut h = setup_harness(Language::En, Default::default());
    h.get_by_label("Connect to your support center");
    h.get_by_label("Connect").hover();
    h.run();
    h.get_by_label("Connect").click();
    h.run();
    h.get_by_label("Enter host:port, e.g. support.example.com:18000.");
    assert!(h.state().connected.is_none());

    type_into(&mut h, "Relay address", "support.example.com:18000");
    type_into(&mut h, "Center ID", "1234");
    h.get_by_label("Connect").click();
    h.run();
    h.get_by_label("A center ID has 7 digits and starts with 8.");

    h.get_by_label("Center ID").focus();
    h.run();
    h.state_mut().screen.center.clear();
    type_into(&mut h, "Center ID", "8000001");
    type_into(&mut h, "Certificate fingerprint", "abc");
    h.get_by_label("Connect").click();
    h.run();
    h.get_by_label("A fingerprint is 64 hex digits (colons allowed).");

    h.state_mut().screen.fingerprint = FP.to_owned();
    h.run();
    h.get_by_label("Connect").click();
    h.run();
    let c = h.state().connected.clone().expect("connected");
    assert_eq!(c.relay_addr, "support.example.com:18000");
    assert_eq!(c.center_id, CenterId(8_000_001));
    assert_eq!(c.fingerprint.to_string().replace(':', ""), FP);
}

#[test]
fn first_screen_is_prefilled_and_in_chinese() {
    let prefill = [
        "relay.example:18000".to_owned(),
        "8000001".to_owned(),
        FP.to_owned(),
    ];
    let mut h = setup_harness(Language::ZhCn, prefill);
    h.get_by_label("连接支持中心");
    h.get_by_label("服务器地址");
    h.get_by_label("中心编号");
    h.get_by_label("证书指纹");
    h.get_by_label("连接").hover();
    h.run();
    h.get_by_label("连接").click();
    h.run();
    assert_eq!(
        h.state().connected.as_ref().map(|c| c.relay_addr.as_str()),
        Some("relay.example:18000")
    );
}

#[test]
fn entered_values_are_remembered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Connection::parse("relay.example:18000", " 8000001 ", FP).expect("valid");
    c.remember(dir.path()).expect("remember");
    let [relay, center, fp] = remembered(dir.path());
    assert_eq!(relay, "relay.example:18000");
    assert_eq!(center, "8000001");
    assert_eq!(Connection::parse(&relay, &center, &fp).expect("reparse"), c);
    assert_eq!(
        Connection::parse("no-port", "8000001", FP),
        Err(ConnectionError::BadRelay)
    );
    assert_eq!(
        remembered(&dir.path().join("none")),
        <[String; 3]>::default()
    );
}

#[test]
fn modified_download_is_refused_with_a_clear_message() {
    let mut h = Harness::builder()
        .with_size([420.0, 600.0])
        .with_context_setup(porpoise_ui::install_fonts_compact)
        .build_ui_state(
            |ui, closed: &mut bool| {
                if refused_ui(
                    ui,
                    Tr(Language::En),
                    "configuration trailer signature does not verify: the file was modified",
                ) {
                    *closed = true;
                }
            },
            false,
        );
    h.get_by_label("This download was modified");
    h.get_by_label(
        "This download was modified; for your safety it will not connect. Download it again from your support center.",
    );
    h.get_by_label("Close").hover();
    h.run();
    h.get_by_label("Close").click();
    h.run();
    assert!(*h.state());
}

/// A 2×2 opaque PNG.
fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 2, 2);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("header");
    w.write_image_data(&[200; 16]).expect("data");
    drop(w);
    out
}

fn branding() -> Branding {
    Branding {
        product_name: "Acme 远程协助".into(),
        icon_png: tiny_png(),
        primary: Some(Rgb([0x0B, 0x5F, 0xA5])),
        accent: Some(Rgb([0xF2, 0x6B, 0x3A])),
        notice: Notice {
            text: "Hotline 400-000-0000".into(),
            image_png: tiny_png(),
            link: "https://example.com/help".into(),
        },
    }
}

#[test]
fn branding_from_the_relay_shows_header_notice_and_link() {
    let (mut h, net) = harness(Language::En, "");
    net.push(NetEvent::Branding(Box::new(branding())));
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.state_mut().set_open_links_in_browser(false);
    h.get_by_label("Acme 远程协助");
    h.get_by_label("Notice");
    h.get_by_label("Hotline 400-000-0000");
    h.get_by_label("Notice image");
    // The theme uses the primary colour for selection and the accent for links.
    let visuals = h.ctx.global_style().visuals.clone();
    assert_eq!(
        visuals.selection.bg_fill,
        egui::Color32::from_rgb(0x0B, 0x5F, 0xA5)
    );
    assert_eq!(
        visuals.hyperlink_color,
        egui::Color32::from_rgb(0xF2, 0x6B, 0x3A)
    );
    // The request form still works under the branding.
    h.get_by_label("Your name");
    h.get_by_label("Learn more").hover();
    h.run();
    h.get_by_label("Learn more").click();
    h.run();
    assert_eq!(
        h.state().branding().map(|b| b.opened_links.clone()),
        Some(vec!["https://example.com/help".to_owned()])
    );
}

#[test]
fn non_https_notice_link_is_not_offered() {
    let (mut h, net) = harness(Language::En, "");
    let mut b = branding();
    b.notice.link = "http://example.com/plain".into();
    b.notice.image_png.clear();
    b.product_name.clear();
    net.push(NetEvent::Branding(Box::new(b)));
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.get_by_label("Hotline 400-000-0000");
    assert!(h.query_by_label("Learn more").is_none());
    assert!(h.query_by_label("Acme 远程协助").is_none());
}

#[test]
fn start_plan_prefers_the_trailer_refuses_a_modified_one_and_else_asks() {
    use clap::Parser;
    use porpoise_helper::config::{plan, Start};
    use porpoise_helper::HelperArgs;
    use porpoise_quic::trailer::{EmbeddedConfig, TrailerError};

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_string_lossy().to_string();
    let args =
        || HelperArgs::try_parse_from(["porpoise-helper", "--data-dir", &data]).expect("parse");
    let embedded = EmbeddedConfig {
        relay_addr: "support.acme.example:18000".into(),
        fingerprint: [0x11; 32],
        center_id: CenterId(8_000_001),
        branding: Some(branding()),
    };
    match plan(args(), Ok(embedded)).expect("plan") {
        Start::Ready { config, branding } => {
            assert_eq!(config.relay_addr, "support.acme.example:18000");
            assert_eq!(config.center_id, CenterId(8_000_001));
            assert_eq!(
                branding.map(|b| b.product_name),
                Some("Acme 远程协助".into())
            );
        }
        other => panic!("not ready: {other:?}"),
    }
    match plan(args(), Err(TrailerError::BadSignature)).expect("plan") {
        Start::Refused { reason } => assert!(reason.contains("modified"), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }
    match plan(args(), Err(TrailerError::NoTrailer)).expect("plan") {
        Start::Setup { prefill, .. } => assert_eq!(prefill, <[String; 3]>::default()),
        other => panic!("no first screen: {other:?}"),
    }
    // Values entered once are offered again.
    Connection::parse("relay.example:18000", "8000001", FP)
        .expect("valid")
        .remember(dir.path())
        .expect("remember");
    match plan(args(), Err(TrailerError::NoTrailer)).expect("plan") {
        Start::Setup { prefill, .. } => {
            assert_eq!(prefill[0], "relay.example:18000");
            assert_eq!(prefill[1], "8000001");
        }
        other => panic!("no first screen: {other:?}"),
    }
}
