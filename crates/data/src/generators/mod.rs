//! Synthetic 2-D datasets, one per file. Every generator draws from the [`DataRng`] it is
//! given and nothing else, so the same seed always yields the same bits. Rows come ordered by
//! class; training shuffles them per epoch (see [`BatchOrder`](crate::BatchOrder)).

pub(crate) mod circles;
pub(crate) mod csv;
pub(crate) mod gaussians;
pub(crate) mod moons;
pub(crate) mod spiral;
pub(crate) mod tp1_spirals;
pub(crate) mod xor;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::{DataRng, Dataset};

/// Accumulates 2-D points into a [`Dataset`].
pub(crate) struct Points {
    features: Vec<f32>,
    labels: Vec<u32>,
}

impl Points {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Points {
            features: Vec::with_capacity(2 * n),
            labels: Vec::with_capacity(n),
        }
    }

    pub(crate) fn push(&mut self, x: f64, y: f64, label: u32) {
        self.features.push(x as f32);
        self.features.push(y as f32);
        self.labels.push(label);
    }

    pub(crate) fn finish(self, n_classes: usize) -> Dataset {
        Dataset {
            features: self.features,
            labels: self.labels,
            n_features: 2,
            n_classes,
        }
    }
}

/// One draw of `N(0, std^2)`: `std * z` with `z` from rand_distr's `StandardNormal`
/// (the same as `Normal::new(0, std)`, and defined for `std = 0`).
pub(crate) fn gauss(rng: &mut DataRng, std: f64) -> f64 {
    std * rng.sample::<f64, _>(StandardNormal)
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::Dataset;

    /// Per-class mean of each of the two coordinates and count.
    pub(crate) fn class_means(d: &Dataset, class: u32) -> ([f64; 2], usize) {
        let mut sum = [0.0; 2];
        let mut count = 0;
        for i in 0..d.len() {
            if d.labels[i] == class {
                sum[0] += f64::from(d.row(i)[0]);
                sum[1] += f64::from(d.row(i)[1]);
                count += 1;
            }
        }
        ([sum[0] / count as f64, sum[1] / count as f64], count)
    }

    /// Checks the shape invariants every generated dataset keeps.
    pub(crate) fn check_shape(d: &Dataset, n: usize, n_classes: usize) {
        assert_eq!(d.len(), n);
        assert_eq!(d.features.len(), 2 * n);
        assert_eq!(d.n_features, 2);
        assert_eq!(d.n_classes, n_classes);
        assert!(d.labels.iter().all(|&l| (l as usize) < n_classes));
        assert!(d.features.iter().all(|v| v.is_finite()));
    }
}
