//! `--png`: a picture beside every SVG, rasterized from the SVG itself;
//! the bytes are pinned by hash, so they stay the same from machine to
//! machine and run to run (a change of drawing or of the rasterizer's
//! version shows here: update the snapshot and say why).

use crate::support::cli::cronwarp;
use crate::support::scratch::ScratchDir;
use crate::support::snapshots;
use resvg::tiny_skia::Pixmap;

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The root `width` and `height` an SVG document declares.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn every_svg_gets_a_png_of_its_size_pinned_by_hash() {
    let dir = ScratchDir::new("png");
    let out = dir.path().to_str().unwrap();
    let o = cronwarp(&["run", "scenarios/backoff-limit.yaml", "--out", out, "--png"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "three timelines and the fleet load: {names:?}");
    let mut pinned = String::new();
    for name in &names {
        let svg = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let png_name = name.replace(".svg", ".png");
        let bytes = std::fs::read(dir.path().join(&png_name)).unwrap_or_else(|e| panic!("{png_name}: {e}"));
        assert_eq!(cronwarp::report::svg::png(&svg).unwrap(), bytes, "{png_name} is the SVG's picture");
        let picture = Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((picture.width(), picture.height()), svg_size(&svg), "{png_name}");
        let white =
            picture.pixels().iter().filter(|p| (p.red(), p.green(), p.blue()) == (255, 255, 255)).count();
        let drawn = picture.pixels().len() - white;
        assert!(drawn > 5_000, "{png_name}: only {drawn} pixels are not white");
        pinned.push_str(&format!(
            "{png_name} {}x{} {} bytes fnv1a64 {:016x}\n",
            picture.width(),
            picture.height(),
            bytes.len(),
            fnv1a64(&bytes)
        ));
    }
    snapshots::settings().bind(|| insta::assert_snapshot!("png-backoff-limit", pinned));
}

#[test]
fn png_needs_out_and_compare_writes_one_per_timeline() {
    let o = cronwarp(&["run", "scenarios/backoff-limit.yaml", "--png"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--out"), "{}", o.stderr);
    let dir = ScratchDir::new("png-compare");
    let out = dir.path().to_str().unwrap();
    let o = cronwarp(&["compare", "scenarios/crossplane-replace.yaml", "--out", out, "--png"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for side in ["kubernetes", "crossplane"] {
        let bytes = std::fs::read(dir.path().join(format!("replaced.{side}.png"))).unwrap();
        assert!(Pixmap::decode_png(&bytes).is_ok(), "{side}");
    }
}
