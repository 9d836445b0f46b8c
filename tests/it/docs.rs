//! The docs stay inside the repository and in step with the code.
//!
//! - Every `docs/<page>.md#<anchor>` citation in `src/`, `tests/`,
//!   `benches/`, `scenarios/`, `README.md`, `CONTRIBUTING.md` and `docs/`,
//!   and every relative Markdown link in those Markdown files, names a file
//!   that exists and, with a fragment, a heading of that file (GitHub's
//!   slug of the heading text, or an `<a id>` on the heading line).
//! - Fidelity headings `### <a id="cj-7"></a>CJ-7: …` carry the anchor of
//!   their own id, so `#cj-7` is stable whatever the title says.
//! - No text cites the documents that are not in the repository: the
//!   section sign, or the names of those notes.
//! - The field tables of `docs/scenario-reference.md` are generated from
//!   the scenario's JSON Schema (what `cronwarp schema` prints); the test
//!   fails when they differ, and `CRONWARP_UPDATE_DOCS=1` rewrites them.
//!
//! Self-contained on purpose: no shared test support.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The trees and files whose text is checked.
const SCANNED_DIRS: [&str; 5] = ["src", "tests", "benches", "scenarios", "docs"];
const SCANNED_FILES: [&str; 2] = ["README.md", "CONTRIBUTING.md"];
const TEXT_EXTENSIONS: [&str; 7] = ["rs", "md", "yaml", "yml", "go", "toml", "json"];

/// Relative paths (with `/`) of every scanned text file, sorted.
fn scanned() -> Vec<String> {
    let mut out = Vec::new();
    for dir in SCANNED_DIRS {
        walk(&root(), Path::new(dir), &mut out);
    }
    out.extend(SCANNED_FILES.iter().map(|f| f.to_string()));
    out.sort();
    out
}

fn walk(base: &Path, rel: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(base.join(rel)) else { return };
    for entry in entries.flatten() {
        let rel = rel.join(entry.file_name());
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(base, &rel, out);
        } else if rel.extension().and_then(|e| e.to_str()).is_some_and(|e| TEXT_EXTENSIONS.contains(&e)) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `a/b/../c` → `a/c`; `None` when the path leaves the repository.
fn normalise(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

fn is_anchor_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// One citation: where it is, what it names.
#[derive(Debug)]
struct Cite {
    from: String,
    line: usize,
    /// Repository-relative path of the target.
    file: String,
    anchor: Option<String>,
}

/// `docs/….md` and `docs/….md#anchor` anywhere in the text, read from the
/// repository root.
fn docs_citations(from: &str, text: &str) -> Vec<Cite> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(i) = rest.find("docs/") {
            let at = offset + i;
            let before = line[..at].chars().next_back();
            let tail = &line[at..];
            let path_len = tail.find(|c: char| !is_path_char(c)).unwrap_or(tail.len());
            let mut path = &tail[..path_len];
            // A sentence may end right after the path.
            while path.ends_with('.') {
                path = &path[..path.len() - 1];
            }
            if before.is_none_or(|c| !is_path_char(c)) && path.ends_with(".md") {
                let after = &tail[path.len()..];
                let anchor = after.strip_prefix('#').map(|a| {
                    let len = a.find(|c: char| !is_anchor_char(c)).unwrap_or(a.len());
                    a[..len].to_string()
                });
                out.push(Cite { from: from.into(), line: n + 1, file: path.into(), anchor });
            }
            offset = at + 5;
            rest = &line[offset..];
        }
    }
    out
}

/// The text outside fenced code blocks, with inline code spans blanked;
/// lines keep their numbers.
fn prose(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push(String::new());
            continue;
        }
        if fenced {
            out.push(String::new());
            continue;
        }
        let mut kept = String::new();
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                kept.push(c);
            }
        }
        out.push(kept);
    }
    out
}

/// Relative Markdown links `[text](target)` and images, resolved against
/// the linking file's directory.
fn markdown_links(from: &str, text: &str) -> Vec<Cite> {
    let dir = Path::new(from).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for (n, line) in prose(text).iter().enumerate() {
        let mut rest = line.as_str();
        while let Some(i) = rest.find("](") {
            let tail = &rest[i + 2..];
            let Some(end) = tail.find(')') else { break };
            let target = tail[..end].split_whitespace().next().unwrap_or("");
            rest = &tail[end..];
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a.to_string())),
                None => (target, None),
            };
            let file = if path.is_empty() {
                from.to_string()
            } else {
                match normalise(&dir.join(path)) {
                    Some(f) => f,
                    None => format!("<outside the repository: {path}>"),
                }
            };
            out.push(Cite { from: from.into(), line: n + 1, file, anchor });
        }
    }
    out
}

/// GitHub's anchor for a heading: HTML tags dropped, lower case, anything
/// but letters, digits, `-`, `_` and spaces dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in heading.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The ATX headings of a Markdown text, outside code blocks: (line, text).
fn headings(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !fenced && (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            out.push((n + 1, line[hashes..].trim().to_string()));
        }
    }
    out
}

/// `<a id="x">` / `<a name="x">` ids in a line.
fn explicit_ids(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["<a id=\"", "<a name=\""] {
        let mut rest = line;
        while let Some(i) = rest.find(key) {
            let tail = &rest[i + key.len()..];
            let end = tail.find('"').unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out
}

/// Every anchor a Markdown file offers: heading slugs (repeats numbered
/// `-1`, `-2`, as GitHub does) and ids on heading lines.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, h) in headings(text) {
        let s = slug(&h);
        let n = seen.entry(s.clone()).or_insert(0);
        out.insert(if *n == 0 { s } else { format!("{s}-{n}") });
        *n += 1;
        out.extend(explicit_ids(&h));
    }
    out
}

#[test]
fn every_citation_points_inside_the_repository() {
    let mut cites = Vec::new();
    for file in scanned() {
        let text = read(&file);
        cites.extend(docs_citations(&file, &text));
        if file.ends_with(".md") {
            cites.extend(markdown_links(&file, &text));
        }
    }
    assert!(cites.len() > 100, "found only {} citations: is the scan broken?", cites.len());
    let mut anchor_cache: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for c in &cites {
        let path = root().join(&c.file);
        if !path.exists() {
            broken.push(format!("{}:{}: {} does not exist", c.from, c.line, c.file));
            continue;
        }
        let Some(anchor) = &c.anchor else { continue };
        if !c.file.ends_with(".md") {
            broken.push(format!("{}:{}: #{anchor} on {}, which is not Markdown", c.from, c.line, c.file));
            continue;
        }
        let known = anchor_cache.entry(c.file.clone()).or_insert_with(|| anchors(&read(&c.file)));
        if !known.contains(anchor.as_str()) {
            broken.push(format!("{}:{}: {} has no heading #{anchor}", c.from, c.line, c.file));
        }
    }
    assert!(broken.is_empty(), "broken citations:\n{}", broken.join("\n"));
}

#[test]
fn fidelity_ids_are_their_own_anchors_and_unique() {
    let mut ids = BTreeMap::new();
    let mut problems = Vec::new();
    let mut pages = Vec::new();
    walk(&root(), Path::new("docs/fidelity"), &mut pages);
    for page in pages.iter().filter(|p| p.ends_with(".md")) {
        for (line, h) in headings(&read(page)) {
            // `<a id="cj-7"></a>CJ-7: title`: the id after the tag, before the colon.
            let visible = h.rsplit("</a>").next().unwrap_or(&h);
            let Some((id, _)) = visible.split_once(':') else { continue };
            let id = id.trim();
            let is_id = id.split_once('-').is_some_and(|(prefix, n)| {
                !prefix.is_empty()
                    && prefix.chars().all(|c| c.is_ascii_uppercase())
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if !is_id {
                continue;
            }
            if !explicit_ids(&h).contains(&id.to_lowercase()) {
                problems.push(format!("{page}:{line}: heading {id} lacks <a id=\"{}\">", id.to_lowercase()));
            }
            if let Some(first) = ids.insert(id.to_string(), format!("{page}:{line}")) {
                problems.push(format!("{page}:{line}: {id} is already used at {first}"));
            }
        }
    }
    assert!(ids.len() > 50, "found only {} fidelity ids", ids.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn nothing_cites_documents_outside_the_repository() {
    // Spelt in pieces so that this file does not match itself.
    let forbidden = [
        concat!("shared", "/reference").to_string(),
        concat!("reference", " ").to_string() + "\u{a7}",
        "\u{a7}".to_string(),
        concat!("crossplane-and", "-oam").to_string(),
        concat!("robfig-cron", ".md").to_string(),
    ];
    let mut hits = Vec::new();
    for file in scanned() {
        for (n, line) in read(&file).lines().enumerate() {
            if let Some(f) = forbidden.iter().find(|f| line.contains(f.as_str())) {
                hits.push(format!("{file}:{}: {f:?} in {line:?}", n + 1));
            }
        }
    }
    assert!(hits.is_empty(), "citations of documents outside the repository:\n{}", hits.join("\n"));
}

// ---------------------------------------------------------------------------
// The scenario reference's field tables, generated from the JSON Schema.

const REFERENCE: &str = "docs/scenario-reference.md";
const START: &str = "<!-- generated:start -->";
const END: &str = "<!-- generated:end -->";

/// The anchor of a type's heading (`### Type \`Horizon\`` → `type-horizon`).
fn type_anchor(name: &str) -> String {
    format!("type-{}", name.to_lowercase())
}

fn type_link(name: &str) -> String {
    format!("[`{name}`](#{})", type_anchor(name))
}

/// One line, table-safe, with rustdoc's intra-doc link brackets
/// (`` [`Scenario::load`] ``) dropped.
fn cell(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("[`") {
        let Some(j) = rest[i..].find("`]").map(|j| i + j) else { break };
        if rest[j + 2..].starts_with('(') {
            out.push_str(&rest[..j + 2]);
        } else {
            out.push_str(&rest[..i]);
            out.push_str(&rest[i + 1..j + 1]);
        }
        rest = &rest[j + 2..];
    }
    out.push_str(rest);
    out.replace('|', "\\|")
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// How a schema reads in a table: a type link, `string`, `list of …`.
fn type_of(v: &Value) -> String {
    if let Some(name) = ref_name(v) {
        return type_link(name);
    }
    if let Some(c) = v.get("const") {
        return format!("`{c}`");
    }
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        return values.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(" or ");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(variants) = v.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = variants
                .iter()
                .filter(|x| x.get("type") != Some(&Value::from("null")))
                .map(type_of)
                .collect();
            return parts.join(" or ");
        }
    }
    let types: Vec<&str> = match v.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => vec![],
    };
    match types.as_slice() {
        ["string"] => match v.get("format").and_then(Value::as_str) {
            Some("date-time") => "RFC 3339 time".into(),
            Some(f) => format!("string ({f})"),
            None => "string".into(),
        },
        ["integer"] => "integer".into(),
        ["number"] => "number".into(),
        ["boolean"] => "boolean".into(),
        ["array"] => {
            let items = v.get("items").map(type_of).unwrap_or_else(|| "anything".into());
            match v.get("minItems").and_then(Value::as_u64) {
                Some(n) if n > 0 => format!("list of {items} (at least {n})"),
                _ => format!("list of {items}"),
            }
        }
        ["object"] => {
            if let Some(pp) = v.get("patternProperties").and_then(Value::as_object) {
                let parts: Vec<String> = pp
                    .iter()
                    .map(|(k, t)| format!("map from keys matching `{k}` to {}", type_of(t)))
                    .collect();
                parts.join(", ")
            } else if let Some(t) = v.get("additionalProperties").filter(|t| t.is_object()) {
                format!("map to {}", type_of(t))
            } else if v.get("properties").is_some() {
                let fields: Vec<String> = v["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, t)| format!("`{k}` ({})", type_of(t)))
                    .collect();
                format!("object with {}", fields.join(", "))
            } else {
                "object".into()
            }
        }
        [] => "any YAML value".into(),
        many => many.join(" or "),
    }
}

/// Bounds and patterns, as words.
fn constraints(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let unsigned = v.get("format").and_then(Value::as_str).is_some_and(|f| f.starts_with("uint"));
    if let Some(m) = v.get("minimum").filter(|m| !(unsigned && m.as_f64() == Some(0.0))) {
        out.push(format!("at least {m}"));
    }
    if let Some(m) = v.get("maximum") {
        out.push(format!("at most {m}"));
    }
    if let Some(c) = v.get("not").and_then(|n| n.get("const")) {
        out.push(format!("not {c}"));
    }
    if let Some(p) = v.get("pattern").and_then(Value::as_str) {
        out.push(format!("matching `{p}`"));
    }
    if let Some(n) = v.get("minProperties").and_then(Value::as_u64) {
        out.push(format!("at least {n} key(s)"));
    }
    out
}

/// The default column: "required", the default value, or "optional".
fn default_of(v: &Value, required: bool) -> String {
    if required {
        return "**required**".into();
    }
    match v.get("default") {
        None => "optional".into(),
        Some(Value::Null) => "none".into(),
        Some(Value::Object(_)) => "its fields' defaults".into(),
        Some(Value::Array(a)) if a.is_empty() => "`[]`".into(),
        Some(d) => format!("`{d}`"),
    }
}

fn description(v: &Value) -> Option<String> {
    v.get("description").and_then(Value::as_str).map(cell)
}

/// `$ref` targets in the order they appear.
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = ref_name(v) {
                out.push(name.to_string());
            }
            for (k, x) in m {
                if k != "$defs" {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

fn field_table(out: &mut String, v: &Value) {
    let Some(props) = v.get("properties").and_then(Value::as_object) else { return };
    let required: BTreeSet<&str> =
        v.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    out.push_str("| field | type | default | description |\n|---|---|---|---|\n");
    for (name, field) in props {
        let mut desc = description(field).unwrap_or_default();
        let bounds = constraints(field);
        if !bounds.is_empty() {
            if !desc.is_empty() {
                desc.push(' ');
            }
            let _ = write!(desc, "({})", bounds.join(", "));
        }
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {} |",
            cell(&type_of(field)),
            default_of(field, required.contains(name.as_str())),
            cell(&desc)
        );
    }
}

/// One type: its description, then its fields or its alternatives.
fn render_type(out: &mut String, name: &str, v: &Value) {
    let _ = writeln!(out, "### Type `{name}`\n");
    if let Some(d) = description(v) {
        let _ = writeln!(out, "{d}\n");
    }
    let variants = v.get("oneOf").or_else(|| v.get("anyOf")).and_then(Value::as_array);
    if v.get("properties").is_some() {
        field_table(out, v);
    } else if let Some(variants) = variants {
        out.push_str("One of:\n\n");
        for x in variants {
            let mut line = format!("- {}", type_of(x));
            let bounds = constraints(x);
            if !bounds.is_empty() {
                let _ = write!(line, ", {}", bounds.join(", "));
            }
            if let Some(req) = x.get("required").and_then(Value::as_array).filter(|r| !r.is_empty()) {
                let names: Vec<String> =
                    req.iter().filter_map(Value::as_str).map(|r| format!("`{r}`")).collect();
                let _ = write!(line, "; {} required", names.join(", "));
            }
            if let Some(d) = description(x) {
                let _ = write!(line, ": {d}");
            }
            out.push_str(&line);
            out.push('\n');
        }
    } else {
        let mut line = format!("Type: {}", type_of(v));
        let bounds = constraints(v);
        if !bounds.is_empty() {
            let _ = write!(line, ", {}", bounds.join(", "));
        }
        out.push_str(&line);
        out.push_str(".\n");
    }
    out.push('\n');
}

/// The whole generated section: the root type, then every definition in
/// the order a reader meets it (breadth first from the root).
fn generated_reference(schema: &Value) -> String {
    let defs = schema.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
    let root = schema.get("title").and_then(Value::as_str).unwrap_or("Scenario").to_string();
    let mut order = vec![root.clone()];
    let mut queue = VecDeque::from([schema.clone()]);
    while let Some(v) = queue.pop_front() {
        let mut found = Vec::new();
        refs_in(&v, &mut found);
        for name in found {
            if !order.contains(&name)
                && let Some(d) = defs.get(&name)
            {
                order.push(name);
                queue.push_back(d.clone());
            }
        }
    }
    for name in defs.keys() {
        if !order.contains(name) {
            order.push(name.clone());
        }
    }
    let mut out = String::from("\n");
    for name in &order {
        let v = if *name == root { schema } else { &defs[name] };
        render_type(&mut out, name, v);
    }
    out
}

#[test]
fn scenario_reference_field_tables_match_the_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(cronwarp::sim::Scenario)).unwrap();
    let generated = generated_reference(&schema);
    let text = read(REFERENCE);
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        panic!("{REFERENCE} lacks the {START} / {END} markers");
    };
    let (head, current, tail) = (&text[..a + START.len()], &text[a + START.len()..b], &text[b..]);
    if current == generated {
        return;
    }
    if std::env::var_os("CRONWARP_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(root().join(REFERENCE), format!("{head}{generated}{tail}")).unwrap();
        return;
    }
    let first = current.lines().zip(generated.lines()).position(|(x, y)| x != y);
    panic!(
        "{REFERENCE}'s generated field tables differ from the scenario schema (first difference at \
         generated line {first:?}); run `CRONWARP_UPDATE_DOCS=1 cargo test --test it docs` and \
         review the diff"
    );
}
