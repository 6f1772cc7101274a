//! Per-feature standardisation.

use crate::Dataset;

/// Rescales every feature to mean 0 and standard deviation 1 with statistics fitted on one
/// dataset (the training set), so that the same map can be applied to another (the test
/// set).
///
/// ```text
/// mean_j = (1/n) sum_i x_ij
/// std_j  = sqrt((1/n) sum_i (x_ij - mean_j)^2)     (population std; 1 for a constant column)
/// x_ij  <- (x_ij - mean_j) / std_j
/// ```
///
/// Statistics are computed in `f64`. A column whose values are all equal gets `std = 1`, so
/// it becomes all zeros instead of NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl Standardizer {
    /// Fits the per-feature mean and population standard deviation of `data`. An empty
    /// dataset gives mean 0 and std 1 (the identity).
    pub fn fit(data: &Dataset) -> Standardizer {
        let d = data.n_features;
        let n = data.len();
        let mut mean = vec![0.0; d];
        let mut std = vec![1.0; d];
        if n == 0 {
            return Standardizer { mean, std };
        }
        for i in 0..n {
            for (m, &x) in mean.iter_mut().zip(data.row(i)) {
                *m += f64::from(x);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        for (j, s) in std.iter_mut().enumerate() {
            let column = (0..n).map(|i| data.row(i)[j]);
            let constant = column.clone().all(|x| x == data.row(0)[j]);
            if !constant {
                let var = column
                    .map(|x| (f64::from(x) - mean[j]).powi(2))
                    .sum::<f64>()
                    / n as f64;
                *s = var.sqrt();
            }
        }
        Standardizer { mean, std }
    }

    /// Applies the fitted map to every row of `data` in place.
    ///
    /// # Panics
    ///
    /// If `data` has a different number of features than the dataset this was fitted on.
    pub fn apply(&self, data: &mut Dataset) {
        assert_eq!(
            data.n_features,
            self.mean.len(),
            "standardizer fitted on another feature count"
        );
        self.apply_rows(&mut data.features);
    }

    /// Applies the fitted map to row-major `rows` of as many features as it was fitted on.
    pub(crate) fn apply_rows(&self, rows: &mut [f32]) {
        if self.mean.is_empty() {
            return;
        }
        for row in rows.chunks_exact_mut(self.mean.len()) {
            for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = ((f64::from(*x) - m) / s) as f32;
            }
        }
    }

    /// The fitted per-feature means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The fitted per-feature standard deviations (1 for constant columns).
    pub fn std(&self) -> &[f64] {
        &self.std
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dataset(features: Vec<f32>, n_features: usize) -> Dataset {
        Dataset::of_features(features, n_features)
    }

    #[test]
    fn known_values() {
        // Column 0: 1, 2, 3, 6 -> mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
        // Column 1: constant 5 -> std 1, becomes 0.
        let mut d = dataset(vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 6.0, 5.0], 2);
        let s = Standardizer::fit(&d);
        assert_eq!(s.mean(), &[3.0, 5.0]);
        assert_eq!(s.std(), &[3.5_f64.sqrt(), 1.0]);
        s.apply(&mut d);
        let r = 3.5_f64.sqrt();
        let expect = [-2.0 / r, 0.0, -1.0 / r, 0.0, 0.0, 0.0, 3.0 / r, 0.0];
        for (x, e) in d.features.iter().zip(expect) {
            assert!((f64::from(*x) - e).abs() < 1e-6, "{:?}", d.features);
        }
    }

    #[test]
    fn test_set_uses_training_statistics() {
        let train = dataset(vec![0.0, 2.0], 1); // mean 1, std 1
        let mut test = dataset(vec![5.0], 1);
        Standardizer::fit(&train).apply(&mut test);
        assert_eq!(test.features, vec![4.0]);
    }

    #[test]
    fn empty_dataset_is_identity() {
        let s = Standardizer::fit(&dataset(vec![], 3));
        let mut d = dataset(vec![1.0, 2.0, 3.0], 3);
        s.apply(&mut d);
        assert_eq!(d.features, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    #[should_panic(expected = "another feature count")]
    fn feature_count_mismatch_panics() {
        let s = Standardizer::fit(&dataset(vec![1.0, 2.0], 2));
        s.apply(&mut dataset(vec![1.0, 2.0, 3.0], 3));
    }

    proptest! {
        #[test]
        fn standardized_columns_have_mean_0_std_1(
            rows in proptest::collection::vec(
                proptest::array::uniform3(-1e3_f32..1e3), 2..60),
        ) {
            let mut d = dataset(rows.iter().flatten().copied().collect(), 3);
            let s = Standardizer::fit(&d);
            s.apply(&mut d);
            let n = d.len() as f64;
            for j in 0..3 {
                let col: Vec<f64> = (0..d.len()).map(|i| f64::from(d.row(i)[j])).collect();
                let mean = col.iter().sum::<f64>() / n;
                let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                prop_assert!(mean.abs() < 1e-3, "column {} mean {}", j, mean);
                if s.std()[j] == 1.0 && col.iter().all(|&x| x == 0.0) {
                    continue; // constant column
                }
                prop_assert!((var.sqrt() - 1.0).abs() < 1e-3, "column {} std {}", j, var.sqrt());
            }
        }
    }
}
