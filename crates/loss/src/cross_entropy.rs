//! `cross_entropy`: softmax cross-entropy over k logits, as `nn.CrossEntropyLoss()`.

use dfdx::prelude::*;

use crate::{Head, Logits, Targets};

/// `mean(logsumexp(z) - z[y])`, written `-mean(sum(onehot(y) * log_softmax(z)))`.
pub(crate) fn cross_entropy<T: Tape<f32, Cpu>>(
    z: Logits<T>,
    y: Targets,
) -> Tensor<(), f32, Cpu, T> {
    let rows = y.shape().0 as f32;
    let picked = (z.log_softmax::<Axis<1>>() * y).sum::<Rank0, _>();
    picked.negate() / rows
}

/// [`cross_entropy`] by hand, row by row: the loss is `sum(y) logsumexp(z) - sum(y z)` and its
/// gradient `softmax(z) sum(y) - y`, over the number of rows.
fn cross_entropy_fused(z: &[f32], y: &[f32], outputs: usize, grad: Option<&mut [f32]>) -> f64 {
    let rows = z.len() / outputs;
    let mut total = 0.0_f64;
    let mut grad_rows = grad.map(|g| g.chunks_exact_mut(outputs));
    for (z, y) in z.chunks_exact(outputs).zip(y.chunks_exact(outputs)) {
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum_exp: f32 = z.iter().map(|z| (z - max).exp()).sum();
        let log_sum_exp = max + sum_exp.ln();
        let mass: f32 = y.iter().sum();
        let picked: f32 = z.iter().zip(y).map(|(z, y)| z * y).sum();
        total += f64::from(mass * log_sum_exp - picked);
        if let Some(g) = grad_rows.as_mut().and_then(Iterator::next) {
            for ((g, &z), &y) in g.iter_mut().zip(z).zip(y) {
                *g = ((z - max).exp() / sum_exp * mass - y) / rows as f32;
            }
        }
    }
    total / rows as f64
}

crate::register_loss!(
    name: "cross_entropy",
    summary: "softmax cross-entropy over k logits (torch CrossEntropyLoss)",
    head: Head::Softmax,
    loss: cross_entropy,
    fused: cross_entropy_fused,
);

#[cfg(test)]
mod tests {
    use dfdx::prelude::*;

    use crate::find_loss;

    #[test]
    fn golden() {
        // row 1: z = [1, 2, 3], y = 2: logsumexp = 3 + ln(1 + e^-1 + e^-2) = 3.407606, - 3 = 0.407606
        // row 2: z = [0, 0, 100], y = 0: logsumexp = 100 + ln(1 + 2e^-100) = 100, - 0 = 100
        let dev = Cpu::default();
        let z = dev.tensor_from_vec(vec![1.0, 2.0, 3.0, 0.0, 0.0, 100.0], (2_usize, 3_usize));
        let y = dev.tensor_from_vec(vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0], (2_usize, 3_usize));
        let loss = (find_loss("cross_entropy").unwrap().eval)(z, y).array();
        assert!((loss - (0.407606 + 100.0) / 2.0).abs() < 1e-4, "{loss}");
    }
}
