//! The one lookup behind dlp's registries (optimizers, schedules, losses), so that they behave
//! alike: entries sorted by name, a name registered twice an error naming both registrations,
//! and an unknown name answered with every known name and a suggestion only when one is near.
//!
//! The registries collect their entries with `inventory` and build a [`Registry`] once, on
//! first use; this crate knows nothing of inventory or of what an entry holds.
//!
//! ```
//! use dlp_registry::{Registered, Registry};
//!
//! static SGD: &str = "plain SGD";
//! static ADAM: &str = "Adam";
//! let registry = Registry::new(
//!     "optimizer",
//!     [
//!         Registered { name: "sgd", origin: "dlp_optim::sgd", entry: &SGD },
//!         Registered { name: "adam", origin: "dlp_optim::adam", entry: &ADAM },
//!     ],
//! );
//! assert_eq!(registry.names(), ["adam", "sgd"]);
//! assert_eq!(*registry.lookup("sgd").unwrap(), "plain SGD");
//! let unknown = registry.lookup("adma").unwrap_err().to_string();
//! assert!(unknown.starts_with("unknown optimizer `adma` (known: adam, sgd;"));
//! assert!(unknown.ends_with("did you mean `adam`?"));
//! ```
#![warn(missing_docs)]

/// One registration: an entry, the name it is registered under and where it was registered.
#[derive(Debug)]
pub struct Registered<T: 'static> {
    /// The name users write (`[optim] name = "..."`).
    pub name: &'static str,
    /// Where the entry was registered: the `module_path!()` of the `register_*!` call.
    pub origin: &'static str,
    /// The entry.
    pub entry: &'static T,
}

impl<T> Clone for Registered<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Registered<T> {}

/// A registry's entries, sorted by name (then by origin), checked once when it is built.
///
/// A name registered twice is a programming error of the build (two linked crates chose one
/// name), found when the registry is built, that is on its first use: from then on every
/// [`lookup`](Self::lookup) and every [`entries`](Self::entries) returns
/// [`LookupError::Duplicate`], whatever the name asked for, so that a binary with a clash
/// refuses every experiment before anything trains rather than the one that names it. Nothing
/// panics; [`all`](Self::all) still lists both entries, so that a listing shows the clash.
#[derive(Debug)]
pub struct Registry<T: 'static> {
    kind: &'static str,
    sorted: Vec<Registered<T>>,
    duplicate: Option<LookupError>,
}

impl<T> Registry<T> {
    /// Sorts the registrations of entries of `kind` (`"optimizer"`, `"loss"`, ...) by name and
    /// records the first name registered twice.
    pub fn new(kind: &'static str, registrations: impl IntoIterator<Item = Registered<T>>) -> Self {
        let mut sorted: Vec<Registered<T>> = registrations.into_iter().collect();
        sorted.sort_by_key(|r| (r.name, r.origin));
        let duplicate = sorted
            .windows(2)
            .find(|pair| pair[0].name == pair[1].name)
            .map(|pair| LookupError::Duplicate {
                kind,
                name: pair[0].name,
                first: pair[0].origin,
                second: pair[1].origin,
            });
        Self {
            kind,
            sorted,
            duplicate,
        }
    }

    /// What the entries are (`"optimizer"`, `"schedule"`, `"loss"`).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Every entry, sorted by name; a name registered twice appears twice.
    pub fn all(&self) -> Vec<&'static T> {
        self.sorted.iter().map(|r| r.entry).collect()
    }

    /// Every registered name, sorted (a name registered twice appears twice).
    pub fn names(&self) -> Vec<&'static str> {
        self.sorted.iter().map(|r| r.name).collect()
    }

    /// Every entry, sorted by name.
    ///
    /// # Errors
    /// [`LookupError::Duplicate`] when a name is registered twice.
    pub fn entries(&self) -> Result<Vec<&'static T>, LookupError> {
        self.check()?;
        Ok(self.all())
    }

    /// The entry registered as `name`.
    ///
    /// # Errors
    /// [`LookupError::Duplicate`] when any name is registered twice;
    /// [`LookupError::Unknown`] (every known name, and a near one if any: see [`suggest`])
    /// when none is registered as `name`.
    pub fn lookup(&self, name: &str) -> Result<&'static T, LookupError> {
        self.check()?;
        match self.sorted.binary_search_by(|r| r.name.cmp(name)) {
            Ok(i) => Ok(self.sorted[i].entry),
            Err(_) => {
                let known = self.names();
                Err(LookupError::Unknown {
                    kind: self.kind,
                    name: name.to_owned(),
                    suggestion: suggest(name, known.iter().copied()),
                    known,
                })
            }
        }
    }

    fn check(&self) -> Result<(), LookupError> {
        self.duplicate.clone().map_or(Ok(()), Err)
    }
}

/// Looking up a registry failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No entry is registered under this name (or the plugin crate that registers it is not
    /// linked).
    #[error(
        "unknown {kind} `{name}` (known: {}; if it comes from a plugin crate, that crate must \
         be linked: docs/plugins.md){}",
        known.join(", "),
        did_you_mean(*suggestion)
    )]
    Unknown {
        /// What was looked up: `"optimizer"`, `"schedule"`, `"loss"`.
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The registered names, sorted.
        known: Vec<&'static str>,
        /// The nearest registered name, if one is near enough (see [`suggest`]).
        suggestion: Option<&'static str>,
    },
    /// Two registrations share a name (two linked crates chose it): the registry refuses every
    /// lookup.
    #[error(
        "{kind} `{name}` is registered twice, by `{first}` and by `{second}`; rename one of \
         the two"
    )]
    Duplicate {
        /// What the entries are: `"optimizer"`, `"schedule"`, `"loss"`.
        kind: &'static str,
        /// The name registered twice.
        name: &'static str,
        /// Where the first registration is (a module path; the two sorted).
        first: &'static str,
        /// Where the second registration is.
        second: &'static str,
    },
}

impl LookupError {
    /// The name the error is about: the name asked for, or the one registered twice.
    pub fn name(&self) -> &str {
        match self {
            Self::Unknown { name, .. } => name,
            Self::Duplicate { name, .. } => name,
        }
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// The least similarity, in `[0, 1]`, for [`suggest`] to offer a name.
pub const NEAR: f64 = 0.85;

/// The known name nearest to `name`, when it is near: a Jaro-Winkler similarity of at least
/// [`NEAR`], compared without case: `adma`, `Adam` and `adam_w` find `adam` or `adamw`,
/// `bce_logits` finds `bce_with_logits`; `transformer`, `adadelta` and `mae` find nothing (a
/// name that is merely short, like `mse`, is no reason to suggest it). Ties go to the first in
/// `known`.
pub fn suggest<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let name = name.to_lowercase();
    let mut best: Option<(f64, &'k str)> = None;
    for k in known {
        let score = strsim::jaro_winkler(&name, &k.to_lowercase());
        if score >= NEAR && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, k));
        }
    }
    best.map(|(_, k)| k)
}

/// Whether `name` is a well-formed registry name, `^[a-z][a-z0-9_]*$` (each registry's tests
/// check their names with it).
pub fn is_well_formed(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: &str = "a";
    static B: &str = "b";
    static C: &str = "c";

    fn registry(names: &[(&'static str, &'static str)]) -> Registry<&'static str> {
        let entries = [&A, &B, &C];
        Registry::new(
            "optimizer",
            names
                .iter()
                .zip(entries)
                .map(|(&(name, origin), entry)| Registered {
                    name,
                    origin,
                    entry,
                }),
        )
    }

    #[test]
    fn entries_are_sorted_by_name() {
        let r = registry(&[("sgd", "x"), ("adam", "y"), ("lion", "z")]);
        assert_eq!(r.names(), ["adam", "lion", "sgd"]);
        assert_eq!(r.entries().unwrap(), [&B, &C, &A]);
        assert_eq!(r.all(), [&B, &C, &A]);
        assert_eq!(*r.lookup("lion").unwrap(), "c");
    }

    #[test]
    fn a_name_registered_twice_refuses_every_lookup_and_names_both() {
        let r = registry(&[
            ("sgd", "plugin_b"),
            ("adam", "dlp_optim::adam"),
            ("sgd", "plugin_a"),
        ]);
        let expected = "optimizer `sgd` is registered twice, by `plugin_a` and by `plugin_b`; \
                        rename one of the two";
        assert_eq!(r.lookup("sgd").unwrap_err().to_string(), expected);
        // Not only the clashing name: the build is refused whatever the experiment asks for.
        assert_eq!(r.lookup("adam").unwrap_err().to_string(), expected);
        assert_eq!(r.lookup("nothing").unwrap_err().to_string(), expected);
        assert_eq!(r.entries().unwrap_err().name(), "sgd");
        // A listing shows both.
        assert_eq!(r.names(), ["adam", "sgd", "sgd"]);
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones_and_suggests_only_a_near_one() {
        let r = registry(&[("sgd", "x"), ("adam", "y"), ("adamw", "z")]);
        let e = r.lookup("adma").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown optimizer `adma` (known: adam, adamw, sgd; if it comes from a plugin \
             crate, that crate must be linked: docs/plugins.md); did you mean `adam`?"
        );
        assert_eq!(e.name(), "adma");
        let e = r.lookup("transformer").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown optimizer `transformer` (known: adam, adamw, sgd; if it comes from a \
             plugin crate, that crate must be linked: docs/plugins.md)"
        );
        // Case does not count.
        assert_eq!(
            r.lookup("SGD").unwrap_err(),
            LookupError::Unknown {
                kind: "optimizer",
                name: "SGD".into(),
                known: vec!["adam", "adamw", "sgd"],
                suggestion: Some("sgd"),
            }
        );
    }

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let optimizers = ["adagrad", "adam", "adamw", "lion", "rmsprop", "sgd"];
        let schedules = [
            "constant",
            "cosine",
            "exponential",
            "reduce_on_plateau",
            "step",
        ];
        let losses = ["bce", "bce_with_logits", "cross_entropy", "hinge", "mse"];
        for (asked, known, want) in [
            ("adma", &optimizers[..], Some("adam")),
            ("Adam", &optimizers, Some("adam")),
            ("adam_w", &optimizers, Some("adamw")),
            ("rms_prop", &optimizers, Some("rmsprop")),
            ("cosin", &schedules, Some("cosine")),
            ("cosine_annealing", &schedules, Some("cosine")),
            (
                "reduce_lr_on_plateau",
                &schedules,
                Some("reduce_on_plateau"),
            ),
            ("bce_logits", &losses, Some("bce_with_logits")),
            ("crossentropy", &losses, Some("cross_entropy")),
            ("hinge_loss", &losses, Some("hinge")),
            ("transformer", &optimizers, None),
            ("momentum", &optimizers, None),
            ("adadelta", &optimizers, None),
            ("linear", &schedules, None),
            ("plateau", &schedules, None),
            ("mae", &losses, None),
            ("nll", &losses, None),
            ("huber", &losses, None),
            ("transformer", &losses, None),
            ("", &losses, None),
            ("adam", &[], None),
        ] {
            assert_eq!(suggest(asked, known.iter().copied()), want, "{asked}");
        }
    }

    #[test]
    fn a_tie_goes_to_the_first_known_name() {
        assert_eq!(suggest("step_a", ["step_b", "step_c"]), Some("step_b"));
        assert_eq!(suggest("step_a", ["step_c", "step_b"]), Some("step_c"));
    }

    #[test]
    fn name_rule() {
        assert!(is_well_formed("sgd") && is_well_formed("reduce_on_plateau"));
        assert!(is_well_formed("a1"));
        for bad in ["", "1a", "Adam", "_x", "adam-w", "adam w"] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }
}
