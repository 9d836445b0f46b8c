//! The located YAML tree: every value and mapping key with its position.

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A 1-based line and column (0 when unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A YAML value with where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts.
    pub pos: Position,
}

/// A YAML value; mappings keep their keys (as nodes) in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// An integer too large for `i64`.
    UInt(u64),
    /// A floating-point number.
    Float(f64),
    /// A string (plain or quoted scalar).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping: key and value nodes in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A `null` at `pos`.
    pub fn null(pos: Position) -> Node {
        Node { value: Value::Null, pos }
    }

    /// The string, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entry `key` of a mapping, as `(key node, value node)`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The value under mapping key `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The node at a field path such as `spec.jobTemplate.spec` or
    /// `spec.rules[0].action`.
    pub fn find(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for seg in segments(path) {
            node = match seg {
                Seg::Key(k) => node.get(k)?,
                Seg::Index(i) => match &node.value {
                    Value::Seq(items) => items.get(i)?,
                    _ => return None,
                },
            };
        }
        Some(node)
    }

    /// Where to point for a diagnostic about `path`: the key of its last
    /// segment when present, else the nearest present ancestor's key (a
    /// missing field is reported where it should have been written).
    pub fn position_of(&self, path: &str) -> Position {
        let mut node = self;
        let mut best = self.pos;
        for seg in segments(path) {
            let next = match seg {
                Seg::Key(k) => node.entry(k).map(|(key, v)| (key.pos, v)),
                Seg::Index(i) => match &node.value {
                    Value::Seq(items) => items.get(i).map(|v| (v.pos, v)),
                    _ => None,
                },
            };
            match next {
                Some((pos, v)) => {
                    best = pos;
                    node = v;
                }
                None => break,
            }
        }
        best
    }
}

/// One step of a field path.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `a.b[0].c` into steps; malformed indices end the path early
/// rather than failing, since the result only positions a diagnostic.
fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            out.push(Seg::Key(key));
        }
        for idx in pieces {
            match idx.trim_end_matches(']').parse() {
                Ok(i) => out.push(Seg::Index(i)),
                Err(_) => return out,
            }
        }
    }
    out
}

/// Parses a `---` stream; on failure, the position, the parser's message
/// and, for a breached reading limit, a hint.
pub(crate) fn parse(text: &str) -> Result<Vec<Node>, (Position, String, Option<String>)> {
    use serde_saphyr::MessageFormatter;
    let limits = budget_for(text.len());
    let options = serde_saphyr::options! { with_snippet: false, budget: Some(limits.clone()) };
    serde_saphyr::from_str_multiple_with_options::<Node, Vec<Node>>(text, options).map_err(|e| {
        let pos = e
            .location()
            .map(|l| Position { line: clamp(l.line()), column: clamp(l.column()) })
            .unwrap_or_default();
        if let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() {
            let (message, hint) = budget_breach(breach, &limits);
            return (pos, message, Some(hint));
        }
        let message = serde_saphyr::DefaultMessageFormatter.format_message(&e).into_owned();
        // A limit breached while an alias is replayed arrives as text:
        // `budget breached: Nodes { nodes: 250001 }`.
        if let Some(breach) = message.strip_prefix("budget breached: ") {
            let (message, hint) = breach_in_words(breach.split([' ', '{']).next().unwrap_or(""), &limits);
            return (pos, message, Some(hint));
        }
        if let Some(rest) = message.strip_prefix("non-finite float ") {
            let number = rest.split('`').nth(1).unwrap_or(rest);
            return (
                pos,
                format!("{number} is not a finite number"),
                Some("write a number within range; YAML's .nan and .inf are not accepted here".into()),
            );
        }
        (pos, message, None)
    })
}

/// The reading limits for a text of `len` bytes: serde-saphyr's defaults,
/// with the counts that grow with honest input (values, parser events,
/// `---` documents) raised in proportion to the text, so that a
/// 1,000-CronJob `kubectl get -o yaml` dump (about 900,000 values in 7.5 MB)
/// reads. Every such value takes at least two bytes of text, so the tree
/// stays proportional to the input, which `--max-input` bounds; the limits
/// that stop a small file from expanding (aliases, anchors, merge keys,
/// depth) stay at their defaults.
fn budget_for(len: usize) -> serde_saphyr::Budget {
    let mut b = serde_saphyr::Budget::default();
    b.max_nodes = b.max_nodes.max(len / 4);
    b.max_events = b.max_events.max(len / 2);
    b.max_documents = b.max_documents.max(len / 256);
    b
}

/// A breached reading limit in words: which limit, its value, and the way
/// out. The limits bound the work one file can cause, so the way out is
/// more, smaller files.
fn budget_breach(
    breach: &serde_saphyr::budget::BudgetBreach,
    limits: &serde_saphyr::Budget,
) -> (String, String) {
    use serde_saphyr::budget::BudgetBreach as B;
    if let B::AliasAnchorRatio { aliases, anchors } = breach {
        let message = format!(
            "YAML limit exceeded: {aliases} aliases of {anchors} anchors, more than {} aliases per \
             anchor (how a small file expands into a huge one)",
            limits.alias_anchor_ratio_multiplier
        );
        return (message, "write the values out instead of aliasing them".into());
    }
    let debug = format!("{breach:?}");
    breach_in_words(debug.split([' ', '{']).next().unwrap_or(""), limits)
}

/// A breached limit, named as serde-saphyr's `BudgetBreach` variant
/// (`Nodes`, `Depth`, ...), in words.
fn breach_in_words(variant: &str, limits: &serde_saphyr::Budget) -> (String, String) {
    let split = "split the file: move workload manifests into files of their own with `path:` \
                 (each file has its own limits)";
    let (what, limit, hint) = match variant {
        "Nodes" => ("values (keys, scalars, lists and mappings)", limits.max_nodes, split),
        "Events" => ("parser events", limits.max_events, split),
        "ScalarBytes" => ("bytes of scalar text", limits.max_total_scalar_bytes, split),
        "Documents" => ("`---` documents", limits.max_documents, split),
        "Depth" => (
            "levels of nesting",
            limits.max_depth,
            "flatten the structure: no scenario or Kubernetes manifest nests that deep",
        ),
        "Aliases" => {
            ("aliases (`*name`)", limits.max_aliases, "write the values out instead of aliasing them")
        }
        "Anchors" => {
            ("anchors (`&name`)", limits.max_anchors, "write the values out instead of anchoring them")
        }
        "MergeKeys" => ("merge keys (`<<`)", limits.max_merge_keys, "write the merged keys out"),
        other => return (format!("YAML limit exceeded: {other}"), split.into()),
    };
    (
        format!("YAML limit exceeded: the file has more than {limit} {what}, the limit for one file"),
        hint.into(),
    )
}

fn clamp<N: TryInto<u32>>(n: N) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let s = serde_saphyr::Spanned::<Bare>::deserialize(d)?;
        let pos = Position { line: clamp(s.referenced.line()), column: clamp(s.referenced.column()) };
        Ok(Node { value: s.value.0, pos })
    }
}

/// A [`Value`] read without its own position (the [`Node`] wrapper adds it).
struct Bare(Value);

impl<'de> Deserialize<'de> for Bare {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Bare, D::Error> {
        d.deserialize_any(ValueVisitor).map(Bare)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(i64::try_from(n).map(Value::Int).unwrap_or(Value::UInt(n)))
    }
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<Value, E> {
        i64::try_from(n).map(Value::Int).map_err(|_| E::custom(format!("integer {n} is out of range")))
    }
    fn visit_u128<E: de::Error>(self, n: u128) -> Result<Value, E> {
        u64::try_from(n)
            .map(|n| self.visit_u64::<E>(n))
            .map_err(|_| E::custom(format!("integer {n} is out of range")))?
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Float(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(b).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = a.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = a.next_key::<Node>()? {
            let v = a.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let docs = parse("a: 1\nb:\n  - x\n  - c: 'y'\n---\nk: v\n").unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.find("b[1].c").and_then(Node::as_str), Some("y"));
        assert_eq!(d.position_of("b[1].c"), Position { line: 4, column: 5 });
        assert_eq!(d.position_of("b[0]"), Position { line: 3, column: 5 });
        // A missing leaf points at its nearest present ancestor.
        assert_eq!(d.position_of("b[9].c"), Position { line: 2, column: 1 });
        assert_eq!(d.position_of("a"), Position { line: 1, column: 1 });
        assert_eq!(docs[1].pos.line, 6);
    }

    #[test]
    fn aliases_and_merge_keys_are_resolved() {
        let d = &parse("base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  w: 2\n").unwrap()[0];
        assert_eq!(d.find("use.x").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(d.find("merged.x").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(d.find("merged.w").map(|n| &n.value), Some(&Value::Int(2)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        assert!(parse(&deep).is_err());
        let block: String = (0..2_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse(&block).is_err());
    }

    #[test]
    fn a_breached_limit_names_the_limit_and_the_way_out() {
        let many = format!("[{}]", vec!["0"; 250_001].join(","));
        let (_, message, hint) = parse(&many).unwrap_err();
        assert_eq!(
            message,
            "YAML limit exceeded: the file has more than 250000 values (keys, scalars, lists and mappings), \
             the limit for one file"
        );
        assert!(hint.is_some_and(|h| h.contains("`path:`")));
    }

    /// A big honest file (a 1,000-CronJob dump has about 900,000 values)
    /// gets limits in proportion to its size; a dense one still breaches.
    #[test]
    fn the_value_limit_grows_with_the_text() {
        let honest: String = (0..300_000).map(|i| format!("- value{i:07}\n")).collect();
        assert_eq!(parse(&honest).map(|d| d.len()).map_err(|e| e.1), Ok(1));
        assert!(budget_for(honest.len()).max_nodes > 300_000);
        assert_eq!(budget_for(10).max_nodes, 250_000);
    }

    #[test]
    fn malformed_paths_do_not_fail() {
        let d = &parse("a: [1]\n").unwrap()[0];
        assert_eq!(d.position_of("a[x].b"), Position { line: 1, column: 1 });
        assert!(d.find("a[9]").is_none());
    }
}
