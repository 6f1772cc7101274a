use dlp_registry::LookupError;

/// What can go wrong looking up a loss.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossError {
    /// No loss has this name (or the plugin crate that registers it is not linked), or two
    /// linked crates registered one name: the lookup all of dlp's registries share.
    #[error(transparent)]
    Lookup(#[from] LookupError),
}
