//! [`ConfigError`]: what is wrong with an experiment file, located in it.

use std::path::{Path, PathBuf};

use crate::locate::locate;

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
