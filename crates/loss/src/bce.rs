//! `bce`: binary cross-entropy on the sigmoid probability, as `nn.BCELoss()` after
//! `nn.Sigmoid()`: each log is clamped at -100, so saturated outputs cost at most 100 and get a
//! zero gradient, as PyTorch's do.

use dfdx::prelude::*;

use crate::elementwise::{mean_of, sigmoid};
use crate::{Head, Logits, Targets};

/// `-mean(y * max(ln o, -100) + (1 - y) * max(ln(1 - o), -100))` with `o = sigmoid(z)`.
pub(crate) fn bce<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T> {
    let o = z.sigmoid();
    let one_minus_o = o.with_empty_tape().negate() + 1.0;
    let one_minus_y = y.clone().negate() + 1.0;
    (clamped_ln(o) * y + clamped_ln(one_minus_o) * one_minus_y)
        .mean()
        .negate()
}

/// `max(ln x, -100)` for `x` in `[0, 1]`, with a finite backward pass everywhere.
///
/// Below `f32::MIN_POSITIVE` (only `o` for `z` in (-103, -87.3) gets there) the value is -100
/// where PyTorch's lies in [-100, -87.3]; the gradient is zero in both. Clamping after the log
/// instead would multiply `1/0` by zero in the backward pass.
fn clamped_ln<T: Tape<f32, Cpu>>(x: Logits<T>) -> Logits<T> {
    let usable = x.ge(f32::MIN_POSITIVE);
    let floor = x.device().ones_like(x.shape()) * -100.0;
    usable.choose(x.clamp(f32::MIN_POSITIVE, 1.0).ln(), floor)
}

/// [`bce`] by hand. With `o = sigmoid(z)`, `d/dz ln o = 1 - o` and `d/dz ln(1 - o) = -o`,
/// each zero where its log is clamped, as on the tape.
fn bce_fused(z: &[f32], y: &[f32], _outputs: usize, grad: Option<&mut [f32]>) -> f64 {
    mean_of(z, y, grad, |z, y| {
        let o = sigmoid(z);
        let one_minus_o = 1.0 - o;
        let (ln_o, d_ln_o) = if o >= f32::MIN_POSITIVE {
            (o.ln(), one_minus_o)
        } else {
            (-100.0, 0.0)
        };
        let (ln_1mo, d_ln_1mo) = if one_minus_o >= f32::MIN_POSITIVE {
            (one_minus_o.ln(), -o)
        } else {
            (-100.0, 0.0)
        };
        (
            -(y * ln_o + (1.0 - y) * ln_1mo),
            -(y * d_ln_o + (1.0 - y) * d_ln_1mo),
        )
    })
}

crate::register_loss!(
    name: "bce",
    summary: "binary cross-entropy on the sigmoid probability, logs clamped at -100 (torch BCELoss)",
    head: Head::Sigmoid,
    loss: bce,
    fused: bce_fused,
);

#[cfg(test)]
mod tests {
    use crate::tests::{eval, grad};

    #[test]
    fn golden() {
        // -ln(sigmoid(2)) = ln(1 + e^-2) = 0.126928; -ln(1 - sigmoid(-1)) = ln(1 + e^-1) = 0.313262
        // mean = 0.220095
        let loss = eval("bce", &[2.0, -1.0], &[1.0, 0.0]);
        assert!((loss - 0.220095).abs() < 1e-5, "{loss}");
    }

    #[test]
    fn saturates_at_100_like_torch() {
        // torch: BCELoss()(sigmoid(tensor([100.])), tensor([0.])) = 100 (1 - o rounds to 0 in f32)
        let loss = eval("bce", &[100.0], &[0.0]);
        assert!((loss - 100.0).abs() < 0.05, "{loss}");
        assert_eq!(grad("bce", &[100.0], &[0.0]), vec![0.0]);
        let right = eval("bce", &[100.0, -100.0], &[1.0, 0.0]);
        assert!(right.is_finite() && right < 1e-6, "{right}");
    }
}
