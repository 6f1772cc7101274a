//! TensorFlow Playground's two-arm spiral.

use std::f64::consts::{PI, TAU};

use rand::Rng;
use rand_distr::Uniform;

use super::Points;
use crate::{DataRng, Dataset};

/// Generates `n` points on two spiral arms, as TensorFlow Playground's `classifySpiralData`
/// does (label 0 there is its positive arm):
///
/// ```text
/// arm 0: m = n / 2 points, delta = 0;   arm 1: m = n - n / 2 points, delta = pi
/// for i in 0..m:
///     r = 5 i / m
///     t = 1.75 * (i / m) * 2 pi + delta
///     x = r sin t + U(-1, 1) * noise
///     y = r cos t + U(-1, 1) * noise
/// ```
///
/// Per point the generator draws the `x` noise, then the `y` noise. Radii lie in `[0, 5)`
/// plus the noise. With `noise = 0` (the default) the points do not depend on the seed, so
/// training and test sets of the same size coincide.
pub(crate) fn generate(n: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let unit = Uniform::new(-1.0_f64, 1.0);
    let mut points = Points::with_capacity(n);
    for (count, delta, label) in [(n / 2, 0.0, 0), (n - n / 2, PI, 1)] {
        for i in 0..count {
            let s = i as f64 / count as f64;
            let r = 5.0 * s;
            let t = 1.75 * s * TAU + delta;
            let x = r * t.sin() + rng.sample(unit) * noise;
            let y = r * t.cos() + rng.sample(unit) * noise;
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
    fn arms_are_point_reflections_without_noise() {
        let d = generate(100, 0.0, &mut rng(1));
        check_shape(&d, 100, 2);
        for i in 0..50 {
            assert_eq!(d.labels[i], 0);
            assert_eq!(d.labels[i + 50], 1);
            // delta = pi negates both sin t and cos t.
            for axis in 0..2 {
                assert!(
                    (d.row(i)[axis] + d.row(i + 50)[axis]).abs() < 1e-5,
                    "row {i}"
                );
            }
            let r = f64::from(d.row(i)[0]).hypot(f64::from(d.row(i)[1]));
            assert!((r - 5.0 * i as f64 / 50.0).abs() < 1e-5, "row {i}: {r}");
        }
    }

    #[test]
    fn noise_is_bounded_by_its_level() {
        let clean = generate(200, 0.0, &mut rng(1));
        let noisy = generate(200, 0.3, &mut rng(1));
        let mut moved = 0;
        for (a, b) in clean.features.iter().zip(&noisy.features) {
            assert!((a - b).abs() <= 0.3 + 1e-5);
            moved += usize::from((a - b).abs() > 1e-4);
        }
        assert!(moved > 350, "{moved}");
    }
}
