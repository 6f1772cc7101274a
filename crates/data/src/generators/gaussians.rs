//! `k` Gaussian blobs on a regular polygon.

use std::f64::consts::TAU;

use super::{Points, gauss};
use crate::{DataRng, Dataset};

/// Distance of every blob's centre from the origin.
const RADIUS: f64 = 3.0;

/// Generates `n` points in `k` balanced Gaussian blobs:
///
/// ```text
/// label of row i = floor(i * k / n)        (class sizes differ by at most one)
/// centre c_j     = 3 (cos(2 pi j / k), sin(2 pi j / k))
/// point          = c_label + N(0, noise^2) per coordinate
/// ```
pub(crate) fn generate(n: usize, k: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let mut points = Points::with_capacity(n);
    for i in 0..n {
        let label = i * k / n;
        let angle = TAU * label as f64 / k as f64;
        let x = RADIUS * angle.cos() + gauss(rng, noise);
        let y = RADIUS * angle.sin() + gauss(rng, noise);
        points.push(x, y, label as u32);
    }
    points.finish(k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::test_util::{check_shape, class_means};
    use crate::rng;

    #[test]
    fn balanced_blobs_around_their_centres() {
        for k in 2..=10 {
            let d = generate(1003, k, 0.5, &mut rng(k as u64));
            check_shape(&d, 1003, k);
            for j in 0..k {
                let (mean, count) = class_means(&d, j as u32);
                assert!(
                    count == 1003 / k || count == 1003 / k + 1,
                    "k={k} class {j}: {count}"
                );
                let angle = TAU * j as f64 / k as f64;
                // Standard error 0.5 / sqrt(100) = 0.05 at worst.
                assert!(
                    (mean[0] - RADIUS * angle.cos()).abs() < 0.25,
                    "k={k} {mean:?}"
                );
                assert!(
                    (mean[1] - RADIUS * angle.sin()).abs() < 0.25,
                    "k={k} {mean:?}"
                );
            }
        }
    }
}
