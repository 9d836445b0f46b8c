//! robfig/cron v3 `ParseStandard`, one test per rule of the parser
//! (docs/fidelity/schedules.md#sch-2), and the star bit that decides the
//! day rule (docs/fidelity/schedules.md#sch-3).

use cronwarp::schedule::{
    DayRule, Location, ParseError, STAR_BIT, Schedule, ScheduleKind, SpecSchedule, Zone, day_rule,
};

fn spec(expr: &str) -> SpecSchedule {
    match Schedule::parse(expr).map(|s| *s.kind()) {
        Ok(ScheduleKind::Spec(s)) => s,
        other => panic!("{expr:?} is not a spec schedule: {other:?}"),
    }
}

fn every(expr: &str) -> u64 {
    match Schedule::parse(expr).map(|s| *s.kind()) {
        Ok(ScheduleKind::Every(d)) => d,
        other => panic!("{expr:?} is not @every: {other:?}"),
    }
}

fn err(expr: &str) -> String {
    match Schedule::parse(expr) {
        Err(ParseError::Robfig(e)) => e,
        other => panic!("{expr:?} should be a robfig error: {other:?}"),
    }
}

/// The values set in a field, star bit left out.
fn set(mask: u64) -> Vec<u32> {
    (0..63).filter(|b| mask & (1 << b) != 0).collect()
}

fn star(mask: u64) -> bool {
    mask & STAR_BIT != 0
}

/// The first `n` runs strictly after 2025-01-01T00:00:00Z, in UTC.
fn runs(expr: &str, n: usize) -> Vec<String> {
    let s = Schedule::parse(expr).expect("parses");
    s.iter_after(1_735_689_600, Zone::Utc)
        .take(n)
        .map(|t| s.format_rfc3339(t, Zone::Utc)[..10].to_string())
        .collect()
}

mod rule_1_empty {
    use super::*;

    #[test]
    fn empty_string_is_rejected() {
        assert_eq!(err(""), "empty spec string");
    }
}

mod rule_2_tz_prefix {
    use super::*;

    fn location(expr: &str) -> Location {
        Schedule::parse(expr).expect("parses").location()
    }

    #[test]
    fn tz_and_cron_tz_name_a_zone() {
        let berlin = Location::Zone(Zone::Tz(chrono_tz::Tz::Europe__Berlin));
        assert_eq!(location("TZ=Europe/Berlin 0 * * * *"), berlin);
        assert_eq!(location("CRON_TZ=Europe/Berlin 0 * * * *"), berlin);
        assert_eq!(location("0 * * * *"), Location::Local);
    }

    #[test]
    fn empty_name_and_utc_give_utc_and_local_gives_local() {
        assert_eq!(location("TZ= 0 * * * *"), Location::Zone(Zone::Utc));
        assert_eq!(location("TZ=UTC 0 * * * *"), Location::Zone(Zone::Utc));
        assert_eq!(location("TZ=Local 0 * * * *"), Location::Local);
    }

    #[test]
    fn bad_names_are_reported_with_go_text() {
        assert_eq!(err("TZ=../x 0 * * * *"), "provided bad location ../x: time: invalid location name");
        assert_eq!(err("TZ=/etc 0 * * * *"), "provided bad location /etc: time: invalid location name");
        assert_eq!(err("TZ=utc 0 * * * *"), "provided bad location utc: unknown time zone utc");
        assert_eq!(
            err("TZ=Europe/berlin 0 * * * *"),
            "provided bad location Europe/berlin: unknown time zone Europe/berlin"
        );
    }

    #[test]
    fn prefix_without_a_space_panics_in_robfig() {
        for expr in ["TZ=UTC", "TZ=", "CRON_TZ=UTC", "TZ=0", "CRON_TZ=UTC\t@daily"] {
            assert_eq!(
                Schedule::parse(expr),
                Err(ParseError::Panic("runtime error: slice bounds out of range [:-1]".into())),
                "{expr:?}"
            );
        }
    }

    #[test]
    fn name_runs_to_the_first_ascii_space_tabs_included() {
        assert_eq!(err("TZ=UTC\t* * * * *"), "provided bad location UTC\t*: unknown time zone UTC\t*");
    }

    #[test]
    fn rest_after_the_prefix_is_trimmed() {
        assert_eq!(spec("TZ=UTC    0 * * * *  ").minute, 1);
    }
}

mod rule_3_descriptors {
    use super::*;

    #[test]
    fn descriptors_are_exact_and_case_sensitive() {
        assert_eq!(err("@Daily"), "unrecognized descriptor: @Daily");
        assert_eq!(err("@daily "), "unrecognized descriptor: @daily ");
        assert_eq!(err("@foo"), "unrecognized descriptor: @foo");
        // The TZ path trims, so the same text is accepted behind a prefix.
        assert!(Schedule::parse("TZ=UTC @daily ").is_ok());
    }

    #[test]
    fn leading_space_makes_a_one_field_spec() {
        assert_eq!(err(" @daily"), "expected exactly 5 fields, found 1: [@daily]");
    }

    #[test]
    fn descriptor_meanings_and_star_bits() {
        let yearly = spec("@yearly");
        assert_eq!(yearly, spec("@annually"));
        assert_eq!(
            (set(yearly.minute), set(yearly.hour), set(yearly.dom), set(yearly.month)),
            (vec![0], vec![0], vec![1], vec![1])
        );
        assert!(star(yearly.dow) && !star(yearly.dom));
        let monthly = spec("@monthly");
        assert!(star(monthly.month) && star(monthly.dow) && set(monthly.dom) == [1]);
        let weekly = spec("@weekly");
        assert!(star(weekly.dom) && !star(weekly.dow) && set(weekly.dow) == [0]);
        assert_eq!(spec("@daily"), spec("@midnight"));
        assert_eq!(spec("@daily"), spec("0 0 * * *"));
        assert_eq!(spec("@hourly"), spec("0 * * * *"));
    }

    #[test]
    fn every_takes_a_go_duration() {
        assert_eq!(every("@every 1h30m"), 5400);
        assert!(err("@every 1d").contains("unknown unit \"d\""), "{}", err("@every 1d"));
        assert!(err("@every 1h 30m").contains("unknown unit \"h \""));
        assert!(err("@every  1h").contains("invalid duration \" 1h\""));
    }

    #[test]
    fn every_below_one_second_becomes_one_second() {
        for expr in ["@every 0s", "@every -1h", "@every 500ms", "@every 1us"] {
            assert_eq!(every(expr), 1, "{expr}");
        }
        assert_eq!(every("@every 1500ms"), 1);
    }
}

mod rule_4_field_count {
    use super::*;

    #[test]
    fn exactly_five_fields() {
        assert_eq!(err("0 0 0 * * *"), "expected exactly 5 fields, found 6: [0 0 0 * * *]");
        assert_eq!(err("0 0 * * * 2025"), "expected exactly 5 fields, found 6: [0 0 * * * 2025]");
        assert_eq!(err("0 0 0 * * * 2025"), "expected exactly 5 fields, found 7: [0 0 0 * * * 2025]");
        assert_eq!(err("0 * * *"), "expected exactly 5 fields, found 4: [0 * * *]");
    }

    #[test]
    fn fields_split_on_unicode_white_space() {
        assert_eq!(spec("0\t5\u{a0}* *\u{3000}*").hour, 1 << 5);
        // U+200B is not white space: it stays inside a field.
        assert!(err("0\u{200b}0 * * *").starts_with("expected exactly 5 fields, found 4"));
    }
}

mod rule_5_field_grammar {
    use super::*;

    #[test]
    fn empty_list_items_are_dropped() {
        assert_eq!(spec("1,,2 * * * *").minute, spec("1,2 * * * *").minute);
    }

    #[test]
    fn a_lone_comma_has_no_values_and_never_fires() {
        assert_eq!(spec("0 0 , * *").dom, 0);
        assert!(runs("0 0 , * *", 1).is_empty());
    }

    #[test]
    fn question_mark_is_star_in_every_field() {
        assert_eq!(spec("? ? ? ? ?"), spec("* * * * *"));
    }

    #[test]
    fn star_ignores_anything_after_a_hyphen() {
        assert_eq!(spec("*-5 ?-3 * * *"), spec("* * * * *"));
    }

    #[test]
    fn single_start_with_step_runs_to_the_maximum() {
        assert_eq!(set(spec("5/15 * * * *").minute), [5, 20, 35, 50]);
        assert_eq!(set(spec("0 0 * * 1/2").dow), [1, 3, 5]);
    }

    #[test]
    fn names_are_three_letters_case_insensitive_and_mix_with_numbers() {
        assert_eq!(spec("0 0 * JAN-3 *").month, spec("0 0 * 1-3 *").month);
        assert_eq!(spec("0 0 * * 0-SAT").dow & !STAR_BIT, spec("0 0 * * 0-6").dow);
        assert_eq!(spec("0 0 * * mOn").dow, 1 << 1);
        assert!(err("0 0 * January *").starts_with("failed to parse int from January"));
    }

    #[test]
    fn names_work_only_in_their_own_field() {
        assert_eq!(
            err("jan * * * *"),
            "failed to parse int from jan: strconv.Atoi: parsing \"jan\": invalid syntax"
        );
        assert!(err("0 0 * * jan").starts_with("failed to parse int from jan"));
    }

    #[test]
    fn numbers_are_go_atoi() {
        assert_eq!(spec("+5 005 * * *").minute, 1 << 5);
        assert_eq!(spec("+5 005 * * *").hour, 1 << 5);
        assert_eq!(set(spec("*/+20 * * * *").minute), [0, 20, 40]);
        assert!(err("99999999999999999999 * * * *").ends_with("value out of range"));
    }

    #[test]
    fn no_l_w_hash_or_h() {
        for (expr, item) in
            [("0 0 L * *", "L"), ("0 0 15W * *", "15W"), ("0 0 * * 5#3", "5#3"), ("H * * * *", "H")]
        {
            assert!(err(expr).starts_with(&format!("failed to parse int from {item}")), "{expr}");
        }
    }
}

mod rule_6_ranges {
    use super::*;

    #[test]
    fn day_of_week_runs_0_to_6() {
        assert_eq!(err("0 0 * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(err("0 0 * * 1-7"), "end of range (7) above maximum (6): 1-7");
    }

    #[test]
    fn range_checks_in_order() {
        assert_eq!(err("0 0 0 * *"), "beginning of range (0) below minimum (1): 0");
        assert_eq!(err("60 * * * *"), "end of range (60) above maximum (59): 60");
        assert_eq!(err("0 0 * 13 *"), "end of range (13) above maximum (12): 13");
        assert_eq!(err("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
        assert_eq!(err("0 0 * * SAT-SUN"), "beginning of range (6) beyond end of range (0): SAT-SUN");
        assert_eq!(err("0 0 * DEC-JAN *"), "beginning of range (12) beyond end of range (1): DEC-JAN");
        assert_eq!(err("*/0 * * * *"), "step of range should be a positive number: */0");
        assert_eq!(err("5/0 * * * *"), "step of range should be a positive number: 5/0");
    }

    #[test]
    fn first_failing_field_wins() {
        assert_eq!(err("60 24 * * *"), "end of range (60) above maximum (59): 60");
    }

    #[test]
    fn other_messages() {
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("*/2/3 * * * *"), "too many slashes: */2/3");
        assert_eq!(err("*/-1 * * * *"), "negative number (-1) not allowed: -1");
    }

    #[test]
    fn step_larger_than_the_range_is_just_the_start() {
        for expr in ["*/60 * * * *", "*/100 * * * *", "0/60 * * * *"] {
            assert_eq!(set(spec(expr).minute), [0], "{expr}");
        }
    }

    #[test]
    fn impossible_dates_parse_and_never_fire() {
        assert!(runs("0 0 30 2 *", 1).is_empty());
        assert!(runs("0 0 31 4 *", 1).is_empty());
    }
}

mod star_bit {
    use super::*;

    #[test]
    fn star_items_with_no_step_above_1_set_it() {
        for dom in ["*", "?", "*/1", "?/1", "*,5", "1,*", "*-3", "?-2"] {
            assert!(star(spec(&format!("0 0 {dom} * 1")).dom), "{dom}");
        }
    }

    #[test]
    fn steps_above_1_clear_it() {
        for dom in ["*/2", "*/7", "*/31"] {
            assert!(!star(spec(&format!("0 0 {dom} * 1")).dom), "{dom}");
        }
    }

    #[test]
    fn explicit_ranges_never_count_even_when_full() {
        for dom in ["1-31", "1-31/1", "2/1", "1/1"] {
            assert!(!star(spec(&format!("0 0 {dom} * 1")).dom), "{dom}");
        }
        for dow in ["0-6", "0-6/1"] {
            assert!(!star(spec(&format!("0 0 15 * {dow}")).dow), "{dow}");
        }
    }
}

mod day_rule_or_and {
    use super::*;

    #[test]
    fn both_restricted_is_or() {
        assert_eq!(day_rule(&spec("0 0 1 * 1")), DayRule::Or);
        assert_eq!(
            runs("0 0 1 * 1", 6),
            ["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27", "2025-02-01", "2025-02-03"]
        );
        assert_eq!(runs("0 0 13 * 5", 3), ["2025-01-03", "2025-01-10", "2025-01-13"]);
    }

    #[test]
    fn star_slash_1_counts_as_star_so_and() {
        assert_eq!(day_rule(&spec("0 0 */1 * 1")), DayRule::And);
        assert!(!DayRule::And.matters());
        assert_eq!(runs("0 0 */1 * 1", 2), ["2025-01-06", "2025-01-13"]);
        assert_eq!(runs("0 0 15 * */1", 2), ["2025-01-15", "2025-02-15"]);
    }

    #[test]
    fn full_explicit_range_ors_into_every_day() {
        for expr in ["0 0 1-31 * 1", "0 0 1-31/1 * 1", "0 0 15 * 0-6", "0 0 15 * 0-6/1"] {
            assert_eq!(runs(expr, 3), ["2025-01-02", "2025-01-03", "2025-01-04"], "{expr}");
        }
        // 2/1 is days 2-31 OR Mondays.
        assert_eq!(runs("0 0 2/1 * 1", 1), ["2025-01-02"]);
    }

    #[test]
    fn stepped_fields_are_restricted() {
        assert_eq!(runs("0 0 */2 * 1", 4), ["2025-01-03", "2025-01-05", "2025-01-06", "2025-01-07"]);
        // DOW */2 = Sun, Tue, Thu, Sat; OR with the 15th.
        assert_eq!(set(spec("0 0 15 * */2").dow), [0, 2, 4, 6]);
        assert_eq!(runs("0 0 15 * */2", 3), ["2025-01-02", "2025-01-04", "2025-01-05"]);
        // */31 and 1/31 are {1} without the star bit: the 1st or any Monday.
        assert_eq!(runs("0 0 */31 * 1", 2), runs("0 0 1 * 1", 2));
        assert_eq!(runs("0 0 1/31 * 1", 2), runs("0 0 1 * 1", 2));
        // */7 and 0/7 in DOW are {0}: the 15th or any Sunday.
        assert_eq!(runs("0 0 15 * */7", 3), ["2025-01-05", "2025-01-12", "2025-01-15"]);
    }

    #[test]
    fn a_star_item_in_a_list_makes_and() {
        assert_eq!(runs("0 0 15 * 1,*", 2), ["2025-01-15", "2025-02-15"]);
        assert_eq!(runs("0 0 *,15 * 1", 2), ["2025-01-06", "2025-01-13"]);
    }

    #[test]
    fn weekly_is_sundays_only() {
        assert_eq!(runs("@weekly", 2), ["2025-01-05", "2025-01-12"]);
    }

    #[test]
    fn impossible_day_of_month_still_fires_on_the_weekday() {
        // Feb 30 never exists, but Fridays in February do.
        assert_eq!(runs("0 0 30 2 5", 2), ["2025-02-07", "2025-02-14"]);
        assert_eq!(runs("0 0 29 2 1", 1), ["2025-02-03"]);
    }
}
