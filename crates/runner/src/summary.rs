//! The table printed at the end of `dlp run`: one line per cell, mean +- std over seeds.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::Error;

/// Metrics the summary shows, in order; any of them can sort it.
pub const SUMMARY_METRICS: &[&str] = &[
    "final_test_acc",
    "best_test_acc",
    "final_test_loss",
    "epochs_to_threshold",
    "seconds_per_epoch",
];

/// The summary of `dir/runs.csv`, groups sorted by `sort_by` (descending for accuracies,
/// ascending otherwise), one line per cell.
pub fn summary_table(dir: &Path, swept_keys: &[String], sort_by: &str) -> Result<String, Error> {
    if !SUMMARY_METRICS.contains(&sort_by) {
        return Err(Error::Input(format!(
            "cannot sort by `{sort_by}`; choose one of {}",
            SUMMARY_METRICS.join(", ")
        )));
    }
    let groups = read_groups(&dir.join("runs.csv"), swept_keys)?;
    let sort = SUMMARY_METRICS
        .iter()
        .position(|m| *m == sort_by)
        .unwrap_or(0);
    let descending = sort_by.ends_with("_acc");
    let mut rows: Vec<&Group> = groups.values().collect();
    rows.sort_by(|a, b| {
        let (x, y) = (
            mean(&a.values[sort]).unwrap_or(f64::NAN),
            mean(&b.values[sort]).unwrap_or(f64::NAN),
        );
        let order = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
        if descending { order.reverse() } else { order }
    });
    let label_width = rows.iter().map(|g| g.label.len()).max().unwrap_or(0).max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<label_width$} {:>5} {:>8} {:>16} {:>16} {:>16} {:>14} {:>12}",
        "group",
        "runs",
        "diverged",
        "final_test_acc",
        "best_test_acc",
        "final_test_loss",
        "epochs_to_thr",
        "s/epoch"
    );
    for group in rows {
        let label = if group.label.is_empty() {
            "(all)"
        } else {
            &group.label
        };
        let _ = write!(
            out,
            "{label:<label_width$} {:>5} {:>8}",
            group.runs, group.diverged
        );
        for (i, values) in group.values.iter().enumerate() {
            let width = [16, 16, 16, 14, 12][i];
            let text = match (mean(values), std(values)) {
                (Some(m), Some(s)) if i == 3 => format!("{m:.1}±{s:.1} ({})", values.len()),
                (Some(m), _) if i == 4 => format!("{m:.4}"),
                (Some(m), Some(s)) => format!("{m:.3}±{s:.3}"),
                _ => "-".into(),
            };
            let _ = write!(out, " {text:>width$}");
        }
        out.push('\n');
    }
    Ok(out)
}

/// The runs of `path` (a `runs.csv`) grouped by cell.
fn read_groups(path: &Path, swept_keys: &[String]) -> Result<BTreeMap<usize, Group>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader.headers()?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (cell, status) = (
        column("cell").context("runs.csv has no cell column")?,
        column("status").context("no status column")?,
    );
    let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        let index: usize = record[cell].parse().unwrap_or(0);
        let group = groups.entry(index).or_insert_with(|| Group {
            label: swept_keys
                .iter()
                .filter_map(|k| column(k).map(|c| format!("{k}={}", &record[c])))
                .collect::<Vec<_>>()
                .join(", "),
            ..Group::default()
        });
        group.runs += 1;
        group.diverged += usize::from(&record[status] == "diverged");
        for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
            // A diverged run's loss is NaN: the `diverged` column counts it instead.
            let value = column(metric).and_then(|c| record[c].parse::<f64>().ok());
            if let Some(value) = value.filter(|v| v.is_finite()) {
                group.values[i].push(value);
            }
        }
    }
    Ok(groups)
}

#[derive(Default)]
struct Group {
    label: String,
    runs: usize,
    diverged: usize,
    values: [Vec<f64>; 5],
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (n - 1); 0 for a single value.
fn std(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    let n = values.len();
    Some(if n < 2 {
        0.0
    } else {
        (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    })
}
