//! `hinge`: the binary hinge loss on the raw logit, labels mapped to +-1.

use dfdx::prelude::*;

use crate::elementwise::mean_of;
use crate::{Head, Logits, Targets};

/// `mean(max(0, 1 - s * z))` with `s = 2y - 1`.
pub(crate) fn hinge<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T> {
    let sign = y * 2.0 - 1.0;
    ((z * sign).negate() + 1.0).relu().mean()
}

/// [`hinge`] by hand: its derivative is `-s` where the margin `1 - s z` is positive, else 0.
fn hinge_fused(z: &[f32], y: &[f32], _outputs: usize, grad: Option<&mut [f32]>) -> f64 {
    mean_of(z, y, grad, |z, y| {
        let sign = y * 2.0 - 1.0;
        let margin = 1.0 - sign * z;
        if margin > 0.0 {
            (margin, -sign)
        } else {
            (0.0, 0.0)
        }
    })
}

crate::register_loss!(
    name: "hinge",
    summary: "binary hinge loss max(0, 1 - s*z) on the raw logit, labels mapped to s = +-1",
    head: Head::Logit,
    loss: hinge,
    fused: hinge_fused,
);

#[cfg(test)]
mod tests {
    use crate::tests::eval;

    #[test]
    fn golden() {
        // z=0.5,y=1: 1 - 0.5 = 0.5 ; z=0.5,y=0: 1 + 0.5 = 1.5 ; z=3,y=1: 0 ; z=-100,y=0: 0
        let loss = eval("hinge", &[0.5, 0.5, 3.0, -100.0], &[1.0, 0.0, 1.0, 0.0]);
        assert!((loss - 0.5).abs() < 1e-6, "{loss}");
        assert!((eval("hinge", &[100.0], &[0.0]) - 101.0).abs() < 1e-4);
    }
}
