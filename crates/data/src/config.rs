//! The `[data]` table of an experiment file.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{DataError, Feature};

/// Which dataset to use. Defaults to `tp1_spirals`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// The TP1 exercise's two interlaced spirals (see `generators/tp1_spirals.rs`).
    #[default]
    Tp1Spirals,
    /// Two concentric circles, like scikit-learn's `make_circles`.
    Circles,
    /// Two interleaving half circles, like scikit-learn's `make_moons`.
    Moons,
    /// Uniform points in `[-1, 1]^2` labelled by the sign of `x * y`.
    Xor,
    /// `k` Gaussian blobs on a regular polygon.
    Gaussians,
    /// TensorFlow Playground's two-arm spiral.
    Spiral,
    /// A user's own csv file.
    Csv,
}

impl DataKind {
    /// Every kind, in documentation order.
    pub const ALL: [DataKind; 7] = [
        DataKind::Tp1Spirals,
        DataKind::Circles,
        DataKind::Moons,
        DataKind::Xor,
        DataKind::Gaussians,
        DataKind::Spiral,
        DataKind::Csv,
    ];

    /// The name written in TOML, e.g. `"tp1_spirals"`.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Tp1Spirals => "tp1_spirals",
            DataKind::Circles => "circles",
            DataKind::Moons => "moons",
            DataKind::Xor => "xor",
            DataKind::Gaussians => "gaussians",
            DataKind::Spiral => "spiral",
            DataKind::Csv => "csv",
        }
    }

    /// The keys of the `[data]` table this kind accepts besides `kind`, comma-separated.
    pub fn accepted_keys(self) -> &'static str {
        match self {
            DataKind::Gaussians => {
                "n_train, n_test, noise, k, features, standardize, validation_fraction"
            }
            DataKind::Csv => {
                "path, test_path, test_fraction, label_column, features, standardize, validation_fraction"
            }
            _ => "n_train, n_test, noise, features, standardize, validation_fraction",
        }
    }

    /// Default `(n_train, n_test, noise)` of a generated kind; `None` for `csv`.
    pub(crate) fn generator_defaults(self) -> Option<(usize, usize, f64)> {
        match self {
            DataKind::Tp1Spirals => Some((4000, 1000, 0.4)),
            DataKind::Circles | DataKind::Moons => Some((500, 500, 0.1)),
            DataKind::Xor | DataKind::Spiral => Some((500, 500, 0.0)),
            DataKind::Gaussians => Some((500, 500, 1.0)),
            DataKind::Csv => None,
        }
    }
}

impl fmt::Display for DataKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Default number of Gaussian blobs for `gaussians`.
pub(crate) const DEFAULT_K: usize = 3;
/// Default held-out fraction for `csv` without `test_path`.
pub(crate) const DEFAULT_TEST_FRACTION: f64 = 0.2;

/// The `[data]` table of an experiment file: which dataset, how many points, how much noise.
///
/// Keys that do not apply to the chosen `kind` are rejected by [`DataConfig::validate`]; the
/// defaults below are those [`DataConfig::resolved`] fills in. The random seed is not part of
/// this table: the runner passes it to [`load`](crate::load).
///
/// ```
/// let config: dlp_data::DataConfig = toml::from_str("kind = \"moons\"\nnoise = 0.2").unwrap();
/// config.validate().unwrap();
/// assert_eq!(config.resolved().n_train, Some(500));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// Which dataset. Defaults to `tp1_spirals`.
    pub kind: DataKind,
    /// Number of training points (generated kinds only, at least 1). Defaults to `4000` for
    /// `tp1_spirals` and `500` for the other generated kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_train: Option<usize>,
    /// Number of test points (generated kinds only, at least 1). Defaults to `1000` for
    /// `tp1_spirals` and `500` for the other generated kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_test: Option<usize>,
    /// Noise level (generated kinds only, finite and `>= 0`): the standard deviation of the
    /// Gaussian noise, or for `spiral` the half-width of the uniform noise. Defaults to `0.4`
    /// for `tp1_spirals`, `0.1` for `circles` and `moons`, `0.0` for `xor` and `spiral`, and
    /// `1.0` (the blobs' standard deviation) for `gaussians`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// Number of blobs, which is the number of classes (`gaussians` only, `2..=10`). Defaults
    /// to `3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// The training (or whole) data file (`csv` only, required), relative to the experiment
    /// file's folder. No default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// A separate test file with the same header (`csv` only). Defaults to none: the test set
    /// is then held out from `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_path: Option<PathBuf>,
    /// Fraction of the rows of `path` held out as the test set by a seeded shuffle (`csv`
    /// without `test_path` only, in `(0, 1)`). Defaults to `0.2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_fraction: Option<f64>,
    /// Header name of the column holding the labels (`csv` only). Defaults to the last
    /// column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<String>,
    /// The model's inputs, computed from each 2-D point `(x1, x2)` in the order written (see
    /// [`Feature`]; each at most once): TensorFlow Playground's `x1`, `x2`, `x1^2`, `x2^2`,
    /// `x1*x2`, `sin(x1)`, `sin(x2)`. Computed on the raw coordinates, before
    /// `standardize`; 2-D data only. Defaults to `["x1", "x2"]`, the coordinates themselves,
    /// which is left out of the serialised configuration so that run ids do not change.
    #[serde(skip_serializing_if = "is_default_features")]
    pub features: Vec<Feature>,
    /// Whether to rescale every feature to mean 0 and standard deviation 1, with statistics
    /// fitted on the training set only and applied to both sets. Defaults to `false`.
    pub standardize: bool,
    /// Fraction of the training rows moved into a validation set (any kind, in `(0, 1)`,
    /// leaving at least one row on each side), chosen by a seeded shuffle (stream
    /// `data/validation`); standardisation is then fitted on the remaining training rows.
    /// Defaults to none (no validation set), and is then left out of the serialised
    /// configuration, so that run ids without it do not change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_fraction: Option<f64>,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            kind: DataKind::default(),
            n_train: None,
            n_test: None,
            noise: None,
            k: None,
            path: None,
            test_path: None,
            test_fraction: None,
            label_column: None,
            features: Feature::DEFAULT.to_vec(),
            standardize: false,
            validation_fraction: None,
        }
    }
}

fn is_default_features(features: &[Feature]) -> bool {
    features == Feature::DEFAULT
}

impl DataConfig {
    /// Checks ranges and that every key given applies to the chosen `kind`.
    ///
    /// Each error names the offending key (see [`DataError::key`]) and what it accepts.
    pub fn validate(&self) -> Result<(), DataError> {
        let kind = self.kind;
        let not_applicable = |key| DataError::NotApplicable {
            key,
            kind: kind.name(),
            accepted: kind.accepted_keys(),
        };
        let is_csv = kind == DataKind::Csv;
        let present: [(&'static str, bool, bool); 8] = [
            // (key, given, applies)
            ("n_train", self.n_train.is_some(), !is_csv),
            ("n_test", self.n_test.is_some(), !is_csv),
            ("noise", self.noise.is_some(), !is_csv),
            ("k", self.k.is_some(), kind == DataKind::Gaussians),
            ("path", self.path.is_some(), is_csv),
            ("test_path", self.test_path.is_some(), is_csv),
            ("test_fraction", self.test_fraction.is_some(), is_csv),
            ("label_column", self.label_column.is_some(), is_csv),
        ];
        if let Some(&(key, _, _)) = present
            .iter()
            .find(|(_, given, applies)| *given && !applies)
        {
            return Err(not_applicable(key));
        }
        if is_csv && self.path.is_none() {
            return Err(DataError::MissingKey {
                key: "path",
                kind: kind.name(),
            });
        }
        if self.test_path.is_some() && self.test_fraction.is_some() {
            return Err(DataError::Conflict {
                key: "test_fraction",
                other: "test_path",
                reason: "the test set is read from `test_path`",
            });
        }
        for (key, n) in [("n_train", self.n_train), ("n_test", self.n_test)] {
            if n == Some(0) {
                return Err(DataError::OutOfRange {
                    key,
                    allowed: ">= 1",
                    got: "0".into(),
                });
            }
        }
        if let Some(noise) = self.noise {
            if !noise.is_finite() {
                let got = noise.to_string();
                return Err(DataError::OutOfRange {
                    key: "noise",
                    allowed: "finite",
                    got,
                });
            }
            if noise < 0.0 {
                let got = noise.to_string();
                return Err(DataError::OutOfRange {
                    key: "noise",
                    allowed: ">= 0",
                    got,
                });
            }
        }
        if let Some(k) = self.k
            && !(2..=10).contains(&k)
        {
            let got = k.to_string();
            return Err(DataError::OutOfRange {
                key: "k",
                allowed: "in 2..=10",
                got,
            });
        }
        if self.features.is_empty() {
            return Err(DataError::BadFeatures {
                reason: "lists no feature (the default is [\"x1\", \"x2\"])".into(),
            });
        }
        for (i, feature) in self.features.iter().enumerate() {
            if self.features[..i].contains(feature) {
                return Err(DataError::BadFeatures {
                    reason: format!("lists `{feature}` twice (each feature at most once)"),
                });
            }
        }
        if let Some(f) = self.test_fraction {
            // Written so that NaN fails too.
            if !(f > 0.0 && f < 1.0) {
                let got = f.to_string();
                return Err(DataError::OutOfRange {
                    key: "test_fraction",
                    allowed: "in the open interval (0, 1)",
                    got,
                });
            }
        }
        if let Some(fraction) = self.validation_fraction {
            crate::validation::check_fraction(fraction)?;
            // The training set of a generated kind is known now; a csv file's once read.
            let n_train = self
                .n_train
                .or(kind.generator_defaults().map(|(n, _, _)| n));
            if let Some(rows) = n_train
                && crate::validation::validation_rows(rows, fraction).is_none()
            {
                return Err(crate::validation::too_few_rows(rows, fraction));
            }
        }
        Ok(())
    }

    /// Whether `features` is the default, `["x1", "x2"]`.
    pub fn has_default_features(&self) -> bool {
        is_default_features(&self.features)
    }

    /// A copy with every default that applies to `kind` filled in, for writing the resolved
    /// configuration next to a run's results. Keys that do not apply are left as they are
    /// (call [`validate`](Self::validate) first). `label_column` stays `None` when unset,
    /// meaning the last column, because resolving it needs the file.
    pub fn resolved(&self) -> DataConfig {
        let mut out = self.clone();
        if let Some((n_train, n_test, noise)) = self.kind.generator_defaults() {
            out.n_train.get_or_insert(n_train);
            out.n_test.get_or_insert(n_test);
            out.noise.get_or_insert(noise);
        }
        if self.kind == DataKind::Gaussians {
            out.k.get_or_insert(DEFAULT_K);
        }
        if self.kind == DataKind::Csv && self.test_path.is_none() {
            out.test_fraction.get_or_insert(DEFAULT_TEST_FRACTION);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DataConfig {
        toml::from_str(text).unwrap()
    }

    fn err(text: &str) -> DataError {
        parse(text).validate().unwrap_err()
    }

    #[test]
    fn default_is_tp1_spirals_and_valid() {
        let config = parse("");
        assert_eq!(config, DataConfig::default());
        assert_eq!(config.kind, DataKind::Tp1Spirals);
        config.validate().unwrap();
        let r = config.resolved();
        assert_eq!(
            (r.n_train, r.n_test, r.noise),
            (Some(4000), Some(1000), Some(0.4))
        );
        assert_eq!(r.k, None);
        assert_eq!(r.test_fraction, None);
        assert!(!r.standardize);
    }

    #[test]
    fn kind_names_round_trip_through_serde() {
        for kind in DataKind::ALL {
            let config = parse(&format!("kind = \"{kind}\""));
            assert_eq!(config.kind, kind);
        }
        assert!(toml::from_str::<DataConfig>("kind = \"spirals\"").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<DataConfig>("nois = 0.1").unwrap_err();
        assert!(e.to_string().contains("nois"), "{e}");
    }

    #[test]
    fn resolved_round_trips_and_is_valid() {
        for kind in DataKind::ALL {
            let mut config = DataConfig {
                kind,
                ..DataConfig::default()
            };
            if kind == DataKind::Csv {
                config.path = Some("data.csv".into());
            }
            let r = config.resolved();
            r.validate().unwrap();
            assert_eq!(r.resolved(), r);
            let text = toml::to_string(&r).unwrap();
            assert_eq!(parse(&text), r, "{text}");
        }
    }

    #[test]
    fn resolved_fills_kind_specific_defaults() {
        let g = parse("kind = \"gaussians\"").resolved();
        assert_eq!(
            (g.n_train, g.n_test, g.noise, g.k),
            (Some(500), Some(500), Some(1.0), Some(3))
        );
        let c = parse("kind = \"csv\"\npath = \"a.csv\"").resolved();
        assert_eq!(c.test_fraction, Some(0.2));
        assert_eq!((c.n_train, c.noise), (None, None));
        let c = parse("kind = \"csv\"\npath = \"a.csv\"\ntest_path = \"b.csv\"").resolved();
        assert_eq!(c.test_fraction, None);
        let given = parse("kind = \"circles\"\nnoise = 0.3\nn_test = 7").resolved();
        assert_eq!(
            (given.n_train, given.n_test, given.noise),
            (Some(500), Some(7), Some(0.3))
        );
    }

    #[test]
    fn out_of_range_values() {
        let cases = [
            ("n_train = 0", "n_train", "`n_train` must be >= 1 (got 0)"),
            ("n_test = 0", "n_test", "`n_test` must be >= 1 (got 0)"),
            ("noise = -1.0", "noise", "`noise` must be >= 0 (got -1)"),
            ("noise = nan", "noise", "`noise` must be finite (got NaN)"),
            ("noise = inf", "noise", "`noise` must be finite (got inf)"),
            (
                "kind = \"gaussians\"\nk = 1",
                "k",
                "`k` must be in 2..=10 (got 1)",
            ),
            (
                "kind = \"gaussians\"\nk = 11",
                "k",
                "`k` must be in 2..=10 (got 11)",
            ),
            (
                "kind = \"csv\"\npath = \"a\"\ntest_fraction = 1.0",
                "test_fraction",
                "`test_fraction` must be in the open interval (0, 1) (got 1)",
            ),
            (
                "kind = \"csv\"\npath = \"a\"\ntest_fraction = 0.0",
                "test_fraction",
                "`test_fraction` must be in the open interval (0, 1) (got 0)",
            ),
            (
                "kind = \"csv\"\npath = \"a\"\ntest_fraction = nan",
                "test_fraction",
                "`test_fraction` must be in the open interval (0, 1) (got NaN)",
            ),
        ];
        for (text, key, message) in cases {
            let e = err(text);
            assert_eq!(e.key(), Some(key), "{text}");
            assert_eq!(e.to_string(), message, "{text}");
        }
        parse("kind = \"gaussians\"\nk = 2\nnoise = 0.0")
            .validate()
            .unwrap();
        parse("kind = \"gaussians\"\nk = 10").validate().unwrap();
    }

    #[test]
    fn features_default_to_the_coordinates_and_are_left_out_when_default() {
        let config = parse("");
        assert_eq!(config.features, Feature::DEFAULT);
        assert!(config.has_default_features());
        // The default is not written, so files without `features` keep their run ids, and
        // so do files that write the default.
        let text = toml::to_string(&parse("features = [\"x1\", \"x2\"]").resolved()).unwrap();
        assert!(!text.contains("features"), "{text}");
        assert_eq!(text, toml::to_string(&config.resolved()).unwrap());
        let all = parse(
            "features = [\"x1\", \"x2\", \"x1^2\", \"x2^2\", \"x1*x2\", \"sin(x1)\", \"sin(x2)\"]",
        );
        assert_eq!(all.features, Feature::ALL);
        all.validate().unwrap();
        let text = toml::to_string(&all).unwrap();
        assert!(
            text.contains(
                "features = [\"x1\", \"x2\", \"x1^2\", \"x2^2\", \"x1*x2\", \"sin(x1)\", \"sin(x2)\"]"
            ),
            "{text}"
        );
        assert_eq!(parse(&text), all);
        let swapped = parse("features = [\"x2\", \"x1\"]");
        assert!(!swapped.has_default_features());
        assert!(toml::to_string(&swapped).unwrap().contains("features"));
    }

    #[test]
    fn bad_feature_lists() {
        let e = toml::from_str::<DataConfig>("features = [\"x1\", \"x1**2\"]").unwrap_err();
        assert!(
            e.message().contains("unknown feature `x1**2`")
                && e.message().ends_with("did you mean `x1^2`?"),
            "{e}"
        );
        let cases = [
            (
                "features = []",
                "`features` lists no feature (the default is [\"x1\", \"x2\"])",
            ),
            (
                "features = [\"x1\", \"x1^2\", \"x1\"]",
                "`features` lists `x1` twice (each feature at most once)",
            ),
        ];
        for (text, message) in cases {
            let e = err(text);
            assert_eq!(e.key(), Some("features"), "{text}");
            assert_eq!(e.to_string(), message, "{text}");
        }
    }

    #[test]
    fn keys_that_do_not_apply() {
        let cases = [
            ("kind = \"circles\"\nk = 3", "k"),
            ("path = \"a.csv\"", "path"),
            ("test_path = \"a.csv\"", "test_path"),
            ("test_fraction = 0.5", "test_fraction"),
            ("label_column = \"y\"", "label_column"),
            ("kind = \"csv\"\npath = \"a\"\nn_train = 5", "n_train"),
            ("kind = \"csv\"\npath = \"a\"\nn_test = 5", "n_test"),
            ("kind = \"csv\"\npath = \"a\"\nnoise = 0.1", "noise"),
            ("kind = \"csv\"\npath = \"a\"\nk = 3", "k"),
        ];
        for (text, key) in cases {
            let e = err(text);
            assert_eq!(e.key(), Some(key), "{text}");
            assert!(matches!(e, DataError::NotApplicable { .. }), "{text}: {e}");
        }
        assert_eq!(
            err("kind = \"circles\"\nk = 3").to_string(),
            "`k` does not apply to kind `circles` (it accepts: n_train, n_test, noise, features, \
             standardize, validation_fraction)"
        );
    }

    #[test]
    fn csv_requires_path_and_excludes_fraction_with_test_path() {
        let e = err("kind = \"csv\"");
        assert_eq!(e.key(), Some("path"));
        assert_eq!(e.to_string(), "`path` is required for kind `csv`");
        let e = err("kind = \"csv\"\npath = \"a\"\ntest_path = \"b\"\ntest_fraction = 0.3");
        assert_eq!(e.key(), Some("test_fraction"));
        assert!(
            e.to_string()
                .starts_with("`test_fraction` cannot be combined with `test_path`")
        );
        parse("kind = \"csv\"\npath = \"a\"\ntest_path = \"b\"\nlabel_column = \"y\"\nstandardize = true")
            .validate()
            .unwrap();
    }
}
