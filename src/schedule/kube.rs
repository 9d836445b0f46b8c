//! Kubernetes layer (placeholder).
