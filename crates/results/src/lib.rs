//! The results folder of a study, `OUT/<name>/`: its layout, every write and every read.
//! Nothing else in dlp names a path inside it.
//!
//! ```text
//! OUT/<name>/
//!   experiment.toml     the file as run (sweep and claims included)
//!   cells/<cell>.toml   each cell resolved, every default written out: an experiment file
//!   inputs/             copies of the data and weights files the runs read
//!   manifest.toml       dlp version and commit, rustc, seeds, host, start time
//!   fingerprint         what identifies the study (its cells, without seeds)
//!   runs.csv            one row per finished run
//!   epochs.csv          one row per run and epoch (0: before training)
//!   weights/<run>.safetensors (and .toml)
//!   report.md, report.html, plots/   written by dlp-report
//! ```
//!
//! [`ResultsDir`] writes (resume, durable appends, a canonical order at the end); [`Results`]
//! reads, for the report, and [`StudyFolder`] for `dlp merge`. A report of the folder needs
//! nothing outside it: data and starting weights are copied into `inputs/` and the cells
//! point at the copies.
#![warn(missing_docs)]

mod describe;
mod durable;
mod read;
mod rows;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod writer;

pub use describe::fingerprint;
pub use durable::write_durably;
pub use read::{
    EpochRow, Group, Results, Run, Runs, StudyFolder, parse_number, parse_runs, value_text,
};
pub use rows::RunRows;
pub use writer::{ResultsDir, is_being_written};

// The folder's layout, named once.
const EXPERIMENT: &str = "experiment.toml";
const CELLS: &str = "cells";
const INPUTS: &str = "inputs";
const MANIFEST: &str = "manifest.toml";
const FINGERPRINT: &str = "fingerprint";
/// The table of runs, one row per finished run; its presence makes a results folder.
pub const RUNS_CSV: &str = "runs.csv";
const EPOCHS_CSV: &str = "epochs.csv";
const WEIGHTS: &str = "weights";
const LOCK: &str = ".lock";

/// Whether `dir` is a results folder (has a `runs.csv`).
pub fn is_results_folder(dir: &std::path::Path) -> bool {
    dir.join(RUNS_CSV).is_file()
}

/// The report's files, which `dlp-report` writes and the runner prints.
pub const REPORT_HTML: &str = "report.html";
/// The report in Markdown.
pub const REPORT_MD: &str = "report.md";
/// The report's PNG plots.
pub const PLOTS: &str = "plots";
