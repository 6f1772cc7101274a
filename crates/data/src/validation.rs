//! The validation set: rows carved from the training set (`[data] validation_fraction`).

use rand::seq::SliceRandom;

use crate::{DataError, Dataset, derive_seed, rng};

/// Number of validation rows carved from `rows` training rows with `fraction`:
/// `round(rows * fraction)`, `None` when that leaves either side empty.
///
/// ```
/// assert_eq!(dlp_data::validation_rows(4000, 0.2), Some(800));
/// assert_eq!(dlp_data::validation_rows(3, 0.1), None);
/// ```
pub fn validation_rows(rows: usize, fraction: f64) -> Option<usize> {
    let n = (rows as f64 * fraction).round() as usize;
    (n >= 1 && n < rows).then_some(n)
}

/// Checks `validation_fraction` (written so that NaN fails too).
pub(crate) fn check_fraction(fraction: f64) -> Result<(), DataError> {
    if fraction > 0.0 && fraction < 1.0 {
        return Ok(());
    }
    Err(DataError::OutOfRange {
        key: "validation_fraction",
        allowed: "in the open interval (0, 1) (leave it out for no validation set)",
        got: fraction.to_string(),
    })
}

/// The error of a training set too small for `fraction`.
pub(crate) fn too_few_rows(rows: usize, fraction: f64) -> DataError {
    DataError::TooFewForValidation { rows, fraction }
}

/// Moves `round(train.len() * fraction)` rows of `train` into a validation set and returns
/// it: the rows are the first ones of a Fisher-Yates shuffle of `0..train.len()` on
/// `rng(derive_seed(seed, "data/validation"))`, and both sets keep the rows' order. The
/// shuffle is its own stream, so the training and test data drawn before it, and the batch
/// order and weights drawn after it, use the same streams as without validation.
pub(crate) fn carve(train: &mut Dataset, fraction: f64, seed: u64) -> Result<Dataset, DataError> {
    let rows = train.len();
    let n = validation_rows(rows, fraction).ok_or_else(|| too_few_rows(rows, fraction))?;
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut rng(derive_seed(seed, "data/validation")));
    let mut is_validation = vec![false; rows];
    for &i in &order[..n] {
        is_validation[i] = true;
    }
    let select = |keep: bool| {
        let mut set = Dataset {
            features: Vec::with_capacity(rows * train.n_features),
            labels: Vec::with_capacity(rows),
            n_features: train.n_features,
            n_classes: train.n_classes,
        };
        for i in (0..rows).filter(|&i| is_validation[i] == keep) {
            set.features.extend_from_slice(train.row(i));
            set.labels.push(train.labels[i]);
        }
        set
    };
    let validation = select(true);
    *train = select(false);
    Ok(validation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(rows: usize) -> Dataset {
        Dataset {
            features: (0..rows).flat_map(|i| [i as f32, -(i as f32)]).collect(),
            labels: (0..rows).map(|i| (i % 2) as u32).collect(),
            n_features: 2,
            n_classes: 2,
        }
    }

    #[test]
    fn rows_are_disjoint_complete_ordered_and_seeded() {
        let mut train = numbered(100);
        let validation = carve(&mut train, 0.25, 7).unwrap();
        assert_eq!((train.len(), validation.len()), (75, 25));
        let ids = |d: &Dataset| {
            (0..d.len())
                .map(|i| d.row(i)[0] as usize)
                .collect::<Vec<_>>()
        };
        let (t, v) = (ids(&train), ids(&validation));
        assert!(t.is_sorted() && v.is_sorted());
        assert!(t.iter().all(|i| !v.contains(i)), "disjoint");
        let mut all = [t.clone(), v.clone()].concat();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        // Rows move with their labels.
        assert!((0..validation.len()).all(|i| validation.labels[i] == v[i] as u32 % 2));

        let mut again = numbered(100);
        assert_eq!(carve(&mut again, 0.25, 7).unwrap(), validation);
        assert_eq!(again, train);
        let mut other = numbered(100);
        assert_ne!(carve(&mut other, 0.25, 8).unwrap(), validation);
    }

    #[test]
    fn each_side_keeps_a_row() {
        assert_eq!(validation_rows(10, 0.04), None);
        assert_eq!(validation_rows(10, 0.05), Some(1)); // 0.5 rounds away from zero
        assert_eq!(validation_rows(10, 0.9), Some(9));
        assert_eq!(validation_rows(10, 0.96), None);
        assert_eq!(validation_rows(1, 0.5), None);
        let e = carve(&mut numbered(3), 0.1, 0).unwrap_err();
        assert_eq!(e.key(), Some("validation_fraction"));
        assert_eq!(
            e.to_string(),
            "`validation_fraction` = 0.1 of 3 training rows leaves no row for validation or for \
             training (round(rows * fraction) must be between 1 and rows - 1)"
        );
    }

    #[test]
    fn fraction_range() {
        for bad in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            let e = check_fraction(bad).unwrap_err();
            assert_eq!(e.key(), Some("validation_fraction"), "{bad}");
        }
        check_fraction(0.2).unwrap();
    }
}

#[cfg(test)]
mod load_tests {
    use std::path::Path;

    use crate::{DataConfig, DataKind, Standardizer, load};

    fn moons(fraction: Option<f64>, standardize: bool) -> DataConfig {
        DataConfig {
            kind: DataKind::Moons,
            noise: Some(0.2),
            standardize,
            validation_fraction: fraction,
            ..DataConfig::default()
        }
    }

    #[test]
    fn validation_rows_come_from_the_training_set_and_the_test_set_is_unchanged() {
        let whole = load(&moons(None, false), 3, Path::new(".")).unwrap();
        assert_eq!(whole.validation, None);
        let split = load(&moons(Some(0.2), false), 3, Path::new(".")).unwrap();
        let validation = split.validation.as_ref().unwrap();
        assert_eq!((split.train.len(), validation.len()), (400, 100));
        assert_eq!(split.test, whole.test);
        let rows = |d: &crate::Dataset| {
            (0..d.len())
                .map(|i| (d.row(i).iter().map(|x| x.to_bits()).collect(), d.labels[i]))
                .collect::<Vec<(Vec<u32>, u32)>>()
        };
        let (all, train, valid) = (rows(&whole.train), rows(&split.train), rows(validation));
        assert!(train.iter().all(|r| !valid.contains(r)), "disjoint");
        let mut merged = [train, valid].concat();
        merged.sort();
        let mut all = all;
        all.sort();
        assert_eq!(merged, all, "together, the training set without validation");
        assert_eq!(
            split,
            load(&moons(Some(0.2), false), 3, Path::new(".")).unwrap()
        );
        let other = load(&moons(Some(0.2), false), 4, Path::new(".")).unwrap();
        assert_ne!(other.validation, split.validation);
    }

    #[test]
    fn standardisation_is_fitted_on_the_remaining_training_rows() {
        let raw = load(&moons(Some(0.3), false), 5, Path::new(".")).unwrap();
        let scaled = load(&moons(Some(0.3), true), 5, Path::new(".")).unwrap();
        let map = Standardizer::fit(&raw.train);
        let mut expected = raw.clone();
        map.apply(&mut expected.train);
        map.apply(&mut expected.test);
        map.apply(expected.validation.as_mut().unwrap());
        assert_eq!(scaled, expected);
    }

    #[test]
    fn generated_sizes_are_checked_before_loading() {
        let config = DataConfig {
            n_train: Some(3),
            ..moons(Some(0.1), false)
        };
        let e = config.validate().unwrap_err();
        assert_eq!(e.key(), Some("validation_fraction"));
        let e = moons(Some(1.0), false).validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "`validation_fraction` must be in the open interval (0, 1) (leave it out for no \
             validation set) (got 1)"
        );
    }
}
