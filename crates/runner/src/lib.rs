//! The `dlp` runner: experiment files in, results folders out.
//!
//! Only this crate reads files given by the user, writes results and prints.
//!
//! ```
//! let text = "name = 'demo'\n[train]\nepochs = 1\n";
//! let resolved = dlp_runner::Resolved::parse("demo.toml".as_ref(), text).unwrap();
//! assert_eq!(resolved.experiment.train.batch_size, 10);
//! assert_eq!(resolved.optimizer, "sgd");
//! ```
#![warn(missing_docs)]

mod config;
mod error;
mod files;
pub mod list;
mod locate;
mod results;
mod run;

pub use config::{Experiment, LossConfig, Resolved, Seeds, TrainConfig};
pub use error::ConfigError;
pub use files::experiment_files;
pub use locate::{Position, locate};
pub use results::{EPOCH_COLUMNS, RUN_COLUMNS};
pub use run::{RunError, RunOptions, Summary, check_experiment, run_experiment};

// Plugin crates register optimizers and losses at link time; naming them keeps them linked.
use dlp_plugins as _;
