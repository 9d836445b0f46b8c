//! `cronwarp::model`: manifests, validation and KubeVela rendering.

mod kubevela;
mod manifest;
mod validation;
