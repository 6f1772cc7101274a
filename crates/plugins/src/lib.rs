//! The one place where plugin crates are linked into the binary and the tests.
//!
//! A crate that only registers entries with `inventory` (an optimizer, a schedule, a loss) is
//! not linked just because it is listed in `Cargo.toml`: nothing names it, so its
//! registrations silently vanish. Each `use plugin as _;` line below names one, so that
//! anything that names this crate (`use dlp_plugins as _;` in the binary and in every
//! integration test that looks up registered names) gets them all. The tests of this crate
//! check that the registry holds exactly the expected names.
//!
//! To add a plugin: depend on it in this crate's `Cargo.toml`, add its `use` line here and its
//! name to [`linked_plugins`], and add the names it registers to `tests/registry.rs`.
//!
//! ```
//! use dlp_plugins as _;
//! assert!(dlp_optim::find_optimizer("lion").is_ok());
//! ```
#![warn(missing_docs)]

/// Lion optimizer (`lion`).
use dlp_optim_lion as _;

/// The plugin crates this crate links, by library name.
pub fn linked_plugins() -> &'static [&'static str] {
    &["dlp_optim_lion"]
}
