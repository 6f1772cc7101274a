use dfdx::prelude::*;
use dlp_loss::{Head, LossEntry};
use dlp_model::Dev;

/// Logits or targets as a dfdx tensor.
type Matrix = Tensor<(usize, usize), f32, Dev>;

/// A run's loss on `(rows, outputs)` slices of logits and targets: by hand when the loss
/// registers a fused version, else through its dfdx functions (on the tape for gradients).
pub(crate) struct Loss {
    entry: &'static LossEntry,
    outputs: usize,
    dev: Dev,
}

impl Loss {
    pub(crate) fn new(entry: &'static LossEntry, outputs: usize) -> Self {
        Self {
            entry,
            outputs,
            dev: Dev::default(),
        }
    }

    pub(crate) fn head(&self) -> Head {
        self.entry.head
    }

    /// The mean loss, and `d loss / d logits` written into `grad` (resized to the logits).
    pub(crate) fn value_and_grad(
        &self,
        logits: &[f32],
        targets: &[f32],
        grad: &mut Vec<f32>,
    ) -> f64 {
        grad.resize(logits.len(), 0.0);
        if let Some(fused) = self.entry.fused {
            return fused(logits, targets, self.outputs, Some(grad));
        }
        let (z, y) = self.tensors(logits, targets);
        let loss = (self.entry.train)(z.leaky_trace(), y);
        let value = loss.array();
        loss.backward().get(&z).copy_into(grad);
        f64::from(value)
    }

    /// The mean loss.
    pub(crate) fn value(&self, logits: &[f32], targets: &[f32]) -> f64 {
        if let Some(fused) = self.entry.fused {
            return fused(logits, targets, self.outputs, None);
        }
        let (z, y) = self.tensors(logits, targets);
        f64::from((self.entry.eval)(z, y).array())
    }

    fn tensors(&self, logits: &[f32], targets: &[f32]) -> (Matrix, Matrix) {
        let shape = (logits.len() / self.outputs, self.outputs);
        (
            self.dev.tensor_from_vec(logits.to_vec(), shape),
            self.dev.tensor_from_vec(targets.to_vec(), shape),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plugin loss without a fused version goes through the tape, and gets the numbers the
    /// fused version gets.
    #[test]
    fn the_tape_fallback_agrees_with_the_fused_path() {
        for entry in dlp_loss::losses().unwrap() {
            let tape_only: &'static LossEntry = Box::leak(Box::new(LossEntry {
                fused: None,
                ..*entry
            }));
            let outputs = entry.head.outputs(3).unwrap_or(1);
            let logits: Vec<f32> = (0..4 * outputs).map(|i| i as f32 * 0.7 - 2.0).collect();
            let targets: Vec<f32> = (0..4 * outputs)
                .map(|i| f32::from(u8::from(i % (outputs + 1) == 0)))
                .collect();
            let (fused, tape) = (Loss::new(entry, outputs), Loss::new(tape_only, outputs));
            let (mut g_fused, mut g_tape) = (Vec::new(), Vec::new());
            let v_fused = fused.value_and_grad(&logits, &targets, &mut g_fused);
            let v_tape = tape.value_and_grad(&logits, &targets, &mut g_tape);
            assert!((v_fused - v_tape).abs() < 1e-5, "{}", entry.name);
            assert!((fused.value(&logits, &targets) - v_tape).abs() < 1e-5);
            assert!((tape.value(&logits, &targets) - v_tape).abs() < 1e-6);
            for (a, b) in g_fused.iter().zip(&g_tape) {
                assert!((a - b).abs() < 1e-6, "{}: {a} vs {b}", entry.name);
            }
        }
    }
}
