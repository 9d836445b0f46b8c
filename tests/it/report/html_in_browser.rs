//! `report.html` in a real browser: headless Chromium (Debian's `chromium`)
//! loads a generated report, which must run its script (the page marks
//! itself `data-ready`) without a single console message (an uncaught
//! error, a refused load under the page's Content-Security-Policy, a
//! `console.error`), and a screenshot must show the timeline drawn.
//!
//! Chromium prints every console message to stderr under
//! `--enable-logging=stderr` as a `…:CONSOLE…` line, whatever its level;
//! a page with a deliberate error first proves that the check sees one.
//!
//! Without Chromium the tests are skipped, and say so where a plain
//! `cargo test` shows it (written to the process's stderr, past libtest's
//! capture, like the robfig parity test); with
//! `CRONWARP_REQUIRE_BROWSER=1` (CI) they fail instead.
//! `CRONWARP_CHROMIUM=PATH` names the browser; else `chromium`,
//! `chromium-browser` and `google-chrome` are looked for on `PATH`.

use crate::support::cli::cronwarp;
use crate::support::scratch::ScratchDir;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, or `None` after the skip banner (or a panic when one is
/// required).
fn chromium() -> Option<PathBuf> {
    let found = match std::env::var_os("CRONWARP_CHROMIUM") {
        Some(p) => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        None => ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        let why = "no chromium on PATH (nor CRONWARP_CHROMIUM)";
        assert!(std::env::var_os("CRONWARP_REQUIRE_BROWSER").is_none_or(|v| v != "1"), "{why}");
        let notice = format!(
            "\n======== SKIPPED: report.html in a browser ({why}) ========\n\
             Install it with: sudo apt-get install chromium\n\
             ===========================================================\n"
        );
        let _ = std::io::stderr().write_all(notice.as_bytes());
    }
    found
}

/// Runs the browser headless on `page` with `args` and a fresh profile;
/// returns stdout and stderr.
fn browse(browser: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let profile = ScratchDir::created("chromium-profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", browser.display()));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{} failed: {stderr}", browser.display());
    (stdout, stderr)
}

/// The page's console messages, one per line.
fn console_messages(browser: &Path, page: &Path) -> (String, Vec<String>) {
    let (dom, log) = browse(browser, page, &["--enable-logging=stderr", "--v=0", "--dump-dom"]);
    let messages = log.lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    (dom, messages)
}

/// `cronwarp run SCENARIO --out DIR`; the report.html path.
fn report_html(scenario: &str, dir: &ScratchDir) -> PathBuf {
    let out = dir.path().join("out");
    let o = cronwarp(&["run", scenario, "--out", out.to_str().unwrap()]);
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let page = out.join("report.html");
    assert!(page.is_file(), "no report.html in {}", out.display());
    page
}

#[test]
fn the_report_loads_and_runs_its_script_without_a_console_message() {
    let Some(browser) = chromium() else { return };
    let dir = ScratchDir::created("html-browser");
    // The check sees an error when there is one.
    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, "<!DOCTYPE html><title>x</title><script>no_such_function();</script>\n").unwrap();
    let (_, messages) = console_messages(&browser, &bad);
    assert!(messages.iter().any(|m| m.contains("no_such_function")), "{messages:?}");

    // A report with several workloads (the filter) and a fleet-load chart.
    let page = report_html("scenarios/backoff-limit.yaml", &dir);
    let (dom, messages) = console_messages(&browser, &page);
    assert!(messages.is_empty(), "console messages: {messages:#?}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not finish: {}",
        &dom[..dom.len().min(400)]
    );
    assert_eq!(dom.matches("<section class=\"workload\"").count(), 3);
    assert!(dom.contains("id=\"filter\""));
}

#[test]
fn a_screenshot_shows_the_timeline_drawn() {
    let Some(browser) = chromium() else { return };
    let dir = ScratchDir::created("html-screenshot");
    // One workload: its timeline is the page's only colour.
    let page = report_html("scenarios/downtime-catchup.yaml", &dir);
    let shot = dir.path().join("shot.png");
    let (w, h) = (1280u32, 900u32);
    browse(
        &browser,
        &page,
        &[&format!("--window-size={w},{h}"), &format!("--screenshot={}", shot.display())],
    );
    let bytes = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    let png = resvg::tiny_skia::Pixmap::decode_png(&bytes).expect("a PNG screenshot");
    assert_eq!((png.width(), png.height()), (w, h));
    let px = png.pixels();
    // Colour (text and rules are grey: r = g = b) comes from the timeline
    // alone: the bars, the missed ticks, the downtime band (pale: a
    // low threshold), the legend.
    let coloured = px
        .iter()
        .filter(|p| {
            let (r, g, b) = (p.red(), p.green(), p.blue());
            r.max(g).max(b) - r.min(g).min(b) > 24
        })
        .count();
    assert!(coloured > 5_000, "only {coloured} coloured pixels: is the timeline drawn?");
    // The succeeded Jobs' green (#2CA02C), bar interiors drawn exactly.
    let green = px.iter().filter(|p| (p.red(), p.green(), p.blue()) == (0x2C, 0xA0, 0x2C)).count();
    assert!(green > 50, "only {green} pixels of the succeeded bars' green");
}

#[test]
fn the_sweep_page_loads_without_a_console_message_and_names_each_replay() {
    let Some(browser) = chromium() else { return };
    let dir = ScratchDir::created("sweep-html-browser");
    let out = dir.path().join("out");
    let o = cronwarp(&[
        "sweep",
        "scenarios/sweep-nightly-backup.yaml",
        "--seeds",
        "0..20",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let page = out.join("sweep.html");
    assert!(page.is_file(), "no sweep.html in {}", out.display());
    let (dom, messages) = console_messages(&browser, &page);
    assert!(messages.is_empty(), "console messages: {messages:#?}");
    assert!(dom.contains("data-ready=\"1\""), "the page's script did not finish");
    assert!(dom.contains("<th>p95</th>"), "no percentile table: {}", &dom[..dom.len().min(400)]);
    assert!(dom.contains("cronwarp run scenarios/sweep-nightly-backup.yaml --seed "));
}
