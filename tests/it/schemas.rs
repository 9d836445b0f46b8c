//! The JSON Schemas under `schema/` are the ones the types generate (a
//! changed type fails here until `CRONWARP_UPDATE_SCHEMAS=1 cargo test
//! --test it schemas` rewrites them), and they describe what cronwarp
//! really writes.

use cronwarp::schemas::{Format, json_schema};
use std::path::Path;

#[test]
fn committed_schemas_are_the_generated_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let update = std::env::var_os("CRONWARP_UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for format in Format::ALL {
        let path = dir.join(format.file_name());
        let generated = json_schema(format) + "\n";
        if update {
            std::fs::write(&path, &generated).expect("schema/ is writable");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(format.file_name());
        }
    }
    assert!(
        stale.is_empty(),
        "schema/{stale:?} differ from the types; run `CRONWARP_UPDATE_SCHEMAS=1 cargo test --test it schemas` and commit"
    );
}

/// Every key of `value` (an object) is a property of `schema`'s object
/// definition `def` (the root when `None`).
fn keys_missing(schema: &serde_json::Value, def: Option<&str>, value: &serde_json::Value) -> Vec<String> {
    let node = match def {
        Some(d) => &schema["$defs"][d],
        None => schema,
    };
    let props = &node["properties"];
    value
        .as_object()
        .map(|o| o.keys().filter(|k| props.get(k.as_str()).is_none()).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_report_schema_describes_a_real_report() {
    let scenario =
        cronwarp::Scenario::from_path("scenarios/crossplane-replace.yaml").expect("bundled scenario");
    let run = cronwarp::run(&scenario, Default::default()).expect("it runs");
    let json = serde_json::to_value(run.report()).expect("a report is JSON");
    let schema: serde_json::Value =
        serde_json::from_str(&json_schema(Format::Report)).expect("schema is JSON");
    assert_eq!(keys_missing(&schema, None, &json), Vec::<String>::new());
    let first = &json["workloads"][0];
    assert!(first.is_object(), "the report has workloads");
    assert_eq!(keys_missing(&schema, Some("WorkloadReport"), first), Vec::<String>::new());
    assert_eq!(schema["properties"]["schemaVersion"]["type"], "integer");
}

#[test]
fn the_event_log_schema_names_every_record_kind_a_run_writes() {
    let scenario =
        cronwarp::Scenario::from_path("scenarios/downtime-catchup.yaml").expect("bundled scenario");
    let run = cronwarp::run(&scenario, cronwarp::RunOptions::default().keep_events(true)).expect("it runs");
    let schema = json_schema(Format::EventLog);
    let mut kinds: Vec<String> = run
        .events()
        .expect("kept")
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok()?.get("kind")?.as_str().map(String::from))
        .collect();
    kinds.sort();
    kinds.dedup();
    assert!(kinds.len() > 5, "a downtime scenario writes many kinds of record: {kinds:?}");
    for k in kinds {
        assert!(schema.contains(&format!("\"{k}\"")), "the event-log schema does not name record kind {k}");
    }
}
