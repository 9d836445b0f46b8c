//! Which files under the paths [`gate`](super::gate()) is given are
//! scenarios, and where each one's golden report lives.

use crate::Error;
use crate::model::input::read_text;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One scenario file found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The file, as found: the searched path joined with the rest.
    pub path: PathBuf,
    /// The path relative to the searched directory, `/`-separated (a file
    /// given by itself: its file name). The golden report's title, so it
    /// is the same on every machine and for every spelling of the path.
    pub name: String,
    /// Its golden report.
    pub golden: PathBuf,
}

/// The scenario files under `paths`, each path's in sorted order of
/// [`Found::name`], then the next path's. A directory is searched
/// recursively for `*.yaml`/`*.yml` files with a top-level `workloads:` key
/// ([`looks_like_scenario`]); other YAML (manifests a scenario reads with
/// `path:`, kubectl dumps) is skipped without a word. Hidden directories
/// (`.git`) and symbolic links to directories are not entered: the first
/// is never a team's scenarios, the second could loop. A file named on its
/// own is a scenario whatever it holds, so a typo in one is reported
/// rather than skipped.
///
/// A scenario reached twice (two paths overlapping) is run once. Two
/// scenarios whose golden reports would be the same file (`a.yaml` and
/// `a.yml`; the same relative path under two searched directories with
/// `golden_dir`) are an error, as is a path that does not exist.
pub(crate) fn discover(
    paths: &[PathBuf],
    golden_dir: Option<&Path>,
    max_input: u64,
) -> Result<Vec<Found>, Error> {
    let mut found = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|source| Error::Io { path: root.clone(), source })?;
        let mut here = Vec::new();
        if meta.is_dir() {
            walk(root, root, max_input, &mut here)?;
        } else {
            let name =
                root.file_name().map_or_else(|| root.display().to_string(), |n| n.to_string_lossy().into());
            here.push((name, root.clone()));
        }
        here.sort();
        for (name, path) in here {
            let golden = golden_path(&path, &name, golden_dir);
            found.push(Found { path, name, golden });
        }
    }
    dedup(found)
}

/// Drops a scenario reached a second time; refuses two scenarios sharing
/// one golden report.
fn dedup(found: Vec<Found>) -> Result<Vec<Found>, Error> {
    // By canonical path, so `dir/` and `dir/sub/` overlapping, or a
    // symlinked file, count once; a path that cannot be resolved is its
    // own.
    let key = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut seen = BTreeSet::new();
    let mut goldens: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    let mut out = Vec::new();
    for f in found {
        if !seen.insert(key(&f.path)) {
            continue;
        }
        let golden_key = match (f.golden.parent(), f.golden.file_name()) {
            (Some(d), Some(n)) => key(if d.as_os_str().is_empty() { Path::new(".") } else { d }).join(n),
            _ => f.golden.clone(),
        };
        if let Some(other) = goldens.insert(golden_key, f.path.clone()) {
            return Err(Error::invalid(
                format!(
                    "{} and {} would share the golden report {}: rename one of them, or test them separately",
                    other.display(),
                    f.path.display(),
                    f.golden.display(),
                ),
                None,
            ));
        }
        out.push(f);
    }
    Ok(out)
}

/// Collects `(name relative to root, path)` of the scenarios under `dir`.
fn walk(root: &Path, dir: &Path, max_input: u64, out: &mut Vec<(String, PathBuf)>) -> Result<(), Error> {
    for path in files_under(dir)? {
        if !is_yaml(&path) || !looks_like_scenario(&path, max_input) {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        out.push((name, path));
    }
    Ok(())
}

/// Every file under `dir`, recursively, except in hidden directories
/// (`.git`); symbolic links to directories are not followed (they could
/// lead back up).
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io { path: dir.to_path_buf(), source };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if entry.file_type().map_err(io)?.is_dir() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                out.extend(files_under(&path)?);
            }
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

/// Golden reports no scenario found here owns: left behind when a
/// scenario was renamed or deleted, they would otherwise sit there looking
/// checked. Looked for in the golden directory, or else beside the
/// scenarios under each searched directory (`*.golden.md`); a scenario
/// file given on its own owns only its own golden. Sorted.
pub(crate) fn stale_goldens(paths: &[PathBuf], golden_dir: Option<&Path>, found: &[Found]) -> Vec<PathBuf> {
    let key = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let owned: BTreeSet<PathBuf> = found.iter().map(|f| key(&f.golden)).collect();
    let candidates: Vec<PathBuf> = match golden_dir {
        Some(dir) => files_under(dir)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect(),
        None => paths
            .iter()
            .filter(|p| p.is_dir())
            .flat_map(|d| files_under(d).unwrap_or_default())
            .filter(|p| p.to_string_lossy().ends_with(".golden.md"))
            .collect(),
    };
    let mut stale: Vec<PathBuf> = candidates.into_iter().filter(|p| !owned.contains(&key(p))).collect();
    stale.sort();
    stale.dedup();
    stale
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// A scenario's top-level mapping has a `workloads:` key: a line that
/// starts with it, unindented (YAML indents everything nested, block
/// scalars included). Read as text rather than parsed, so a scenario with
/// a syntax error is still found, and reported, instead of skipped. A file
/// that cannot be read (too large, not UTF-8, not a regular file) might be
/// one: it is kept, and loading it says what is wrong.
pub(crate) fn looks_like_scenario(path: &Path, max_input: u64) -> bool {
    let Ok(text) = read_text(path, max_input) else { return true };
    text.lines().any(|line| {
        let key = ["workloads", "\"workloads\"", "'workloads'"].iter().find_map(|k| line.strip_prefix(k));
        key.is_some_and(|rest| rest.trim_start_matches(' ').starts_with(':'))
    })
}

/// `dir/foo.yaml` → `dir/foo.golden.md` next to it; with a golden
/// directory, `DIR/<name>` with `.yaml`/`.yml` replaced by `.md`.
fn golden_path(path: &Path, name: &str, golden_dir: Option<&Path>) -> PathBuf {
    let stem = |s: &str| -> String {
        let lower = s.to_ascii_lowercase();
        let cut = if lower.ends_with(".yaml") {
            s.len() - 5
        } else if lower.ends_with(".yml") {
            s.len() - 4
        } else {
            s.len()
        };
        s[..cut].to_string()
    };
    match golden_dir {
        Some(dir) => dir.join(format!("{}.md", stem(name))),
        None => {
            let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            path.with_file_name(format!("{}.golden.md", stem(&file)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goldens_sit_next_to_the_scenario_or_mirror_it_under_a_directory() {
        let p = Path::new("team/cron/a.yaml");
        assert_eq!(golden_path(p, "cron/a.yaml", None), Path::new("team/cron/a.golden.md"));
        assert_eq!(golden_path(Path::new("b.YML"), "b.YML", None), Path::new("b.golden.md"));
        let dir = Path::new("goldens");
        assert_eq!(golden_path(p, "cron/a.yaml", Some(dir)), Path::new("goldens/cron/a.md"));
    }

    #[test]
    fn a_scenario_has_an_unindented_workloads_key() {
        let dir = std::env::temp_dir().join(format!("cronwarp-gate-discover-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let check = |text: &str| {
            let f = dir.join("x.yaml");
            std::fs::write(&f, text).unwrap();
            looks_like_scenario(&f, 1 << 20)
        };
        assert!(check("# intro\nhorizon: {}\nworkloads:\n  - path: x\n"));
        assert!(check("\"workloads\" : []\n"));
        assert!(check("workloads: [\n"), "a broken scenario is still one");
        assert!(!check("apiVersion: batch/v1\nkind: CronJob\nspec:\n  workloads: 1\n"));
        assert!(!check("workloadsExtra: 1\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
