//! PNG pictures of the SVG figures (`--png`): the SVG document itself,
//! rasterized by resvg at one pixel per SVG unit on white.
//!
//! Why resvg rather than plotters' bitmap backend drawing the chart again:
//! the picture is then the SVG by construction (one drawing, no second
//! code path to keep in step), and our text is already glyph outlines of
//! the embedded font, so resvg is built without text support and reads no
//! system font. Its output depends only on the SVG and the locked versions
//! of resvg and tiny-skia: the same bytes on every machine of one
//! architecture (a hash test pins them); tiny-skia's SIMD pipelines are
//! meant to agree with its scalar ones, but across architectures that is
//! its promise, not ours.

use crate::Error;
use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{Options, Tree};

/// The PNG of an SVG document (a timeline, the fleet-load chart, stacked
/// variants) at its own width and height.
pub fn png(svg: &str) -> Result<Vec<u8>, Error> {
    let fail = |what: &str, e: &dyn std::fmt::Display| Error::Internal { message: format!("{what}: {e}") };
    let tree =
        Tree::from_str(svg, &Options::default()).map_err(|e| fail("reading the SVG for its PNG", &e))?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| fail("an SVG of no size", &format!("{}x{}", size.width(), size.height())))?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| fail("encoding the PNG", &e))
}
