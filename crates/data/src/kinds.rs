//! The list of dataset kinds, for `dlp list datasets`.

use crate::{DataConfig, DataKind};

/// One dataset kind as `dlp list datasets` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindDoc {
    /// The kind.
    pub kind: DataKind,
    /// A one-line description.
    pub summary: &'static str,
}

impl KindDoc {
    /// The `kind` value written in TOML.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The keys the kind accepts, with the defaults [`DataConfig::resolved`] fills in (the
    /// ones that train), e.g. `n_train=500 n_test=500 noise=0.1`.
    pub fn params(&self) -> String {
        let r = DataConfig {
            kind: self.kind,
            ..DataConfig::default()
        }
        .resolved();
        let k = r.k.map(|k| format!(" k={k}")).unwrap_or_default();
        match (r.n_train, r.n_test, r.noise, r.test_fraction) {
            (Some(n_train), Some(n_test), Some(noise), _) => {
                format!("n_train={n_train} n_test={n_test} noise={noise:?}{k}")
            }
            (_, _, _, fraction) => format!(
                "path=(required) test_path=(none) test_fraction={} label_column=(last column)",
                fraction.map_or("(none)".to_owned(), |f| format!("{f:?}"))
            ),
        }
    }
}

const KINDS: [KindDoc; 7] = [
    KindDoc {
        kind: DataKind::Circles,
        summary: "two concentric circles (radii 1 and 0.5), like scikit-learn's make_circles",
    },
    KindDoc {
        kind: DataKind::Csv,
        summary: "your own data: a csv file with a header row and integer labels 0..k-1",
    },
    KindDoc {
        kind: DataKind::Gaussians,
        summary: "k Gaussian blobs on a regular polygon of radius 3 (k classes)",
    },
    KindDoc {
        kind: DataKind::Moons,
        summary: "two interleaving half circles, like scikit-learn's make_moons",
    },
    KindDoc {
        kind: DataKind::Spiral,
        summary: "TensorFlow Playground's two-arm spiral (uniform noise)",
    },
    KindDoc {
        kind: DataKind::Tp1Spirals,
        summary: "the TP1 exercise's two interlaced spirals",
    },
    KindDoc {
        kind: DataKind::Xor,
        summary: "uniform points in [-1, 1]^2 labelled by the sign of x*y",
    },
];

/// Every dataset kind, sorted by name. Every kind also accepts `standardize=false`.
pub fn kinds() -> &'static [KindDoc] {
    debug_assert!(KINDS.len() == DataKind::ALL.len());
    &KINDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_kind_sorted_and_well_named() {
        let names: Vec<&str> = kinds().iter().map(KindDoc::name).collect();
        let mut expected: Vec<&str> = DataKind::ALL.iter().map(|k| k.name()).collect();
        expected.sort_unstable();
        assert_eq!(names, expected);
        for name in names {
            assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
    }
}
