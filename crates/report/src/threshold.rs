//! Time to the threshold accuracy: epochs and seconds per group, as horizontal bars (mean
//! over the seeds that reached it, whiskers from min to max), "never reached" otherwise.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{Draw, Figure, Plots, color, err, render};
use crate::stats::{Summary, fmt};
use dlp_results::Runs;

/// One panel: title, x label, and per group the summary of the reached values and the
/// number of runs.
type Panel = (String, &'static str, Vec<(Summary, usize)>);

struct Bars {
    labels: Vec<String>,
    panels: Vec<Panel>,
}

/// Draws `plots/threshold.png`; `threshold` is the accuracy waited for.
pub fn figure(runs: &Runs, threshold: Option<f64>, plots: &Plots) -> Result<Figure> {
    let at = threshold.map_or("the threshold".to_string(), |t| {
        format!("test accuracy {}", fmt(t))
    });
    let panel = |column: &str, title: &str, x_label| {
        let bars = runs
            .groups
            .iter()
            .map(|g| {
                let values = g.runs.iter().filter_map(|&i| runs.runs[i].number(column));
                (Summary::of(values), g.runs.len())
            })
            .collect();
        (format!("{title} to reach {at}"), x_label, bars)
    };
    let bars = Bars {
        labels: runs.groups.iter().map(|g| short(&g.label, 48)).collect(),
        panels: vec![
            panel(
                "epochs_to_threshold",
                "Epochs",
                "epochs (mean over seeds that reach it)",
            ),
            panel(
                "seconds_to_threshold",
                "Seconds",
                "seconds (mean over seeds that reach it)",
            ),
        ],
    };
    let height = 130 + 40 * runs.groups.len() as u32;
    let title = format!("Time to reach {at}");
    render(&bars, plots, "threshold", &title, (1400, height))
}

/// `text` cut to `max` characters with an ellipsis.
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

impl Draw for Bars {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.labels.len();
        let longest = self
            .labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        let label_area = (longest as u32 * 8 + 20).clamp(60, 420);
        for (cell, (title, x_label, bars)) in area.split_evenly((1, 2)).iter().zip(&self.panels) {
            let max = bars
                .iter()
                .map(|(s, _)| s.max)
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let max = if max > 0.0 { max * 1.6 } else { 1.0 };
            let mut chart = ChartBuilder::on(cell)
                .caption(title, ("sans-serif", 18))
                .margin(12)
                .margin_right(40)
                .x_label_area_size(40)
                .y_label_area_size(label_area)
                .build_cartesian_2d(0.0..max, -0.5..n as f64 - 0.5)
                .map_err(err)?;
            let label = |v: &f64| {
                let i = v.round();
                if (v - i).abs() < 0.01 && i >= 0.0 && (i as usize) < n {
                    self.labels[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n.max(1) * 2 + 1)
                .y_label_formatter(&label)
                .x_labels(6)
                .x_label_formatter(&|v| fmt(*v))
                .light_line_style(WHITE.mix(0.0))
                .x_desc(*x_label)
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 15))
                .draw()
                .map_err(err)?;
            for (i, (s, total)) in bars.iter().enumerate() {
                let y = (n - 1 - i) as f64; // first group on top
                let font = ("sans-serif", 14).into_font();
                if s.n == 0 {
                    let text = format!("never reached (0/{total} seeds)");
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            (max * 0.01, y + 0.15),
                            font,
                        )))
                        .map_err(err)?;
                    continue;
                }
                let c = color(i);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y - 0.3), (s.mean, y + 0.3)],
                        c.mix(0.75).filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(s.min, y), (s.max, y)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(err)?;
                let text = format!("{} ({}/{total} seeds)", fmt(s.mean), s.n);
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (s.max.max(s.mean), y + 0.35),
                        font,
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}
