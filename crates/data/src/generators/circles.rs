//! Two concentric circles, like scikit-learn's `make_circles(factor=0.5)`.

use std::f64::consts::TAU;

use super::{Points, gauss};
use crate::{DataRng, Dataset};

/// Radius of the inner circle relative to the outer one (scikit-learn's `factor`).
const FACTOR: f64 = 0.5;

/// Generates `n` points on two concentric circles:
///
/// ```text
/// n_out = n / 2 (rounded down), n_in = n - n_out
/// outer, label 0: (cos t, sin t),         t = 2 pi i / n_out, i in 0..n_out
/// inner, label 1: 0.5 (cos t, sin t),     t = 2 pi i / n_in,  i in 0..n_in
/// each coordinate + N(0, noise^2)
/// ```
///
/// Unlike scikit-learn the rows are not shuffled (outer circle first).
pub(crate) fn generate(n: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut points = Points::with_capacity(n);
    for (count, radius, label) in [(n_out, 1.0, 0), (n_in, FACTOR, 1)] {
        for i in 0..count {
            let t = TAU * i as f64 / count as f64;
            let x = radius * t.cos() + gauss(rng, noise);
            let y = radius * t.sin() + gauss(rng, noise);
            points.push(x, y, label);
        }
    }
    points.finish(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::test_util::check_shape;
    use crate::rng;

    #[test]
    fn radii_by_class() {
        let d = generate(101, 0.0, &mut rng(1));
        check_shape(&d, 101, 2);
        assert_eq!(d.labels.iter().filter(|&&l| l == 1).count(), 51);
        for i in 0..d.len() {
            let r = f64::from(d.row(i)[0]).hypot(f64::from(d.row(i)[1]));
            let expect = if d.labels[i] == 0 { 1.0 } else { FACTOR };
            assert!((r - expect).abs() < 1e-6, "row {i}: radius {r}");
        }
    }

    #[test]
    fn noise_moves_points() {
        let d = generate(200, 0.1, &mut rng(1));
        let off = (0..d.len())
            .filter(|&i| {
                let r = f64::from(d.row(i)[0]).hypot(f64::from(d.row(i)[1]));
                (r - 1.0).abs() > 1e-3 && (r - FACTOR).abs() > 1e-3
            })
            .count();
        assert!(off > 150, "{off}");
    }
}
