//! DST behaviour of robfig's `Next` and of the anomaly analysis
//! (docs/fidelity/schedules.md#sch-6 to #sch-11), zone by zone and date by date.

use chrono::DateTime;
use cronwarp::schedule::{AnomalyKind, Schedule, Zone, analyze, simple_next};

fn unix(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).expect("test time parses").timestamp()
}

fn parse(expr: &str) -> Schedule {
    Schedule::parse(expr).expect("test schedule parses")
}

/// The first `n` fire times after `from`, as RFC 3339 in the schedule's zone.
fn runs(expr: &str, from: &str, n: usize) -> Vec<String> {
    let s = parse(expr);
    s.iter_after(unix(from), Zone::Utc).take(n).map(|t| s.format_rfc3339(t, Zone::Utc)).collect()
}

/// The anomalies in `(from, to]` as (kind, local date and time, instants).
fn anomalies(expr: &str, from: &str, to: &str) -> Vec<(AnomalyKind, String, Vec<String>)> {
    let s = parse(expr);
    analyze(&s, Zone::Utc, unix(from), unix(to))
        .into_iter()
        .map(|a| {
            let w = a.wall;
            let wall = format!("{:04}-{:02}-{:02} {:02}:{:02}", w.year, w.month, w.day, w.hour, w.minute);
            (a.kind, wall, a.instants.iter().map(|&t| s.format_rfc3339(t, Zone::Utc)).collect())
        })
        .collect()
}

fn explanations(expr: &str, from: &str, to: &str) -> Vec<String> {
    analyze(&parse(expr), Zone::Utc, unix(from), unix(to)).into_iter().map(|a| a.explanation).collect()
}

mod gap {
    use super::*;

    #[test]
    fn new_york_skips_the_missing_0230_without_running_at_0300() {
        assert_eq!(
            runs("TZ=America/New_York 30 2 * * *", "2025-03-08T00:00:00-05:00", 2),
            ["2025-03-08T02:30:00-05:00", "2025-03-10T02:30:00-04:00"]
        );
        assert_eq!(
            anomalies("TZ=America/New_York 30 2 * * *", "2025-03-01T00:00:00Z", "2025-03-31T00:00:00Z"),
            [(AnomalyKind::Gap, "2025-03-09 02:30".to_string(), vec![])]
        );
    }

    #[test]
    fn gap_explanation_names_the_jump() {
        let e =
            explanations("TZ=America/New_York 30 2 * * *", "2025-03-01T00:00:00Z", "2025-03-31T00:00:00Z");
        assert_eq!(
            e,
            ["02:30 does not exist on 2025-03-09 in America/New_York (clocks jump from 02:00 -05:00 to \
              03:00 -04:00): no tick existed, and Kubernetes does not run later instead"]
        );
    }

    #[test]
    fn every_quarter_hour_jumps_from_0145_to_0300() {
        assert_eq!(
            runs("TZ=America/New_York */15 1-3 * * *", "2025-03-09T01:40:00-05:00", 2),
            ["2025-03-09T01:45:00-05:00", "2025-03-09T03:00:00-04:00"]
        );
        let gaps: Vec<String> = anomalies(
            "TZ=America/New_York */15 1-3 * * *",
            "2025-03-09T00:00:00-05:00",
            "2025-03-10T00:00:00-04:00",
        )
        .into_iter()
        .map(|(k, wall, _)| format!("{k:?} {wall}"))
        .collect();
        assert_eq!(
            gaps,
            ["Gap 2025-03-09 02:00", "Gap 2025-03-09 02:15", "Gap 2025-03-09 02:30", "Gap 2025-03-09 02:45"]
        );
    }

    #[test]
    fn yearly_run_in_the_gap_moves_to_next_year() {
        assert_eq!(
            runs("TZ=America/New_York 30 2 9 3 *", "2025-01-01T00:00:00Z", 1),
            ["2026-03-09T02:30:00-04:00"]
        );
    }

    #[test]
    fn berlin_london_sydney_gaps() {
        let cases = [
            ("TZ=Europe/Berlin 30 2 * * *", "2025-03-29T12:00:00Z", "2025-03-30 02:30"),
            ("TZ=Europe/London 30 1 * * *", "2025-03-29T12:00:00Z", "2025-03-30 01:30"),
            ("TZ=Australia/Sydney 30 2 * * *", "2025-10-04T12:00:00Z", "2025-10-05 02:30"),
        ];
        for (expr, from, missing) in cases {
            let a = anomalies(expr, from, &format!("{}T12:00:00Z", &missing[..10]));
            assert_eq!(a, [(AnomalyKind::Gap, missing.to_string(), vec![])], "{expr}");
        }
        assert_eq!(
            runs("TZ=Europe/Berlin 30 2 * * *", "2025-03-29T12:00:00Z", 2),
            ["2025-03-31T02:30:00+02:00", "2025-04-01T02:30:00+02:00"]
        );
    }

    #[test]
    fn plain_hourly_schedule_in_utc_has_no_anomalies() {
        assert!(anomalies("0 * * * *", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z").is_empty());
    }
}

mod fold {
    use super::*;

    #[test]
    fn new_york_runs_the_repeated_0130_twice() {
        assert_eq!(
            runs("TZ=America/New_York 30 1 * * *", "2025-11-01T12:00:00-04:00", 3),
            ["2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-05:00"]
        );
        assert_eq!(
            anomalies("TZ=America/New_York 30 1 * * *", "2025-11-01T00:00:00Z", "2025-11-30T00:00:00Z"),
            [(
                AnomalyKind::Fold,
                "2025-11-02 01:30".to_string(),
                vec!["2025-11-02T01:30:00-04:00".to_string(), "2025-11-02T01:30:00-05:00".to_string()]
            )]
        );
    }

    #[test]
    fn hourly_runs_the_repeated_hour_in_real_time_order() {
        assert_eq!(
            runs("TZ=America/New_York 0 * * * *", "2025-11-01T23:59:00-04:00", 4),
            [
                "2025-11-02T00:00:00-04:00",
                "2025-11-02T01:00:00-04:00",
                "2025-11-02T01:00:00-05:00",
                "2025-11-02T02:00:00-05:00"
            ]
        );
    }

    #[test]
    fn from_inside_the_first_pass_still_yields_the_second() {
        assert_eq!(
            runs("TZ=America/New_York 30 1 * * *", "2025-11-02T01:45:00-04:00", 1),
            ["2025-11-02T01:30:00-05:00"]
        );
        assert_eq!(
            runs("TZ=America/New_York 30 1 * * *", "2025-11-02T01:30:00-05:00", 1),
            ["2025-11-03T01:30:00-05:00"]
        );
        // A window starting between the passes holds one pass only: no fold.
        assert!(
            anomalies("TZ=America/New_York 30 1 * * *", "2025-11-02T01:45:00-04:00", "2025-11-03T00:00:00Z")
                .is_empty()
        );
    }

    #[test]
    fn berlin_london_sydney_folds() {
        let cases = [
            ("TZ=Europe/Berlin 30 2 * * *", "2025-10-25T12:00:00Z", ["+02:00", "+01:00"], "2025-10-26"),
            ("TZ=Europe/London 30 1 * * *", "2025-10-25T12:00:00Z", ["+01:00", "Z"], "2025-10-26"),
            ("TZ=Australia/Sydney 30 2 * * *", "2025-04-05T00:00:00Z", ["+11:00", "+10:00"], "2025-04-06"),
        ];
        for (expr, from, offsets, day) in cases {
            let r = runs(expr, from, 2);
            assert!(r[0].starts_with(day) && r[0].ends_with(offsets[0]), "{expr}: {r:?}");
            assert!(r[1].starts_with(day) && r[1].ends_with(offsets[1]), "{expr}: {r:?}");
            let a = anomalies(expr, from, &format!("{day}T23:00:00Z"));
            assert_eq!(a.len(), 1, "{expr}");
            assert_eq!(a[0].0, AnomalyKind::Fold);
            assert_eq!(a[0].2, r);
        }
    }

    #[test]
    fn quarter_hours_continue_into_the_second_pass() {
        assert_eq!(
            runs("TZ=America/New_York */15 1 * * *", "2025-11-02T01:50:00-04:00", 2),
            ["2025-11-02T01:00:00-05:00", "2025-11-02T01:15:00-05:00"]
        );
    }
}

mod midnight_dst {
    use super::*;

    const SP: &str = "TZ=America/Sao_Paulo";

    #[test]
    fn sao_paulo_daily_and_weekly_skip_the_day_without_midnight() {
        for fields in ["0 0 * * *", "30 0 * * *", "@daily"] {
            let r = runs(&format!("{SP} {fields}"), "2018-11-02T12:00:00-03:00", 2);
            assert!(
                r[0].starts_with("2018-11-03T00:") && r[1].starts_with("2018-11-05T00:"),
                "{fields}: {r:?}"
            );
        }
        let a = anomalies(&format!("{SP} 0 0 * * *"), "2018-11-02T00:00:00Z", "2018-11-06T00:00:00Z");
        assert_eq!(a, [(AnomalyKind::Gap, "2018-11-04 00:00".to_string(), vec![])]);
        assert_eq!(runs(&format!("{SP} @weekly"), "2018-10-31T00:00:00Z", 1), ["2018-11-11T00:00:00-02:00"]);
    }

    #[test]
    fn sao_paulo_0100_exists_and_fires() {
        assert_eq!(
            runs(&format!("{SP} 0 1 * * *"), "2018-11-03T12:00:00-03:00", 1),
            ["2018-11-04T01:00:00-02:00"]
        );
    }

    #[test]
    fn sao_paulo_runs_on_a_day_the_fields_do_not_name() {
        assert_eq!(
            runs(&format!("{SP} 0 12 3 11 *"), "2018-11-03T12:00:00-03:00", 1),
            ["2018-11-04T12:00:00-02:00"]
        );
        let a = anomalies(&format!("{SP} 0 12 3 11 *"), "2018-11-03T12:00:00-03:00", "2018-11-30T00:00:00Z");
        assert_eq!(
            a,
            [(
                AnomalyKind::NonMatching,
                "2018-11-04 12:00".to_string(),
                vec!["2018-11-04T12:00:00-02:00".to_string()]
            )]
        );
    }

    #[test]
    fn havana_runs_on_a_non_matching_day() {
        let e =
            explanations("TZ=America/Havana 0 12 8 3 *", "2025-03-08T12:00:00-05:00", "2025-03-31T00:00:00Z");
        assert_eq!(
            e,
            ["Kubernetes runs at 2025-03-09 12:00-04:00 although Sunday 2025-03-09 does not match the day \
              fields, because of how robfig walks wall-clock fields (DST gap at local midnight in \
              America/Havana)"]
        );
    }

    #[test]
    fn beirut_skips_a_whole_year() {
        assert_eq!(
            runs("TZ=Asia/Beirut 0 12 30 3 *", "2025-03-28T00:00:00Z", 1),
            ["2026-03-30T12:00:00+03:00"]
        );
        let a = analyze(
            &parse("TZ=Asia/Beirut 0 12 30 3 *"),
            Zone::Utc,
            unix("2025-03-28T00:00:00Z"),
            unix("2025-04-30T00:00:00Z"),
        );
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, AnomalyKind::Skipped);
        assert_eq!(a[0].instants, [unix("2025-03-30T12:00:00+03:00")]);
        assert_eq!(
            a[0].explanation,
            "Kubernetes skips this run because of how robfig walks wall-clock fields (DST gap at local \
             midnight in Asia/Beirut)"
        );
    }

    #[test]
    fn beirut_and_cairo_skip_the_transition_weekday() {
        let sunday = anomalies("TZ=Asia/Beirut 0 12 * * 0", "2025-03-25T00:00:00Z", "2025-04-10T00:00:00Z");
        assert_eq!(sunday.len(), 1);
        assert_eq!((sunday[0].0, sunday[0].1.as_str()), (AnomalyKind::Skipped, "2025-03-30 12:00"));
        let friday = anomalies("TZ=Africa/Cairo 0 12 * * 5", "2025-04-20T00:00:00Z", "2025-05-10T00:00:00Z");
        assert_eq!(friday.len(), 1);
        assert_eq!((friday[0].0, friday[0].1.as_str()), (AnomalyKind::Skipped, "2025-04-25 12:00"));
    }
}

mod half_hour_shift {
    use super::*;

    const LH: &str = "TZ=Australia/Lord_Howe";

    #[test]
    fn lord_howe_daily_misses_the_day_after_fall_back() {
        let r = runs(&format!("{LH} 0 0 * * *"), "2025-04-04T12:00:00Z", 3);
        assert_eq!(
            r,
            ["2025-04-05T00:00:00+11:00", "2025-04-06T00:00:00+11:00", "2025-04-08T00:00:00+10:30"]
        );
        let e = explanations(&format!("{LH} 0 0 * * *"), "2025-04-04T12:00:00Z", "2025-04-10T00:00:00Z");
        assert_eq!(
            e,
            ["Kubernetes skips this run because of how robfig walks wall-clock fields (DST shift of 30 min \
              in Australia/Lord_Howe)"]
        );
    }

    #[test]
    fn lord_howe_0130_also_fires_at_0230_on_spring_day() {
        assert_eq!(
            runs(&format!("{LH} 30 1 * * *"), "2025-10-04T12:00:00Z", 2),
            ["2025-10-05T01:30:00+10:30", "2025-10-05T02:30:00+11:00"]
        );
        let a = anomalies(&format!("{LH} 30 1 * * *"), "2025-10-04T12:00:00Z", "2025-10-10T00:00:00Z");
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].0, a[0].1.as_str()), (AnomalyKind::NonMatching, "2025-10-05 02:30"));
    }

    #[test]
    fn lord_howe_0300_misses_both_transition_days() {
        for (from, day) in [("2025-04-04T00:00:00Z", "2025-04-06"), ("2025-10-03T00:00:00Z", "2025-10-05")] {
            let a = anomalies(&format!("{LH} 0 3 * * *"), from, &format!("{day}T23:00:00Z"));
            assert!(a.iter().any(|x| x.0 == AnomalyKind::Skipped && x.1 == format!("{day} 03:00")), "{a:?}");
        }
    }

    #[test]
    fn lord_howe_yearly_skips_noon_on_fall_back_day() {
        let a = anomalies(&format!("{LH} 0 12 6 4 *"), "2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z");
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].0, a[0].1.as_str()), (AnomalyKind::Skipped, "2025-04-06 12:00"));
    }
}

mod off_hour_transition {
    use super::*;

    const CH: &str = "TZ=Pacific/Chatham";

    #[test]
    fn chatham_runs_the_repeated_0245_once() {
        let a = anomalies(&format!("{CH} 45 2 * * *"), "2025-04-04T00:00:00Z", "2025-04-08T00:00:00Z");
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!((a[0].0, a[0].1.as_str()), (AnomalyKind::Skipped, "2025-04-06 02:45"));
        let e = explanations(&format!("{CH} 45 2 * * *"), "2025-04-04T00:00:00Z", "2025-04-08T00:00:00Z");
        assert!(e[0].starts_with("Kubernetes runs the repeated 02:45 only once"), "{e:?}");
        assert!(e[0].ends_with("(DST transition at 03:45 local time in Pacific/Chatham)"), "{e:?}");
    }

    #[test]
    fn chatham_0245_fires_at_0345_on_spring_day() {
        assert!(
            runs(&format!("{CH} 45 2 * * *"), "2025-09-27T00:00:00Z", 3)
                .contains(&"2025-09-28T03:45:00+13:45".to_string())
        );
    }

    #[test]
    fn chatham_next_does_not_advance() {
        let s = parse(&format!("{CH} 45 3 * * *"));
        let stuck = unix("2025-04-06T02:45:00+12:45");
        assert_eq!(s.next(stuck, Zone::Utc), Some(stuck));
        let a = analyze(&s, Zone::Utc, unix("2025-04-04T00:00:00Z"), unix("2025-04-08T00:00:00Z"));
        let kinds: Vec<AnomalyKind> = a.iter().map(|x| x.kind).collect();
        assert!(kinds.contains(&AnomalyKind::NotAdvancing), "{a:?}");
        let na = a.iter().find(|x| x.kind == AnomalyKind::NotAdvancing).map(|x| x.instants.clone());
        assert_eq!(na, Some(vec![stuck]));
    }
}

mod simple_model {
    use super::*;
    use cronwarp::schedule::ScheduleKind;

    fn simple(expr: &str, from: &str) -> Option<String> {
        let s = parse(expr);
        let ScheduleKind::Spec(spec) = s.kind() else { panic!("spec schedule") };
        let zone = s.zone(Zone::Utc);
        simple_next(spec, zone, unix(from)).map(|t| s.format_rfc3339(t, Zone::Utc))
    }

    #[test]
    fn agrees_with_robfig_in_ordinary_zones() {
        assert_eq!(
            simple("TZ=America/New_York 30 1 * * *", "2025-11-02T01:30:00-04:00").as_deref(),
            Some("2025-11-02T01:30:00-05:00")
        );
        assert_eq!(
            simple("TZ=America/New_York 30 2 * * *", "2025-03-08T03:00:00-05:00").as_deref(),
            Some("2025-03-10T02:30:00-04:00")
        );
    }

    #[test]
    fn respects_the_five_year_limit() {
        assert_eq!(simple("0 0 29 2 *", "2096-03-01T00:00:00Z"), None);
        assert_eq!(simple("0 0 29 2 *", "2099-01-01T00:00:00Z").as_deref(), Some("2104-02-29T00:00:00Z"));
        assert_eq!(simple("0 0 30 2 *", "2025-01-01T00:00:00Z"), None);
    }

    #[test]
    fn differs_from_robfig_where_robfig_deviates() {
        // Lord Howe: robfig misses 2025-04-07 00:00, the model does not.
        assert_eq!(
            simple("TZ=Australia/Lord_Howe 0 0 * * *", "2025-04-06T00:00:00+11:00").as_deref(),
            Some("2025-04-07T00:00:00+10:30")
        );
    }
}

mod local_mean_time {
    use super::*;

    #[test]
    fn berlin_lmt_offset_with_seconds_makes_robfig_skip_a_run() {
        // In year 1 Berlin is on LMT (+00:53:28). robfig truncates to the
        // minute in absolute time, lands on :28 seconds, and walks past 01:00.
        assert_eq!(
            runs("TZ=Europe/Berlin */30 * * * *", "0001-01-01T00:00:00Z", 1),
            ["0001-01-01T01:30:00+00:53"]
        );
        let e = explanations("TZ=Europe/Berlin */30 * * * *", "0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z");
        assert_eq!(
            e,
            ["Kubernetes skips this run because of how robfig walks wall-clock fields (the offset \
              +00:53:28 in Europe/Berlin is not a whole number of minutes)"]
        );
    }
}

mod ordinary_zones {
    use super::*;

    /// Zones whose transitions are one-hour shifts at a whole local hour
    /// other than midnight: robfig equals the simple model there
    /// (docs/fidelity/schedules.md#sch-11).
    const ZONES: [&str; 16] = [
        "America/New_York",
        "America/Los_Angeles",
        "America/Chicago",
        "America/Denver",
        "America/Halifax",
        "Europe/London",
        "Europe/Dublin",
        "Europe/Paris",
        "Europe/Berlin",
        "Europe/Helsinki",
        "Asia/Jerusalem",
        "Australia/Sydney",
        "Australia/Adelaide",
        "Pacific/Auckland",
        "America/St_Johns",
        "Asia/Tokyo",
    ];

    #[test]
    fn robfig_never_deviates_from_the_wall_clock_2022_to_2026() {
        for zone in ZONES {
            for fields in ["*/20 0-3 * * *", "30 2 * * 0"] {
                let expr = format!("TZ={zone} {fields}");
                let a = analyze(
                    &parse(&expr),
                    Zone::Utc,
                    unix("2022-01-01T00:00:00Z"),
                    unix("2026-01-01T00:00:00Z"),
                );
                let exotic: Vec<_> = a.iter().filter(|x| x.kind.is_exotic()).collect();
                assert!(exotic.is_empty(), "{expr}: {exotic:?}");
                if zone != "Asia/Tokyo" && fields.starts_with("*/20") {
                    assert!(a.iter().any(|x| x.kind == AnomalyKind::Gap), "{expr}: no gap found");
                }
            }
        }
    }

    #[test]
    fn exotic_zones_deviate_every_year() {
        let cases = [
            ("Australia/Lord_Howe", "0 0 * * *"),
            ("Pacific/Chatham", "45 3 * * *"),
            ("Asia/Beirut", "0 12 * * 0"),
            ("Africa/Cairo", "0 12 * * 5"),
            ("America/Havana", "0 12 * * 6"),
        ];
        for (zone, fields) in cases {
            let expr = format!("TZ={zone} {fields}");
            let a =
                analyze(&parse(&expr), Zone::Utc, unix("2024-01-01T00:00:00Z"), unix("2025-01-01T00:00:00Z"));
            assert!(a.iter().any(|x| x.kind.is_exotic()), "{expr}: {a:?}");
        }
    }
}
