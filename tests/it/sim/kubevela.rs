//! KubeVela Applications as scenario workloads: rendered as `cronwarp
//! render` renders them, simulated as CronJobs, errors at the Application
//! line.

use cronwarp::sim::log::Entry;
use cronwarp::sim::{Scenario, SimOptions, simulate};
use std::path::Path;

/// A scenario whose one workload is an inline Application; `components`
/// are YAML lines at the indentation of `components:` items, `extra`
/// workload keys after the manifest.
fn scenario(components: &str, extra: &str) -> String {
    let mut s = String::from(
        "horizon:\n  start: \"2025-03-08T00:00:00Z\"\n  end: \"2025-03-11T00:00:00Z\"\nworkloads:\n  - manifest:\n      apiVersion: core.oam.dev/v1beta1\n      kind: Application\n      metadata:\n        name: shop\n        namespace: web\n      spec:\n        components:\n",
    );
    for l in components.lines() {
        s.push_str(&format!("          {l}\n"));
    }
    s.push_str(extra);
    s
}

const NY_TASK: &str = "- name: nightly
  type: cron-task
  properties:
    image: busybox
    schedule: \"30 2 * * *\"
  traits:
    - type: json-merge-patch
      properties:
        spec:
          timeZone: America/New_York";

const UTC_TASK: &str = "- name: hourly
  type: cron-task
  properties:
    image: busybox
    schedule: \"0 * * * *\"";

fn load(text: &str) -> Scenario {
    Scenario::from_yaml(text, "vela.yaml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn an_inline_application_runs_as_its_rendered_cronjob() {
    let sc = load(&scenario(NY_TASK, ""));
    let objs = sc.workload_objects(0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(objs.cronjob.metadata.name, "nightly");
    assert_eq!(objs.cronjob.metadata.namespace, "web");
    assert_eq!(objs.cronjob.spec.time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(objs.cronjob.metadata.labels.get("app.oam.dev/name").map(|s| s.as_str()), Some("shop"));
    let out = simulate(&sc, SimOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let created: Vec<_> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::JobCreated { job, scheduled_time, .. } => Some((job.clone(), *scheduled_time)),
            _ => None,
        })
        .collect();
    // 03-08 02:30 EST and 03-10 02:30 EDT; 03-09 02:30 does not exist.
    let ticks: Vec<String> = created.iter().filter_map(|(_, t)| t.map(|t| t.to_string())).collect();
    assert_eq!(ticks, ["2025-03-08T07:30:00Z", "2025-03-10T06:30:00Z"], "{created:?}");
    assert!(created.iter().all(|(j, _)| j.starts_with("web/nightly-")), "{created:?}");
}

#[test]
fn several_cron_tasks_need_a_component_key_located_at_the_components() {
    let sc = load(&scenario(&format!("{NY_TASK}\n{UTC_TASK}"), ""));
    let e = sc.workload_objects(0).expect_err("ambiguous");
    assert!(e.message.starts_with("vela.yaml:12:9: the Application has several cron-task components"), "{e}");
    assert!(e.message.contains("add `component: <name>`") && e.message.contains("nightly, hourly"), "{e}");
}

#[test]
fn component_picks_one_cron_task() {
    let sc = load(&scenario(&format!("{NY_TASK}\n{UTC_TASK}"), "    component: hourly\n"));
    let objs = sc.workload_objects(0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(objs.cronjob.metadata.name, "hourly");
    assert_eq!(objs.cronjob.spec.time_zone, None);
}

#[test]
fn an_unknown_component_is_an_error_at_its_key_listing_the_cron_tasks() {
    let text = scenario(&format!("{NY_TASK}\n{UTC_TASK}"), "    component: weekly\n");
    let e = load(&text).workload_objects(0).expect_err("no such component");
    let line = text.lines().position(|l| l.contains("component: weekly")).map_or(0, |n| n + 1);
    assert!(e.message.starts_with(&format!("vela.yaml:{line}:5: workloads[0].component")), "{e}");
    assert!(e.message.contains("cron-task components: nightly, hourly"), "{e}");
}

#[test]
fn component_on_a_plain_cronjob_is_an_error() {
    let text = "horizon: {start: \"2025-03-03T10:00:00Z\", end: \"2025-03-03T11:00:00Z\"}\nworkloads:\n  - manifest:\n      kind: CronJob\n      metadata: {name: a}\n      spec:\n        schedule: \"*/5 * * * *\"\n        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}\n    component: a\n";
    let e = load(text).workload_objects(0).expect_err("not an Application");
    assert!(e.message.starts_with("vela.yaml:9:5: workloads[0].component"), "{e}");
}

#[test]
fn a_rejected_rendering_is_located_at_the_property_in_the_scenario() {
    let text =
        scenario(&NY_TASK.replace("image: busybox", "image: busybox\n    concurrencyPolicy: Sometimes"), "");
    let e = load(&text).workload_objects(0).expect_err("invalid policy");
    let line = text.lines().position(|l| l.contains("Sometimes")).map_or(0, |n| n + 1);
    assert!(e.message.starts_with(&format!("vela.yaml:{line}:")), "{e}");
    assert!(e.message.contains("\"Sometimes\" is not one of the allowed values"), "{e}");
}

#[test]
fn a_time_zone_property_is_a_warning_at_its_line_and_is_ignored() {
    let text =
        scenario(&UTC_TASK.replace("image: busybox", "image: busybox\n    timeZone: Europe/Paris"), "");
    let objs = load(&text).workload_objects(0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(objs.cronjob.spec.time_zone, None);
    let line = text.lines().position(|l| l.contains("Europe/Paris")).map_or(0, |n| n + 1);
    let w: Vec<&String> = objs.warnings.iter().filter(|w| w.contains("no timeZone parameter")).collect();
    assert_eq!(w.len(), 1, "{:?}", objs.warnings);
    assert!(w[0].starts_with(&format!("vela.yaml:{line}:")), "{w:?}");
    assert!(objs.warnings.iter().all(|w| !w.contains("skipped Application")), "{:?}", objs.warnings);
}

#[test]
fn the_timezone_scenario_reads_one_component_per_workload_from_the_shared_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kubevela-app-timezone.yaml");
    let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let a = sc.workload_objects(0).unwrap_or_else(|e| panic!("{e}"));
    let b = sc.workload_objects(1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (a.cronjob.metadata.name.as_str(), b.cronjob.metadata.name.as_str()),
        ("ny-export", "ny-export-no-trait")
    );
    assert_eq!(a.cronjob.spec.time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(b.cronjob.spec.time_zone, None);
    // Each workload reports only its own component's warnings.
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
}
