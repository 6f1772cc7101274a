//! What to run: an experiment file read, validated against the registries and the model menu,
//! expanded by its `[sweep]` into cells, planned as runs (cell x seed, each with a stable id),
//! with its `[[expect]]` claims checked for shape. Every error points at the user's file,
//! sweep entry or command-line override ([`Provenance`]).
//!
//! It reads no data and writes nothing: `dlp-results` owns the results folder, `dlp-runner`
//! trains.
//!
//! ```
//! let text = "name = 'demo'\n[sweep]\n'optim.lr' = [0.01, 0.1]\n";
//! let study = dlp_config::Study::parse("demo.toml".as_ref(), text, &["seeds=2".into()]).unwrap();
//! assert_eq!(study.cells.len(), 2);
//! assert_eq!(study.run_count(), 4);
//! assert_eq!(study.cells[1].label(), "optim.lr=0.1");
//! ```
#![warn(missing_docs)]

mod columns;
mod error;
mod expect;
mod experiment;
mod locate;
mod plan;
mod provenance;
mod study;

pub use columns::{ADDED_COLUMNS, EPOCH_COLUMNS, RUN_COLUMNS, RUN_ID_COLUMNS, run_columns};
pub use error::ConfigError;
pub use expect::{Aggregate, EPOCH_METRICS, Expect, Op, run_metrics};
pub use experiment::{
    EarlyStoppingConfig, Experiment, LossConfig, Resolved, Seeds, TrainConfig, ValidationMetric,
};
pub use locate::{Position, locate};
pub use plan::{Planned, Shard, plan};
pub use provenance::Provenance;
pub use study::{Cell, MAX_RUNS, Study};
