//! Located YAML reading, generic over the target type.
//!
//! Text is parsed once by `serde-saphyr` into a [`Node`] tree that keeps the
//! line and column of every key and value; typed values are then read from
//! that tree (see [`from_node`]). Two passes cost little and buy three
//! things: every error carries a position and the path of the field it is
//! about, a caller can dispatch on a field (`kind`) before choosing the
//! type, and later diagnostics (API validation) can point at the line of any
//! field path with [`Node::position_of`].
//!
//! A YAML `null` reads as the zero value of a non-optional field (empty
//! string, empty list, `0`, `false`), as Go's JSON decoding leaves such a
//! field at its zero value; `creationTimestamp: null` is common in real
//! manifests.

use super::yaml_de::NodeDe;
use serde::de::DeserializeOwned;
use std::fmt;

pub use super::yaml_node::{Node, Position, Value};

/// A positioned diagnostic: `file:line:col: message`, plus an optional
/// plain-language hint on how to fix it.
///
/// Used for YAML syntax errors, type errors, and (by the API validation
/// layer) for rejected field values. Lines and columns are 1-based; both are
/// 0 when the position is unknown (an empty file, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The file the diagnostic is about.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it, in plain words; None when there is no hint.
    pub hint: Option<String>,
}

impl YamlError {
    /// A diagnostic at `pos` in `file`.
    pub fn at(file: &str, pos: Position, message: impl Into<String>) -> YamlError {
        YamlError {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            hint: None,
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> YamlError {
        self.hint = Some(hint.into());
        self
    }

    /// The position as a [`Position`].
    pub fn position(&self) -> Position {
        Position { line: self.line, column: self.column }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for YamlError {}

#[cfg(test)]
thread_local! {
    /// How many texts this thread has parsed, so that a test can hold a
    /// reader to one parse per file.
    pub(crate) static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parses every document of a `---` stream into located trees. Empty
/// documents are skipped.
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Node>, YamlError> {
    #[cfg(test)]
    PARSES.with(|n| n.set(n.get() + 1));
    super::yaml_node::parse(text).map_err(|(pos, msg, hint)| {
        let (message, hint) = match hint {
            Some(h) => (msg, Some(h)),
            None => explain_syntax(&msg),
        };
        YamlError { file: file.to_string(), line: pos.line, column: pos.column, message, hint }
    })
}

/// Reads one `T` from a single-document YAML text.
///
/// An empty text reads as `null` (so a `T` whose fields all default is
/// fine); more than one document is an error located at the second.
pub fn from_yaml<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, YamlError> {
    from_documents(&parse_documents(text, file)?, file)
}

/// [`from_yaml`] on documents already parsed, for a caller that keeps the
/// trees (to position later diagnostics) without parsing the text twice.
pub fn from_documents<T: DeserializeOwned>(docs: &[Node], file: &str) -> Result<T, YamlError> {
    match docs {
        [] => from_node(&Node::null(Position { line: 1, column: 1 }), file),
        [one] => from_node(one, file),
        [_, second, ..] => Err(YamlError::at(file, second.pos, "expected one YAML document, found several")
            .with_hint("remove the `---` separators, or pass one document per file")),
    }
}

/// Reads a `T` from each document of a `---` stream (empty documents are
/// skipped).
pub fn from_yaml_multi<T: DeserializeOwned>(text: &str, file: &str) -> Result<Vec<T>, YamlError> {
    parse_documents(text, file)?.iter().map(|d| from_node(d, file)).collect()
}

/// Reads a `T` from an already parsed tree; errors point at the offending
/// key or value and name its field path.
pub fn from_node<T: DeserializeOwned>(node: &Node, file: &str) -> Result<T, YamlError> {
    T::deserialize(NodeDe::new(node)).map_err(|e| {
        let pos = e.pos.unwrap_or(node.pos);
        let path = e.path();
        let (message, hint) = match out_of_range(&e.msg, &path) {
            Some(m) => (m, None),
            None => {
                (if path.is_empty() { e.msg.clone() } else { format!("{path}: {}", e.msg) }, hint_for(&e.msg))
            }
        };
        YamlError { file: file.to_string(), line: pos.line, column: pos.column, message, hint }
    })
}

/// serde's message for a whole number outside an integer field's range,
/// rewritten to name the range: `seed: the number is out of range: seed
/// must be 0..=18446744073709551615`. A number past `u64` reaches serde
/// as a float (`18446744073709552000.0`, not what was written), so that
/// one is not repeated.
fn out_of_range(msg: &str, path: &str) -> Option<String> {
    let ty = msg.rsplit("expected ").next().unwrap_or("");
    let (min, max) = integer_range(ty)?;
    let shown = msg.split('`').nth(1).unwrap_or("");
    let number = if msg.starts_with("invalid value: integer") {
        shown.to_string()
    } else if msg.starts_with("invalid type: floating point") {
        let whole = shown
            .strip_suffix(".0")
            .is_some_and(|d| d.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()));
        if !whole {
            return None;
        }
        "the number".to_string()
    } else {
        return None;
    };
    let field = path.rsplit('.').next().unwrap_or("").split('[').next().unwrap_or("");
    let field = if field.is_empty() { "the value" } else { field };
    let head = if path.is_empty() { String::new() } else { format!("{path}: ") };
    Some(format!("{head}{number} is out of range: {field} must be {min}..={max}"))
}

/// Rewords parser messages aimed at library users, and adds hints.
fn explain_syntax(msg: &str) -> (String, Option<String>) {
    if let Some((head, _)) = msg.split_once(", set DuplicateKeyPolicy") {
        return (
            head.to_string(),
            Some("a key may appear only once per mapping: remove or rename one".into()),
        );
    }
    let hint = if msg.contains("mapping values are not allowed") {
        Some("a value containing `: ` must be quoted, or a nested mapping must start on its own line".into())
    } else if msg.contains("did not find expected") || msg.contains("indentation") {
        Some("check the indentation: siblings must start in the same column".into())
    } else if msg.contains("unclosed") {
        Some("a `[`, `{` or quote is not closed".into())
    } else if msg.contains("\\u{0}") {
        Some("a NUL character: the file may be UTF-16 or binary; save it as UTF-8 text".into())
    } else if msg.contains('\t') || msg.contains("tab") {
        Some("YAML indentation must use spaces, not tabs".into())
    } else {
        None
    };
    (msg.to_string(), hint)
}

/// A hint for a deserialization message: "did you mean" for unknown fields
/// and variants, quoting advice for type mismatches.
pub fn hint_for(msg: &str) -> Option<String> {
    for what in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = msg.split_once(what).map(|(_, r)| r) {
            let (name, tail) = rest.split_once('`')?;
            let candidates = backticked(tail);
            return match closest(name, &candidates) {
                Some(c) => Some(format!("did you mean `{c}`?")),
                None if candidates.is_empty() => Some(format!("remove `{name}`: nothing is accepted here")),
                None => {
                    Some(format!("remove `{name}` or check its indentation (it may belong to another level)"))
                }
            };
        }
    }
    if msg.starts_with("invalid type: boolean") && msg.contains("expected a string") {
        return Some(
            "YAML reads y, yes, on, n, no, off, true and false as booleans: quote the value (\"yes\")".into(),
        );
    }
    if msg.contains("expected a string") && msg.starts_with("invalid type:") && !msg.contains("map") {
        return Some("quote the value to make it a string, e.g. \"5\"".into());
    }
    let expected = msg.rsplit("expected ").next().unwrap_or("");
    let integer = matches!(expected, "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64");
    if integer && msg.starts_with("invalid type:") {
        return Some("write a whole number, without quotes (e.g. 3)".into());
    }
    if msg.starts_with("missing field `") {
        return Some("add the field; it has no default".into());
    }
    None
}

/// The range of a Rust integer type named as serde names it.
fn integer_range(ty: &str) -> Option<(i128, u128)> {
    Some(match ty {
        "i8" => (i8::MIN.into(), i8::MAX as u128),
        "i16" => (i16::MIN.into(), i16::MAX as u128),
        "i32" => (i32::MIN.into(), i32::MAX as u128),
        "i64" => (i64::MIN.into(), i64::MAX as u128),
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// The `backticked` words of an "expected one of `a`, `b`" tail.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// The candidate nearest to `name` by edit distance (case-insensitive),
/// if near enough to be a plausible typo.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= limit || (lower.len() >= 4 && c.to_ascii_lowercase().starts_with(&lower)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting an adjacent transposition as one edit (optimal
/// string alignment), since swapped letters are the commonest typo.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Cfg {
        schedule: String,
        #[serde(default)]
        parallelism: Option<i32>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
        #[serde(default)]
        mode: Mode,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    enum Mode {
        #[default]
        Fast,
        Slow,
    }

    #[test]
    fn reads_a_document() {
        let c: Cfg =
            from_yaml("schedule: '*/5 * * * *'\nitems:\n  - name: a\n    mode: Slow\n", "f.yaml").unwrap();
        assert_eq!(c.schedule, "*/5 * * * *");
        assert_eq!(c.items, vec![Item { name: "a".into(), mode: Mode::Slow }]);
    }

    #[test]
    fn unknown_field_is_located_with_a_suggestion() {
        let e = from_yaml::<Cfg>("schedule: x\nitems:\n  - name: a\n    mdoe: Slow\n", "f.yaml").unwrap_err();
        assert_eq!((e.line, e.column), (4, 5));
        assert!(e.message.starts_with("items[0]: unknown field `mdoe`"), "{}", e.message);
        assert_eq!(e.hint.as_deref(), Some("did you mean `mode`?"));
        let shown = e.to_string();
        assert!(shown.starts_with("f.yaml:4:5: items[0]: unknown field `mdoe`"), "{shown}");
        assert!(shown.ends_with("\n  hint: did you mean `mode`?"), "{shown}");
    }

    #[test]
    fn unknown_variant_gets_a_suggestion() {
        let e = from_yaml::<Cfg>("schedule: x\nitems:\n- name: a\n  mode: slow\n", "f").unwrap_err();
        assert_eq!((e.line, e.column), (4, 9));
        assert_eq!(e.hint.as_deref(), Some("did you mean `Slow`?"));
    }

    #[test]
    fn type_errors_name_the_field_path() {
        let e = from_yaml::<Cfg>("schedule: x\nparallelism: two\n", "f").unwrap_err();
        assert_eq!((e.line, e.column), (2, 14));
        assert!(e.message.starts_with("parallelism: invalid type: string \"two\""), "{}", e.message);
        assert_eq!(e.hint.as_deref(), Some("write a whole number, without quotes (e.g. 3)"));
        let e = from_yaml::<Cfg>("schedule: 5\n", "f").unwrap_err();
        assert!(e.hint.unwrap().contains("quote"));
        // A whole number past the type's range reads as a float: the hint
        // names the range instead of asking for a whole number.
        let e = from_yaml::<Cfg>("schedule: x\nparallelism: 99999999999999999999\n", "f").unwrap_err();
        assert_eq!(
            e.message,
            "parallelism: the number is out of range: parallelism must be -2147483648..=2147483647"
        );
        assert_eq!(e.hint, None);
        let e = from_yaml::<Cfg>("schedule: x\nparallelism: 3000000000\n", "f").unwrap_err();
        assert_eq!(
            e.message,
            "parallelism: 3000000000 is out of range: parallelism must be -2147483648..=2147483647"
        );
        let e = from_yaml::<Cfg>("schedule: x\nparallelism: 2.5\n", "f").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("write a whole number, without quotes (e.g. 3)"));
        // YAML 1.1 booleans, as Kubernetes' YAML reader also resolves them.
        let e = from_yaml::<Cfg>("schedule: on\n", "f").unwrap_err();
        assert!(e.hint.unwrap().starts_with("YAML reads y, yes, on"));
    }

    #[test]
    fn missing_field_points_at_the_mapping() {
        let e = from_yaml::<Cfg>("items:\n  - name: a\n", "f").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(e.message, "missing field `schedule`");
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = from_yaml::<Cfg>("schedule: [1, 2\n", "s.yaml").unwrap_err();
        assert_eq!(e.file, "s.yaml");
        assert!(e.line >= 1 && e.hint.is_some(), "{e}");
        let e = from_yaml::<Cfg>("schedule: a\nschedule: b\n", "s.yaml").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "duplicate mapping key: schedule"));
    }

    #[test]
    fn multi_document_streams() {
        let v: Vec<Item> = from_yaml_multi("name: a\n---\n---\nname: b\n", "m").unwrap();
        assert_eq!(v.len(), 2);
        let e = from_yaml::<Item>("name: a\n---\nname: b\n", "m").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn null_reads_as_the_zero_value() {
        let c: Cfg = from_yaml("schedule: ~\nitems:\n", "n").unwrap();
        assert_eq!(c.schedule, "");
        assert!(c.items.is_empty());
    }

    #[test]
    fn edit_distance_and_closest() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("mdoe", "mode"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("schedual", &["schedule", "suspend"]), Some("schedule"));
        assert_eq!(
            closest("startingDeadline", &["startingDeadlineSeconds"]),
            Some("startingDeadlineSeconds")
        );
        assert_eq!(closest("zzz", &["schedule"]), None);
    }

    /// A deterministic xorshift stream, so the fuzz corpus is reproducible.
    fn garbage(seed: u64, len: usize, alphabet: &[u8]) -> String {
        let mut x = seed | 1;
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn never_panics_on_garbage() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        let yamlish = b"ab: -[]{},&*!|>'\"%@`#?\n\n  \t0123~.:";
        for seed in 1..400u64 {
            for text in
                [garbage(seed, (seed % 97) as usize, &bytes), garbage(seed, (seed % 211) as usize, yamlish)]
            {
                let _ = from_yaml::<Cfg>(&text, "fuzz");
                let _ = from_yaml_multi::<serde_json::Value>(&text, "fuzz");
                if let Ok(docs) = parse_documents(&text, "fuzz") {
                    for d in &docs {
                        let _ = d.position_of("a.b[0].c");
                    }
                }
            }
        }
    }
}
