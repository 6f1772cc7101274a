//! Decision boundaries of 2-feature datasets: the model's probability of class 1 (or its
//! class, for k > 2) over the plane, test points on top, for the best run of each group, and
//! a grid of small ones across the sweep (as TensorFlow Playground shows them).

use anyhow::{Context, Result, bail};
use dlp_data::InputMap;
use dlp_model::Weights;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::cells::Cells;
use crate::figure::{Draw, Figure, Plots, color, err, render};
use crate::stats::fmt;
use crate::threshold::short;
use dlp_results::{Results, Run, Runs};

/// Class 0 and class 1 of binary data (TensorFlow Playground's orange and blue).
const ORANGE: (f64, f64, f64) = (245.0, 147.0, 34.0);
const BLUE: (f64, f64, f64) = (8.0, 119.0, 189.0);
/// Probability levels of the background: neighbouring cells of one level merge into one
/// rectangle, which keeps the drawing small.
const LEVELS: f64 = 16.0;

/// A computed boundary.
pub struct Boundary {
    title: String,
    x: (f64, f64),
    y: (f64, f64),
    rects: Vec<([f64; 4], RGBColor)>,
    points: Vec<(f64, f64, RGBColor)>,
}

/// The boundary figures: one per group (best run) and the grid; none for data that does not
/// have 2 features. Failures become warnings.
pub fn figures(
    results: &Results,
    cells: &Cells,
    plots: &Plots,
    warnings: &mut Vec<String>,
) -> Vec<Result<Figure>> {
    let runs = &results.runs;
    let mut out = Vec::new();
    let mut thumbs = Vec::new();
    for group in &runs.groups {
        let Some(best) = group.runs.iter().map(|&i| &runs.runs[i]).max_by(|a, b| {
            let acc = |r: &Run| {
                r.number("final_test_acc")
                    .filter(|v| !v.is_nan())
                    .unwrap_or(-1.0)
            };
            acc(a).total_cmp(&acc(b))
        }) else {
            continue;
        };
        let acc = best.number("final_test_acc").map_or("-".into(), fmt);
        let title = format!("{}: best seed {}, test acc {acc}", group.label, best.seed);
        match compute(results, cells, best, 80, 600, title) {
            Ok(None) => continue, // not 2-D data, or no weights saved
            Ok(Some(boundary)) => {
                let name = format!("boundary-cell{}", group.cell);
                let heading = format!("Decision boundary: {}", group.label);
                out.push(render(
                    &Single(boundary),
                    plots,
                    &name,
                    &heading,
                    (640, 640),
                ));
            }
            Err(e) => {
                warnings.push(format!("no decision boundary for {}: {e:#}", group.label));
                continue;
            }
        }
        // The grid needs two groups or more: with one, its small boundary is never drawn.
        if runs.groups.len() > 1 {
            let small = format!("{} (acc {acc})", short(&swept_values(runs, best), 40));
            if let Ok(Some(boundary)) = compute(results, cells, best, 40, 150, small) {
                thumbs.push(boundary);
            }
        }
    }
    if thumbs.len() > 1 {
        let cols = (thumbs.len() as f64).sqrt().ceil().min(6.0) as usize;
        let rows = thumbs.len().div_ceil(cols);
        let size = (cols as u32 * 300, rows as u32 * 320);
        let keys: Vec<&str> = runs.swept.iter().map(|k| last_segment(k)).collect();
        let title = format!(
            "Decision boundaries across the sweep (best seed of each group; titles: {})",
            keys.join(" · ")
        );
        out.insert(
            0,
            render(&Grid { thumbs, cols }, plots, "boundaries", &title, size),
        );
    }
    out
}

/// A square grid of cells over the plane of a 2-D dataset's raw coordinates: the bounding
/// box of some points plus a 10% margin on each side (at least 1e-3), cell `(i, j)` centred
/// at `(x.0 + (i + 0.5) * step.0, y.0 + (j + 0.5) * step.1)`, rows from `y.0` up. The report's
/// decision boundaries and `dlp serve`'s live field both draw on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plane {
    /// The x1 range.
    pub x: (f64, f64),
    /// The x2 range.
    pub y: (f64, f64),
    /// Cells per side.
    pub resolution: usize,
}

impl Plane {
    /// The plane around `points` (raw `(x1, x2)` coordinates), `resolution` cells per side.
    pub fn around(points: impl IntoIterator<Item = (f64, f64)>, resolution: usize) -> Plane {
        let inf = (f64::INFINITY, f64::NEG_INFINITY);
        let (x, y) = points.into_iter().fold((inf, inf), |(x, y), (px, py)| {
            ((x.0.min(px), x.1.max(px)), (y.0.min(py), y.1.max(py)))
        });
        let pad = |(lo, hi): (f64, f64)| {
            let margin = ((hi - lo) * 0.1).max(1e-3);
            (lo - margin, hi + margin)
        };
        Plane {
            x: pad(x),
            y: pad(y),
            resolution,
        }
    }

    /// The plane around the rows of a 2-D dataset (as generated or read).
    pub fn around_rows<'a>(rows: impl IntoIterator<Item = &'a [f32]>, resolution: usize) -> Plane {
        let points = rows.into_iter().map(|p| (f64::from(p[0]), f64::from(p[1])));
        Plane::around(points, resolution)
    }

    /// The width and height of a cell.
    pub fn step(&self) -> (f64, f64) {
        let n = self.resolution as f64;
        ((self.x.1 - self.x.0) / n, (self.y.1 - self.y.0) / n)
    }

    /// The cells' centres, row-major from `y.0` up, as raw 2-D points (`x1, x2, x1, x2, ...`):
    /// map them through the data's [`InputMap`](dlp_data::InputMap) before a model sees them.
    pub fn grid(&self) -> Vec<f32> {
        let (n, step) = (self.resolution, self.step());
        let mut grid = Vec::with_capacity(n * n * 2);
        for j in 0..n {
            for i in 0..n {
                grid.push((self.x.0 + (i as f64 + 0.5) * step.0) as f32);
                grid.push((self.y.0 + (j as f64 + 0.5) * step.1) as f32);
            }
        }
        grid
    }
}

/// A run's swept values, without their keys (the grid's heading names them once) and with
/// lists written tight, so that a thumbnail's title shows them all: `0.01 · [20,20] · 0.2`.
/// Thumbnails exist only for two groups or more, so something is swept.
fn swept_values(runs: &Runs, run: &Run) -> String {
    let values: Vec<String> = runs
        .swept
        .iter()
        .map(|key| run.swept_value(key).unwrap_or("-").replace(", ", ","))
        .collect();
    values.join(" · ")
}

/// `optim.lr` -> `lr`.
fn last_segment(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// A model's prediction over the plane around a run's test points, in the data's own
/// coordinates (x1, x2), whatever the model's inputs (see [`Plane`]).
pub struct Field {
    /// The x range.
    pub x: (f64, f64),
    /// The y range.
    pub y: (f64, f64),
    /// Cells per side.
    pub resolution: usize,
    /// Classes of the data.
    pub classes: usize,
    /// Each cell's predicted class and P(class 1) for binary data (else the probability of
    /// the predicted class), rows from `y.0` up.
    pub cells: Vec<(u32, f64)>,
    /// Test points (at most the `max_points` asked for): x, y, label.
    pub points: Vec<(f64, f64, u32)>,
}

/// The prediction of `run`'s final weights on a `resolution`² grid with at most `max_points`
/// test points; `None` when the data is not 2-D or the run saved no weights
/// (`save_weights = false`).
pub fn field(
    cells: &Cells,
    results: &Results,
    run: &Run,
    resolution: usize,
    max_points: usize,
) -> Result<Option<Field>> {
    let resolved = cells
        .get(run.cell)
        .context("its cell's configuration is unreadable")?;
    if !resolved.experiment.train.save_weights {
        return Ok(None);
    }
    let data = cells.data(run)?;
    let (raw, map) = &*data;
    let test = &raw.test;
    if test.n_features != 2 {
        return Ok(None);
    }
    if test.is_empty() {
        bail!("the test set is empty");
    }
    let weights = Weights::load(&results.weights(run))?;
    let classes = raw.train.n_classes.max(test.n_classes);
    let plane = Plane::around_rows((0..test.len()).map(|i| test.row(i)), resolution);
    let predictions = classify_raw(resolved, &weights, map, classes, &plane.grid())?;
    let stride = test.len().div_ceil(max_points).max(1);
    let points = (0..test.len())
        .step_by(stride)
        .map(|i| {
            let p = test.row(i);
            (f64::from(p[0]), f64::from(p[1]), test.labels[i])
        })
        .collect();
    Ok(Some(Field {
        x: plane.x,
        y: plane.y,
        resolution,
        classes,
        cells: predictions,
        points,
    }))
}

/// The class and probability (as [`Field::cells`]) that `weights` give raw 2-D `points`,
/// mapped through the data's `map` as the training data was.
pub(crate) fn classify_raw(
    resolved: &dlp_config::Resolved,
    weights: &Weights,
    map: &InputMap,
    classes: usize,
    points: &[f32],
) -> Result<Vec<(u32, f64)>> {
    let loss = dlp_loss::find_loss(&resolved.experiment.loss.name)?;
    let outputs = loss
        .head
        .outputs(classes)
        .context("the loss cannot serve the data")?;
    let inputs = map.apply(points);
    let raw = dlp_train::predict(
        &resolved.architecture,
        weights,
        map.inputs(),
        outputs,
        &inputs,
    )
    .map_err(|e| anyhow::anyhow!("the weights do not fit the model: {e}"))?;
    Ok(raw
        .chunks(outputs)
        .map(|row| loss.head.class_and_probability(row, classes))
        .collect())
}

/// The boundary of `run` on a `resolution`² grid with at most `max_points` test points, as a
/// drawing; `None` when the data is not 2-D.
fn compute(
    results: &Results,
    cells: &Cells,
    run: &Run,
    resolution: usize,
    max_points: usize,
    title: String,
) -> Result<Option<Boundary>> {
    let Some(field) = field(cells, results, run, resolution, max_points)? else {
        return Ok(None);
    };
    let (x, y, classes) = (field.x, field.y, field.classes);
    let colors: Vec<RGBColor> = field
        .cells
        .iter()
        .map(|&(class, value)| {
            if classes == 2 {
                binary(value)
            } else {
                multi(class as usize, value, classes)
            }
        })
        .collect();
    let step = (
        (x.1 - x.0) / resolution as f64,
        (y.1 - y.0) / resolution as f64,
    );
    let mut rects = Vec::new();
    for j in 0..resolution {
        let row = &colors[j * resolution..(j + 1) * resolution];
        let mut start = 0;
        for i in 1..=resolution {
            if i == resolution || row[i] != row[start] {
                let (x0, x1) = (x.0 + start as f64 * step.0, x.0 + i as f64 * step.0);
                let (y0, y1) = (y.0 + j as f64 * step.1, y.0 + (j + 1) as f64 * step.1);
                rects.push(([x0, y0, x1, y1], row[start]));
                start = i;
            }
        }
    }
    let points = field
        .points
        .iter()
        .map(|&(px, py, label)| (px, py, label_color(label, classes)))
        .collect();
    Ok(Some(Boundary {
        title,
        x,
        y,
        rects,
        points,
    }))
}

/// The colour of class `label` for points.
pub fn label_color(label: u32, classes: usize) -> RGBColor {
    match (classes, label) {
        (2, 0) => rgb(ORANGE),
        (2, _) => rgb(BLUE),
        _ => color(label as usize),
    }
}

fn rgb((r, g, b): (f64, f64, f64)) -> RGBColor {
    RGBColor(r as u8, g as u8, b as u8)
}

/// White blended towards `target` by `amount` in [0, 1].
fn tint(target: (f64, f64, f64), amount: f64) -> RGBColor {
    let mix = |c: f64| 255.0 + (c - 255.0) * amount;
    rgb((mix(target.0), mix(target.1), mix(target.2)))
}

/// Background for P(class 1) = `p`: orange below 0.5, blue above, white at 0.5, quantized.
fn binary(p: f64) -> RGBColor {
    let p = (p.clamp(0.0, 1.0) * LEVELS).round() / LEVELS;
    if p < 0.5 {
        tint(ORANGE, (0.5 - p) * 2.0 * 0.65)
    } else {
        tint(BLUE, (p - 0.5) * 2.0 * 0.65)
    }
}

/// Background for the predicted `class` with probability `confidence` among `classes`.
fn multi(class: usize, confidence: f64, classes: usize) -> RGBColor {
    let floor = 1.0 / classes as f64;
    let strength = ((confidence - floor) / (1.0 - floor)).clamp(0.0, 1.0);
    let strength = (strength * 4.0).round() / 4.0;
    let RGBColor(r, g, b) = color(class);
    tint(
        (f64::from(r), f64::from(g), f64::from(b)),
        0.15 + 0.5 * strength,
    )
}

struct Single(Boundary);

struct Grid {
    thumbs: Vec<Boundary>,
    cols: usize,
}

impl Draw for Single {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw_boundary(area, &self.0, 17, 3.0, true)
    }
}

impl Draw for Grid {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let rows = self.thumbs.len().div_ceil(self.cols);
        for (cell, thumb) in area
            .split_evenly((rows, self.cols))
            .iter()
            .zip(&self.thumbs)
        {
            draw_boundary(cell, thumb, 13, 2.0, false)?;
        }
        Ok(())
    }
}

fn draw_boundary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    b: &Boundary,
    font: u32,
    radius: f64,
    axes: bool,
) -> Result<(), String> {
    let mut builder = ChartBuilder::on(area);
    builder.caption(&b.title, ("sans-serif", font)).margin(8);
    if axes {
        builder.x_label_area_size(45).y_label_area_size(50);
    }
    let mut chart = builder
        .build_cartesian_2d(b.x.0..b.x.1, b.y.0..b.y.1)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.disable_mesh();
    if axes {
        mesh.x_desc("x1 (background: model's P(class 1); dots: test points by label)")
            .y_desc("x2")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 13));
    } else {
        mesh.disable_axes();
    }
    mesh.draw().map_err(err)?;
    chart
        .draw_series(
            b.rects
                .iter()
                .map(|([x0, y0, x1, y1], c)| Rectangle::new([(*x0, *y0), (*x1, *y1)], c.filled())),
        )
        .map_err(err)?;
    let r = radius as i32;
    chart
        .draw_series(
            b.points
                .iter()
                .map(|&(x, y, _)| Circle::new((x, y), r + 1, WHITE.filled())),
        )
        .map_err(err)?;
    chart
        .draw_series(
            b.points
                .iter()
                .map(|&(x, y, c)| Circle::new((x, y), r, c.filled())),
        )
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_is_white_at_even_odds_and_saturates_towards_the_classes() {
        assert_eq!(binary(0.5), RGBColor(255, 255, 255));
        assert_ne!(binary(0.0), binary(1.0));
        assert_eq!(binary(0.999), binary(1.0)); // quantized
        assert_eq!(label_color(0, 2), rgb(ORANGE));
    }
}
