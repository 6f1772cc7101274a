//! Two interleaving half circles, like scikit-learn's `make_moons`.

use std::f64::consts::PI;

use super::{Points, gauss};
use crate::{DataRng, Dataset};

/// Generates `n` points on two interleaving half circles:
///
/// ```text
/// n_out = n / 2 (rounded down), n_in = n - n_out
/// t_i = pi i / (m - 1) for i in 0..m (t_0 = 0 when m = 1)
/// upper moon, label 0: (cos t, sin t)                 m = n_out
/// lower moon, label 1: (1 - cos t, 1 - sin t - 0.5)   m = n_in
/// each coordinate + N(0, noise^2)
/// ```
///
/// Unlike scikit-learn the rows are not shuffled (label 0 first).
pub(crate) fn generate(n: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut points = Points::with_capacity(n);
    for (count, label) in [(n_out, 0), (n_in, 1)] {
        for i in 0..count {
            let t = if count > 1 {
                PI * i as f64 / (count - 1) as f64
            } else {
                0.0
            };
            let (x, y) = if label == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 1.0 - t.sin() - 0.5)
            };
            points.push(x + gauss(rng, noise), y + gauss(rng, noise), label);
        }
    }
    points.finish(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::test_util::{check_shape, class_means};
    use crate::rng;

    #[test]
    fn noise_free_moons_match_the_formula() {
        let d = generate(6, 0.0, &mut rng(1));
        check_shape(&d, 6, 2);
        assert_eq!(d.labels, vec![0, 0, 0, 1, 1, 1]);
        // t = 0, pi/2, pi for both moons.
        let expect = [
            [1.0, 0.0],
            [0.0, 1.0],
            [-1.0, 0.0],
            [0.0, 0.5],
            [1.0, -0.5],
            [2.0, 0.5],
        ];
        for (i, e) in expect.iter().enumerate() {
            for (got, want) in d.row(i).iter().zip(e) {
                assert!((f64::from(*got) - want).abs() < 1e-6, "row {i}");
            }
        }
    }

    #[test]
    fn class_means_are_apart() {
        let d = generate(1000, 0.1, &mut rng(2));
        let (m0, _) = class_means(&d, 0);
        let (m1, _) = class_means(&d, 1);
        // E over t ~ U(0, pi): upper (0, 2/pi), lower (1, 0.5 - 2/pi).
        assert!(
            m0[0].abs() < 0.05 && (m0[1] - 2.0 / PI).abs() < 0.05,
            "{m0:?}"
        );
        assert!(
            (m1[0] - 1.0).abs() < 0.05 && (m1[1] - (0.5 - 2.0 / PI)).abs() < 0.05,
            "{m1:?}"
        );
    }
}
