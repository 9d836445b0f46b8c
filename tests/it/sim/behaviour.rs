//! The behaviour model end to end: YAML forms, validation errors, the JSON
//! Schema, seeding, and statistical sanity of every distribution.

use cronwarp::model::{MINUTE, Millis, SECOND};
use cronwarp::sim::behaviour::{Attempt, Behaviour, Distribution, Exit, Outcome, Timing};
use cronwarp::sim::duration::DurationSpec;
use cronwarp::sim::rng::stream;
use rand_chacha::rand_core::Rng;

const SEED: u64 = 20251125;

fn behaviour(yaml: &str) -> Behaviour {
    match serde_saphyr::from_str::<Behaviour>(yaml) {
        Ok(b) => b,
        Err(e) => panic!("{yaml}\n→ {e}"),
    }
}

fn error(yaml: &str) -> String {
    match serde_saphyr::from_str::<Behaviour>(yaml) {
        Ok(b) => panic!("{yaml}\n→ accepted: {b:?}"),
        Err(e) => e.to_string(),
    }
}

fn d(s: &str) -> DurationSpec {
    DurationSpec::parse(s).unwrap()
}

/// Attempt `attempt` of run `run` of workload `default/job`.
fn draw(b: &Behaviour, run: u64, attempt: u32) -> Attempt {
    b.attempt(&mut stream(SEED, "default/job", run), run, attempt)
}

/// First-attempt durations of `n` runs.
fn durations(b: &Behaviour, n: u64) -> Vec<Millis> {
    (0..n).map(|run| draw(b, run, 0).duration).collect()
}

fn quantile(sorted: &[Millis], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64
}

fn mean(v: &[Millis]) -> f64 {
    v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64
}

fn assert_near(what: &str, got: f64, want: f64, rel: f64) {
    assert!((got - want).abs() <= want.abs() * rel, "{what}: got {got}, want {want} ± {}%", rel * 100.0);
}

mod seeding {
    use super::*;

    #[test]
    fn streams_have_golden_values() {
        let mut r = stream(SEED, "default/backup", 0);
        let got = [r.next_u64(), r.next_u64(), r.next_u64()];
        assert_eq!(got, GOLDEN_STREAM, "the seed format changed: every scenario's draws changed");
    }

    #[test]
    fn attempts_have_golden_values() {
        let b = behaviour(
            "startLatency: {uniform: {min: 1s, max: 5s}}\n\
             duration: {lognormal: {median: 5m, p99: 20m}}\n\
             failureProbability: 0.5\n",
        );
        let got: Vec<(Millis, Millis, i32)> =
            (0..4).map(|run| draw(&b, run, 0)).map(|a| (a.start_latency, a.duration, a.exit_code)).collect();
        assert_eq!(got, GOLDEN_ATTEMPTS);
    }

    #[test]
    fn attempts_do_not_depend_on_rng_position_or_call_order() {
        let b = behaviour("duration: {normal: {mean: 1m, stddev: 10s}}\nfailureProbability: 0.5");
        let mut rng = stream(SEED, "default/job", 7);
        let later = b.attempt(&mut rng, 7, 2);
        let first = b.attempt(&mut rng, 7, 0);
        assert_eq!(rng, stream(SEED, "default/job", 7), "attempt() must leave the stream untouched");
        assert_eq!(b.attempt(&mut rng, 7, 0), first);
        assert_eq!(b.attempt(&mut rng, 7, 2), later);
        assert_ne!(first.duration, later.duration);
    }

    #[test]
    fn other_entities_and_runs_draw_independently() {
        let b = behaviour("duration: {uniform: {min: 0s, max: 1h}}");
        let of = |entity: &str| -> Vec<Millis> {
            (0..200).map(|run| b.attempt(&mut stream(SEED, entity, run), run, 0).duration).collect()
        };
        let (a, c) = (of("default/a"), of("default/c"));
        // Adding or removing `default/b` cannot matter: streams are pure
        // functions of (seed, entity, run). Different entities differ.
        assert_eq!(a, of("default/a"));
        let equal = a.iter().zip(&c).filter(|(x, y)| x == y).count();
        assert!(equal < 3, "{equal} identical draws between two entities");
        // And the runs of one entity are not a shifted copy of each other.
        assert!(a.windows(2).filter(|w| w[0] == w[1]).count() < 3);
    }

    #[test]
    fn adding_failures_does_not_change_durations() {
        let plain = behaviour("duration: {lognormal: {median: 1m, p99: 10m}}");
        let failing = behaviour("duration: {lognormal: {median: 1m, p99: 10m}}\nfailureProbability: 0.5");
        assert_eq!(durations(&plain, 500), durations(&failing, 500));
    }

    #[test]
    fn seeds_change_draws() {
        let b = behaviour("duration: {uniform: {min: 0s, max: 1h}}");
        let other = b.attempt(&mut stream(SEED + 1, "default/job", 0), 0, 0);
        assert_ne!(draw(&b, 0, 0), other);
    }
}

mod distributions {
    use super::*;

    const N: u64 = 100_000;

    #[test]
    fn default_is_instant_start_one_second_success() {
        let b = Behaviour::default();
        assert_eq!(draw(&b, 0, 0), Attempt { start_latency: 0, duration: SECOND, exit_code: 0 });
        assert_eq!(behaviour("{}"), b);
    }

    #[test]
    fn uniform_stays_in_bounds_and_covers_them() {
        let b = behaviour("duration: {uniform: {min: 10ms, max: 20ms}}");
        let v = durations(&b, N);
        assert!(v.iter().all(|&x| (10..=20).contains(&x)));
        assert!(v.contains(&10) && v.contains(&20), "both ends are inclusive");
        assert_near("uniform mean", mean(&v), 15.0, 0.01);
    }

    #[test]
    fn normal_has_its_mean_and_stddev() {
        let b = behaviour("duration: {normal: {mean: 10m, stddev: 1m}}");
        let v = durations(&b, N);
        let m = mean(&v);
        let sd = (v.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        assert_near("normal mean", m, (10 * MINUTE) as f64, 0.002);
        assert_near("normal stddev", sd, MINUTE as f64, 0.02);
    }

    #[test]
    fn normal_clamps_negative_draws_to_zero() {
        let b = behaviour("duration: {normal: {mean: 1s, stddev: 2s}}");
        let v = durations(&b, N);
        assert!(v.iter().all(|&x| x >= 0));
        let zeros = v.iter().filter(|&&x| x == 0).count() as f64 / N as f64;
        // P(Z < -0.5) = 0.3085.
        assert_near("clamped fraction", zeros, 0.3085, 0.03);
    }

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let b = behaviour("duration: {lognormal: {median: 5m, p99: 30m}}");
        let mut v = durations(&b, N);
        v.sort_unstable();
        assert_near("lognormal median", quantile(&v, 0.5), (5 * MINUTE) as f64, 0.02);
        assert_near("lognormal p99", quantile(&v, 0.99), (30 * MINUTE) as f64, 0.04);
    }

    #[test]
    fn list_holds_its_last_value_and_cycle_repeats() {
        let list = behaviour("duration: [1m, 2m, 3m]");
        assert_eq!(durations(&list, 5), [1, 2, 3, 3, 3].map(|m| m * MINUTE));
        let cycle = behaviour("duration: {cycle: [1m, 2m]}");
        assert_eq!(durations(&cycle, 5), [1, 2, 1, 2, 1].map(|m| m * MINUTE));
        assert_eq!(draw(&list, 1, 3).duration, 2 * MINUTE, "every attempt of a run takes the run's value");
    }

    #[test]
    fn start_latency_is_drawn_like_duration() {
        let b = behaviour("startLatency: {uniform: {min: 1s, max: 3s}}");
        let v: Vec<Millis> = (0..1000).map(|run| draw(&b, run, 0).start_latency).collect();
        assert!(v.iter().all(|&x| (SECOND..=3 * SECOND).contains(&x)));
        assert!(v.iter().any(|&x| x != v[0]));
    }

    #[test]
    fn duration_is_redrawn_per_attempt() {
        let b = behaviour("duration: {uniform: {min: 0s, max: 1h}}");
        let v: Vec<Millis> = (0..10).map(|attempt| draw(&b, 0, attempt).duration).collect();
        assert!(v.windows(2).all(|w| w[0] != w[1]), "{v:?}");
    }

    #[test]
    fn slow_runs_have_their_fraction_and_slow_every_attempt() {
        let b = behaviour("duration: {fixed: 1m, slow: {probability: 0.01, factor: 10}}");
        let slow: Vec<u64> = (0..N).filter(|&run| draw(&b, run, 0).duration == 10 * MINUTE).collect();
        assert_near("slow fraction", slow.len() as f64 / N as f64, 0.01, 0.1);
        for &run in slow.iter().take(20) {
            assert!((1..5).all(|attempt| draw(&b, run, attempt).duration == 10 * MINUTE));
        }
        let fast = (0..N).find(|run| !slow.contains(run)).unwrap();
        assert!((0..5).all(|attempt| draw(&b, fast, attempt).duration == MINUTE));
    }

    #[test]
    fn random_failures_have_their_fraction_and_exit_code() {
        let b = behaviour("failureProbability: 0.3\nexitCode: 42");
        let codes: Vec<i32> = (0..N).map(|run| draw(&b, run, 1).exit_code).collect();
        assert!(codes.iter().all(|&c| c == 0 || c == 42));
        let failed = codes.iter().filter(|&&c| c == 42).count() as f64 / N as f64;
        assert_near("failure fraction", failed, 0.3, 0.02);
        let always = behaviour("failureProbability: 1");
        assert!((0..100).all(|run| draw(&always, run, 0).exit_code == 1));
    }
}

mod scripts {
    use super::*;

    fn exits(b: &Behaviour, run: u64, n: u32) -> Vec<i32> {
        (0..n).map(|attempt| draw(b, run, attempt).exit_code).collect()
    }

    #[test]
    fn script_indexes_attempts_then_falls_back_to_the_random_model() {
        let b = behaviour("script: [fail, fail, succeed]");
        assert_eq!(exits(&b, 0, 4), [1, 1, 0, 0]);
        assert_eq!(exits(&b, 9, 4), [1, 1, 0, 0], "the script applies to every run");
        let b = behaviour("script: [fail]\nfailureProbability: 1\nexitCode: 3");
        assert_eq!(exits(&b, 0, 3), [3, 3, 3]);
    }

    #[test]
    fn outcomes_carry_exit_codes_and_exact_durations() {
        let b = behaviour(
            "duration: {fixed: 1m, slow: {probability: 1, factor: 10}}\n\
             script: [42, {exit: 7}, {exit: 0, duration: 90s, startLatency: 2s}, {duration: 5s}]",
        );
        let got: Vec<Attempt> = (0..4).map(|attempt| draw(&b, 0, attempt)).collect();
        assert_eq!(got[0], Attempt { start_latency: 0, duration: 10 * MINUTE, exit_code: 42 });
        assert_eq!(got[1].exit_code, 7);
        assert_eq!(got[2], Attempt { start_latency: 2 * SECOND, duration: 90 * SECOND, exit_code: 0 });
        assert_eq!((got[3].duration, got[3].exit_code), (5 * SECOND, 0));
    }

    #[test]
    fn runs_replace_the_script_for_listed_runs() {
        let b = behaviour("script: [fail, succeed]\nruns:\n  3: [fail, fail, fail]\n  5: [succeed]\n");
        assert_eq!(exits(&b, 2, 3), [1, 0, 0]);
        assert_eq!(exits(&b, 3, 4), [1, 1, 1, 0]);
        assert_eq!(exits(&b, 5, 2), [0, 0]);
        assert_eq!(b.runs.get(&3).map(Vec::len), Some(3));
        assert_eq!(b.script[0], Outcome::exit(Exit::Fail));
    }
}

mod yaml {
    use super::*;

    fn timing(yaml: &str) -> Timing {
        behaviour(&format!("duration: {yaml}")).duration
    }

    #[test]
    fn every_distribution_form_parses() {
        let cases = [
            ("30s", Distribution::Fixed(d("30s"))),
            ("0", Distribution::Fixed(d("0s"))),
            ("{fixed: 1h30m}", Distribution::Fixed(d("90m"))),
            ("{uniform: {min: 1s, max: 2d}}", Distribution::Uniform { min: d("1s"), max: d("48h") }),
            ("{normal: {mean: 5m, stddev: 30s}}", Distribution::Normal { mean: d("5m"), stddev: d("30s") }),
            ("{lognormal: {median: 5m, p99: 1h}}", Distribution::LogNormal { median: d("5m"), p99: d("1h") }),
            ("[1m, 100ms]", Distribution::List(vec![d("1m"), d("100ms")])),
            ("{list: [1m]}", Distribution::List(vec![d("1m")])),
            ("{cycle: [1m, 2m]}", Distribution::Cycle(vec![d("1m"), d("2m")])),
        ];
        for (yaml, want) in cases {
            assert_eq!(timing(yaml), Timing { distribution: want, slow: None }, "{yaml}");
        }
    }

    #[test]
    fn block_style_with_slow_parses() {
        let b = behaviour(
            "startLatency: 2s\n\
             duration:\n  lognormal:\n    median: 5m\n    p99: 20m\n  slow:\n    probability: 0.01\n    factor: 10\n\
             failureProbability: 0.05\n\
             exitCode: 42\n",
        );
        let slow = b.duration.slow.as_ref().unwrap();
        assert_eq!((slow.probability.get(), slow.factor), (0.01, 10.0));
        assert_eq!(b.start_latency, Timing::fixed(d("2s")));
        assert_eq!((b.failure_probability.get(), b.exit_code), (0.05, 42));
        assert_eq!(b.validate(), Ok(()));
    }

    #[test]
    fn readme_examples_parse_and_validate() {
        let random =
            behaviour("duration: {uniform: {min: 1m, max: 3m}}\nfailureProbability: 0.05\nexitCode: 42\n");
        let scripted = behaviour(
            "duration: 2m\n\
             script: [fail, fail, succeed]\n\
             runs:\n\
             \x20 3: [{exit: 137, duration: 30s}, {exit: 137}, {exit: 137}]\n\
             \x20 5: [{exit: 0, duration: 3h}]\n",
        );
        assert_eq!((random.validate(), scripted.validate()), (Ok(()), Ok(())));
        assert_eq!(
            draw(&scripted, 3, 0),
            Attempt { start_latency: 0, duration: 30 * SECOND, exit_code: 137 }
        );
        assert_eq!(draw(&scripted, 5, 0).duration, 3 * 60 * MINUTE);
        assert_eq!(draw(&scripted, 4, 1).exit_code, 1);
    }

    #[test]
    fn bad_input_is_an_error_naming_the_problem() {
        let cases = [
            ("durations: 5m", "durations"),
            ("duration: {fixed: 1m, sloww: {probability: 1, factor: 2}}", "sloww"),
            ("duration: {uniform: {min: 1s, max: 2s, mode: 1s}}", "mode"),
            ("duration: {fixed: 1m, slow: {probability: 1, factor: 2, extra: 1}}", "extra"),
            ("duration: -5s", "must not be negative"),
            ("duration: {uniform: {min: -1s, max: 2s}}", "must not be negative"),
            ("duration: 30", "missing unit"),
            ("duration: 1.5", "missing unit"),
            ("duration: 5 minutes", "spaces"),
            ("duration: 5y", "unknown unit"),
            ("duration: {}", "expected one of"),
            ("duration: {slow: {probability: 0.1, factor: 2}}", "expected one of"),
            ("duration: {fixed: 1m, list: [1m]}", "only one of"),
            ("duration: {uniform: {min: 2s, max: 1s}}", "must not exceed"),
            ("duration: {lognormal: {median: 5m, p99: 5m}}", "greater than median"),
            ("duration: {lognormal: {median: 0s, p99: 5m}}", "greater than 0"),
            ("duration: []", "must not be empty"),
            ("duration: {fixed: 1m, slow: {probability: 0.1, factor: 0.5}}", "at least 1"),
            ("failureProbability: 1.5", "between 0 and 1"),
            ("duration: {fixed: 1m, slow: {probability: -0.1, factor: 2}}", "between 0 and 1"),
            ("script: [fail, crash]", "unknown outcome"),
            ("script: [{exit: 1, durration: 1m}]", "durration"),
            ("script: [4294967296]", "out of range"),
            ("runs: {first: [fail]}", "first"),
            ("exitCode: 0", "non-zero exit code"),
        ];
        for (yaml, needle) in cases {
            let e = error(yaml);
            assert!(e.contains(needle), "{yaml}\n→ {e}\n(wanted {needle:?})");
        }
    }

    #[test]
    fn validate_catches_what_types_allow() {
        let mut b = Behaviour { exit_code: 0, ..Behaviour::default() };
        assert!(b.validate().unwrap_err().contains("exitCode"));
        b.exit_code = 1;
        b.duration =
            Timing { distribution: Distribution::Uniform { min: d("2s"), max: d("1s") }, slow: None };
        assert!(b.validate().unwrap_err().starts_with("duration: uniform"));
    }

    #[test]
    fn schema_describes_every_field() {
        let schema = serde_json::to_string(&schemars::schema_for!(Behaviour)).unwrap();
        for needle in [
            "startLatency",
            "duration",
            "failureProbability",
            "exitCode",
            "script",
            "runs",
            "lognormal",
            "p99",
            "slow",
            "cycle",
            "\"pattern\"",
            "succeed",
            "\"additionalProperties\":false",
        ] {
            assert!(schema.contains(needle), "schema lacks {needle}: {schema}");
        }
    }
}

/// First words of `stream(SEED, "default/backup", 0)`: pins the key
/// derivation (SplitMix64 of the seed, FNV-1a of the entity) and ChaCha8.
const GOLDEN_STREAM: [u64; 3] = [7832347914586852405, 17700962935830418391, 5850663704578812553];

/// (startLatency, duration, exitCode) of runs 0..4: pins the slot layout
/// and the sampling formulas. The lognormal goes through `ln`/`exp`/`cos`,
/// whose last-ulp results are the platform's; rounding to milliseconds
/// hides that in practice.
const GOLDEN_ATTEMPTS: [(Millis, Millis, i32); 4] =
    [(2460, 138062, 0), (2355, 487531, 0), (2233, 451342, 1), (2492, 911356, 1)];

mod resumed_runs {
    use super::*;

    fn resumed(b: &Behaviour, run: u64, elapsed: Millis) -> Attempt {
        b.resumed_attempt(&mut stream(SEED, "default/job", run), run, elapsed)
    }

    /// A running Job from a dump: the remaining time is drawn given that
    /// the run is longer than what it has already run.
    #[test]
    fn the_remaining_time_is_conditional_on_the_time_already_run() {
        let b = behaviour("duration: {uniform: {min: 1h, max: 2h}}\nstartLatency: 30s\n");
        for run in 0..200 {
            let a = resumed(&b, run, 90 * MINUTE);
            assert_eq!(a.start_latency, 0, "the container is already up");
            assert!(a.duration > 0 && a.duration <= 30 * MINUTE, "run {run}: {}", a.duration);
        }
        // Nothing elapsed: the usual first attempt, less its start latency.
        let fresh = resumed(&b, 7, 0);
        assert_eq!(fresh.duration, draw(&b, 7, 0).duration);
        // Past every duration the model has: overdue, it ends at once.
        assert_eq!(resumed(&b, 3, 3 * 60 * MINUTE).duration, 0);
    }

    #[test]
    fn a_fixed_or_scripted_duration_is_a_total_of_which_the_rest_remains() {
        let fixed = behaviour("duration: 10m\n");
        assert_eq!(resumed(&fixed, 0, 4 * MINUTE).duration, 6 * MINUTE);
        let scripted = behaviour("duration: 10m\nruns:\n  2: [{duration: 9h}]\n");
        assert_eq!(
            resumed(&scripted, 2, 4 * 60 * MINUTE + 12 * MINUTE).duration,
            4 * 60 * MINUTE + 48 * MINUTE
        );
        assert_eq!(resumed(&scripted, 2, 10 * 60 * MINUTE).duration, 0);
    }

    #[test]
    fn resumed_draws_are_deterministic_and_leave_later_attempts_alone() {
        let b = behaviour("duration: {lognormal: {median: 5m, p99: 40m}}\n");
        let one = (0..50).map(|r| resumed(&b, r, 6 * MINUTE).duration).collect::<Vec<_>>();
        let two = (0..50).map(|r| resumed(&b, r, 6 * MINUTE).duration).collect::<Vec<_>>();
        assert_eq!(one, two);
        assert!(one.iter().all(|&d| d > 0), "lognormal always has a longer draw within 64 tries here");
        let mut rng = stream(SEED, "default/job", 4);
        let _ = b.resumed_attempt(&mut rng, 4, 6 * MINUTE);
        assert_eq!(b.attempt(&mut rng, 4, 1), draw(&b, 4, 1), "a retry draws as it would have");
    }
}
