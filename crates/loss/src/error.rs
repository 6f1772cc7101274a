/// What can go wrong looking up a loss.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LossError {
    /// No loss has this name (or the plugin crate that registers it is not linked).
    #[error(
        "unknown loss `{name}` (known: {known}; if it comes from a plugin crate, that crate \
         must be linked: docs/plugins.md); did you mean `{nearest}`?"
    )]
    Unknown {
        /// The requested name.
        name: String,
        /// Every registered name, comma-separated.
        known: String,
        /// The closest registered name.
        nearest: String,
    },
    /// Two crates registered a loss under one name.
    #[error("loss `{name}` is registered twice; rename one of the two entries")]
    Duplicate {
        /// The clashing name.
        name: &'static str,
    },
}
