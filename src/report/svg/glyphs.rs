//! Text as glyph outlines from the embedded font, so the SVG renders the
//! same everywhere: no `<text>` element, hence no font lookup by the viewer.
//!
//! plotters' SVG backend writes `<text font-family=…>` and leaves the glyphs
//! to whatever font the viewer finds. [`GlyphSvg`] wraps that backend: shapes
//! pass through, text is measured with the embedded DejaVu Sans and kept
//! aside, and [`finish`] appends it as `<use>` references to one `<path>`
//! per glyph (font units, defined once in `<defs>`). The font is also
//! registered with plotters (`register_font`), so plotters' own layout
//! queries see the same metrics.

use plotters::backend::SVGBackend;
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::rc::Rc;
use std::sync::OnceLock;
use ttf_parser::{Face, GlyphId, OutlineBuilder};

/// DejaVu Sans (Bitstream Vera license, see `assets/fonts/`).
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The family name the report's text styles use.
pub(super) const FAMILY: &str = "DejaVu Sans";

fn face() -> Option<&'static Face<'static>> {
    static FACE: OnceLock<Option<Face<'static>>> = OnceLock::new();
    FACE.get_or_init(|| {
        // plotters keeps its own table keyed by family; registering the same
        // bytes again is harmless, and a failure only costs plotters' own
        // estimates (ours below never use that table).
        let _ = plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT_BYTES);
        Face::parse(FONT_BYTES, 0).ok()
    })
    .as_ref()
}

/// One deferred piece of text, already positioned.
#[derive(Clone)]
pub(super) struct TextRun {
    text: String,
    /// Baseline origin in pixels.
    x: f64,
    y: f64,
    /// Pixels per font unit.
    scale: f64,
    color: BackendColor,
    /// Clockwise degrees about the anchor point `pivot`.
    rotate: u32,
    pivot: BackendCoord,
}

/// Text runs shared between the backend (owned by plotters' drawing area)
/// and the caller, who collects them after drawing.
pub(super) type Runs = Rc<RefCell<Vec<TextRun>>>;

/// plotters' [`SVGBackend`] with text drawn as embedded-font outlines.
pub(super) struct GlyphSvg<'a> {
    inner: SVGBackend<'a>,
    runs: Runs,
}

impl<'a> GlyphSvg<'a> {
    /// A backend writing shapes into `buf`; text goes to `runs`.
    pub(super) fn new(buf: &'a mut String, size: (u32, u32), runs: Runs) -> Self {
        face();
        GlyphSvg { inner: SVGBackend::with_string(buf, size), runs }
    }
}

/// Pixels per font unit for a style size (the size is the em in pixels).
fn scale_for(face: &Face<'_>, size: f64) -> f64 {
    size / f64::from(face.units_per_em().max(1))
}

/// Glyphs and horizontal advances (font units) of `text`; characters the
/// font lacks map to glyph 0 (`.notdef`).
fn shape(face: &Face<'_>, text: &str) -> Vec<(GlyphId, f64)> {
    text.chars()
        .map(|c| {
            let g = face.glyph_index(c).unwrap_or(GlyphId(0));
            (g, f64::from(face.glyph_hor_advance(g).unwrap_or(0)))
        })
        .collect()
}

/// Width and height in pixels of `text` at `size`.
pub(super) fn measure(text: &str, size: f64) -> (f64, f64) {
    let Some(face) = face() else {
        // Without the font, a rough average-width guess keeps layout sane.
        return (text.chars().count() as f64 * size * 0.6, size * 1.2);
    };
    let s = scale_for(face, size);
    let w: f64 = shape(face, text).iter().map(|(_, a)| a).sum();
    let h = f64::from(face.ascender()) - f64::from(face.descender());
    (w * s, h * s)
}

impl DrawingBackend for GlyphSvg<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(p, c)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(a, b, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (w, h) = measure(text, style.size());
        Ok((w.ceil() as u32, h.ceil() as u32))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let Some(face) = face() else {
            // Unreachable with the embedded font; plotters' plain `<text>`
            // is the honest fallback.
            return self.inner.draw_text(text, style, pos);
        };
        let scale = scale_for(face, style.size());
        let (w, _) = measure(text, style.size());
        let asc = f64::from(face.ascender()) * scale;
        let desc = f64::from(face.descender()) * scale;
        let cap = f64::from(face.capital_height().unwrap_or(face.ascender())) * scale;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -w / 2.0,
            HPos::Right => -w,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => asc,
            VPos::Center => cap / 2.0,
            VPos::Bottom => desc,
        };
        let rotate = match style.transform() {
            FontTransform::None => 0,
            FontTransform::Rotate90 => 90,
            FontTransform::Rotate180 => 180,
            FontTransform::Rotate270 => 270,
        };
        self.runs.borrow_mut().push(TextRun {
            text: text.to_string(),
            x: f64::from(pos.0) + dx,
            y: f64::from(pos.1) + dy,
            scale,
            color,
            rotate,
            pivot: pos,
        });
        Ok(())
    }
}

/// A number with at most three decimals and no trailing zeros.
fn num(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    let s = format!("{r:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Writes a glyph outline as SVG path data in font units.
struct PathData(String);

impl OutlineBuilder for PathData {
    fn move_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "M{} {}", num(x.into()), num(y.into()));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "L{} {}", num(x.into()), num(y.into()));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let _ = write!(self.0, "Q{} {} {} {}", num(x1.into()), num(y1.into()), num(x.into()), num(y.into()));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p = [x1, y1, x2, y2, x, y].map(|v| num(v.into()));
        let _ = write!(self.0, "C{}", p.join(" "));
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

/// XML-escapes attribute and element text.
pub(super) fn escape(s: &str) -> String {
    crate::report::html::escape_markup(s, "&apos;")
}

/// `text` in the ink colour as embedded-font outlines, its baseline
/// starting at (`x`, `y`), `size` pixels to the em: glyph `<defs>` and a
/// group, for SVG written outside plotters (the variants' row labels).
pub(crate) fn outlined(text: &str, x: f64, y: f64, size: f64) -> String {
    let Some(face) = face() else { return String::new() };
    let color = BackendColor { alpha: 1.0, rgb: (0x22, 0x22, 0x22) };
    let run =
        TextRun { text: text.into(), x, y, scale: scale_for(face, size), color, rotate: 0, pivot: (0, 0) };
    render_runs(&[run])
}

/// The SVG for the collected text: glyph `<defs>` plus one `<g>` per run
/// (its `aria-label` keeps the text searchable and readable aloud).
fn render_runs(runs: &[TextRun]) -> String {
    let Some(face) = face() else { return String::new() };
    let mut defs: BTreeMap<u16, String> = BTreeMap::new();
    let mut body = String::new();
    for r in runs {
        let (cr, cg, cb) = r.color.rgb;
        let mut t = String::new();
        if r.rotate != 0 {
            let _ = write!(t, "rotate({} {} {}) ", r.rotate, r.pivot.0, r.pivot.1);
        }
        let _ = write!(t, "translate({} {}) scale({} {})", num(r.x), num(r.y), num(r.scale), num(-r.scale));
        let _ = write!(
            body,
            "<g aria-label=\"{}\" fill=\"#{cr:02X}{cg:02X}{cb:02X}\" transform=\"{t}\"",
            escape(&r.text)
        );
        if r.color.alpha < 1.0 {
            let _ = write!(body, " opacity=\"{}\"", num(r.color.alpha));
        }
        body.push('>');
        let mut x = 0.0;
        for (g, adv) in shape(face, &r.text) {
            let d = defs.entry(g.0).or_insert_with(|| {
                let mut d = PathData(String::new());
                face.outline_glyph(g, &mut d);
                d.0
            });
            // Blank glyphs (space) have no outline: advance only.
            if !d.is_empty() {
                let _ = write!(body, "<use xlink:href=\"#g{}\" x=\"{}\"/>", g.0, num(x));
            }
            x += adv;
        }
        body.push_str("</g>\n");
    }
    let mut out = String::from("<defs>\n");
    for (id, d) in defs.iter().filter(|(_, d)| !d.is_empty()) {
        let _ = writeln!(out, "<path id=\"g{id}\" d=\"{d}\"/>");
    }
    out.push_str("</defs>\n");
    out + &body
}

/// Completes the document plotters wrote into `svg`: a `<title>` after the
/// root tag, and the text runs on top of every shape before `</svg>`.
pub(super) fn finish(mut svg: String, title: &str, runs: &Runs) -> String {
    let text = render_runs(&runs.borrow());
    if let Some(i) = svg.rfind("</svg>") {
        svg.insert_str(i, &text);
    }
    if let Some(open) = svg.find("<svg")
        && let Some(end) = svg[open..].find('>')
    {
        let at = open + end + 1;
        svg.insert_str(at, &format!("\n<title>{}</title>", escape(title)));
        // `xlink:href` rather than SVG 2's bare `href`: older renderers
        // (Inkscape 0.92, librsvg < 2.50) know only the former.
        svg.insert_str(open + end, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_parses_and_measures_text() {
        assert!(face().is_some());
        let (w1, h) = measure("i", 10.0);
        let (w2, _) = measure("WWW", 10.0);
        assert!(w1 > 0.0 && w2 > 3.0 * w1, "{w1} {w2}");
        assert!(h > 10.0 && h < 13.0, "{h}");
    }

    #[test]
    fn numbers_print_without_trailing_zeros() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(0.0125), "0.013");
        assert_eq!(num(-2.5), "-2.5");
    }
}
