//! `mse`: mean squared error on the sigmoid probability, the TP1 exercise's baseline
//! (`nn.Sequential(..., nn.Sigmoid())` trained with `nn.MSELoss()`).

use dfdx::prelude::*;

use crate::{Head, Logits, Targets};

/// `mean((sigmoid(z) - y)^2)`.
pub(crate) fn mse<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T> {
    (z.sigmoid() - y).square().mean()
}

crate::register_loss!(
    name: "mse",
    summary: "mean squared error on the sigmoid probability (torch MSELoss after Sigmoid; TP1 baseline)",
    head: Head::Sigmoid,
    loss: mse,
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
