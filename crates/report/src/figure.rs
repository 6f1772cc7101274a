//! One drawing rendered as a PNG file, with each distinct text laid out once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

use ab_glyph::{Font, FontRef, ScaleFont, point};

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
// `BackendStyle` stays unimported: its `stroke_width` would clash with `Color`'s.
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

/// A rendered plot.
pub struct Figure {
    /// Heading in the reports.
    pub title: String,
    /// The PNG, relative to the results folder (`plots/curves.png`).
    pub png: String,
}

/// Something drawable on any plotters backend.
pub trait Draw {
    /// Draws on `area` (already filled white).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// A plotters error as text.
pub fn err(e: impl Display) -> String {
    e.to_string()
}

/// The plots folder, and the text the report's figures have already laid out and rasterised.
pub struct Plots {
    dir: PathBuf,
    text: RefCell<TextCache>,
}

impl Plots {
    /// Plots written into `dir` (which must exist).
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            text: RefCell::default(),
        }
    }
}

/// DejaVu Sans (npm package `dejavu-fonts-ttf` 2.37.3, its licence beside it), the plots'
/// `sans-serif`: embedded, so that a plot looks the same on every machine and the report
/// needs no system font, and no fontconfig, whose start-up (parsing its XML configuration) cost
/// as many instructions as a whole canonical training.
static SANS_SERIF: &[u8] =
    include_bytes!("../assets/vendor/dejavu-fonts-ttf-2.37.3/DejaVuSans.ttf");

/// The coverage of each pixel of `text` at `size` pixels, the baseline at `size / 2` as
/// plotters places it. Each glyph keeps its fractional position: plotters' own `ab_glyph`
/// drawing rounds every glyph's offset to whole pixels, which makes words look unevenly
/// spaced ("ep och").
fn glyph_coverage(text: &str, size: f64, mut cover: impl FnMut(i32, i32, f32)) {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    let font = FONT.get_or_init(|| {
        FontRef::try_from_slice(SANS_SERIF).unwrap_or_else(|_| unreachable!("a valid font"))
    });
    let scaled = font.as_scaled(size as f32);
    let (mut x, mut previous) = (0.0_f32, None);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            x += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(size as f32, point(x, size as f32 / 2.0));
        if let Some(outline) = font.outline_glyph(glyph) {
            let origin = outline.px_bounds().min;
            outline.draw(|gx, gy, coverage| {
                cover(
                    origin.x as i32 + gx as i32,
                    origin.y as i32 + gy as i32,
                    coverage,
                );
            });
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
}

/// Makes the embedded font plotters' `sans-serif`, once per process.
fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if plotters::style::register_font("sans-serif", FontStyle::Normal, SANS_SERIF).is_err() {
            unreachable!("the embedded DejaVu Sans is a valid font");
        }
    });
}

/// Renders `plot` as `<plots>/<name>.png`.
pub fn render(
    plot: &impl Draw,
    plots: &Plots,
    name: &str,
    title: &str,
    size: (u32, u32),
) -> Result<Figure> {
    register_font();
    let fail = |e: String| anyhow!("cannot draw the {title} plot ({name}): {e}");
    // White to begin with: cheaper than plotters' pixel-by-pixel `fill`.
    let mut pixels = vec![u8::MAX; size.0 as usize * size.1 as usize * 3];
    {
        let bitmap = BitMapBackend::with_buffer(&mut pixels, size);
        let cache = &mut *plots.text.borrow_mut();
        let root = TextOnce { bitmap, cache }.into_drawing_area();
        plot.draw(&root).map_err(fail)?;
        root.present().map_err(err).map_err(fail)?;
    }
    let path = plots.dir.join(format!("{name}.png"));
    write_png(&path, &pixels, size).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    Ok(Figure {
        title: title.to_string(),
        png: format!("plots/{name}.png"),
    })
}

/// Writes RGB `pixels` as a PNG file. Every row gets the Paeth filter: plotters (through the
/// `image` crate) tries all five filters on every row, which costs twice the time for files
/// about 4% smaller.
fn write_png(path: &Path, pixels: &[u8], (width, height): (u32, u32)) -> Result<(), String> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Paeth);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(pixels).map_err(err)?;
    writer.finish().map_err(err)?;
    std::fs::write(path, png).map_err(err)
}

/// A text as plotters draws it: the string and everything of its style that its pixels
/// depend on (font family, style and size, colour, anchor, rotation).
#[derive(PartialEq, Eq, Hash)]
struct TextKey {
    text: String,
    family: String,
    size: u64,
    color: (u8, u8, u8, u64),
    /// Font style, horizontal and vertical anchor, rotation.
    layout: [u8; 4],
}

impl TextKey {
    fn new(text: &str, style: &impl BackendTextStyle) -> Self {
        let (color, anchor) = (style.color(), style.anchor());
        let (r, g, b) = color.rgb;
        Self {
            text: text.to_string(),
            family: style.family().as_str().to_string(),
            size: style.size().to_bits(),
            color: (r, g, b, color.alpha.to_bits()),
            layout: [
                match style.style() {
                    FontStyle::Normal => 0,
                    FontStyle::Oblique => 1,
                    FontStyle::Italic => 2,
                    FontStyle::Bold => 3,
                },
                match anchor.h_pos {
                    HPos::Left => 0,
                    HPos::Center => 1,
                    HPos::Right => 2,
                },
                match anchor.v_pos {
                    VPos::Top => 0,
                    VPos::Center => 1,
                    VPos::Bottom => 2,
                },
                match style.transform() {
                    FontTransform::None => 0,
                    FontTransform::Rotate90 => 1,
                    FontTransform::Rotate180 => 2,
                    FontTransform::Rotate270 => 3,
                },
            ],
        }
    }
}

/// Text pixels (offsets from the anchor, each with its colour), by text.
type TextCache = HashMap<TextKey, Vec<(BackendCoord, BackendColor)>>;

/// A bitmap backend that rasterises each distinct text once: plotters' font backend
/// rasterises glyph by glyph on every call, and the figures repeat their tick labels and axis
/// names. It draws the same pixels, in the same order, as plotters' own `draw_text`;
/// everything else goes to the bitmap unchanged.
struct TextOnce<'a, 'c> {
    bitmap: BitMapBackend<'a>,
    cache: &'c mut TextCache,
}

type BitMapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
type Drawn = Result<(), DrawingErrorKind<BitMapError>>;

impl DrawingBackend for TextOnce<'_, '_> {
    type ErrorType = BitMapError;

    fn get_size(&self) -> (u32, u32) {
        self.bitmap.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn {
        self.bitmap.ensure_prepared()
    }

    fn present(&mut self) -> Drawn {
        self.bitmap.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.bitmap.draw_pixel(point, color)
    }

    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        self.bitmap.draw_line(from, to, style)
    }

    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.bitmap.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        self.bitmap.draw_path(path, style)
    }

    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.bitmap.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        self.bitmap.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn {
        self.bitmap.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<BitMapError>> {
        self.bitmap.estimate_text_size(text, style)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let pixels = match self.cache.entry(TextKey::new(text, style)) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(rasterise(text, style)?),
        };
        let (w, h) = self.bitmap.get_size();
        for &((x, y), color) in pixels.iter() {
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                self.bitmap.draw_pixel((x, y), color)?;
            }
        }
        Ok(())
    }
}

/// The pixels of `text` relative to its anchor, laid out as plotters' `layout_box` measures
/// it; fully transparent ones, which the bitmap skips, are left out.
fn rasterise(
    text: &str,
    style: &impl BackendTextStyle,
) -> Result<Vec<(BackendCoord, BackendColor)>, DrawingErrorKind<BitMapError>> {
    let font_error = |e| DrawingErrorKind::FontError(Box::new(e));
    let ((min_x, min_y), (max_x, max_y)) = style.layout_box(text).map_err(font_error)?;
    let (width, height) = (max_x - min_x, max_y - min_y);
    let dx = match style.anchor().h_pos {
        HPos::Left => 0,
        HPos::Right => -width,
        HPos::Center => -width / 2,
    };
    let dy = match style.anchor().v_pos {
        VPos::Top => 0,
        VPos::Center => -height / 2,
        VPos::Bottom => -height,
    };
    let transform = style.transform();
    let color = style.color();
    let mut pixels = Vec::new();
    glyph_coverage(text, style.size(), |x, y, coverage| {
        if coverage > 0.0 {
            let alpha = color.alpha * f64::from(coverage.min(1.0));
            let pixel = BackendColor {
                alpha,
                rgb: color.rgb,
            };
            pixels.push((transform.transform(x + dx - min_x, y + dy - min_y), pixel));
        }
    });
    Ok(pixels)
}

/// Ten distinct colours (matplotlib's tab10), cycled by group.
pub fn color(i: usize) -> RGBColor {
    const TAB10: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = TAB10[i % TAB10.len()];
    RGBColor(r, g, b)
}

/// Height of a legend of `n` entries laid out in rows of `per_row`.
pub fn legend_height(n: usize, per_row: usize) -> u32 {
    (n.div_ceil(per_row.max(1)) as u32) * 22 + 12
}

/// Draws a legend (a coloured line and a label per entry) filling `area`, `per_row` entries
/// per row.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    per_row: usize,
) -> Result<(), String> {
    let (width, _) = area.dim_in_pixel();
    let column = (width as i32 - 20) / per_row.max(1) as i32;
    let font = ("sans-serif", 14).into_font();
    for (i, label) in labels.iter().enumerate() {
        let (row, col) = ((i / per_row) as i32, (i % per_row) as i32);
        let (x, y) = (20 + col * column, 10 + row * 22);
        let style = color(i).stroke_width(3);
        area.draw(&PathElement::new(vec![(x, y + 8), (x + 24, y + 8)], style))
            .map_err(err)?;
        area.draw(&Text::new(label.clone(), (x + 30, y), font.clone()))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: (u32, u32) = (320, 240);

    /// A chart with a caption, tick labels, a rotated axis name, a legend and a text cut by
    /// the canvas's edge.
    fn chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) {
        area.fill(&WHITE).unwrap();
        let (top, bottom) = area.split_vertically(200);
        let mut chart = ChartBuilder::on(&top)
            .caption("Test accuracy", ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..10.0, 0.0..1.0)
            .unwrap();
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc("accuracy")
            .draw()
            .unwrap();
        legend(&bottom, &["relu".into(), "tanh".into()], 2).unwrap();
        let cut = Text::new("cut", (-6, -4), ("sans-serif", 15).into_font());
        area.draw(&cut).unwrap();
    }

    fn pixels(cache: Option<&mut TextCache>) -> Vec<u8> {
        register_font();
        let mut pixels = vec![0; SIZE.0 as usize * SIZE.1 as usize * 3];
        let bitmap = BitMapBackend::with_buffer(&mut pixels, SIZE);
        match cache {
            Some(cache) => chart(&TextOnce { bitmap, cache }.into_drawing_area()),
            None => chart(&bitmap.into_drawing_area()),
        }
        pixels
    }

    /// The cache gives back the pixels of the first draw, and the text is drawn at all.
    #[test]
    fn text_drawn_from_the_cache_has_the_first_draws_pixels() {
        let mut cache = TextCache::new();
        let first = pixels(Some(&mut cache));
        assert!(cache.len() > 5, "{} texts", cache.len());
        assert!(
            first == pixels(Some(&mut cache)),
            "draw from the cache differs"
        );
        let caption_rows = &first[..SIZE.0 as usize * 3 * 25];
        assert!(caption_rows.iter().any(|&v| v < 128), "no caption drawn");
    }

    /// Where a text's ink lies is where plotters' layout (which anchors it) says it does,
    /// with each glyph at its fractional position: "epoch" spans its measured width.
    #[test]
    fn glyphs_cover_the_measured_layout() {
        register_font();
        let font = ("sans-serif", 15).into_font();
        for text in ["epoch", "Train accuracy", "0.7079", "W"] {
            let ((x0, _), (x1, _)) = font.layout_box(text).unwrap();
            let (mut min, mut max) = (i32::MAX, i32::MIN);
            glyph_coverage(text, 15.0, |x, _, coverage| {
                if coverage > 0.5 {
                    (min, max) = (min.min(x), max.max(x));
                }
            });
            assert!(
                min >= x0 - 1 && min <= x0 + 2,
                "{text}: ink starts at {min}"
            );
            assert!(
                (max - (x1 - 1)).abs() <= 2,
                "{text}: ink ends at {max}, width {x1}"
            );
        }
    }

    #[test]
    fn png_holds_the_pixels() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("chart.png");
        let pixels = pixels(None);
        write_png(&path, &pixels, SIZE).unwrap();
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut decoded = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut decoded).unwrap();
        assert_eq!((info.width, info.height), SIZE);
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert!(decoded[..info.buffer_size()] == pixels[..]);
    }
}
