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
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// Which objects to take: every condition given must hold; `{}` takes
/// everything. A scenario workload's `select:` (part of a dump) and an
/// expectation group's (the workloads it bounds).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Select {
    /// The namespace, a glob (`team-*`). A cluster-scoped object (a
    /// CronOperation) has none and never matches one.
    pub namespace: Option<String>,
    /// The object name: a glob where `*` matches any run of characters and
    /// `?` one character.
    pub name: Option<String>,
    /// Labels the object must carry with exactly these values.
    pub labels: BTreeMap<String, String>,
}

/// What a [`Select`] is matched against: one object's identity.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    /// `None` for a cluster-scoped object.
    pub namespace: Option<&'a str>,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`, when known.
    pub labels: Option<&'a BTreeMap<SmolStr, SmolStr>>,
}

impl<'a> Identity<'a> {
    /// An object's identity from its metadata (an empty namespace is a
    /// cluster-scoped object's).
    pub fn of(meta: &'a ObjectMeta) -> Identity<'a> {
        let namespace = (!meta.namespace.is_empty()).then_some(meta.namespace.as_str());
        Identity { namespace, name: &meta.name, labels: Some(&meta.labels) }
    }

    /// The identity a report's workload key gives (`namespace/name`, or a
    /// CronOperation's `name`), without labels.
    pub fn of_key(key: &'a str) -> Identity<'a> {
        match key.split_once('/') {
            Some((ns, name)) => Identity { namespace: Some(ns), name, labels: None },
            None => Identity { namespace: None, name: key, labels: None },
        }
    }
}

impl Select {
    /// Whether `id` satisfies every condition. Labels asked of an identity
    /// whose labels are unknown do not match.
    pub fn matches(&self, id: Identity<'_>) -> bool {
        let ns = match (&self.namespace, id.namespace) {
            (None, _) => true,
            (Some(p), Some(ns)) => glob_match(p, ns),
            (Some(_), None) => false,
        };
        let name = self.name.as_deref().is_none_or(|p| glob_match(p, id.name));
        let labels = self.labels.is_empty()
            || id.labels.is_some_and(|have| {
                self.labels.iter().all(|(k, v)| have.get(k.as_str()).is_some_and(|h| h == v))
            });
        ns && name && labels
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

/// `pattern` matches all of `text`: `*` stands for any run of characters
/// (none included), `?` for exactly one; every other character for itself.
///
/// Written here rather than taken from a glob crate: selectors match short
/// object names, never paths, and need only these two wildcards (no
/// classes, braces or `**`): a linear walk with one backtrack point, no
/// allocation and no recursion, so a hostile pattern (`*a*a*a…`) stays
/// quadratic at worst.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Byte offsets into both strings, always on character boundaries.
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text offset it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(tc) = text[ti..].chars().next() {
        match pattern[pi..].chars().next() {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(pc) if pc == '?' || pc == tc => {
                pi += pc.len_utf8();
                ti += tc.len_utf8();
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((sp, st)) => {
                    let next = st + text[st..].chars().next().map_or(1, char::len_utf8);
                    (pi, ti) = (sp + 1, next);
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    pattern[pi..].chars().all(|c| c == '*')
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
        assert!(glob_match("a*b", "abab"));
        assert!(!glob_match("", "x"));
        assert!(glob_match("ü?", "üx"));
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
        let id = Identity::of(&meta);
        assert!(s.matches(id));
        s.labels.insert("team".into(), "y".into());
        assert!(!s.matches(id));
        s.labels.insert("team".into(), "x".into());
        assert!(s.matches(id));
        assert!(!Select { namespace: Some("web".into()), ..Select::default() }.matches(id));
        assert!(Select::default().matches(id));
        // A cluster-scoped object matches no namespace, and unknown labels
        // match no label condition.
        let co = Identity::of_key("backup-db");
        assert!(Select { name: Some("backup-*".into()), ..Select::default() }.matches(co));
        assert!(!Select { namespace: Some("*".into()), ..Select::default() }.matches(co));
        assert!(!s.matches(Identity::of_key("data/backup-db")));
        assert_eq!(s.describe(), "namespace=data, name=backup-*, team=x");
    }
}
