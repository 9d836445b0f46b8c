//! `cronwarp::model`: manifests, validation and KubeVela rendering.

mod argo;
mod input;
mod kubevela;
mod manifest;
mod validation;
mod vendored_smol_str;
