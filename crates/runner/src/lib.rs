//! The `dlp` runner: experiment files in, results folders out.
//!
//! Only this crate reads files given by the user, writes results and prints. [`main`] is the
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
mod config;
mod error;
mod files;
mod inputs;
pub mod list;
mod locate;
mod merge;
mod parallel;
mod plan;
mod provenance;
pub mod report;
mod results;
mod rows;
mod run;
mod slurm;
mod study;
mod summary;

pub use cli::main;
pub use config::{Experiment, LossConfig, Resolved, Seeds, TrainConfig};
pub use error::{ConfigError, Error};
pub use files::{experiment_files, split_arguments};
pub use locate::{Position, locate};
pub use merge::{Merged, merge};
pub use parallel::map_in_parallel;
pub use plan::{Planned, Shard, plan};
pub use provenance::Provenance;
pub use results::{EPOCH_COLUMNS, RUN_COLUMNS, RUN_ID_COLUMNS, run_columns};
pub use run::{INTERRUPTED, RunOptions, Summary, check_study, run_studies};
pub use slurm::{SlurmOptions, Submitted, slurm_script, submit};
pub use study::{Cell, MAX_RUNS, Study};
pub use summary::{SUMMARY_METRICS, summary_table};

// Plugin crates register optimizers and losses at link time; naming them keeps them linked.
use dlp_plugins as _;
