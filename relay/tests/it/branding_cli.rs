//! `porpoise-relay center branding` and `porpoise-relay helper-link` (C1, M1, M11): what an
//! operator types, what is refused and why.

use std::path::Path;
use std::process::Output;

use crate::common::relay_cli as relay;

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output, needle: &str) {
    assert!(
        !out.status.success(),
        "accepted: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{needle:?} not in {err}");
}

fn png(path: &Path, w: u32, h: u32) {
    let file = std::fs::File::create(path).expect("create");
    let mut enc = png::Encoder::new(file, w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("header");
    writer
        .write_image_data(&vec![90; (w * h * 4) as usize])
        .expect("data");
}

#[test]
fn branding_is_validated_set_and_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let created = ok(&relay(&data, &["center", "create", "--name", "Acme"]));
    let center = created
        .lines()
        .find_map(|l| l.strip_prefix("center "))
        .expect("center line")
        .to_owned();
    let icon = dir.path().join("icon.png");
    png(&icon, 32, 32);
    let big = dir.path().join("big.png");
    png(&big, 300, 300);
    let not_png = dir.path().join("icon.jpg");
    std::fs::write(&not_png, b"\xFF\xD8\xFF not a png").expect("write");

    let set = ok(&relay(
        &data,
        &[
            "center",
            "branding",
            "--center-id",
            &center,
            "--product-name",
            "Acme 远程协助",
            "--icon",
            icon.to_str().expect("path"),
            "--color",
            "#0b5fa5",
            "--notice-text",
            "Hotline 400",
            "--notice-link",
            "https://acme.example/help",
        ],
    ));
    assert!(set.contains("product-name Acme 远程协助"), "{set}");
    assert!(set.contains("color #0B5FA5"), "{set}");
    assert!(set.contains("accent -"), "{set}");
    assert!(
        set.contains("notice-link https://acme.example/help"),
        "{set}"
    );

    // Bad values are refused with the reason, and nothing changes.
    let args = |extra: &[&str]| {
        let mut v = vec!["center", "branding", "--center-id", &center];
        v.extend_from_slice(extra);
        v.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        relay(&data, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    refused(&run(&["--color", "blue"]), "is not #RRGGBB");
    refused(&run(&["--accent", "#12345"]), "is not #RRGGBB");
    refused(
        &run(&["--notice-link", "http://acme.example"]),
        "must be an https:// URL",
    );
    refused(
        &run(&["--notice-link", "javascript:alert(1)"]),
        "must be an https:// URL",
    );
    refused(
        &run(&["--icon", big.to_str().expect("path")]),
        "300×300 px; at most 256×256 px",
    );
    refused(
        &run(&["--icon", not_png.to_str().expect("path")]),
        "not a PNG",
    );
    refused(
        &run(&["--product-name", &"x".repeat(65)]),
        "product name is too large",
    );
    refused(
        &relay(&data, &["center", "branding", "--center-id", "8999999"]),
        "no center 8999999",
    );

    // Changing one part keeps the others.
    let accent = ok(&run(&["--accent", "#F26B3A"]));
    assert!(accent.contains("product-name Acme 远程协助"), "{accent}");
    assert!(accent.contains("accent #F26B3A"), "{accent}");
    assert!(!accent.contains("icon-bytes 0"), "{accent}");

    let cleared = ok(&run(&["--clear"]));
    assert!(cleared.contains("product-name \n"), "{cleared}");
    assert!(cleared.contains("icon-bytes 0"), "{cleared}");
}

#[test]
fn helper_link_prints_the_center_urls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = ok(&relay(
        dir.path(),
        &[
            "--public-address",
            "support.acme.example:18000",
            "helper-link",
            "--center-id",
            "8000001",
        ],
    ));
    assert_eq!(
        out,
        "page https://support.acme.example:18000/c/8000001/\n\
         linux https://support.acme.example:18000/c/8000001/helper/linux\n\
         windows https://support.acme.example:18000/c/8000001/helper/windows\n"
    );
}
