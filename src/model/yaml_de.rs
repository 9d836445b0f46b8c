//! A serde `Deserializer` over a located [`Node`] tree.
//!
//! Errors remember the position of the innermost node they arose at and
//! collect the field path on their way out, so the caller can say
//! `spec.jobTemplate.spec.parallelism: invalid type …` at the right line.

use super::yaml_node::{Node, Position, Value};
use serde::de::{self, DeserializeSeed, Deserializer as _, IntoDeserializer, Visitor};
use std::fmt;

/// A deserialization error with the position and path it arose at.
#[derive(Debug)]
pub(crate) struct DeError {
    pub msg: String,
    pub pos: Option<Position>,
    /// Path steps, innermost first (pushed while unwinding).
    rev_path: Vec<String>,
}

impl DeError {
    /// The field path, outermost first (`spec.items[2].name`).
    pub(super) fn path(&self) -> String {
        let mut out = String::new();
        for step in self.rev_path.iter().rev() {
            if !step.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(step);
        }
        out
    }

    fn locate(mut self, pos: Position) -> DeError {
        self.pos.get_or_insert(pos);
        self
    }

    fn under(mut self, step: String) -> DeError {
        self.rev_path.push(step);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError { msg: msg.to_string(), pos: None, rev_path: Vec::new() }
    }
}

/// Deserializes from one node. Keys are read leniently: a scalar key
/// (`1:`) reads as its text, as YAML-to-JSON conversion does.
pub(crate) struct NodeDe<'a> {
    node: &'a Node,
    is_key: bool,
}

impl<'a> NodeDe<'a> {
    pub(super) fn new(node: &'a Node) -> NodeDe<'a> {
        NodeDe { node, is_key: false }
    }

    fn scalar_text(&self) -> Option<String> {
        match &self.node.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(n) => Some(n.to_string()),
            Value::UInt(n) => Some(n.to_string()),
            Value::Float(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Runs `f`, attributing any unlocated error to this node.
fn at<T>(pos: Position, r: Result<T, DeError>) -> Result<T, DeError> {
    r.map_err(|e| e.locate(pos))
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        let r = match &self.node.value {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Int(n) => v.visit_i64(*n),
            Value::UInt(n) => v.visit_u64(*n),
            Value::Float(n) => v.visit_f64(*n),
            Value::Str(s) => v.visit_borrowed_str(s),
            Value::Seq(items) => v.visit_seq(SeqDe { items: items.iter(), index: 0 }),
            Value::Map(entries) => v.visit_map(MapDe { entries: entries.iter(), value: None }),
        };
        at(pos, r)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => at(self.node.pos, v.visit_none()),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match (&self.node.value, self.is_key) {
            (Value::Null, false) => at(self.node.pos, v.visit_borrowed_str("")),
            (_, true) if self.scalar_text().is_some() => {
                at(self.node.pos, v.visit_string(self.scalar_text().unwrap_or_default()))
            }
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => at(self.node.pos, v.visit_bool(false)),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => at(self.node.pos, v.visit_seq(SeqDe { items: [].iter(), index: 0 })),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => at(self.node.pos, v.visit_map(MapDe { entries: [].iter(), value: None })),
            _ => self.deserialize_any(v),
        }
    }

    /// A mapping, or `null` for an empty one. serde's derived structs
    /// also take a sequence of their fields in order (`controller: [UTC]`
    /// read as `localZone: UTC`), which no Kubernetes object or scenario
    /// means, and their type errors name the Rust type (`expected struct
    /// Keys`): both say "a mapping" here instead.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        use de::Unexpected as U;
        let unexpected = match &self.node.value {
            Value::Null | Value::Map(_) => return self.deserialize_map(v),
            Value::Bool(b) => U::Bool(*b),
            Value::Int(n) => U::Signed(*n),
            Value::UInt(n) => U::Unsigned(*n),
            Value::Float(n) => U::Float(*n),
            Value::Str(s) => U::Str(s),
            Value::Seq(_) => U::Seq,
        };
        Err(<DeError as de::Error>::invalid_type(unexpected, &"a mapping").locate(self.node.pos))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        at(pos, v.visit_newtype_struct(self))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        match &self.node.value {
            Value::Str(s) => at(pos, v.visit_enum(de::value::BorrowedStrDeserializer::<DeError>::new(s))),
            Value::Map(entries) if entries.len() == 1 => match entries.first() {
                Some((key, value)) => at(pos, v.visit_enum(EnumDe { key, value })),
                None => self.deserialize_any(v),
            },
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.number(v)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

impl<'de> NodeDe<'de> {
    /// Numbers: `null` is 0; everything else as written, so the visitor
    /// range-checks (`300` into a `u8` fails with the usual message).
    fn number<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => at(self.node.pos, v.visit_u64(0)),
            _ => self.deserialize_any(v),
        }
    }
}

struct SeqDe<'a> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else { return Ok(None) };
        let i = self.index;
        self.index += 1;
        seed.deserialize(NodeDe::new(node)).map(Some).map_err(|e| e.locate(node.pos).under(format!("[{i}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<(&'a Node, &'a Node)>,
}

/// How a key shows in a path: its text, or `?` for a non-scalar key.
fn key_step(key: &Node) -> String {
    match &key.value {
        Value::Str(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        Value::Float(n) => n.to_string(),
        Value::Null => "null".into(),
        Value::Seq(_) | Value::Map(_) => "?".into(),
    }
}

impl<'de> de::MapAccess<'de> for MapDe<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(NodeDe { node: key, is_key: true }).map(Some).map_err(|e| e.locate(key.pos))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a map value was requested before its key"));
        };
        seed.deserialize(NodeDe::new(value)).map_err(|e| e.locate(value.pos).under(key_step(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An externally tagged enum written as a one-entry mapping
/// (`{variant: value}`).
struct EnumDe<'a> {
    key: &'a Node,
    value: &'a Node,
}

impl<'de> de::EnumAccess<'de> for EnumDe<'de> {
    type Error = DeError;
    type Variant = NodeDe<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, NodeDe<'de>), DeError> {
        let v =
            seed.deserialize(NodeDe { node: self.key, is_key: true }).map_err(|e| e.locate(self.key.pos))?;
        Ok((v, NodeDe::new(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDe<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.node.value {
            Value::Null => Ok(()),
            _ => Err(de::Error::custom("expected no value for a unit variant"))
                .map_err(|e: DeError| e.locate(self.node.pos)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, v)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, v)
    }
}

impl<'de> IntoDeserializer<'de, DeError> for NodeDe<'de> {
    type Deserializer = NodeDe<'de>;
    fn into_deserializer(self) -> NodeDe<'de> {
        self
    }
}
