//! One drawing, rendered twice: as an SVG string for the HTML report and as a PNG file.

use std::fmt::Display;
use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A rendered plot.
pub struct Figure {
    /// Heading in the reports.
    pub title: String,
    /// The PNG, relative to the results folder (`plots/curves.png`).
    pub png: String,
    /// The same drawing as an `<svg>` element.
    pub svg: String,
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

/// Renders `plot` as SVG and as `plots_dir/<name>.png`.
pub fn render(
    plot: &impl Draw,
    plots_dir: &Path,
    name: &str,
    title: &str,
    size: (u32, u32),
) -> Result<Figure> {
    let fail = |e: String| anyhow!("cannot draw the {title} plot ({name}): {e}");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err).map_err(fail)?;
        plot.draw(&root).map_err(fail)?;
        root.present().map_err(err).map_err(fail)?;
    }
    let path = plots_dir.join(format!("{name}.png"));
    {
        let root = BitMapBackend::new(&path, size).into_drawing_area();
        root.fill(&WHITE).map_err(err).map_err(fail)?;
        plot.draw(&root).map_err(fail)?;
        root.present().map_err(err).map_err(fail)?;
    }
    Ok(Figure {
        title: title.to_string(),
        png: format!("plots/{name}.png"),
        svg,
    })
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
