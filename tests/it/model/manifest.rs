//! Reading `kubectl get -o yaml` output: shapes, kinds, positions, and the
//! errors and warnings for bad input.

use cronwarp::model::validation::admit;
use cronwarp::model::{FieldValidation, Manifests, Position, YamlError};

fn fixture(name: &str) -> (String, String) {
    let path = format!("{}/tests/fixtures/manifests/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (text, format!("tests/fixtures/manifests/{name}"))
}

fn read(name: &str) -> Manifests {
    let (text, file) = fixture(name);
    Manifests::read(&text, &file).unwrap_or_else(|errs| panic!("{name}: {errs:?}"))
}

fn read_err(name: &str) -> Vec<YamlError> {
    let (text, file) = fixture(name);
    Manifests::read(&text, &file).expect_err("expected errors")
}

#[test]
fn reads_a_real_cronjob_with_managed_fields_and_status() {
    let m = read("cronjob-kubectl.yaml");
    assert_eq!((m.cronjobs.len(), m.jobs.len(), m.pods.len()), (1, 0, 0));
    let cj = &m.cronjobs[0];
    assert_eq!(cj.metadata.name, "nightly-report");
    assert_eq!(cj.metadata.namespace, "reports");
    assert_eq!(cj.spec.schedule, "30 2 * * *");
    assert_eq!(cj.spec.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(cj.spec.concurrency_policy, "Forbid");
    assert_eq!(cj.spec.job_template.spec.backoff_limit, Some(2));
    assert_eq!(cj.spec.job_template.spec.template.spec.restart_policy, "OnFailure");
    assert_eq!(cj.status.active.len(), 1);
    assert_eq!(cj.status.last_schedule_time.map(|t| t.to_string()).as_deref(), Some("2025-11-24T01:30:00Z"));
    assert_eq!(cj.pos, Position { line: 1, column: 1 });
    assert_eq!(cj.position_of("spec.schedule"), Position { line: 92, column: 3 });
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn real_objects_pass_defaults_and_validation() {
    for name in ["cronjob-kubectl.yaml", "list-get-all.yaml", "stream.yaml"] {
        let mut m = read(name);
        let errs = admit(&mut m);
        assert!(
            errs.is_empty(),
            "{name}: {}",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
        );
    }
}

#[test]
fn reads_a_list_and_skips_other_kinds_with_a_warning() {
    let m = read("list-get-all.yaml");
    assert_eq!((m.cronjobs.len(), m.jobs.len(), m.pods.len()), (1, 1, 1));
    let job = &m.jobs[0];
    assert_eq!(job.metadata.controller_ref().map(|r| r.name.as_str()), Some("every-five"));
    assert!(job.is_complete());
    assert_eq!(job.pos, Position { line: 38, column: 3 });
    let pod = &m.pods[0];
    assert_eq!(pod.status.phase, cronwarp::model::PodPhase::Succeeded);
    let terminated = pod.status.container_statuses[0].terminated.as_ref().expect("state.terminated is read");
    assert_eq!((terminated.exit_code, terminated.reason.as_str()), (0, "Completed"));
    assert_eq!(m.warnings.len(), 1);
    let w = m.warnings[0].to_string();
    assert!(w.starts_with("tests/fixtures/manifests/list-get-all.yaml:168:3: skipped Service (v1)"), "{w}");
    assert!(w.contains("hint: cronwarp reads CronJob, Job, Pod"), "{w}");
}

#[test]
fn reads_a_document_stream_and_defaults_the_namespace() {
    let m = read("stream.yaml");
    let names: Vec<_> =
        m.cronjobs.iter().map(|c| (c.metadata.namespace.as_str(), c.metadata.name.as_str())).collect();
    assert_eq!(names, [("default", "backup"), ("ops", "cleanup")]);
    assert_eq!(m.jobs.len(), 1);
    assert_eq!(m.cronjobs[1].pos.line, 22);
    assert_eq!(m.jobs[0].pos.line, 50);
}

#[test]
fn syntax_error_is_located_with_a_hint() {
    let errs = read_err("bad-syntax.yaml");
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(e.file, "tests/fixtures/manifests/bad-syntax.yaml");
    assert!(e.line == 6 || e.line == 7, "{e}");
    assert!(e.hint.is_some(), "{e}");
}

#[test]
fn type_error_names_the_field_and_its_line() {
    let errs = read_err("bad-type.yaml");
    assert_eq!(errs.len(), 1);
    let e = errs[0].to_string();
    assert!(
        e.starts_with(
            "tests/fixtures/manifests/bad-type.yaml:9:20: spec.jobTemplate.spec.parallelism: invalid type: string \"two\""
        ),
        "{e}"
    );
}

#[test]
fn documents_without_kind_or_not_objects_are_errors() {
    let errs = read_err("bad-structure.yaml");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!((errs[0].line, errs[0].message.as_str()), (2, "object has no `kind`"));
    assert!(errs[0].hint.as_deref().unwrap_or("").contains("CronJob, Job, Pod"));
    assert_eq!(errs[1].line, 6);
    assert!(errs[1].message.starts_with("expected a Kubernetes object"));
}

#[test]
fn misspelt_spec_field_is_refused_with_did_you_mean_unless_validation_is_relaxed() {
    let (text, file) = fixture("bad-structure.yaml");
    let third = text.split("---").nth(2).expect("three documents");
    let m = Manifests::read(third, &file).expect("unknown fields are set aside, not read errors");
    assert_eq!(m.unknown_fields.len(), 1);
    let w = &m.unknown_fields[0];
    assert_eq!(w.message, "spec.schedual: unknown field \"schedual\"");
    assert_eq!(w.line, 7);
    assert_eq!(w.hint.as_deref(), Some("did you mean `schedule`?"));
    // Strict (kubectl apply's default): an error saying how to read on.
    let errs = m.clone().validate_fields(FieldValidation::Strict);
    assert_eq!(errs.len(), 1);
    let hint = errs[0].hint.as_deref().unwrap_or("");
    assert!(hint.starts_with("did you mean `schedule`? (the API server's strict field validation"), "{hint}");
    assert!(hint.contains("--validate=warn"), "{hint}");
    // Warn: a warning; ignore: nothing.
    let mut warned = m.clone();
    assert!(warned.validate_fields(FieldValidation::Warn).is_empty());
    assert_eq!(warned.warnings.len(), 1);
    let mut ignored = m.clone();
    assert!(ignored.validate_fields(FieldValidation::Ignore).is_empty());
    assert!(ignored.warnings.is_empty());
}

#[test]
fn metadata_typos_are_unknown_fields_and_status_is_not_checked() {
    let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: a\n  namespce: data\n  managedFields: []\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    metadata:\n      lables: {a: b}\n    spec:\n      template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}\nstatus:\n  someNewField: 1\n";
    let m = Manifests::read(text, "cj.yaml").expect("reads");
    let found: Vec<(u32, &str)> = m.unknown_fields.iter().map(|e| (e.line, e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (5, "metadata.namespce: unknown field \"namespce\""),
            (11, "spec.jobTemplate.metadata.lables: unknown field \"lables\""),
        ]
    );
    assert_eq!(m.unknown_fields[0].hint.as_deref(), Some("did you mean `namespace`?"));
}

#[test]
fn objects_of_other_kinds_are_skipped_with_one_line_per_file() {
    let text = "kind: List\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}}\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}}\n- {apiVersion: v1, kind: Service, metadata: {name: c}}\n";
    let m = Manifests::read(text, "all.yaml").expect("reads");
    let lines: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "all.yaml:3:3: skipped 3 objects of kinds cronwarp does not read: 2 Deployment (apps/v1), 1 Service (v1)"
        ),
        "{lines:?}"
    );
}

#[test]
fn duplicate_objects_are_errors_pointing_at_the_first() {
    let errs = read_err("bad-duplicate.yaml");
    assert_eq!(errs.len(), 1);
    let e = errs[0].to_string();
    assert!(
        e.starts_with("tests/fixtures/manifests/bad-duplicate.yaml:11:1: duplicate Job default/twice"),
        "{e}"
    );
    assert!(e.contains("first defined at tests/fixtures/manifests/bad-duplicate.yaml:1:1"), "{e}");
}

#[test]
fn merging_files_detects_duplicates_across_them() {
    let mut a = read("stream.yaml");
    let b = read("stream.yaml");
    let errs = a.merge(b).expect_err("same objects twice");
    assert_eq!(errs.len(), 3);
}

#[test]
fn v1beta1_cronjob_is_read_with_a_warning_and_crd_cronjob_skipped() {
    let text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old}\nspec: {schedule: '@daily'}\n---\n\
                apiVersion: batch.tutorial.kubebuilder.io/v1\nkind: CronJob\nmetadata: {name: crd}\n";
    let m = Manifests::read(text, "mixed.yaml").unwrap();
    assert_eq!(m.cronjobs.len(), 1);
    assert_eq!(m.warnings.len(), 2);
    assert!(m.warnings[0].message.contains("batch/v1beta1"));
    assert!(m.warnings[1].message.starts_with("skipped CronJob (batch.tutorial.kubebuilder.io/v1)"));
}

#[test]
fn empty_input_reads_nothing() {
    let m = Manifests::read("", "empty.yaml").unwrap();
    assert_eq!(m, Manifests::default());
    let m = Manifests::read("---\n# only a comment\n", "c.yaml").unwrap();
    assert!(m.cronjobs.is_empty() && m.warnings.is_empty());
}

#[test]
fn garbage_never_panics() {
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let alphabet = b"abkind: ListCronJobitems-[]{}\n  '\"\t#&*!0123";
    for round in 0..300 {
        let len = round % 150;
        let mut s = String::new();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(alphabet[(x % alphabet.len() as u64) as usize] as char);
        }
        if let Ok(mut m) = Manifests::read(&s, "fuzz.yaml") {
            let _ = admit(&mut m);
        }
    }
}

#[test]
fn unquoted_timestamps_and_empty_lists_read() {
    let text = "kind: List\nitems:\n- apiVersion: batch/v1\n  kind: Job\n  metadata:\n    name: j\n    \
                creationTimestamp: 2025-10-01T08:12:44Z\n  status:\n    startTime: 2025-10-01T08:12:45Z\n\
                - kind: JobList\n  items: null\n";
    let m = Manifests::read(text, "t.yaml").unwrap();
    assert_eq!(m.jobs.len(), 1);
    let job = &m.jobs[0];
    assert_eq!(
        job.metadata.creation_timestamp.map(|t| t.to_string()).as_deref(),
        Some("2025-10-01T08:12:44Z")
    );
    assert_eq!(job.status.start_time.map(|t| t.unix() - 1_759_306_364), Some(1));
}

#[test]
fn bad_timestamp_is_located_at_its_value() {
    let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nstatus:\n  startTime: yesterday\n";
    let errs = Manifests::read(text, "t.yaml").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].column), (6, 14));
    assert!(
        errs[0].message.starts_with("status.startTime: invalid RFC 3339 time \"yesterday\""),
        "{}",
        errs[0].message
    );
}
