//! Learning curves: train and test loss and accuracy per epoch, one line per group (the mean
//! over seeds) inside a band from the lowest to the highest seed.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{Draw, Figure, Plots, color, err, legend, legend_height, render};
use crate::stats::{Summary, fmt};
use dlp_results::{Results, Run, Runs};

const PANELS: [(&str, &str, &str, bool); 4] = [
    ("train_loss", "Train loss", "loss (log scale)", true),
    ("test_loss", "Test loss", "loss (log scale)", true),
    ("train_acc", "Train accuracy", "accuracy", false),
    ("test_acc", "Test accuracy", "accuracy", false),
];
const LEGEND_PER_ROW: usize = 2;

/// One point of a curve: the mean over seeds and the band around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The epoch.
    pub epoch: f64,
    /// Mean over the seeds with a finite value.
    pub mean: f64,
    /// Lowest seed.
    pub lo: f64,
    /// Highest seed.
    pub hi: f64,
}

struct Panel {
    title: &'static str,
    y_label: &'static str,
    log: bool,
    lines: Vec<Vec<Point>>,
}

struct Curves {
    labels: Vec<String>,
    panels: Vec<Panel>,
}

/// Draws `plots/curves.png`.
pub fn figure(results: &Results, plots: &Plots) -> Result<Figure> {
    let runs = &results.runs;
    let panels = PANELS
        .iter()
        .map(|&(metric, title, y_label, log)| Panel {
            title,
            y_label,
            log,
            lines: runs
                .groups
                .iter()
                .map(|g| band(&members(runs, &g.runs), metric))
                .collect(),
        })
        .collect();
    let labels = runs.groups.iter().map(|g| g.label.clone()).collect();
    let height = 800 + legend_height(runs.groups.len(), LEGEND_PER_ROW);
    let curves = Curves { labels, panels };
    let title = "Learning curves (mean over seeds, band from min to max)";
    render(&curves, plots, "curves", title, (1200, height))
}

fn members<'a>(runs: &'a Runs, indices: &[usize]) -> Vec<&'a Run> {
    indices.iter().map(|&i| &runs.runs[i]).collect()
}

/// The mean and min..max over `runs` of `metric` at each epoch (finite values only: a
/// diverged run drops out from the epoch its loss stopped being finite).
pub fn band(runs: &[&Run], metric: &str) -> Vec<Point> {
    let last = runs
        .iter()
        .flat_map(|r| r.epochs.iter().map(|e| e.epoch))
        .max();
    let Some(last) = last else { return Vec::new() };
    (0..=last)
        .filter_map(|epoch| {
            let s = Summary::of(runs.iter().filter_map(|r| r.at_epoch(metric, epoch)));
            (s.n > 0).then_some(Point {
                epoch: epoch as f64,
                mean: s.mean,
                lo: s.min,
                hi: s.max,
            })
        })
        .collect()
}

impl Draw for Curves {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, height) = area.dim_in_pixel();
        let legend_h = legend_height(self.labels.len(), LEGEND_PER_ROW);
        let (top, bottom) = area.split_vertically(height - legend_h);
        for (panel, cell) in self.panels.iter().zip(top.split_evenly((2, 2))) {
            draw_panel(&cell, panel)?;
        }
        legend(&bottom, &self.labels, LEGEND_PER_ROW)
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), String> {
    // Losses are drawn as log10 on a linear axis labelled with the values, so that every
    // range gets ticks (plotters' log axis labels only powers of ten).
    let hi = panel
        .lines
        .iter()
        .flatten()
        .map(|p| p.hi)
        .fold(f64::NEG_INFINITY, f64::max);
    let floor = if panel.log {
        hi * 1e-6
    } else {
        f64::NEG_INFINITY
    };
    let y = |v: f64| if panel.log { v.max(floor).log10() } else { v };
    let lines: Vec<Vec<Point>> = panel
        .lines
        .iter()
        .map(|line| {
            line.iter()
                .filter(|p| !panel.log || p.hi > 0.0)
                .map(|p| Point {
                    epoch: p.epoch,
                    mean: y(p.mean),
                    lo: y(p.lo),
                    hi: y(p.hi),
                })
                .collect()
        })
        .collect();
    let points = || lines.iter().flatten();
    let max_epoch = points().map(|p| p.epoch).fold(1.0, f64::max);
    let lo = points().map(|p| p.lo).fold(f64::INFINITY, f64::min);
    let hi = points().map(|p| p.hi).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = match (lo.is_finite() && hi.is_finite(), panel.log) {
        (false, _) => (0.0, 1.0),
        (true, true) => {
            let pad = ((hi - lo) * 0.05).max(0.02);
            (lo - pad, hi + pad)
        }
        (true, false) => (((lo * 10.0).floor() / 10.0).min(0.5), 1.0),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(65)
        .build_cartesian_2d(0.0..max_epoch, lo..hi)
        .map_err(err)?;
    let label = |v: &f64| fmt(if panel.log { 10f64.powf(*v) } else { *v });
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(panel.y_label)
        .y_label_formatter(&label)
        .x_label_formatter(&|v| fmt(*v))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (i, line) in lines.iter().enumerate() {
        let c = color(i);
        if line.len() > 1 {
            let mut outline: Vec<(f64, f64)> = line.iter().map(|p| (p.epoch, p.hi)).collect();
            outline.extend(line.iter().rev().map(|p| (p.epoch, p.lo)));
            chart
                .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18).filled())))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                line.iter().map(|p| (p.epoch, p.mean)),
                c.stroke_width(2),
            ))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlp_results::testing::sample;

    #[test]
    fn band_leaves_out_non_finite_values() {
        let runs = sample();
        let sigmoid = members(&runs, &runs.groups[1].runs);
        let train = band(&sigmoid, "train_loss");
        // Epoch 1: 0.5, 0.5 and inf (diverged): mean of the finite two.
        assert_eq!(
            train,
            [Point {
                epoch: 1.0,
                mean: 0.5,
                lo: 0.5,
                hi: 0.5
            }]
        );
        let relu = members(&runs, &runs.groups[0].runs);
        let acc = band(&relu, "test_acc");
        assert_eq!(
            acc[0],
            Point {
                epoch: 0.0,
                mean: 0.5,
                lo: 0.5,
                hi: 0.5
            }
        );
        assert!((acc[1].mean - 0.8).abs() < 1e-12 && acc[1].lo == 0.7 && acc[1].hi == 0.9);
    }
}
