//! Ports of kubernetes `pkg/controller/cronjob/utils_test.go`
//! (`TestGetJobFromTemplate2`, `TestNextScheduleTime`, `TestByJobStartTime`,
//! `TestMostRecentScheduleTime`, `TestNextScheduleTimeDuration`) and
//! `cronjob_controllerv2_test.go` `TestControllerV2CleanupFinishedJobs`,
//! case for case with upstream's case names; the tables are our own.

use crate::support::cronjob_policy::{FakeApi, finish};
use crate::support::t;
use cronwarp::model::{CronJob, HOUR, Job, MINUTE, Millis, OwnerReference, SECOND, Time};
use cronwarp::policy::cronjob::{
    Missed, NEXT_SCHEDULE_DELTA, SCHEDULED_TIMESTAMP_ANNOTATION, SyncContext, by_job_start_time,
    job_from_template, most_recent_schedule_time, next_schedule_time, next_schedule_time_duration, sync,
};
use cronwarp::policy::{ApiError, Settings};
use cronwarp::schedule::{Schedule, Zone};
use std::collections::BTreeMap;

const DAY: Millis = 24 * HOUR;

/// upstream `topOfTheHour()`: Thursday 2016-05-19T10:00:00Z.
fn top_of_the_hour() -> Time {
    t("2016-05-19T10:00:00Z")
}

/// upstream `deltaTimeAfterTopOfTheHour(d)`.
fn after_top(d: Millis) -> Time {
    top_of_the_hour().add(d)
}

fn parse(s: &str) -> Schedule {
    Schedule::parse(s).unwrap()
}

/// A CronJob as upstream's tables write them: a schedule, creation time,
/// optional lastScheduleTime and startingDeadlineSeconds.
fn cj(schedule: &str, created: Time, last: Option<Time>, sds: Option<i64>) -> CronJob {
    let mut c = CronJob::default();
    c.metadata.name = "mycronjob".into();
    c.metadata.namespace = "default".into();
    c.metadata.uid = "1a2b3c".into();
    c.metadata.creation_timestamp = Some(created);
    c.spec.schedule = schedule.into();
    c.spec.starting_deadline_seconds = sds;
    c.status.last_schedule_time = last;
    c
}

mod get_job_from_template2 {
    use super::*;

    fn case(name: &str, time_zone: Option<&str>, annotations: &[(&str, &str)], want_ts: &str, want_n: usize) {
        let mut c = cj("* * * * ?", top_of_the_hour(), None, None);
        c.metadata.namespace = "snazzycats".into();
        c.spec.time_zone = time_zone.map(Into::into);
        c.spec.job_template.metadata.labels = BTreeMap::from([("a".into(), "b".into())]).into();
        c.spec.job_template.metadata.annotations =
            annotations.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        c.spec.job_template.spec.active_deadline_seconds = Some(1);
        c.spec.job_template.spec.manual_selector = Some(false);
        let job = job_from_template(&c, top_of_the_hour());
        assert!(job.metadata.name.starts_with("mycronjob-"), "{name}: wrong name {}", job.metadata.name);
        assert_eq!(job.metadata.labels.len(), 1, "{name}: wrong number of labels");
        assert_eq!(job.metadata.annotations.len(), want_n, "{name}: wrong number of annotations");
        assert_eq!(job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], want_ts, "{name}");
        assert_eq!(job.spec, c.spec.job_template.spec, "{name}: spec copied");
    }

    #[test]
    fn utc_timezone_and_one_annotation() {
        case("UTC timezone and one annotation", Some("UTC"), &[("x", "y")], "2016-05-19T10:00:00Z", 2);
    }

    #[test]
    fn nil_timezone_and_one_annotation() {
        case("nil timezone and one annotation", None, &[("x", "y")], "2016-05-19T10:00:00Z", 2);
    }

    #[test]
    fn correct_timezone_and_multiple_annotation() {
        case(
            "correct timezone and multiple annotation",
            Some("Europe/Rome"),
            &[("x", "y"), ("z", "x")],
            "2016-05-19T12:00:00+02:00",
            3,
        );
    }
}

mod next_schedule_time_cases {
    use super::*;

    /// The hourly fixture of `TestNextScheduleTime`.
    fn hourly(created: Time, last: Option<Time>, sds: Option<i64>) -> CronJob {
        cj("0 * * * ?", created, last, sds)
    }

    fn next(c: &CronJob, now: Time) -> Option<Time> {
        next_schedule_time(c, now, &parse(&c.spec.schedule), Zone::Utc).unwrap().0
    }

    const T1: &str = "2016-05-19T10:00:00Z";
    const T2: &str = "2016-05-19T11:00:00Z";

    #[test]
    fn case_1_no_known_start_times_and_none_needed_yet() {
        let c = hourly(t(T1).add(-10 * MINUTE), None, None);
        assert_eq!(next(&c, t(T1).add(-7 * MINUTE)), None);
    }

    #[test]
    fn case_2_no_known_start_times_and_one_needed() {
        let c = hourly(t(T1).add(-10 * MINUTE), None, None);
        assert_eq!(next(&c, t(T1).add(2 * SECOND)), Some(t(T1)));
    }

    #[test]
    fn case_3_known_last_schedule_time_no_start_needed() {
        let c = hourly(t(T1).add(-10 * MINUTE), Some(t(T1)), None);
        assert_eq!(next(&c, t(T1).add(2 * MINUTE)), None);
    }

    #[test]
    fn case_4_known_last_schedule_time_a_start_needed() {
        let c = hourly(t(T1).add(-10 * MINUTE), Some(t(T1)), None);
        assert_eq!(next(&c, t(T2).add(5 * MINUTE)), Some(t(T2)));
    }

    #[test]
    fn case_5_known_last_schedule_time_two_starts_needed() {
        let c = hourly(t(T1).add(-2 * HOUR), Some(t(T1).add(-HOUR)), None);
        assert_eq!(next(&c, t(T2).add(5 * MINUTE)), Some(t(T2)));
    }

    #[test]
    fn case_6_now_is_way_ahead_of_last_start_time_and_no_deadline() {
        let c = hourly(t(T1).add(-2 * HOUR), Some(t(T1).add(-HOUR)), None);
        let now = t(T2).add(10 * DAY);
        assert_eq!(next(&c, now), Some(t("2016-05-29T11:00:00Z")));
    }

    #[test]
    fn case_7_now_is_way_ahead_of_last_start_time_with_a_short_deadline() {
        let c = hourly(t(T1).add(-2 * HOUR), Some(t(T1).add(-HOUR)), Some(2 * 60 * 60));
        let now = t(T2).add(10 * DAY);
        assert_eq!(next(&c, now), Some(t("2016-05-29T11:00:00Z")));
    }

    #[test]
    fn case_8_the_error_from_most_recent_schedule_time_gets_populated_up() {
        let c = hourly(t(T1).add(10 * SECOND), None, None);
        let got = next_schedule_time(&c, after_top(HOUR), &parse("59 23 31 2 *"), Zone::Utc);
        assert_eq!(got, Err("time difference between two schedules is less than 1 second".to_string()));
    }
}

mod by_job_start_time_cases {
    use super::*;

    fn job(name: &str, start: Option<&str>) -> Job {
        let mut j = Job::default();
        j.metadata.name = name.into();
        j.status.start_time = start.map(t);
        j
    }

    const NOW: &str = "2018-01-01T02:03:04Z";
    const LATER: &str = "2019-01-01T02:03:04Z";

    fn sorted(mut input: Vec<Job>) -> Vec<(smol_str::SmolStr, Option<Time>)> {
        input.sort_by(by_job_start_time);
        input.into_iter().map(|j| (j.metadata.name, j.status.start_time)).collect()
    }

    fn names(v: &[Job]) -> Vec<(smol_str::SmolStr, Option<Time>)> {
        v.iter().map(|j| (j.metadata.name.clone(), j.status.start_time)).collect()
    }

    #[test]
    fn table() {
        let (a_nil, b_nil) = (job("a", None), job("b", None));
        let (a_set, b_set) = (job("a", Some(NOW)), job("b", Some(NOW)));
        let a_set_later = job("a", Some(LATER));
        let cases: Vec<(&str, Vec<Job>, Vec<Job>)> = vec![
            (
                "both have nil start times",
                vec![b_nil.clone(), a_nil.clone()],
                vec![a_nil.clone(), b_nil.clone()],
            ),
            (
                "only the first has a nil start time",
                vec![a_nil.clone(), b_set.clone()],
                vec![b_set.clone(), a_nil],
            ),
            (
                "only the second has a nil start time",
                vec![a_set.clone(), b_nil.clone()],
                vec![a_set.clone(), b_nil],
            ),
            (
                "both have non-nil, equal start time",
                vec![b_set.clone(), a_set.clone()],
                vec![a_set, b_set.clone()],
            ),
            (
                "both have non-nil, different start time",
                vec![a_set_later.clone(), b_set.clone()],
                vec![b_set, a_set_later],
            ),
        ];
        for (name, input, expected) in cases {
            assert_eq!(sorted(input), names(&expected), "case: {name}: jobs not sorted as expected");
        }
    }
}

mod most_recent_schedule_time_cases {
    use super::*;

    struct Case {
        name: &'static str,
        cj: CronJob,
        include_sds: bool,
        now: Time,
        earliest: Time,
        recent: Option<Time>,
        missed: Missed,
        want_err: bool,
    }

    fn row(
        name: &'static str,
        cj: CronJob,
        now: Time,
        earliest: Time,
        recent: Option<Time>,
        missed: Missed,
    ) -> Case {
        Case { name, cj, include_sds: false, now, earliest, recent, missed, want_err: false }
    }

    fn run(c: Case) {
        let got =
            most_recent_schedule_time(&c.cj, c.now, &parse(&c.cj.spec.schedule), Zone::Utc, c.include_sds);
        if c.want_err {
            assert!(got.is_err(), "{}: got no error when expected one", c.name);
            return;
        }
        let (earliest, recent, missed) = got.unwrap_or_else(|e| panic!("{}: unexpected error {e}", c.name));
        assert_eq!(earliest, c.earliest, "{}: earliestTime", c.name);
        assert_eq!(recent, c.recent, "{}: recentTime", c.name);
        assert_eq!(missed, c.missed, "{}: missed", c.name);
    }

    #[test]
    fn table() {
        let top = top_of_the_hour();
        let half = after_top(30 * MINUTE);
        let minute_after = after_top(MINUTE);
        let cases = vec![
            row(
                "now before next schedule",
                cj("0 * * * *", top, None, None),
                top.add(30 * SECOND),
                top,
                None,
                Missed::None,
            ),
            row(
                "now just after next schedule",
                cj("0 * * * *", top, None, None),
                top.add(61 * MINUTE),
                top,
                Some(after_top(60 * MINUTE)),
                Missed::None,
            ),
            row(
                "missed 5 schedules",
                cj("0 * * * *", after_top(10 * SECOND), None, None),
                after_top(301 * MINUTE),
                after_top(10 * SECOND),
                Some(after_top(300 * MINUTE)),
                Missed::Few,
            ),
            row(
                "complex schedule",
                cj("30 6-16/4 * * 1-5", top, Some(half), None),
                after_top(DAY + 31 * MINUTE),
                half,
                Some(after_top(DAY + 30 * MINUTE)),
                Missed::Few,
            ),
            row(
                "another complex schedule",
                cj("30 10,11,12 * * 1-5", top, Some(half), None),
                after_top(30 * HOUR + 30 * MINUTE),
                half,
                None,
                Missed::Few,
            ),
            row(
                "complex schedule with longer diff between executions",
                cj("30 6-16/4 * * 1-5", top, Some(half), None),
                after_top(96 * HOUR + 31 * MINUTE),
                half,
                Some(after_top(96 * HOUR + 30 * MINUTE)),
                Missed::Few,
            ),
            row(
                "complex schedule with shorter diff between executions",
                cj("30 6-16/4 * * 1-5", top, None, None),
                after_top(DAY + 31 * MINUTE),
                top,
                Some(after_top(DAY + 30 * MINUTE)),
                Missed::Few,
            ),
            row(
                "@every schedule",
                cj("@every 1h", after_top(-59 * MINUTE), Some(minute_after), Some(10)),
                after_top(7 * DAY),
                minute_after,
                Some(after_top(6 * DAY + 23 * HOUR + MINUTE)),
                Missed::Many,
            ),
            Case {
                want_err: true,
                ..row(
                    "rogue cronjob",
                    cj("59 23 31 2 *", after_top(10 * SECOND), None, None),
                    after_top(HOUR),
                    top,
                    None,
                    Missed::None,
                )
            },
            row(
                "earliestTime being CreationTimestamp and LastScheduleTime",
                cj("0 * * * *", top, Some(top), None),
                after_top(30 * SECOND),
                top,
                None,
                Missed::None,
            ),
            row(
                "earliestTime being LastScheduleTime",
                cj("*/5 * * * *", top, Some(half), None),
                after_top(31 * MINUTE),
                half,
                None,
                Missed::None,
            ),
            row(
                "earliestTime being LastScheduleTime (within StartingDeadlineSeconds)",
                cj("*/5 * * * *", top, Some(half), Some(60)),
                after_top(31 * MINUTE),
                half,
                None,
                Missed::None,
            ),
            Case {
                include_sds: true,
                ..row(
                    "earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)",
                    cj("*/5 * * * *", top, Some(half), Some(60)),
                    after_top(32 * MINUTE),
                    after_top(31 * MINUTE),
                    None,
                    Missed::None,
                )
            },
        ];
        assert_eq!(cases.len(), 13);
        for c in cases {
            run(c);
        }
    }
}

mod next_schedule_time_duration_cases {
    use super::*;

    fn check(name: &str, c: CronJob, now: Time, want: Millis) {
        let got = next_schedule_time_duration(&c, now, &parse(&c.spec.schedule), Zone::Utc);
        assert!(got >= 0, "{name}: scheduleTimeDuration should never be less than 0, got {got}");
        assert_eq!(got, want, "{name}");
    }

    #[test]
    fn complex_schedule_skipping_weekend() {
        let c = cj("30 6-16/4 * * 1-5", top_of_the_hour(), Some(after_top(30 * MINUTE)), None);
        let want = 3 * HOUR + 59 * MINUTE + NEXT_SCHEDULE_DELTA;
        check("complex schedule skipping weekend", c, after_top(DAY + 31 * MINUTE), want);
    }

    #[test]
    fn another_complex_schedule_skipping_weekend() {
        let c = cj("30 10,11,12 * * 1-5", top_of_the_hour(), Some(after_top(30 * MINUTE)), None);
        let want = 66 * HOUR + NEXT_SCHEDULE_DELTA;
        check("another complex schedule skipping weekend", c, after_top(30 * HOUR + 30 * MINUTE), want);
    }

    #[test]
    fn once_a_week_cronjob_missed_two_runs() {
        let c = cj("0 12 * * 4", top_of_the_hour(), Some(after_top(2 * HOUR)), None);
        let want = 48 * HOUR + 30 * MINUTE + NEXT_SCHEDULE_DELTA;
        check("once a week cronjob, missed two runs", c, after_top(19 * DAY + HOUR + 30 * MINUTE), want);
    }

    #[test]
    fn no_previous_run_of_a_cronjob() {
        let c = cj("0 12 * * 5", top_of_the_hour(), None, None);
        check("no previous run of a cronjob", c, after_top(6 * HOUR), 20 * HOUR + NEXT_SCHEDULE_DELTA);
    }
}

mod controller_v2_cleanup_finished_jobs {
    use super::*;

    /// The `fooer` CronJob of the test: no uid, Jobs owned by name only.
    fn fooer(limit: i32) -> CronJob {
        let mut c = CronJob::default();
        c.metadata.namespace = "foo-ns".into();
        c.metadata.name = "fooer".into();
        c.spec.schedule = "0 * * * ?".into();
        c.spec.successful_jobs_history_limit = Some(limit);
        c.spec.job_template.metadata.labels = BTreeMap::from([("key".into(), "value".into())]).into();
        c.status.last_schedule_time = Some(t("2016-05-19T09:01:00Z"));
        c
    }

    fn finished_job(name: &str, started: &str) -> Job {
        let mut j = Job::default();
        j.metadata.namespace = "foo-ns".into();
        j.metadata.name = name.into();
        j.metadata.owner_references = vec![OwnerReference {
            name: "fooer".into(),
            controller: Some(true),
            ..OwnerReference::default()
        }]
        .into();
        j.status.start_time = Some(t(started));
        let mut j = finish(j, "Complete", t(started));
        j.status.completion_time = None;
        j
    }

    fn deleted(c: &CronJob, jobs: &[Job], now: Time, create_error: Option<ApiError>) -> Vec<String> {
        let mut api = FakeApi::with_jobs(jobs);
        api.create_error = create_error;
        let settings = Settings::default();
        let ctx = SyncContext { now, local: Zone::Utc, settings: &settings, detail: true };
        let _ = sync(&mut api, c, jobs, ctx);
        let mut names: Vec<String> = api.deleted.into_iter().map(|(n, _)| n).collect();
        names.sort();
        names
    }

    #[test]
    fn jobs_are_still_deleted_when_a_cronjob_cant_create_jobs_due_to_jobs_quota_being_reached() {
        let jobs = [
            finished_job("finished-job-started-hour-ago", "2016-05-19T08:59:00Z"),
            finished_job("finished-job-started-minute-ago", "2016-05-19T09:59:00Z"),
        ];
        let quota = ApiError::Other("Internal error occurred: quota for # of jobs reached".into());
        let got = deleted(&fooer(1), &jobs, t("2016-05-19T10:01:00Z"), Some(quota));
        assert_eq!(got, ["finished-job-started-hour-ago"]);
    }

    #[test]
    fn jobs_are_not_deleted_if_history_limit_not_reached() {
        let jobs = [finished_job("finished-job-started-hour-ago", "2016-05-19T08:59:00Z")];
        let got = deleted(&fooer(2), &jobs, t("2016-05-19T09:59:00Z"), None);
        assert!(got.is_empty(), "deleted {got:?}");
    }
}
