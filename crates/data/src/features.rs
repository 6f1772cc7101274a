//! Input features computed from 2-D points (TensorFlow Playground's seven), and the
//! [`InputMap`]: the one place where a point's raw coordinates become a model's inputs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DataConfig, DataError, Dataset, Split, Standardizer};

/// One input feature of a 2-D point `(x1, x2)`, named as TensorFlow Playground names it.
///
/// ```text
/// x1       x1            x1^2     x1 * x1         sin(x1)  sin(x1), x1 in radians
/// x2       x2            x2^2     x2 * x2         sin(x2)  sin(x2), x2 in radians
///                        x1*x2    x1 * x2
/// ```
///
/// Each is computed in `f64` from the point's `f32` coordinates as generated or read (before
/// any standardisation) and rounded once to `f32`; `x1` and `x2` are the coordinates
/// themselves, bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// The first coordinate.
    X1,
    /// The second coordinate.
    X2,
    /// `x1^2`.
    X1Squared,
    /// `x2^2`.
    X2Squared,
    /// `x1*x2`.
    X1TimesX2,
    /// `sin(x1)`, in radians.
    SinX1,
    /// `sin(x2)`, in radians.
    SinX2,
}

impl Feature {
    /// Every feature, in Playground's order.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1TimesX2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The default features: the coordinates themselves.
    pub const DEFAULT: [Feature; 2] = [Feature::X1, Feature::X2];

    /// The name written in TOML, e.g. `"x1^2"`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1^2",
            Feature::X2Squared => "x2^2",
            Feature::X1TimesX2 => "x1*x2",
            Feature::SinX1 => "sin(x1)",
            Feature::SinX2 => "sin(x2)",
        }
    }

    /// The feature's value at the point `(x1, x2)`.
    pub fn value(self, x1: f32, x2: f32) -> f32 {
        let (a, b) = (f64::from(x1), f64::from(x2));
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => (a * a) as f32,
            Feature::X2Squared => (b * b) as f32,
            Feature::X1TimesX2 => (a * b) as f32,
            Feature::SinX1 => a.sin() as f32,
            Feature::SinX2 => b.sin() as f32,
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of [`Feature::from_str`]: every known name, and the nearest one when near.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown feature `{name}` (known: {}){}", known(), did_you_mean(*suggestion))]
pub struct UnknownFeature {
    /// The name asked for.
    pub name: String,
    /// The nearest known name, if one is near.
    pub suggestion: Option<&'static str>,
}

fn known() -> String {
    let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
    names.join(", ")
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

impl FromStr for Feature {
    type Err = UnknownFeature;

    /// Reads a name of [`Feature::ALL`]. An unknown name suggests the known one it spells
    /// differently (`x1 * x2`, `x1**2`, `x1²`, `sin x1`), or else the nearest by
    /// Jaro-Winkler similarity, as the registries do.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if let Some(&feature) = Feature::ALL.iter().find(|f| f.name() == name) {
            return Ok(feature);
        }
        let names = Feature::ALL.map(Feature::name);
        let respelt = respell(name);
        let suggestion = names
            .iter()
            .copied()
            .find(|n| *n == respelt)
            .or_else(|| dlp_registry::suggest(name, names));
        Err(UnknownFeature {
            name: name.to_string(),
            suggestion,
        })
    }
}

/// `name` lowercased, without spaces, with `**` and `²` written `^` and `^2`, and
/// `sin x1` written `sin(x1)`.
fn respell(name: &str) -> String {
    let compact: String = name
        .to_lowercase()
        .replace("**", "^")
        .replace('²', "^2")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match compact.strip_prefix("sin") {
        Some(rest) if !rest.starts_with('(') => format!("sin({rest})"),
        _ => compact,
    }
}

impl Serialize for Feature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Feature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// How a point's raw coordinates become a model's inputs: the chosen [`Feature`]s (2-D data
/// only; other data passes its columns through), then the [`Standardizer`] fitted on the
/// training set's features (with `standardize`).
///
/// [`load`](crate::load) builds every [`Split`] through it, and [`load_raw`](crate::load_raw)
/// returns it with the raw data, so that a model trained on the split can be evaluated on
/// other raw points (a grid over the plane, for decision boundaries) exactly as its data was.
///
/// ```
/// use dlp_data::{DataConfig, Feature, InputMap, load_raw};
///
/// let config = DataConfig { features: vec![Feature::X1, Feature::X1TimesX2], ..DataConfig::default() };
/// let (raw, map) = load_raw(&config, 0, ".".as_ref())?;
/// assert_eq!((raw.train.n_features, map.inputs()), (2, 2));
/// assert_eq!(map.apply(&[2.0, 3.0]), vec![2.0, 6.0]);
/// # Ok::<(), dlp_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InputMap {
    /// Columns of the raw data.
    raw_width: usize,
    /// The features, for 2-D data; `None` passes the raw columns through.
    features: Option<Vec<Feature>>,
    standardizer: Option<Standardizer>,
}

impl InputMap {
    /// Fits the map of `config` (its `features` and `standardize`) on the raw training set.
    ///
    /// Fails with [`DataError::FeaturesNeed2d`] when `features` is set (not the default) and
    /// the data does not have exactly 2 columns.
    pub fn fit(config: &DataConfig, raw_train: &Dataset) -> Result<InputMap, DataError> {
        let raw_width = raw_train.n_features;
        let features = if raw_width == 2 {
            Some(config.features.clone())
        } else if config.has_default_features() {
            None
        } else {
            return Err(DataError::FeaturesNeed2d { columns: raw_width });
        };
        let mut map = InputMap {
            raw_width,
            features,
            standardizer: None,
        };
        if config.standardize {
            map.standardizer = Some(Standardizer::fit(&map.compute(raw_train)));
        }
        Ok(map)
    }

    /// Number of columns of the raw points it takes.
    pub fn raw_width(&self) -> usize {
        self.raw_width
    }

    /// Number of model inputs it gives per point.
    pub fn inputs(&self) -> usize {
        self.features.as_ref().map_or(self.raw_width, Vec::len)
    }

    /// The features computed from 2-D points; `None` for data of another width, whose
    /// columns pass through.
    pub fn features(&self) -> Option<&[Feature]> {
        self.features.as_deref()
    }

    /// The standardisation applied after the features, fitted on the training set.
    pub fn standardizer(&self) -> Option<&Standardizer> {
        self.standardizer.as_ref()
    }

    /// The model inputs of raw points (row-major, [`raw_width`](Self::raw_width) values
    /// each): [`inputs`](Self::inputs) values per point.
    ///
    /// # Panics
    ///
    /// If `points.len()` is not a multiple of the raw width.
    pub fn apply(&self, points: &[f32]) -> Vec<f32> {
        assert!(
            self.raw_width > 0 && points.len().is_multiple_of(self.raw_width),
            "points of another width than the map's {}",
            self.raw_width
        );
        let mut out = self.columns(points);
        if let Some(standardizer) = &self.standardizer {
            standardizer.apply_rows(&mut out);
        }
        out
    }

    /// A raw dataset's model inputs, labels unchanged.
    pub fn apply_dataset(&self, raw: &Dataset) -> Dataset {
        Dataset {
            features: self.apply(&raw.features),
            labels: raw.labels.clone(),
            n_features: self.inputs(),
            n_classes: raw.n_classes,
        }
    }

    /// A raw split's model inputs.
    pub fn apply_split(&self, raw: &Split) -> Split {
        Split {
            train: self.apply_dataset(&raw.train),
            test: self.apply_dataset(&raw.test),
            validation: raw.validation.as_ref().map(|v| self.apply_dataset(v)),
        }
    }

    /// The features of a raw dataset, not standardised.
    fn compute(&self, raw: &Dataset) -> Dataset {
        Dataset {
            features: self.columns(&raw.features),
            labels: raw.labels.clone(),
            n_features: self.inputs(),
            n_classes: raw.n_classes,
        }
    }

    fn columns(&self, points: &[f32]) -> Vec<f32> {
        match &self.features {
            None => points.to_vec(),
            Some(features) => {
                let mut out = Vec::with_capacity(points.len() / 2 * features.len());
                for p in points.chunks_exact(2) {
                    out.extend(features.iter().map(|f| f.value(p[0], p[1])));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(features: Vec<f32>, n_features: usize) -> Dataset {
        Dataset::of_features(features, n_features)
    }

    fn config(features: &[Feature], standardize: bool) -> DataConfig {
        DataConfig {
            features: features.to_vec(),
            standardize,
            ..DataConfig::default()
        }
    }

    #[test]
    fn values_on_known_points() {
        // (x1, x2) = (2, -3): x1^2 = 4, x2^2 = 9, x1*x2 = -6; sin in radians.
        let expect = [
            2.0,
            -3.0,
            4.0,
            9.0,
            -6.0,
            2.0_f64.sin() as f32,
            (-3.0_f64).sin() as f32,
        ];
        for (feature, e) in Feature::ALL.into_iter().zip(expect) {
            assert_eq!(feature.value(2.0, -3.0), e, "{feature}");
        }
        // sin(pi/2) = 1, sin(pi) ~ 0: radians, not degrees.
        let half_pi = std::f32::consts::FRAC_PI_2;
        assert!((Feature::SinX1.value(half_pi, 0.0) - 1.0).abs() < 1e-7);
        assert!(Feature::SinX2.value(0.0, std::f32::consts::PI).abs() < 1e-6);
        // The coordinates pass bit for bit.
        let odd = f32::from_bits(0x3f9d_70a4);
        assert_eq!(Feature::X1.value(odd, 0.0).to_bits(), odd.to_bits());
    }

    #[test]
    fn names_round_trip_and_near_names_are_suggested() {
        for feature in Feature::ALL {
            assert_eq!(feature.name().parse::<Feature>(), Ok(feature));
        }
        let suggested = |name: &str| name.parse::<Feature>().unwrap_err().suggestion;
        assert_eq!(suggested("x1 * x2"), Some("x1*x2"));
        assert_eq!(suggested("x1**2"), Some("x1^2"));
        assert_eq!(suggested("X2²"), Some("x2^2"));
        assert_eq!(suggested("sin x1"), Some("sin(x1)"));
        assert_eq!(suggested("sin(x)"), Some("sin(x1)"));
        assert_eq!(suggested("cos(x1)"), None);
        assert_eq!(suggested("x3"), None);
        let e = "x1x2".parse::<Feature>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown feature `x1x2` (known: x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)); \
             did you mean `x1*x2`?"
        );
    }

    #[test]
    fn apply_computes_the_features_in_the_order_written() {
        let order = [Feature::SinX2, Feature::X1, Feature::X1TimesX2];
        let map = InputMap::fit(&config(&order, false), &dataset(vec![0.0, 0.0], 2)).unwrap();
        assert_eq!(map.inputs(), 3);
        assert_eq!(
            map.apply(&[2.0, 3.0, -1.0, 0.5]),
            vec![
                3.0_f64.sin() as f32,
                2.0,
                6.0,
                0.5_f64.sin() as f32,
                -1.0,
                -0.5
            ]
        );
    }

    #[test]
    fn standardization_comes_after_the_features() {
        // x1 = -1, 1, -1, 1: mean 0, std 1. x1^2 = 1 everywhere: a constant column (mean 1,
        // std 1), so x1 = 3 gives (9 - 1) / 1 = 8 (squaring the standardised x1 would give 9).
        // x1*x2 = -2, 2, -6, 6: mean 0, population std sqrt((4 + 4 + 36 + 36) / 4) = sqrt(20).
        let train = dataset(vec![-1.0, 2.0, 1.0, 2.0, -1.0, 6.0, 1.0, 6.0], 2);
        let features = [Feature::X1, Feature::X1Squared, Feature::X1TimesX2];
        let map = InputMap::fit(&config(&features, true), &train).unwrap();
        let s = map.standardizer().unwrap();
        assert_eq!(s.mean(), &[0.0, 1.0, 0.0]);
        assert_eq!(s.std(), &[1.0, 1.0, 20.0_f64.sqrt()]);
        let out = map.apply(&[3.0, 2.0]);
        let expect = [3.0, 8.0, (6.0 / 20.0_f64.sqrt()) as f32];
        assert_eq!(out, expect);
    }

    #[test]
    fn other_widths_pass_through_and_refuse_features() {
        let three = dataset(vec![1.0, 2.0, 3.0], 3);
        let map = InputMap::fit(&DataConfig::default(), &three).unwrap();
        assert_eq!((map.inputs(), map.features()), (3, None));
        assert_eq!(map.apply(&[4.0, 5.0, 6.0]), vec![4.0, 5.0, 6.0]);
        let e = InputMap::fit(&config(&[Feature::X1], false), &three).unwrap_err();
        assert_eq!(e.key(), Some("features"));
        assert!(matches!(e, DataError::FeaturesNeed2d { columns: 3 }), "{e}");
    }
}
