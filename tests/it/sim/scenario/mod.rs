//! Scenario files: the format, and conversion between the Kubernetes and
//! Crossplane forms.

mod convert;
mod convert_argo;
mod format;
