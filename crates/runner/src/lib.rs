//! The `dlp` runner: experiment files in, results folders out.
//!
//! Only this crate reads files given by the user and prints; `dlp-config` says what to run,
//! `dlp-results` writes and reads the results folder, `dlp-report` reports it. [`main`] is the
//! whole `dlp` command line, so that a crate of your own can build its own `dlp` with its
//! plugins linked (`fn main() -> ExitCode { dlp_runner::main() }`, docs/plugins.md). Every
//! public function fails with an [`Error`], whose kind is the exit code `dlp` ends with.
//!
//! ```
//! let text = "name = 'demo'\n[sweep]\n'optim.lr' = [0.01, 0.1]\n";
//! let study = dlp_runner::Study::parse("demo.toml".as_ref(), text, &["seeds=2".into()]).unwrap();
//! assert_eq!(study.cells.len(), 2);
//! assert_eq!(study.run_count(), 4);
//! assert_eq!(study.cells[1].label(), "optim.lr=0.1");
//! ```
#![warn(missing_docs)]

mod cli;
mod error;
mod files;
mod inputs;
pub mod list;
mod merge;
mod parallel;
mod run;
mod serve;
mod slurm;

pub use cli::main;
pub use dlp_config::{
    Cell, ConfigError, Experiment, LossConfig, MAX_RUNS, Planned, Provenance, Resolved, Seeds,
    Shard, Study, TrainConfig, plan,
};
/// The report of a results folder (the `dlp-report` crate).
pub use dlp_report as report;
pub use error::Error;
pub use files::{experiment_files, split_arguments};
pub use merge::{Merged, merge};
pub use parallel::map_in_parallel;
pub use run::{INTERRUPTED, RunOptions, Summary, check_study, run_studies};
pub use serve::{ServeOptions, serve};
pub use slurm::{SlurmOptions, Submitted, slurm_script, submit};

// Plugin crates register optimizers and losses at link time; naming them keeps them linked.
use dlp_plugins as _;
