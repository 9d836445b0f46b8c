//! `cronwarp::model`: manifests, validation and KubeVela rendering.

mod input;
mod kubevela;
mod manifest;
mod validation;
