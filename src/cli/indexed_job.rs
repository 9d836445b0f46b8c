//! `cronwarp sweep --emit-indexed-job`: a Kubernetes Indexed Job that runs
//! a sweep's shards in a cluster, one pod per shard, with the scenario in a
//! ConfigMap and the parts on a volume to `cronwarp merge` afterwards.
//!
//! An Indexed Job (`completionMode: Indexed`) gives each pod its index in
//! the `JOB_COMPLETION_INDEX` environment variable, which the container's
//! command reads as `$(JOB_COMPLETION_INDEX)` (the kubelet expands it), so
//! pod I runs `--shard I/N` and writes `part-I.json`.

use super::CliError;
use super::sweep::Args;
use crate::Scenario;
use serde_json::{Value, json};
use std::path::{Component, Path, PathBuf};

/// Where the scenario's files are mounted; the container works there, so a
/// relative scenario path reads as it did on the machine that emitted the
/// Job, and the merged output names the scenario the same way.
const WORKDIR: &str = "/work";

/// Where the parts go.
const RESULTS: &str = "/results";

/// A ConfigMap holds at most 1 MiB.
const CONFIGMAP_LIMIT: usize = 1 << 20;

/// The Job, its ConfigMap and a claim for the results, as YAML.
pub(super) fn emit(args: &Args, scenario: &Scenario) -> Result<String, CliError> {
    let n = args.shards;
    if n == 0 || n > 10_000 {
        return Err(CliError::invalid(format!(
            "--shards {n}: an Indexed Job runs 1 to 10000 shards (completions); choose e.g. --shards 20"
        )));
    }
    let name = format!("cronwarp-sweep-{}", slug(&args.scenario));
    let scenario_path = in_workdir(&args.scenario);
    let mut files: Vec<(String, String, String)> = Vec::new(); // (key, path, text)
    let src = scenario.as_sim().source.as_ref();
    let text = src.map(|s| s.text.clone()).unwrap_or_default();
    files.push(("scenario.yaml".into(), path_str(&scenario_path), text));
    let dir = scenario_path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (i, w) in scenario.as_sim().workloads.iter().enumerate() {
        let (Some(p), Some(text)) = (&w.path, src.and_then(|s| s.files.get(&i)).map(|f| f.1.clone())) else {
            continue;
        };
        let path = normal(&dir.join(p)).ok_or_else(|| {
            CliError::invalid(format!(
                "workloads[{i}].path {p:?} leaves the scenario's directory; the Job mounts the scenario's \
                 directory only: move the manifest beside the scenario"
            ))
        })?;
        files.push((format!("manifest-{i}.yaml"), path_str(&path), text));
    }
    let size: usize = files.iter().map(|f| f.2.len()).sum();
    if size > CONFIGMAP_LIMIT {
        return Err(CliError::invalid(format!(
            "the scenario and its manifests are {size} bytes, over a ConfigMap's 1 MiB: build an image \
             with the files in it and run the printed command there instead"
        )));
    }
    let image = args.image.clone().unwrap_or_else(|| format!("cronwarp:{}", env!("CARGO_PKG_VERSION")));
    let configmap = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": files.iter().map(|(k, _, t)| (k.clone(), Value::String(t.clone()))).collect::<serde_json::Map<_, _>>(),
    });
    let claim = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": format!("{name}-results")},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
    });
    let command = vec![
        "cronwarp".to_string(),
        "sweep".into(),
        path_str(&scenario_path),
        "--seeds".into(),
        args.seeds.to_string(),
        "--shard".into(),
        format!("$(JOB_COMPLETION_INDEX)/{n}"),
        "--out".into(),
        format!("{RESULTS}/part-$(JOB_COMPLETION_INDEX).json"),
        "--quiet".into(),
    ];
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "completionMode": "Indexed",
            "completions": n,
            "parallelism": n.min(10),
            "backoffLimit": 6,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "sweep",
                        "image": image,
                        "workingDir": WORKDIR,
                        "command": command,
                        "volumeMounts": [
                            {"name": "scenario", "mountPath": WORKDIR, "readOnly": true},
                            {"name": "results", "mountPath": RESULTS},
                        ],
                    }],
                    "volumes": [
                        {"name": "scenario", "configMap": {
                            "name": name,
                            "items": files.iter().map(|(k, p, _)| json!({"key": k, "path": p})).collect::<Vec<_>>(),
                        }},
                        {"name": "results", "persistentVolumeClaim": {"claimName": format!("{name}-results")}},
                    ],
                },
            },
        },
    });
    let mut out = format!(
        "# cronwarp sweep {} --seeds {} as {n} shards: an Indexed Job, pod I runs --shard I/{n}\n\
         # and writes {RESULTS}/part-I.json on the claim {name}-results. Apply, wait, collect, merge:\n\
         #   kubectl apply -f job.yaml && kubectl wait --for=condition=complete --timeout=24h job/{name}\n\
         #   (copy {RESULTS}/*.json off the claim, e.g. with `kubectl cp` from a pod mounting it)\n\
         #   cronwarp merge part-*.json\n",
        path_str(&scenario_path),
        args.seeds
    );
    for doc in [configmap, claim, job] {
        out.push_str("---\n");
        out.push_str(
            &serde_saphyr::to_string(&doc)
                .map_err(|e| CliError::Internal(format!("writing the Job: {e}")))?,
        );
    }
    Ok(out)
}

/// The scenario file's path inside the work directory: as given when it is
/// relative and stays below the current directory, else its file name.
fn in_workdir(p: &Path) -> PathBuf {
    normal(p).unwrap_or_else(|| PathBuf::from(p.file_name().unwrap_or(p.as_os_str())))
}

/// `p` without `.` components, if relative and never above its start.
fn normal(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// A DNS label from the scenario's file name: lower case, digits and `-`.
fn slug(p: &Path) -> String {
    let stem = p.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let s: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.trim_matches('-');
    let s = if s.len() > 40 { &s[..40] } else { s };
    let s = s.trim_end_matches('-');
    if s.is_empty() { "scenario".into() } else { s.into() }
}
