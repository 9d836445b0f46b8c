//! `cron-task`'s `volumeMounts` (by volume type) and legacy `volumes`
//! parameters: the container's mounts and the pod's volumes.

use super::RenderError;
use super::props::{Owned, Props};
use serde_json::{Map, Value, json};

/// Volume types of `volumeMounts`, in the order the template concatenates
/// them.
const MOUNT_TYPES: [&str; 5] = ["pvc", "configMap", "secret", "emptyDir", "hostPath"];

/// `(container volumeMounts, pod volumes)`, each `None` when the template
/// leaves it out. `volumeMounts` wins over the deprecated `volumes`.
pub(super) fn render(props: Props) -> Result<(Option<Value>, Option<Value>), RenderError> {
    if let Some(vm) = props.obj_opt("volumeMounts")? {
        let (mounts, vols) = by_type(&vm)?;
        return Ok((Some(Value::Array(mounts)), Some(Value::Array(dedup_by_name(vols)))));
    }
    let Some(legacy) = props.obj_list_opt("volumes")? else { return Ok((None, None)) };
    let mut mounts = Vec::with_capacity(legacy.len());
    let mut vols = Vec::with_capacity(legacy.len());
    for v in &legacy {
        let p = v.props();
        let name = p.str_req("name")?;
        mounts.push(json!({ "mountPath": p.str_req("mountPath")?, "name": name }));
        let kind = p.enum_opt("type", &["emptyDir", "pvc", "configMap", "secret"])?.unwrap_or("emptyDir");
        vols.push(volume(kind, name, v)?);
    }
    Ok((Some(Value::Array(mounts)), Some(Value::Array(vols))))
}

fn by_type(vm: &Owned) -> Result<(Vec<Value>, Vec<Value>), RenderError> {
    let (mut mounts, mut vols) = (Vec::new(), Vec::new());
    for kind in MOUNT_TYPES {
        for v in vm.props().obj_list_opt(kind)?.unwrap_or_default() {
            let p = v.props();
            let name = p.str_req("name")?;
            let mut mount = Map::new();
            mount.insert("mountPath".into(), json!(p.str_req("mountPath")?));
            if let Some(sub) = p.str_opt("subPath")? {
                mount.insert("subPath".into(), json!(sub));
            }
            mount.insert("name".into(), json!(name));
            mounts.push(Value::Object(mount));
            vols.push(volume(kind, name, &v)?);
        }
    }
    Ok((mounts, vols))
}

/// One pod volume of the given parameter type.
fn volume(kind: &str, name: &str, v: &Owned) -> Result<Value, RenderError> {
    let p = v.props();
    let source = match kind {
        "pvc" => ("persistentVolumeClaim", json!({ "claimName": p.str_req("claimName")? })),
        "configMap" => ("configMap", keyed_source(&p, "name", "cmName")?),
        "secret" => ("secret", keyed_source(&p, "secretName", "secretName")?),
        "hostPath" => ("hostPath", json!({ "path": p.str_req("path")? })),
        _ => ("emptyDir", json!({ "medium": p.enum_opt("medium", &["", "Memory"])?.unwrap_or("") })),
    };
    Ok(json!({ "name": name, source.0: source.1 }))
}

/// A ConfigMap or Secret source: `defaultMode` (default 420 = 0644), the
/// object's name, and `items` with each `mode` defaulting to 511 (0777).
fn keyed_source(p: &Props, out_key: &str, in_key: &str) -> Result<Value, RenderError> {
    let mut src = Map::new();
    src.insert("defaultMode".into(), json!(p.int_or("defaultMode", 32, 420)?));
    src.insert(out_key.into(), json!(p.str_req(in_key)?));
    if let Some(items) = p.obj_list_opt("items")? {
        let mut out = Vec::with_capacity(items.len());
        for it in &items {
            let ip = it.props();
            out.push(json!({
                "key": ip.str_req("key")?,
                "path": ip.str_req("path")?,
                "mode": ip.int_or("mode", 32, 511)?,
            }));
        }
        src.insert("items".into(), Value::Array(out));
    }
    Ok(Value::Object(src))
}

/// Keeps the first volume of each name, as the template's `deDupVolumesArray`.
fn dedup_by_name(vols: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::BTreeSet::new();
    vols.into_iter().filter(|v| seen.insert(v["name"].as_str().unwrap_or_default().to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &Value) -> Result<(Option<Value>, Option<Value>), RenderError> {
        let Value::Object(map) = v else { panic!("test input must be an object") };
        render(Props { map, path: "properties" })
    }

    #[test]
    fn volume_mounts_concatenate_by_type_and_dedupe_volumes_by_name() {
        let v = json!({ "volumeMounts": {
            "secret": [{ "name": "data", "mountPath": "/s", "secretName": "s1" }],
            "pvc": [{ "name": "data", "mountPath": "/p", "subPath": "x", "claimName": "c1" }],
        }});
        let (mounts, vols) = run(&v).unwrap_or_default();
        assert_eq!(
            mounts,
            Some(json!([
                { "mountPath": "/p", "subPath": "x", "name": "data" },
                { "mountPath": "/s", "name": "data" },
            ]))
        );
        assert_eq!(vols, Some(json!([{ "name": "data", "persistentVolumeClaim": { "claimName": "c1" } }])));
    }

    #[test]
    fn config_map_items_get_default_modes() {
        let v = json!({ "volumeMounts": { "configMap": [
            { "name": "cfg", "mountPath": "/c", "cmName": "app-cfg", "items": [{ "key": "k", "path": "p" }] }
        ]}});
        let (_, vols) = run(&v).unwrap_or_default();
        assert_eq!(
            vols,
            Some(json!([{ "name": "cfg", "configMap": {
                "defaultMode": 420, "name": "app-cfg", "items": [{ "key": "k", "path": "p", "mode": 511 }]
            }}]))
        );
    }

    #[test]
    fn legacy_volumes_default_to_empty_dir_and_keep_duplicates() {
        let v = json!({ "volumes": [
            { "name": "tmp", "mountPath": "/a" }, { "name": "tmp", "mountPath": "/b" }
        ]});
        let (mounts, vols) = run(&v).unwrap_or_default();
        assert_eq!(mounts.map(|m| m.as_array().map_or(0, Vec::len)), Some(2));
        assert_eq!(
            vols,
            Some(json!([
                { "name": "tmp", "emptyDir": { "medium": "" } }, { "name": "tmp", "emptyDir": { "medium": "" } }
            ]))
        );
    }

    #[test]
    fn pvc_without_claim_name_is_an_error_at_its_path() {
        let v = json!({ "volumeMounts": { "pvc": [{ "name": "d", "mountPath": "/d" }] } });
        let Err(e) = run(&v) else { panic!("must be rejected") };
        assert_eq!(e.path, "properties.volumeMounts.pvc[0].claimName");
    }
}
