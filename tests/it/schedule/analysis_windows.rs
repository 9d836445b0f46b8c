//! `schedule::analyze_windows` walks a long span a window at a time (so the
//! report's DST notes keep memory flat) and must give exactly what one
//! `analyze` over the whole span gives.

use cronwarp::schedule::{Schedule, Zone, analyze, analyze_windows};

const SPECS: &[&str] = &[
    "TZ=America/New_York 30 2 * * *",
    "TZ=America/New_York 30 1 * * *",
    "TZ=America/New_York * * * * *",
    "TZ=America/New_York */20 0-3 * * *",
    "TZ=Australia/Lord_Howe 0 0 * * *",
    "TZ=Australia/Lord_Howe */30 1-3 * * *",
    "TZ=Pacific/Chatham 45 2-3 * * *",
    "TZ=Europe/London 0 1 * * 0",
    "TZ=America/Santiago 0 0 * * *",
    "TZ=Asia/Tehran 30 23,0 * * *",
    "0 0 29 2 *",
    "15 3 1 * *",
];

fn anomalies_whole(s: &Schedule, from: i64, to: i64) -> Vec<String> {
    analyze(s, Zone::Utc, from, to).iter().map(|a| format!("{a:?}")).collect()
}

fn anomalies_windowed(s: &Schedule, from: i64, to: i64) -> (Vec<String>, usize) {
    let (mut all, mut windows) = (Vec::new(), 0);
    analyze_windows(s, Zone::Utc, from, to, "Kubernetes", |w| {
        windows += 1;
        all.extend(w.iter().map(|a| format!("{a:?}")));
    });
    (all, windows)
}

#[test]
fn windows_concatenate_to_the_whole_span_analysis() {
    // 2024-01-01 .. 2026-01-01: both DST transitions of every zone, twice.
    let (from, to) = (1_704_067_200, 1_767_225_600);
    for spec in SPECS {
        let s = Schedule::parse(spec).expect("valid schedule");
        let whole = anomalies_whole(&s, from, to);
        let (windowed, windows) = anomalies_windowed(&s, from, to);
        assert!(windows > 20, "{spec}: two years should take many windows, took {windows}");
        assert_eq!(windowed, whole, "{spec}: windowed analysis differs from the whole-span one");
    }
}

#[test]
fn a_span_shorter_than_a_window_is_one_call() {
    let s = Schedule::parse("TZ=America/New_York 30 2 * * *").expect("valid schedule");
    let (from, to) = (1_741_000_000, 1_742_000_000);
    let (windowed, windows) = anomalies_windowed(&s, from, to);
    assert_eq!(windows, 1);
    assert_eq!(windowed, anomalies_whole(&s, from, to));
    assert!(!windowed.is_empty(), "the 2025-03-09 gap is inside the span");
}
