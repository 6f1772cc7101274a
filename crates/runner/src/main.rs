//! `dlp`: run TOML-declared hyperparameter studies of small neural networks.
//!
//! The whole command line is [`dlp_runner::main`], so that a crate of your own can build the
//! same `dlp` with its plugins linked (docs/plugins.md).

use std::process::ExitCode;

fn main() -> ExitCode {
    dlp_runner::main()
}
