//! The list of dataset kinds, for `dlp list datasets`.

use crate::DataKind;

/// One dataset kind as `dlp list datasets` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindDoc {
    /// The `kind` value written in TOML.
    pub name: &'static str,
    /// A one-line description.
    pub summary: &'static str,
    /// The keys the kind accepts, with their defaults.
    pub params: &'static str,
}

const KINDS: [KindDoc; 7] = [
    KindDoc {
        name: "circles",
        summary: "two concentric circles (radii 1 and 0.5), like scikit-learn's make_circles",
        params: "n_train=500 n_test=500 noise=0.1",
    },
    KindDoc {
        name: "csv",
        summary: "your own data: a csv file with a header row and integer labels 0..k-1",
        params: "path=(required) test_path=(none) test_fraction=0.2 label_column=(last column)",
    },
    KindDoc {
        name: "gaussians",
        summary: "k Gaussian blobs on a regular polygon of radius 3 (k classes)",
        params: "n_train=500 n_test=500 noise=1.0 k=3",
    },
    KindDoc {
        name: "moons",
        summary: "two interleaving half circles, like scikit-learn's make_moons",
        params: "n_train=500 n_test=500 noise=0.1",
    },
    KindDoc {
        name: "spiral",
        summary: "TensorFlow Playground's two-arm spiral (uniform noise)",
        params: "n_train=500 n_test=500 noise=0.0",
    },
    KindDoc {
        name: "tp1_spirals",
        summary: "the TP1 exercise's two interlaced spirals",
        params: "n_train=4000 n_test=1000 noise=0.4",
    },
    KindDoc {
        name: "xor",
        summary: "uniform points in [-1, 1]^2 labelled by the sign of x*y",
        params: "n_train=500 n_test=500 noise=0.0",
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
    use crate::DataConfig;

    #[test]
    fn one_entry_per_kind_sorted_and_well_named() {
        let names: Vec<&str> = kinds().iter().map(|k| k.name).collect();
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

    #[test]
    fn params_state_the_resolved_defaults() {
        for kind in DataKind::ALL.into_iter().filter(|&k| k != DataKind::Csv) {
            let r = DataConfig {
                kind,
                ..DataConfig::default()
            }
            .resolved();
            let mut expected = format!(
                "n_train={} n_test={} noise={:?}",
                r.n_train.unwrap(),
                r.n_test.unwrap(),
                r.noise.unwrap()
            );
            if let Some(k) = r.k {
                expected.push_str(&format!(" k={k}"));
            }
            let doc = kinds().iter().find(|d| d.name == kind.name()).unwrap();
            assert_eq!(doc.params, expected, "{kind}");
        }
    }
}
