//! API-server field errors (apimachinery `field.Error`) and the name rules
//! of `k8s.io/apimachinery/pkg/util/validation`.

use std::fmt;

/// `field.ErrorType`, the kinds the batch validation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorType {
    /// A required field is missing (`Required value`).
    Required,
    /// A value is malformed or out of range (`Invalid value`).
    Invalid,
    /// A value is not one of the allowed choices (`Unsupported value`).
    NotSupported,
    /// A value appears more than once (`Duplicate value`).
    Duplicate,
    /// A list is longer than allowed (`Too many`).
    TooMany,
}

impl ErrorType {
    /// The wording `field.ErrorType.String` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Required => "Required value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::TooMany => "Too many",
        }
    }
}

/// The rejected value, printed the way `field.Error.ErrorBody` prints Go
/// values: numbers and booleans bare, strings quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// Not printed (`Required`, or `field.OmitValueType`).
    Omit,
    /// A string, printed quoted.
    Str(String),
    /// An integer, printed bare.
    Int(i64),
    /// A boolean, printed bare.
    Bool(bool),
    /// Already formatted (lists, selectors).
    Raw(String),
}

/// One API-server validation failure, e.g.
/// `spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0`,
/// with a plain hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path (`spec.jobTemplate.spec.template.spec.restartPolicy`).
    pub field: String,
    /// What kind of failure this is.
    pub kind: ErrorType,
    /// The rejected value.
    pub value: BadValue,
    /// The API server's detail text (may be empty).
    pub detail: String,
    /// What to change, in plain words (not part of the API server text).
    pub hint: String,
}

impl FieldError {
    /// `field.Required`.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError::new(field, ErrorType::Required, BadValue::Omit, detail)
    }

    /// `field.Invalid`.
    pub fn invalid(field: impl Into<String>, value: BadValue, detail: impl Into<String>) -> FieldError {
        FieldError::new(field, ErrorType::Invalid, value, detail)
    }

    /// `field.NotSupported`: the detail lists the quoted supported values.
    pub fn not_supported(field: impl Into<String>, value: BadValue, supported: &[&str]) -> FieldError {
        let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
        FieldError::new(
            field,
            ErrorType::NotSupported,
            value,
            format!("supported values: {}", quoted.join(", ")),
        )
    }

    /// `field.Duplicate`.
    pub fn duplicate(field: impl Into<String>, value: BadValue) -> FieldError {
        FieldError::new(field, ErrorType::Duplicate, value, "")
    }

    /// `field.TooMany`.
    pub fn too_many(field: impl Into<String>, actual: usize, max: usize) -> FieldError {
        let actual = i64::try_from(actual).unwrap_or(i64::MAX);
        FieldError::new(
            field,
            ErrorType::TooMany,
            BadValue::Int(actual),
            format!("must have at most {max} items"),
        )
    }

    /// `ValidateNonnegativeField`: `None` when `value >= 0`.
    pub fn nonnegative(field: &str, value: Option<i64>, hint: &str) -> Option<FieldError> {
        let v = value.filter(|v| *v < 0)?;
        Some(
            FieldError::invalid(field, BadValue::Int(v), "must be greater than or equal to 0")
                .with_hint(hint),
        )
    }

    fn new(
        field: impl Into<String>,
        kind: ErrorType,
        value: BadValue,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError { field: field.into(), kind, value, detail: detail.into(), hint: String::new() }
    }

    /// The same error with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> FieldError {
        self.hint = hint.into();
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.kind.as_str())?;
        // Required never prints its value, whatever it holds.
        if self.kind != ErrorType::Required {
            match &self.value {
                BadValue::Omit => {}
                BadValue::Str(s) => write!(f, ": {}", go_quote(s))?,
                BadValue::Int(n) => write!(f, ": {n}")?,
                BadValue::Bool(b) => write!(f, ": {b}")?,
                BadValue::Raw(r) => write!(f, ": {r}")?,
            }
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

pub use crate::schedule::go_quote;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

/// `IsDNS1123Label`: the rule for namespaces. Returns the messages.
pub(super) fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(value) {
        errs.push(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start \
             and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is '{}')",
            DNS1123_LABEL_FMT
        ));
    }
    errs
}

/// `IsDNS1123Subdomain`: the rule for CronJob and Job names
/// (`ValidateReplicationControllerName`). Returns the messages.
pub(super) fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !value.split('.').all(is_label) {
        errs.push(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and \
             must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is \
             '{DNS1123_LABEL_FMT}(\\.{DNS1123_LABEL_FMT})*')"
        ));
    }
    errs
}

/// One label of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (no length limit here).
fn is_label(s: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&a), Some(&z)) => alnum(a) && alnum(z) && bytes.iter().all(|&b| alnum(b) || b == b'-'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_apimachinery() {
        let e = FieldError::nonnegative("spec.startingDeadlineSeconds", Some(-1), "").unwrap();
        assert_eq!(
            e.to_string(),
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"
        );
        let e = FieldError::not_supported(
            "spec.concurrencyPolicy",
            BadValue::Str("Sometimes".into()),
            &["Allow", "Forbid"],
        );
        assert_eq!(
            e.to_string(),
            r#"spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid""#
        );
        assert_eq!(FieldError::required("spec.schedule", "").to_string(), "spec.schedule: Required value");
        assert_eq!(
            FieldError::invalid("x", BadValue::Omit, "because").to_string(),
            "x: Invalid value: because"
        );
        assert!(FieldError::nonnegative("x", Some(0), "").is_none());
    }

    #[test]
    fn dns_names() {
        assert!(dns1123_subdomain_errors("my-job.v2").is_empty());
        assert_eq!(dns1123_subdomain_errors("My_Job").len(), 1);
        assert_eq!(dns1123_subdomain_errors("a..b").len(), 1);
        assert_eq!(dns1123_subdomain_errors("-a").len(), 1);
        assert_eq!(dns1123_subdomain_errors(&"a".repeat(254)).len(), 1);
        assert_eq!(dns1123_label_errors("team.a").len(), 1);
        assert!(dns1123_label_errors("team-a").is_empty());
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\n"), r#""a\"b\n""#);
        assert_eq!(go_quote("Zürich"), "\"Zürich\"");
    }
}
