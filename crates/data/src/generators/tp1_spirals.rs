//! The TP1 exercise's two interlaced spirals.

use rand::Rng;
use rand_distr::Uniform;

use super::{Points, gauss};
use crate::{DataRng, Dataset};

/// Generates `n` points of the TP1 spirals, exactly as the course's notebook does:
///
/// ```text
/// phi   ~ U(1, 15)                                          one angle per point
/// p     = ((phi + 1) cos phi, phi sin phi) + (e1, e2),      e1, e2 ~ N(0, noise^2)
/// rows 0 .. n/2  keep p and get label 0
/// rows n/2 .. n  take -p and get label 1
/// ```
///
/// Per point the generator draws `phi`, then `e1`, then `e2`. With an odd `n` class 1 has one
/// point more. Radii lie near `[1, 16]`; the two classes are mirror images through the origin.
pub(crate) fn generate(n: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let angle = Uniform::new(1.0_f64, 15.0);
    let mut points = Points::with_capacity(n);
    for i in 0..n {
        let phi = rng.sample(angle);
        let x = (phi + 1.0) * phi.cos() + gauss(rng, noise);
        let y = phi * phi.sin() + gauss(rng, noise);
        if i < n / 2 {
            points.push(x, y, 0);
        } else {
            points.push(-x, -y, 1);
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
    fn balanced_and_mirrored() {
        let d = generate(4000, 0.4, &mut rng(1));
        check_shape(&d, 4000, 2);
        let (m0, c0) = class_means(&d, 0);
        let (m1, c1) = class_means(&d, 1);
        assert_eq!((c0, c1), (2000, 2000));
        // Over phi ~ U(1, 15): E[(phi+1) cos phi] = (16 sin 15 - 2 sin 1 + cos 15 - cos 1)/14
        // ~ 0.53 and E[phi sin phi] = (sin 15 - 15 cos 15 - sin 1 + cos 1)/14 ~ 0.84; the
        // sample means have standard error ~0.14, so the class means must be opposite within
        // a few tenths, and class 0's mean near (0.53, 0.84).
        for axis in 0..2 {
            assert!((m0[axis] + m1[axis]).abs() < 0.8, "{m0:?} vs {m1:?}");
        }
        assert!(
            (m0[0] - 0.53).abs() < 0.6 && (m0[1] - 0.84).abs() < 0.6,
            "{m0:?}"
        );
    }

    #[test]
    fn radius_range_without_noise() {
        let d = generate(1000, 0.0, &mut rng(2));
        for i in 0..d.len() {
            let [x, y] = [f64::from(d.row(i)[0]), f64::from(d.row(i)[1])];
            let r = x.hypot(y);
            // |p|^2 = phi^2 + (2 phi + 1) cos^2 phi, so phi <= |p| <= phi + 1 with phi in [1, 15].
            assert!((1.0 - 1e-4..=16.0 + 1e-4).contains(&r), "radius {r}");
        }
    }

    #[test]
    fn noise_free_points_lie_on_the_curve() {
        let d = generate(10, 0.0, &mut rng(3));
        let mut check = rng(3);
        let angle = Uniform::new(1.0_f64, 15.0);
        for i in 0..10 {
            let phi = check.sample(angle);
            let _ = (gauss(&mut check, 0.0), gauss(&mut check, 0.0));
            let sign = if i < 5 { 1.0 } else { -1.0 };
            let expect = [sign * (phi + 1.0) * phi.cos(), sign * phi * phi.sin()];
            assert_eq!(d.row(i), &[expect[0] as f32, expect[1] as f32]);
            assert_eq!(d.labels[i], u32::from(i >= 5));
        }
    }

    #[test]
    fn odd_size_gives_class_one_the_extra_point() {
        let d = generate(5, 0.4, &mut rng(0));
        assert_eq!(d.labels, vec![0, 0, 1, 1, 1]);
    }
}
