use thiserror::Error;

use crate::LookupError;

/// Everything that can go wrong while looking up or configuring an optimizer or a schedule.
///
/// All of these happen before any training starts. Variants about one parameter carry the
/// registered name of the optimizer or schedule (`name`) and the parameter's key (`key`); see
/// [`OptimError::key`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum OptimError {
    /// No optimizer or schedule is registered under this name (or the plugin crate that
    /// registers it is not linked), or two linked crates registered one name: the lookup all
    /// of dlp's registries share.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The table holds keys that the optimizer or schedule does not read.
    #[error(
        "{name}: unknown key{} {} (accepted: {accepted})",
        plural(keys),
        quoted(keys)
    )]
    UnknownKeys {
        /// Registered name of the optimizer or schedule.
        name: String,
        /// The unknown keys, sorted.
        keys: Vec<String>,
        /// The accepted keys, comma-separated, or `none`.
        accepted: String,
    },
    /// A required key is absent.
    #[error("{name}: `{key}` is required")]
    Missing {
        /// Registered name of the optimizer or schedule.
        name: String,
        /// The missing key.
        key: String,
    },
    /// A key holds a value of the wrong TOML type.
    #[error("{name}: `{key}` must be {expected} (got {got})")]
    WrongType {
        /// Registered name of the optimizer or schedule.
        name: String,
        /// The key.
        key: String,
        /// What was expected, e.g. `a float`.
        expected: &'static str,
        /// The TOML type and value found, e.g. `string "0.1"`.
        got: String,
    },
    /// A value of the right type is out of range or contradicts another one.
    #[error("{name}: `{key}` {requirement} (got {got})")]
    Invalid {
        /// Registered name of the optimizer or schedule.
        name: String,
        /// The key.
        key: String,
        /// The rule broken, e.g. `must be > 0`.
        requirement: String,
        /// The offending value(s).
        got: String,
    },
}

impl OptimError {
    /// The parameter key this error is about, if it is about one (the first one for
    /// [`OptimError::UnknownKeys`]).
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Lookup(_) => None,
            Self::UnknownKeys { keys, .. } => keys.first().map(String::as_str),
            Self::Missing { key, .. } | Self::WrongType { key, .. } | Self::Invalid { key, .. } => {
                Some(key)
            }
        }
    }

    /// The registered optimizer or schedule name this error is about.
    pub fn name(&self) -> &str {
        match self {
            Self::Lookup(e) => e.name(),
            Self::UnknownKeys { name, .. }
            | Self::Missing { name, .. }
            | Self::WrongType { name, .. }
            | Self::Invalid { name, .. } => name,
        }
    }

    /// Builds an [`OptimError::Invalid`]: `"{name}: `{key}` {requirement} (got {got})"`.
    pub fn invalid(
        name: &str,
        key: &str,
        requirement: impl Into<String>,
        got: impl std::fmt::Display,
    ) -> Self {
        Self::Invalid {
            name: name.to_owned(),
            key: key.to_owned(),
            requirement: requirement.into(),
            got: got.to_string(),
        }
    }
}

fn plural(keys: &[String]) -> &'static str {
    if keys.len() == 1 { "" } else { "s" }
}

fn quoted(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
