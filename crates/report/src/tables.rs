//! Statistics over seeds, per group: mean, standard deviation and 95% confidence interval of
//! the final and best metrics; diverged runs and runs that never reach the threshold counted.

use crate::stats::{Summary, fmt};
use dlp_results::Runs;

/// The `runs.csv` columns summarised per group.
pub const TABLE_METRICS: &[&str] = &[
    "final_test_acc",
    "final_test_loss",
    "best_test_acc",
    "epochs_to_threshold",
    "seconds_per_epoch",
];

/// One line per group, `mean ± std (n)` per metric: the overview before the detailed tables.
pub fn overview(tables: &[GroupTable]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["group".to_string(), "runs".into(), "diverged".into()];
    header.extend(TABLE_METRICS.iter().map(|m| m.to_string()));
    let rows = tables
        .iter()
        .map(|table| {
            let mut row = vec![
                table.label.clone(),
                table.runs.to_string(),
                table.diverged.to_string(),
            ];
            row.extend(table.rows.iter().map(|r| {
                let s = &r.summary;
                match (s.n, s.std.is_nan()) {
                    (0, _) => "-".to_string(),
                    (_, true) => format!("{} ({})", fmt(s.mean), s.n),
                    _ => format!("{} ± {} ({})", fmt(s.mean), fmt(s.std), s.n),
                }
            }));
            row
        })
        .collect();
    (header, rows)
}

/// One group's statistics.
pub struct GroupTable {
    /// The group's label.
    pub label: String,
    /// Its runs (seeds).
    pub runs: usize,
    /// How many diverged.
    pub diverged: usize,
    /// One row per [`TABLE_METRICS`] entry.
    pub rows: Vec<MetricRow>,
}

/// Statistics of one metric over a group's seeds.
pub struct MetricRow {
    /// The column.
    pub metric: &'static str,
    /// Over the finite values.
    pub summary: Summary,
    /// Why some seeds are not counted, if any ("1 diverged", "2 not reached").
    pub note: String,
}

impl MetricRow {
    /// The cells of a table row: metric, n, mean, std, 95% CI, note.
    pub fn cells(&self) -> [String; 6] {
        let s = &self.summary;
        let ci = if s.ci95.is_nan() {
            "-".to_string()
        } else {
            // Clipped to what the metric can take: an accuracy lies in [0, 1], the other
            // metrics (losses, epochs, seconds) are never negative.
            let high = if self.metric.ends_with("_acc") {
                1.0
            } else {
                f64::INFINITY
            };
            let (low, high) = ((s.mean - s.ci95).max(0.0), (s.mean + s.ci95).min(high));
            format!("[{}, {}]", fmt(low), fmt(high))
        };
        [
            self.metric.to_string(),
            s.n.to_string(),
            fmt(s.mean),
            fmt(s.std),
            ci,
            self.note.clone(),
        ]
    }
}

/// The header of a [`MetricRow::cells`] table.
pub const HEADER: [&str; 6] = ["metric", "n", "mean", "std", "95% CI (t)", "not counted"];

/// The statistics of every group.
pub fn group_tables(runs: &Runs) -> Vec<GroupTable> {
    runs.groups
        .iter()
        .map(|group| {
            let members: Vec<_> = group.runs.iter().map(|&i| &runs.runs[i]).collect();
            let rows = TABLE_METRICS
                .iter()
                .map(|&metric| {
                    let values: Vec<Option<f64>> =
                        members.iter().map(|r| r.number(metric)).collect();
                    let empty = values.iter().filter(|v| v.is_none()).count();
                    let non_finite = values.iter().flatten().filter(|v| !v.is_finite()).count();
                    let mut notes = Vec::new();
                    if non_finite > 0 {
                        notes.push(format!("{non_finite} diverged (NaN)"));
                    }
                    if empty > 0 {
                        let why = if metric.ends_with("_to_threshold") {
                            "not reached"
                        } else {
                            "empty"
                        };
                        notes.push(format!("{empty} {why}"));
                    }
                    MetricRow {
                        metric,
                        summary: Summary::of(values.into_iter().flatten()),
                        note: notes.join(", "),
                    }
                })
                .collect();
            GroupTable {
                label: group.label.clone(),
                runs: members.len(),
                diverged: members.iter().filter(|r| r.diverged()).count(),
                rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlp_results::testing::sample;

    #[test]
    fn counts_diverged_and_unreached_seeds() {
        let tables = group_tables(&sample());
        let sigmoid = &tables[1];
        assert_eq!((sigmoid.runs, sigmoid.diverged), (3, 1));
        let acc = &sigmoid.rows[0];
        assert_eq!(acc.summary.n, 2);
        assert_eq!(acc.note, "1 diverged (NaN)");
        let epochs = &sigmoid.rows[3];
        assert_eq!(
            (epochs.summary.n, epochs.note.as_str()),
            (1, "2 not reached")
        );
        // relu final_test_acc 0.95, 0.97, 0.99: 0.97 +- 0.0497 (stats::tests), clipped to
        // the accuracy's range [0, 1].
        let cells = tables[0].rows[0].cells();
        assert_eq!(cells[4], "[0.9203, 1]");
    }
}
