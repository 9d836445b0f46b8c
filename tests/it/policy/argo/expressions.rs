//! The expression subset (docs/fidelity/argo.md#argo-7): what it
//! evaluates, and that it refuses the rest by name.

use crate::support::t;
use cronwarp::policy::argo::expr::{ExprEnv, eval_bool, parse};
use cronwarp::policy::argo::parse_when;

fn env() -> ExprEnv {
    ExprEnv {
        name: "nightly".into(),
        namespace: "ops".into(),
        failed: 2,
        succeeded: 7,
        last_scheduled_time: Some(t("2026-01-01T04:00:00Z")),
        now: t("2026-01-01T05:30:00Z"),
    }
}

#[test]
fn stop_expressions_evaluate() {
    let cases = [
        ("cronworkflow.failed >= 2", true),
        ("cronworkflow.succeeded == 10", false),
        ("cronworkflow.failed + cronworkflow.succeeded > 8 and not (cronworkflow.name == 'x')", true),
        ("cronworkflow.namespace != \"ops\" || cronworkflow.failed * 2 == 4", true),
        ("(now() - cronworkflow.lastScheduledTime).Hours() == 1.5", true),
        ("-cronworkflow.failed < 0 && !false", true),
    ];
    for (e, want) in cases {
        assert_eq!(eval_bool(&parse(e).unwrap(), &env()), Ok(want), "{e}");
    }
}

#[test]
fn when_templates_substitute_then_evaluate() {
    let cases = [
        ("{{cronworkflow.failed}} < 3", true),
        ("{{= cronworkflow.succeeded > 5 }} && {{= cronworkflow.failed > 5 }}", false),
        ("true", true),
        ("", true),
    ];
    for (w, want) in cases {
        assert_eq!(parse_when(w).unwrap().eval(&env()), Ok(want), "{w}");
    }
    let not_bool = parse_when("{{cronworkflow.failed}}").unwrap().eval(&env());
    assert_eq!(not_bool, Err("Expected boolean evaluation for '2'. Got 2".into()));
}

#[test]
fn outside_the_subset_is_refused_by_name() {
    let cases = [
        ("cronworkflow.labels.team == 'x'", "cronworkflow.labels is not modelled"),
        ("cronworkflow.phase == 'x'", "cronworkflow.phase is not a CronWorkflow variable"),
        ("len(cronworkflow.name) > 3", "`len` is outside the expression subset"),
        ("cronworkflow.failed in [1, 2]", "`[` is outside"),
        ("(now() - cronworkflow.lastScheduledTime).Days() > 1", "`.Days` is outside"),
        ("cronworkflow.failed ?? 0", "`?` is outside"),
    ];
    for (e, want) in cases {
        let got = parse(e).map(|_| ()).unwrap_err();
        assert!(got.contains(want), "{e}: {got}");
    }
    assert!(parse_when("{{workflow.name}} == 'x'").unwrap_err().contains("cannot be resolved"));
    assert_eq!(
        eval_bool(&parse("cronworkflow.failed").unwrap(), &env()),
        Err("unable to cast expression result '2' to bool".into())
    );
}
