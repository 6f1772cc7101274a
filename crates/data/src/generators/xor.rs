//! The xor quadrants.

use rand::Rng;
use rand_distr::Uniform;

use super::{Points, gauss};
use crate::{DataRng, Dataset};

/// Generates `n` points labelled by quadrant:
///
/// ```text
/// (x, y) ~ U(-1, 1)^2
/// label  = 1 if x * y > 0 else 0          (computed before the noise)
/// point  = (x, y) + N(0, noise^2) per coordinate
/// ```
///
/// Per point the generator draws `x`, `y`, then the two noise terms. Classes are balanced in
/// expectation only.
pub(crate) fn generate(n: usize, noise: f64, rng: &mut DataRng) -> Dataset {
    let unit = Uniform::new(-1.0_f64, 1.0);
    let mut points = Points::with_capacity(n);
    for _ in 0..n {
        let x = rng.sample(unit);
        let y = rng.sample(unit);
        let label = u32::from(x * y > 0.0);
        points.push(x + gauss(rng, noise), y + gauss(rng, noise), label);
    }
    points.finish(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::test_util::check_shape;
    use crate::rng;

    #[test]
    fn labels_follow_the_quadrant() {
        let d = generate(1000, 0.0, &mut rng(1));
        check_shape(&d, 1000, 2);
        for i in 0..d.len() {
            let [x, y] = [d.row(i)[0], d.row(i)[1]];
            assert!(x.abs() <= 1.0 && y.abs() <= 1.0);
            assert_eq!(d.labels[i], u32::from(x * y > 0.0), "row {i}");
        }
        let ones = d.labels.iter().filter(|&&l| l == 1).count();
        // Binomial(1000, 1/2): standard deviation ~16.
        assert!((420..=580).contains(&ones), "{ones}");
    }
}
