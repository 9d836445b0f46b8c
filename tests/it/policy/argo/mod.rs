//! Argo Workflows' CronWorkflow controller (`policy::argo`): upstream's
//! `workflow/cron/operator_test.go` and `cron_workflow_types_test.go` case
//! for case, then the runner, history and expressions beyond them.

mod expressions;
mod replays;
mod runner;
mod status;
mod upstream_operator;

use cronwarp::model::argo::CronWorkflow;
use cronwarp::model::from_yaml;

/// A CronWorkflow from YAML (the fixtures are upstream's, trimmed to what
/// the model reads).
pub fn cw(yaml: &str) -> CronWorkflow {
    let mut cw: CronWorkflow = from_yaml(yaml, "fixture.yaml").expect("fixture parses");
    if cw.metadata.namespace.is_empty() {
        cw.metadata.namespace = "argo".into();
    }
    cw
}
