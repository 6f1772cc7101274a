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

crate::register_loss!(
    name: "cross_entropy",
    summary: "softmax cross-entropy over k logits (torch CrossEntropyLoss)",
    head: Head::Softmax,
    loss: cross_entropy,
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
