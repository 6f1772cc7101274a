//! The dataset: the training points of the first run's seed, coloured by label.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::boundary::label_color;
use crate::cells::Cells;
use crate::figure::{Draw, Figure, Plots, err, render};
use dlp_results::Results;

/// At most this many points are drawn (evenly spaced in file order).
const MAX_POINTS: usize = 2000;

struct Scatter {
    title: String,
    x_label: String,
    y_label: String,
    points: Vec<(f64, f64, RGBColor)>,
}

/// Draws `plots/dataset.png`; `None` without runs or with a single feature.
pub fn figure(results: &Results, cells: &Cells, plots: &Plots) -> Option<Result<Figure>> {
    let run = results.runs.runs.first()?;
    let data = match cells.data(run) {
        Ok(data) => data,
        Err(e) => return Some(Err(e)),
    };
    let train = &data.0.train; // the data's own coordinates, not the model's inputs
    if train.n_features < 2 || train.is_empty() {
        return None;
    }
    let stride = train.len().div_ceil(MAX_POINTS).max(1);
    let classes = train.n_classes;
    let points = (0..train.len())
        .step_by(stride)
        .map(|i| {
            let p = train.row(i);
            (
                f64::from(p[0]),
                f64::from(p[1]),
                label_color(train.labels[i], classes),
            )
        })
        .collect();
    let dataset = run.fields.get("dataset").map_or("data", String::as_str);
    let (x_label, y_label) = if train.n_features == 2 {
        ("x1".to_string(), "x2".to_string())
    } else {
        let n = train.n_features;
        (format!("feature 1 of {n}"), format!("feature 2 of {n}"))
    };
    let scatter = Scatter {
        title: format!(
            "{dataset}: {} training points of seed {}, {classes} classes",
            train.len(),
            run.seed
        ),
        x_label,
        y_label,
        points,
    };
    let title = format!("Dataset ({dataset}, seed {})", run.seed);
    Some(render(&scatter, plots, "dataset", &title, (640, 640)))
}

impl Draw for Scatter {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let range = |f: fn(&(f64, f64, RGBColor)) -> f64| {
            let (lo, hi) = self
                .points
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let margin = ((hi - lo) * 0.05).max(1e-3);
            lo - margin..hi + margin
        };
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(50)
            .build_cartesian_2d(range(|p| p.0), range(|p| p.1))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|&(x, y, c)| Circle::new((x, y), 2, c.filled())),
            )
            .map_err(err)?;
        Ok(())
    }
}
