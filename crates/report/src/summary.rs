//! The table printed at the end of `dlp run`: one line per cell, mean +- std over seeds.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Result, bail};
use dlp_results::{Results, Run, Runs};

use crate::stats::Summary;

/// Metrics the summary shows, in order; any of them can sort it.
pub const SUMMARY_METRICS: [&str; 5] = [
    "final_test_acc",
    "best_test_acc",
    "final_test_loss",
    "epochs_to_threshold",
    "seconds_per_epoch",
];

/// The summary of the results folder `dir`, groups sorted by `sort_by` (one of
/// [`SUMMARY_METRICS`]; descending for accuracies, ascending otherwise), one line per cell.
pub fn summary_table(dir: &Path, sort_by: &str) -> Result<String> {
    if !SUMMARY_METRICS.contains(&sort_by) {
        bail!(
            "cannot sort by `{sort_by}`; choose one of {}",
            SUMMARY_METRICS.join(", ")
        );
    }
    let runs = Results::load(dir)?.runs;
    let runs_swept = !runs.swept.is_empty();
    let groups = groups(&runs);
    let sort = SUMMARY_METRICS
        .iter()
        .position(|m| *m == sort_by)
        .unwrap_or(0);
    let descending = sort_by.ends_with("_acc");
    let mut rows: Vec<&Group> = groups.iter().collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.values[sort].mean, b.values[sort].mean);
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
        let label = if runs_swept { &group.label } else { "(all)" };
        let _ = write!(
            out,
            "{label:<label_width$} {:>5} {:>8}",
            group.runs, group.diverged
        );
        for (i, values) in group.values.iter().enumerate() {
            let width = [16, 16, 16, 14, 12][i];
            // One value has no spread to show: ±0.
            let (m, s) = (values.mean, if values.n == 1 { 0.0 } else { values.std });
            let text = match i {
                _ if values.n == 0 => "-".into(),
                3 => format!("{m:.1}±{s:.1} ({})", values.n),
                4 => format!("{m:.4}"),
                _ => format!("{m:.3}±{s:.3}"),
            };
            let _ = write!(out, " {text:>width$}");
        }
        out.push('\n');
    }
    Ok(out)
}

/// The runs grouped by cell, with the summary's metrics over the finite values.
fn groups(runs: &Runs) -> Vec<Group> {
    runs.groups
        .iter()
        .map(|group| {
            let members: Vec<&Run> = group.runs.iter().map(|&r| &runs.runs[r]).collect();
            // A diverged run's loss is NaN, left out: the `diverged` column counts it instead.
            let values = SUMMARY_METRICS
                .map(|metric| Summary::of(members.iter().filter_map(|run| run.number(metric))));
            Group {
                label: group.label.clone(),
                runs: members.len(),
                diverged: members.iter().filter(|run| run.diverged()).count(),
                values,
            }
        })
        .collect()
}

struct Group {
    label: String,
    runs: usize,
    diverged: usize,
    values: [Summary; 5],
}
