//! `mse`: mean squared error on the sigmoid probability, the TP1 exercise's baseline
//! (`nn.Sequential(..., nn.Sigmoid())` trained with `nn.MSELoss()`).

use dfdx::prelude::*;

use crate::elementwise::{mean_of, sigmoid};
use crate::{Head, Logits, Targets};

/// `mean((sigmoid(z) - y)^2)`.
pub(crate) fn mse<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T> {
    (z.sigmoid() - y).square().mean()
}

/// [`mse`] by hand: `d/dz (o - y)^2 = 2 (o - y) o (1 - o)`.
fn mse_fused(z: &[f32], y: &[f32], _outputs: usize, grad: Option<&mut [f32]>) -> f64 {
    mean_of(z, y, grad, |z, y| {
        let o = sigmoid(z);
        ((o - y) * (o - y), 2.0 * (o - y) * o * (1.0 - o))
    })
}

crate::register_loss!(
    name: "mse",
    summary: "mean squared error on the sigmoid probability (torch MSELoss after Sigmoid; TP1 baseline)",
    head: Head::Sigmoid,
    loss: mse,
    fused: mse_fused,
);

#[cfg(test)]
mod tests {
    use crate::tests::eval;

    #[test]
    fn golden() {
        // sigmoid(0) = 0.5, sigmoid(2) = 0.880797, sigmoid(-100) ~ 0 (f32: 3.7e-44):
        // ((0.5-1)^2 + (0.880797-0)^2 + (0-0)^2) / 3 = (0.25 + 0.775803) / 3 = 0.341934
        let loss = eval("mse", &[0.0, 2.0, -100.0], &[1.0, 0.0, 0.0]);
        assert!((loss - 0.341934).abs() < 1e-5, "{loss}");
        // Saturated the wrong way: (1 - 0)^2 = 1, finite.
        assert_eq!(eval("mse", &[100.0], &[0.0]), 1.0);
    }
}
