//! Typed reads of a component's `properties`, checked the way CUE checks
//! them against a ComponentDefinition's `parameter` schema: a wrong type
//! or a value outside an enum is an error naming the property's path.

use super::RenderError;
use serde_json::{Map, Value};

/// One JSON object of properties and the field path it was read from
/// (`spec.components[0].properties`).
#[derive(Clone, Copy)]
pub(super) struct Props<'a> {
    pub map: &'a Map<String, Value>,
    pub path: &'a str,
}

/// The name CUE gives a JSON value's type in its conflict messages.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "struct",
    }
}

/// `path.key`, or `key` at the root.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

impl<'a> Props<'a> {
    /// The path of `key`.
    pub(super) fn at(&self, key: &str) -> String {
        join(self.path, key)
    }

    fn wrong_type(&self, key: &str, want: &str, got: &Value) -> RenderError {
        let mut e = RenderError::new(
            self.at(key),
            format!("conflicting values: the parameter is {want}, the property is {} {got}", type_name(got)),
        );
        if want == "string" && matches!(got, Value::Number(_) | Value::Bool(_)) {
            e = e.with_hint(format!("quote the value: {key}: \"{got}\""));
        }
        e
    }

    /// An optional string.
    pub(super) fn str_opt(&self, key: &str) -> Result<Option<&'a str>, RenderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.wrong_type(key, "string", v)),
        }
    }

    /// A required string.
    pub(super) fn str_req(&self, key: &str) -> Result<&'a str, RenderError> {
        self.str_opt(key)?.ok_or_else(|| self.missing(key, "string"))
    }

    /// A string with a CUE default.
    pub(super) fn str_or(&self, key: &str, default: &'a str) -> Result<&'a str, RenderError> {
        Ok(self.str_opt(key)?.unwrap_or(default))
    }

    /// An optional string restricted to `allowed`, like CUE's `"A" | "B"`.
    pub(super) fn enum_opt(&self, key: &str, allowed: &[&str]) -> Result<Option<&'a str>, RenderError> {
        let Some(s) = self.str_opt(key)? else { return Ok(None) };
        if allowed.contains(&s) {
            return Ok(Some(s));
        }
        let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
        let mut e = RenderError::new(
            self.at(key),
            format!("\"{s}\" is not one of the allowed values {}", quoted.join(" | ")),
        );
        if let Some(near) = crate::model::yaml::closest(s, allowed) {
            e = e.with_hint(format!("did you mean \"{near}\"?"));
        }
        Err(e)
    }

    /// An optional integer, range-checked for the API field it lands in
    /// (`bits` is 32 or 64): CUE's `int` is unbounded, but the API server
    /// cannot decode a larger value into the Go field.
    pub(super) fn int_opt(&self, key: &str, bits: u32) -> Result<Option<i64>, RenderError> {
        let v = match self.map.get(key) {
            None => return Ok(None),
            Some(v) => v,
        };
        let Some(n) = v.as_i64().filter(|_| !v.is_f64()) else {
            return Err(match v {
                Value::Number(_) => {
                    RenderError::new(self.at(key), format!("{v} is out of range or not an integer"))
                }
                _ => self.wrong_type(key, "int", v),
            });
        };
        if bits == 32 && i32::try_from(n).is_err() {
            return Err(RenderError::new(self.at(key), format!("{n} does not fit the API field (int32)")));
        }
        Ok(Some(n))
    }

    /// An integer with a CUE default.
    pub(super) fn int_or(&self, key: &str, bits: u32, default: i64) -> Result<i64, RenderError> {
        Ok(self.int_opt(key, bits)?.unwrap_or(default))
    }

    /// A boolean with a CUE default.
    pub(super) fn bool_or(&self, key: &str, default: bool) -> Result<bool, RenderError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.wrong_type(key, "bool", v)),
        }
    }

    /// An optional `[...string]`.
    pub(super) fn strings_opt(&self, key: &str) -> Result<Option<Vec<String>>, RenderError> {
        let Some(items) = self.list_opt(key)? else { return Ok(None) };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                v => {
                    return Err(RenderError::new(
                        format!("{}[{i}]", self.at(key)),
                        format!(
                            "conflicting values: the parameter is string, the item is {} {v}",
                            type_name(v)
                        ),
                    ));
                }
            }
        }
        Ok(Some(out))
    }

    /// An optional `[string]: string` map.
    pub(super) fn string_map_opt(&self, key: &str) -> Result<Option<Map<String, Value>>, RenderError> {
        let Some(m) = self.obj_opt(key)? else { return Ok(None) };
        for (k, v) in m.map {
            if !v.is_string() {
                return Err(Props { map: m.map, path: &m.path }.wrong_type(k, "string", v));
            }
        }
        Ok(Some(m.map.clone()))
    }

    /// An optional list.
    pub(super) fn list_opt(&self, key: &str) -> Result<Option<&'a Vec<Value>>, RenderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.wrong_type(key, "list", v)),
        }
    }

    /// An optional struct, with its path.
    pub(super) fn obj_opt(&self, key: &str) -> Result<Option<Owned<'a>>, RenderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Owned { map: m, path: self.at(key) })),
            Some(v) => Err(self.wrong_type(key, "struct", v)),
        }
    }

    /// An optional list of structs, each with its path.
    pub(super) fn obj_list_opt(&self, key: &str) -> Result<Option<Vec<Owned<'a>>>, RenderError> {
        let Some(items) = self.list_opt(key)? else { return Ok(None) };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", self.at(key));
            match item {
                Value::Object(m) => out.push(Owned { map: m, path }),
                v => {
                    return Err(RenderError::new(
                        path,
                        format!(
                            "conflicting values: the parameter is struct, the item is {} {v}",
                            type_name(v)
                        ),
                    ));
                }
            }
        }
        Ok(Some(out))
    }

    fn missing(&self, key: &str, want: &str) -> RenderError {
        RenderError::new(self.at(key), format!("required parameter `{key}` ({want}) is not set"))
    }
}

/// A struct of properties that owns its path (for nested reads).
pub(super) struct Owned<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
}

impl<'a> Owned<'a> {
    /// Borrowed view for typed reads.
    pub(super) fn props(&self) -> Props<'_> {
        Props { map: self.map, path: &self.path }
    }
}
