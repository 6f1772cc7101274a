//! The runner's errors: [`Error`], what every public function returns, and [`ConfigError`],
//! what is wrong with an experiment file.

use std::path::{Path, PathBuf};

use crate::locate::locate;

/// Why a `dlp` command failed. Its kind is the exit code ([`Error::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An experiment file or an override that cannot be used (exit 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Other bad input: an argument, a data or weights file, a folder that is not what the
    /// command needs; found before anything is trained or written (exit 2).
    #[error("{0}")]
    Input(String),
    /// One error per bad input, all found before stopping (the highest exit code of them).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<Error>),
    /// A run, a write or a submission failed, or a merged study is incomplete; what was
    /// written before is kept (exit 1).
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
    /// The command ran to its end, but a run failed, a report could not be written or a claim
    /// does not hold; it printed which as it went (exit 1).
    #[error("a run, a report or a claim failed")]
    NotAllPassed,
    /// Stopped by Ctrl-C ([`crate::INTERRUPTED`]); every run finished before is written
    /// (exit 130).
    #[error(
        "interrupted: {written} runs written, {left} left to do; rerun the same command to resume"
    )]
    Interrupted {
        /// Runs written by this invocation.
        written: usize,
        /// Runs not done.
        left: usize,
    },
}

impl Error {
    /// The exit code `dlp` ends with: 1 a run or a write failed or a claim does not hold, 2
    /// bad input, 130 interrupted.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Input(_) => 2,
            Error::Several(errors) => errors.iter().map(Error::exit_code).max().unwrap_or(2),
            Error::Failed(_) | Error::NotAllPassed => 1,
            Error::Interrupted { .. } => 130,
        }
    }
}

/// A problem with an experiment file, found before any training.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read experiment file {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Not valid TOML, an unknown key or a wrong type (toml's message carries line and column).
    #[error("{}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// toml's message, with the line, column and an excerpt.
        message: String,
    },
    /// A value the registries, the menu or a range check refuse.
    #[error("{}{location}: `{key}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// `:line:column` when the key is written in the file, else empty.
        location: String,
        /// The dotted key.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A command-line override that cannot be applied.
    #[error("cannot apply override `{assignment}`: {message}")]
    Override {
        /// The `key=value` argument.
        assignment: String,
        /// Why.
        message: String,
    },
    /// A cell of the sweep is invalid.
    #[error("{source}\n  in sweep cell {cell}: {values}")]
    Cell {
        /// The cell's index.
        cell: usize,
        /// Its swept values.
        values: String,
        /// The problem.
        source: Box<ConfigError>,
    },
    /// An error in the file as modified by command-line overrides.
    #[error("{source}\n  with command-line overrides: {overrides}")]
    WithOverrides {
        /// The overrides, space-separated.
        overrides: String,
        /// The problem.
        source: Box<ConfigError>,
    },
}

impl ConfigError {
    /// An invalid value at `key`, located in `text` at the key, or at its closest written
    /// parent when the key is missing (a required key points at its table).
    pub fn invalid(path: &Path, text: &str, key: String, message: String) -> Self {
        let at = key.clone();
        Self::located(path, text, &at, key, message)
    }

    /// An invalid value at `key`, located in `text` at the dotted key `at` (or its closest
    /// written parent).
    pub fn located(path: &Path, text: &str, at: &str, key: String, message: String) -> Self {
        let mut prefixes = std::iter::successors(Some(at), |k| k.rsplit_once('.').map(|(p, _)| p));
        let location = prefixes
            .find_map(|k| locate(text, k))
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        ConfigError::Invalid {
            path: path.to_path_buf(),
            location,
            key,
            message,
        }
    }
}
