//! `bce_with_logits`: binary cross-entropy on the raw logit, in the numerically stable form of
//! `nn.BCEWithLogitsLoss()` (the model has no final sigmoid).

use dfdx::prelude::*;

use crate::elementwise::{mean_of, sigmoid};
use crate::{Head, Logits, Targets};

/// `mean(max(z, 0) - z * y + ln(1 + exp(-|z|)))`: dfdx's fused `bce_with_logits` kernel.
pub(crate) fn bce_with_logits<T: Tape<f32, Cpu>>(
    z: Logits<T>,
    y: Targets,
) -> Tensor<(), f32, Cpu, T> {
    z.bce_with_logits(y).mean()
}

/// [`bce_with_logits`] by hand: its derivative is `sigmoid(z) - y`.
fn bce_with_logits_fused(z: &[f32], y: &[f32], _outputs: usize, grad: Option<&mut [f32]>) -> f64 {
    mean_of(z, y, grad, |z, y| {
        (
            z.max(0.0) - z * y + (-z.abs()).exp().ln_1p(),
            sigmoid(z) - y,
        )
    })
}

crate::register_loss!(
    name: "bce_with_logits",
    summary: "binary cross-entropy on the raw logit, numerically stable (torch BCEWithLogitsLoss)",
    head: Head::Logit,
    loss: bce_with_logits,
    fused: bce_with_logits_fused,
);

#[cfg(test)]
mod tests {
    use crate::tests::{eval, grad};

    #[test]
    fn golden() {
        // z=2,y=1: 2 - 2 + ln(1 + e^-2) = 0.126928 ; z=-1,y=0: 0 + 0 + ln(1 + e^-1) = 0.313262
        let loss = eval("bce_with_logits", &[2.0, -1.0], &[1.0, 0.0]);
        assert!((loss - 0.220095).abs() < 1e-5, "{loss}");
    }

    #[test]
    fn extreme_logits_stay_finite() {
        // z=100,y=0: 100 - 0 + ln(1 + e^-100) = 100 ; z=-100,y=1: 0 + 100 + ~0 = 100
        let loss = eval("bce_with_logits", &[100.0, -100.0], &[0.0, 1.0]);
        assert!((loss - 100.0).abs() < 1e-4, "{loss}");
        // d/dz = (sigmoid(z) - y) / n: (1 - 0) / 2 and (0 - 1) / 2
        assert_eq!(
            grad("bce_with_logits", &[100.0, -100.0], &[0.0, 1.0]),
            vec![0.5, -0.5]
        );
    }
}
