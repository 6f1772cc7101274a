use std::path::PathBuf;

/// What can go wrong building, loading or saving a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The architecture is outside the accepted range (depth, widths).
    #[error(
        "architecture hidden = {hidden:?} is not accepted: {reason}\n  available: {menu}",
        menu = crate::menu::describe_menu()
    )]
    BadArchitecture {
        /// The requested hidden widths.
        hidden: Vec<usize>,
        /// Why it was refused.
        reason: String,
    },
    /// A dropout rate is out of range, or the rates do not match the hidden layers.
    #[error(
        "dropout = {} is not accepted: {reason}",
        crate::config::dropout_text(dropout)
    )]
    BadDropout {
        /// The requested dropout.
        dropout: crate::config::Dropout,
        /// Why it was refused.
        reason: String,
    },
    /// A weights file could not be read or written.
    #[error("cannot {action} weights file {}: {message}", path.display())]
    WeightsIo {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// A weights file does not fit the model.
    #[error("weights file {} does not fit the model: {message}", path.display())]
    WeightsMismatch {
        /// The file.
        path: PathBuf,
        /// The first mismatch found.
        message: String,
    },
}
