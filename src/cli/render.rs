//! `cronwarp render`: the CronJobs a KubeVela Application's `cron-task`
//! components become, as YAML `kubectl apply` accepts.

use super::files::InputArgs;
use super::{CliError, Ctx, EXIT_INVALID_INPUT, EXIT_OK};
use crate::model::input::read_text;
use crate::model::kubevela::{read_applications, render_all, repeated_cronjob, validate_rendered};
use crate::model::yaml::YamlError;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Renders each `type: cron-task` component of the Application(s) in APP.yaml the way KubeVela does
(cluster 1.25 or later): the cron-task template with its defaults, then each json-merge-patch trait,
then the workload name, namespace and app.oam.dev labels. The CronJobs are printed as YAML documents
separated by `---`, keys in alphabetical order as kubectl prints them.

Each CronJob is then put through the API server's defaulting and validation; if one would be
rejected, nothing is printed and each rejection is reported at the Application line that caused it.
Two CronJobs with the same namespace and name (the same Application twice, or two Applications
with a component of the same name) are refused the same way: a cluster holds only one.
Other component types and other traits are skipped with a warning on stderr.

Examples:
  cronwarp render scenarios/manifests/kubevela-cron-task.yaml
  cronwarp render app.yaml | kubectl apply --dry-run=server -f -

APP.yaml must be a regular file of at most --max-input bytes.

Exit codes: 0 ok (warnings on stderr), 2 unreadable or oversized file, invalid YAML, a property of
the wrong type, or a CronJob the API server would reject; 3 internal error.";

/// `cronwarp render` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A file holding one or more `core.oam.dev/v1beta1` Applications.
    #[arg(value_name = "APP.yaml")]
    pub app: PathBuf,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Prints the rendered CronJobs, or the located reasons they cannot be.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let file = args.app.display().to_string();
    let text = read_text(&args.app, args.input.max_input).map_err(|e| {
        let hint =
            (e.kind() == std::io::ErrorKind::FileTooLarge).then(|| "raise the limit with --max-input".into());
        CliError::Invalid { message: format!("cannot read {file}: {e}"), hint }
    })?;
    let read = match read_applications(&text, &file) {
        Ok(r) => r,
        Err(errors) => return fail(&errors, ctx),
    };
    let mut warnings = read.warnings;
    let mut errors = Vec::new();
    let mut docs = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for app in &read.apps {
        match render_all(app) {
            Ok(rendering) => {
                warnings.extend(rendering.warnings.iter().map(|w| w.locate(app)));
                for item in &rendering.items {
                    errors.extend(validate_rendered(app, item));
                    errors.extend(repeated_cronjob(&mut seen, app, item));
                    docs.push(item.manifest.clone());
                }
            }
            Err(e) => errors.push(e.locate(app)),
        }
    }
    for w in &warnings {
        writeln!(ctx.err, "warning: {w}")?;
    }
    if !errors.is_empty() {
        return fail(&errors, ctx);
    }
    for (i, doc) in docs.iter().enumerate() {
        let yaml =
            serde_saphyr::to_string(doc).map_err(|e| CliError::Internal(format!("writing YAML: {e}")))?;
        if i > 0 {
            writeln!(ctx.out, "---")?;
        }
        write!(ctx.out, "{yaml}")?;
    }
    Ok(EXIT_OK)
}

/// Reports every error, located, and exits 2.
fn fail(errors: &[YamlError], ctx: &mut Ctx) -> Result<u8, CliError> {
    for e in errors {
        writeln!(ctx.err, "error: {e}")?;
    }
    Ok(EXIT_INVALID_INPUT)
}
