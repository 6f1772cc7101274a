//! The runner's error: [`Error`], what every public function returns.

pub use dlp_config::ConfigError;

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
