//! KubeVela Applications as workloads: a manifest holding a
//! `core.oam.dev/v1beta1` Application is rendered as `cronwarp render`
//! renders it (the `cron-task` template, then each `json-merge-patch`
//! trait, then the appfile's name, namespace and labels; see
//! [`model::kubevela`](crate::model::kubevela)), and the CronJob of one
//! `cron-task` component is simulated like any other.
//!
//! Each problem is located at the Application line that causes it: a
//! property, a trait, the component, or the workload's `component:` key.

use super::{Scenario, ScenarioError, located, located_all};
use crate::model::kubevela::{
    Application, RenderError, RenderedCronJob, is_application, read_applications_in, render_all,
    validate_rendered,
};
use crate::model::manifest::{Located, Manifests};
use crate::model::yaml::{self, Node, YamlError};

/// One Application's rendered `cron-task` CronJobs.
struct Rendered {
    app: Located<Application>,
    items: Vec<RenderedCronJob>,
    warnings: Vec<RenderError>,
}

impl Rendered {
    /// The warnings that concern a workload simulating `chosen`: all but
    /// those about the other rendered components (their own workloads
    /// report them).
    fn warnings_for(&self, chosen: &RenderedCronJob) -> impl Iterator<Item = YamlError> + '_ {
        let others: Vec<String> = self
            .items
            .iter()
            .filter(|it| it.component_index != chosen.component_index)
            .map(|it| format!("spec.components[{}]", it.component_index))
            .collect();
        self.warnings
            .iter()
            .filter(move |w| {
                !others.iter().any(|o| {
                    w.path.strip_prefix(o.as_str()).is_some_and(|r| r.is_empty() || r.starts_with('.'))
                })
            })
            .map(|w| w.locate(&self.app))
    }
}

impl Scenario {
    /// Renders the Application(s) in workload `i`'s manifest, when it holds
    /// no CronJob, and adds the chosen component's CronJob to `m` (located
    /// at its Application), with the rendering's warnings. A manifest
    /// without an Application is left as it is. `groups` are the
    /// manifest's documents as `m` was read from them (in `file`).
    pub(super) fn render_application(
        &self,
        i: usize,
        m: &mut Manifests,
        file: &str,
        groups: &[&[Node]],
    ) -> Result<(), ScenarioError> {
        let component = self.workloads.get(i).and_then(|w| w.component.as_deref());
        if !m.cronjobs.is_empty() {
            return match component {
                Some(_) => Err(located(
                    self.component_error(i, "`component` applies only to a KubeVela Application"),
                )),
                None => Ok(()),
            };
        }
        let Some(rendered) = self.rendered_applications(m, file, groups)? else { return Ok(()) };
        let mut chosen = Vec::new();
        for r in &rendered {
            chosen.extend(
                r.items.iter().filter(|it| component.is_none_or(|c| c == it.component)).map(|it| (r, it)),
            );
        }
        let names = || -> String {
            let all = rendered.iter().flat_map(|r| r.items.iter().map(|it| it.component.as_str()));
            all.collect::<Vec<_>>().join(", ")
        };
        let (r, item) = match (chosen.as_slice(), component) {
            ([one], _) => *one,
            ([], Some(c)) => {
                let msg = format!("no cron-task component \"{c}\" in the Application");
                return Err(located(
                    self.component_error(i, &msg).with_hint(format!("cron-task components: {}", names())),
                ));
            }
            // Several (never none: rendering fails without a cron-task).
            (many, _) => {
                let message = "the Application has several cron-task components";
                let e = match many.first() {
                    Some((r, _)) => r.app.error_at("spec.components", message),
                    None => YamlError::at(&self.scenario_file(), yaml::Position::default(), message),
                };
                return Err(located(e.with_hint(format!(
                    "add `component: <name>` to the workload ({}); give each component its own workload, \
                     as each needs its own behaviour",
                    names()
                ))));
            }
        };
        let errors = validate_rendered(&r.app, item);
        if !errors.is_empty() {
            return Err(located_all(errors));
        }
        m.warnings.extend(r.warnings_for(item));
        m.cronjobs.push(Located {
            value: item.cronjob.clone(),
            file: r.app.file.clone(),
            pos: r.app.pos,
            node: r.app.node.clone(),
        });
        Ok(())
    }

    /// Reads and renders every Application of a workload's manifest
    /// documents; `None` when there is none. The reader's "skipped"
    /// warnings for Applications give way to the rendering's own.
    fn rendered_applications(
        &self,
        m: &mut Manifests,
        file: &str,
        groups: &[&[Node]],
    ) -> Result<Option<Vec<Rendered>>, ScenarioError> {
        // Only a scenario read from YAML renders Applications; one built
        // in code has no source.
        if self.source.is_none() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for docs in groups {
            if !docs.iter().any(is_application) {
                continue;
            }
            let read = read_applications_in(docs, file).map_err(located_all)?;
            for app in read.apps {
                m.warnings.retain(|w| {
                    !(w.file == app.file && w.line == app.pos.line && w.column == app.pos.column)
                });
                let rendering = render_all(&app).map_err(|e| located(e.locate(&app)))?;
                out.push(Rendered { app, items: rendering.items, warnings: rendering.warnings });
            }
        }
        Ok((!out.is_empty()).then_some(out))
    }

    /// An error at workload `i`'s `component:` key.
    fn component_error(&self, i: usize, message: &str) -> YamlError {
        self.field_error(&format!("workloads[{i}].component"), message)
    }

    /// An error at a field of the scenario file (`workloads[2].select`),
    /// saying `path: message`.
    pub(super) fn field_error(&self, path: &str, message: &str) -> YamlError {
        let pos = self
            .source
            .as_ref()
            .and_then(|s| s.docs.first())
            .map(|d| d.position_of(path))
            .unwrap_or_default();
        YamlError::at(&self.scenario_file(), pos, format!("{path}: {message}"))
    }

    /// The scenario file's name as errors print it.
    fn scenario_file(&self) -> String {
        self.source.as_ref().map(|s| s.file.clone()).unwrap_or_else(|| "scenario".into())
    }
}
