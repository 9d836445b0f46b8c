//! JSON Merge Patch (RFC 7386, restated as RFC 7396), which KubeVela's
//! `json-merge-patch` trait applies to the workload (`+patchStrategy=jsonMergePatch`).

use serde_json::{Map, Value};

/// Applies `patch` to `target`: objects merge key by key, `null` deletes a
/// key, and anything else (lists included) replaces the target whole.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (key, value) in p {
            if value.is_null() {
                t.remove(key);
            } else {
                merge_patch(t.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Field paths (`spec.timeZone`) of the leaves `patch` writes or deletes,
/// so that a problem with a patched field can point at the patch.
pub(super) fn patched_paths(patch: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(patch, &mut Vec::new(), &mut out);
    out
}

/// Collects the dotted path of every non-object leaf.
fn collect(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                prefix.push(k.clone());
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        _ if !prefix.is_empty() => out.push(prefix.join(".")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(target: Value, patch: Value) -> Value {
        let mut t = target;
        merge_patch(&mut t, &patch);
        t
    }

    // The examples of RFC 7386 appendix A, a selection.
    #[test]
    fn rfc_7386_examples_hold() {
        assert_eq!(patched(json!({"a": "b"}), json!({"a": "c"})), json!({"a": "c"}));
        assert_eq!(patched(json!({"a": "b"}), json!({"b": "c"})), json!({"a": "b", "b": "c"}));
        assert_eq!(patched(json!({"a": "b"}), json!({"a": null})), json!({}));
        assert_eq!(patched(json!({"a": ["b"]}), json!({"a": "c"})), json!({"a": "c"}));
        assert_eq!(patched(json!({"a": [{"b": "c"}]}), json!({"a": [1]})), json!({"a": [1]}));
        assert_eq!(patched(json!({"e": null}), json!({"a": 1})), json!({"e": null, "a": 1}));
        assert_eq!(patched(json!([1, 2]), json!({"a": "b", "c": null})), json!({"a": "b"}));
        assert_eq!(patched(json!({}), json!({"a": {"bb": {"ccc": null}}})), json!({"a": {"bb": {}}}));
        assert_eq!(patched(json!({"a": "foo"}), json!("bar")), json!("bar"));
    }

    #[test]
    fn nested_objects_merge_without_touching_siblings() {
        let t = json!({"spec": {"schedule": "@daily", "suspend": false}});
        let p = json!({"spec": {"timeZone": "Europe/Madrid"}});
        assert_eq!(
            patched(t, p),
            json!({"spec": {"schedule": "@daily", "suspend": false, "timeZone": "Europe/Madrid"}})
        );
    }

    #[test]
    fn patched_paths_lists_leaves_and_deletions() {
        let p = json!({"spec": {"timeZone": "UTC", "suspend": null}, "metadata": {}});
        let paths = patched_paths(&p);
        assert_eq!(paths, vec!["metadata", "spec.suspend", "spec.timeZone"]);
    }
}
