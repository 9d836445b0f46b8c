//! Small multiples: one workload's timelines under every variant, stacked
//! in one SVG, a labelled row each, on the same time axis (every variant
//! has the same horizon, so the timelines line up as drawn).

/// Stacks `(label, svg)` timelines top to bottom, each under its label,
/// as nested `<svg>` elements: each keeps its own coordinates, so no
/// drawing is re-done. A timeline without readable `width`/`height` on
/// its root is skipped.
pub fn stack_timelines(rows: &[(String, String)]) -> String {
    const LABEL: u32 = 22;
    let mut body = String::new();
    let (mut width, mut y) = (0u32, 0u32);
    for (label, svg) in rows {
        let Some((w, h, inner)) = root(svg) else { continue };
        // Outlines of the embedded font, like the timelines' text: no
        // system font shapes it, so the PNG is the same everywhere.
        #[cfg(feature = "svg")]
        body.push_str(&crate::report::svg::outlined(label, 8.0, f64::from(y + 16), 14.0));
        // Without the `svg` feature no run has a timeline to stack.
        #[cfg(not(feature = "svg"))]
        let _ = label;
        y += LABEL;
        body.push_str(&format!("<svg x=\"0\" y=\"{y}\" width=\"{w}\" height=\"{h}\" {inner}\n"));
        y += h;
        width = width.max(w);
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{y}\" viewBox=\"0 0 {width} {y}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n"
    )
}

/// The root element's width and height, and what follows its `width` and
/// `height` attributes (the rest of the document from the other
/// attributes on), for re-use inside a new root.
fn root(svg: &str) -> Option<(u32, u32, String)> {
    let start = svg.find("<svg")?;
    let open_end = start + svg[start..].find('>')?;
    let mut head = svg[start + 4..open_end].to_string();
    let mut take = |name: &str| -> Option<u32> {
        let at = head.find(&format!(" {name}=\""))?;
        let value_at = at + name.len() + 3;
        let len = head[value_at..].find('"')?;
        let value = head[value_at..value_at + len].parse::<f64>().ok()?;
        head.replace_range(at..value_at + len + 1, "");
        Some(value.ceil() as u32)
    };
    let (w, h) = (take("width")?, take("height")?);
    Some((w, h, format!("{}{}", head.trim_start(), &svg[open_end..])))
}
