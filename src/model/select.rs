//! Choosing objects by namespace, name glob and labels: the `select:` of a
//! scenario workload that takes part of a cluster dump, and of a per-workload
//! expectation.
//!
//! Name patterns are shell-style globs (`backup-*`, `report-?`), matched on
//! the whole name, because that is how people already write object names
//! in `kubectl get ... | grep` habits; label selection is equality on every
//! listed label, like `kubectl get -l team=data,tier=batch`.

use super::meta::ObjectMeta;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which objects to take: all given conditions must hold; an empty
/// selector takes everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Select {
    /// The namespace, exactly (a glob is allowed too: `team-*`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object name: a glob where `*` matches any run of characters and
    /// `?` one character.
    #[serde(default)]
    pub name: Option<String>,
    /// Labels the object must carry with exactly these values.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Select {
    /// Whether `meta` satisfies every condition. Cluster-scoped objects
    /// (empty namespace) match only a selector without a namespace.
    pub fn matches(&self, meta: &ObjectMeta) -> bool {
        self.namespace.as_deref().is_none_or(|ns| glob_match(ns, &meta.namespace))
            && self.name.as_deref().is_none_or(|n| glob_match(n, &meta.name))
            && self.labels.iter().all(|(k, v)| meta.labels.get(k.as_str()).is_some_and(|have| have == v))
    }

    /// The selector as `kubectl` users read it: `namespace=data, name=backup-*, team=x`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(ns) = &self.namespace {
            parts.push(format!("namespace={ns}"));
        }
        if let Some(n) = &self.name {
            parts.push(format!("name={n}"));
        }
        parts.extend(self.labels.iter().map(|(k, v)| format!("{k}={v}")));
        if parts.is_empty() { "everything".into() } else { parts.join(", ") }
    }
}

/// Whole-string glob match with `*` (any run, possibly empty) and `?` (one
/// character). Iterative with one backtrack point, so a hostile pattern
/// (`*a*a*a*…`) stays linear in practice and never recurses.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_the_whole_name() {
        assert!(glob_match("backup-*", "backup-db"));
        assert!(glob_match("backup-*", "backup-"));
        assert!(!glob_match("backup-*", "db-backup-x"));
        assert!(glob_match("*-backup", "db-backup"));
        assert!(glob_match("report-?", "report-a"));
        assert!(!glob_match("report-?", "report-ab"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn a_hostile_pattern_finishes() {
        let text = "a".repeat(2000);
        assert!(!glob_match(&format!("{}b", "*a".repeat(50)), &text));
    }

    #[test]
    fn selectors_need_every_condition() {
        let mut meta =
            ObjectMeta { name: "backup-db".into(), namespace: "data".into(), ..ObjectMeta::default() };
        meta.labels.insert("team".into(), "x".into());
        let mut s =
            Select { namespace: Some("data".into()), name: Some("backup-*".into()), ..Select::default() };
        assert!(s.matches(&meta));
        s.labels.insert("team".into(), "y".into());
        assert!(!s.matches(&meta));
        s.labels.insert("team".into(), "x".into());
        assert!(s.matches(&meta));
        assert!(!Select { namespace: Some("web".into()), ..Select::default() }.matches(&meta));
        assert!(Select::default().matches(&meta));
        assert_eq!(s.describe(), "namespace=data, name=backup-*, team=x");
    }
}
