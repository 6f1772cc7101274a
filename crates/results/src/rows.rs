//! A run as CSV rows.

use dlp_config::{Cell, Planned, RUN_COLUMNS};
use dlp_train::{Status, Trained};

/// One run, as rows ready to append.
pub struct RunRows {
    /// The run's `runs.csv` row, in [`dlp_config::run_columns`] order.
    pub run: Vec<String>,
    /// Its `epochs.csv` rows, in [`dlp_config::EPOCH_COLUMNS`] order.
    pub epochs: Vec<Vec<String>>,
}

impl RunRows {
    /// The rows of a finished run.
    pub fn finished(cell: &Cell, planned: &Planned, trained: &Trained) -> RunRows {
        let experiment = &cell.resolved.experiment;
        let id = planned.run_id.clone();
        let (cell_index, seed) = (planned.cell.to_string(), planned.seed.to_string());
        let optional = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
        let epochs = trained
            .epochs
            .iter()
            .map(|m| {
                vec![
                    id.clone(),
                    cell_index.clone(),
                    seed.clone(),
                    m.epoch.to_string(),
                    m.train_loss.to_string(),
                    m.train_acc.to_string(),
                    m.test_loss.to_string(),
                    m.test_acc.to_string(),
                    m.lr.to_string(),
                    format!("{:.6}", m.wall_s),
                    optional(m.val_loss),
                    optional(m.val_acc),
                ]
            })
            .collect();
        let last = trained.epochs.last().expect("epoch 0 is always measured");
        // The final metrics are those of the weights kept: with early stopping, the restored
        // epoch's row.
        let kept = trained.final_metrics();
        let best =
            trained.epochs.iter().fold(
                last,
                |best, m| if m.test_acc > best.test_acc { m } else { best },
            );
        let reached = trained
            .epochs
            .iter()
            .find(|m| m.test_acc >= experiment.train.threshold);
        let seconds_until = |epoch: usize| -> f64 {
            trained
                .epochs
                .iter()
                .take(epoch + 1)
                .map(|m| m.wall_s)
                .sum()
        };
        let train_seconds = seconds_until(last.epoch);
        let trained_epochs = trained.epochs.len() - 1;
        let (status, diverged_epoch) = match trained.status {
            Status::Ok => ("ok", String::new()),
            Status::Diverged { epoch } => ("diverged", epoch.to_string()),
        };
        let mut run = run_prefix(cell, planned);
        run.extend([
            trained_epochs.to_string(),
            status.to_string(),
            diverged_epoch,
            kept.train_loss.to_string(),
            kept.train_acc.to_string(),
            kept.test_loss.to_string(),
            kept.test_acc.to_string(),
            best.test_acc.to_string(),
            best.epoch.to_string(),
            reached.map(|m| m.epoch.to_string()).unwrap_or_default(),
            reached
                .map(|m| format!("{:.6}", seconds_until(m.epoch)))
                .unwrap_or_default(),
            format!("{train_seconds:.6}"),
            format!("{:.6}", train_seconds / trained_epochs.max(1) as f64),
            optional(kept.val_loss),
            optional(kept.val_acc),
            trained.stopped_epoch().to_string(),
            trained.stop_reason.name().to_string(),
            trained
                .restored_epoch
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ]);
        RunRows { run, epochs }
    }

    /// The `runs.csv` row of a run that could not train: status `failed`, no metrics. It is
    /// retried by the next invocation.
    pub fn failed(cell: &Cell, planned: &Planned) -> RunRows {
        let mut run = run_prefix(cell, planned);
        run.extend(["0".to_string(), "failed".to_string()]);
        let status = RUN_COLUMNS.iter().position(|c| *c == "status");
        let after_status = RUN_COLUMNS.len() - 1 - status.expect("runs.csv has a status");
        run.resize(run.len() + after_status, String::new());
        RunRows {
            run,
            epochs: Vec::new(),
        }
    }
}

/// The columns every row starts with: ids, swept values, the run's configuration.
fn run_prefix(cell: &Cell, planned: &Planned) -> Vec<String> {
    let resolved = &cell.resolved;
    let experiment = &resolved.experiment;
    let lr = resolved
        .optimizer_params
        .get("lr")
        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
        .map(|lr| lr.to_string())
        .unwrap_or_default();
    let mut run = vec![
        planned.run_id.clone(),
        planned.cell.to_string(),
        planned.seed.to_string(),
    ];
    run.extend(cell.values.iter().map(|(_, value)| value.clone()));
    run.extend([
        experiment.data.kind.name().to_string(),
        format!("{:?}", experiment.model.hidden).replace(',', ""),
        experiment.model.activation.name().to_string(),
        experiment.loss.name.clone(),
        resolved.optimizer.clone(),
        lr,
        resolved.schedule.clone(),
        experiment.train.batch_size.to_string(),
    ]);
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ResultsDir;
    use dlp_config::{Study, plan, run_columns};

    #[test]
    fn a_failed_run_fills_every_column_and_is_retried_on_reopen() {
        let text = "name = 'x'\n[sweep]\n'optim.lr' = [0.1, 0.2]\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        let planned = &plan(&study, None)[1];
        let row = RunRows::failed(&study.cells[1], planned);
        let columns = run_columns(&study.swept_keys);
        assert_eq!(row.run.len(), columns.len());
        assert_eq!(
            row.run[columns.iter().position(|c| c == "status").unwrap()],
            "failed"
        );

        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("x");
        let mut results = ResultsDir::open(&dir, "f", columns.clone(), false).unwrap();
        results.append(&row).unwrap();
        assert!(results.is_done(&planned.run_id));
        drop(results);
        let reopened = ResultsDir::open(&dir, "f", columns, false).unwrap();
        assert!(
            !reopened.is_done(&planned.run_id),
            "a failed run is retried"
        );
    }
}
