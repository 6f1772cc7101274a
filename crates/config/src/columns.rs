//! What a run records, by name: the columns of `runs.csv` and `epochs.csv`, which claims,
//! reports and the results folder all name.

/// Columns of `epochs.csv`.
pub const EPOCH_COLUMNS: &[&str] = &[
    "run_id",
    "cell",
    "seed",
    "epoch",
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "lr",
    "wall_s",
    "val_loss",
    "val_acc",
];

/// Columns of `runs.csv`: these, then one per swept key (named by its dotted key), then
/// [`RUN_COLUMNS`].
pub const RUN_ID_COLUMNS: &[&str] = &["run_id", "cell", "seed"];

/// The last columns of `runs.csv`: the run's configuration and results.
pub const RUN_COLUMNS: &[&str] = &[
    "dataset",
    "hidden",
    "activation",
    "loss",
    "optimizer",
    "lr",
    "schedule",
    "batch_size",
    "epochs",
    "status",
    "diverged_epoch",
    "final_train_loss",
    "final_train_acc",
    "final_test_loss",
    "final_test_acc",
    "best_test_acc",
    "best_test_acc_epoch",
    "epochs_to_threshold",
    "seconds_to_threshold",
    "train_seconds",
    "seconds_per_epoch",
    "final_val_loss",
    "final_val_acc",
    "stopped_epoch",
    "stop_reason",
    "restored_epoch",
];

/// Columns added to the end of `runs.csv` and `epochs.csv` after results folders were first
/// written (validation and early stopping): a folder whose files end before them is read
/// with them filled in (`dlp-results`), so it still resumes, merges and reports.
pub const ADDED_COLUMNS: &[&str] = &[
    "val_loss",
    "val_acc",
    "final_val_loss",
    "final_val_acc",
    "stopped_epoch",
    "stop_reason",
    "restored_epoch",
];

/// Every column of `runs.csv` for a study sweeping `swept_keys`.
pub fn run_columns(swept_keys: &[String]) -> Vec<String> {
    let ids = RUN_ID_COLUMNS.iter().map(|c| c.to_string());
    let rest = RUN_COLUMNS.iter().map(|c| c.to_string());
    ids.chain(swept_keys.iter().cloned()).chain(rest).collect()
}
