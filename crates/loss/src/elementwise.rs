//! The common shape of the hand-written binary losses.

/// The mean of `per_element(z, y).0` over every element, and its gradient
/// `per_element(z, y).1 / n` in `grad` when given. Sums in `f64`, so the mean of a large
/// evaluation set does not drift with its size.
pub(crate) fn mean_of(
    logits: &[f32],
    targets: &[f32],
    grad: Option<&mut [f32]>,
    per_element: impl Fn(f32, f32) -> (f32, f32),
) -> f64 {
    let n = logits.len();
    let mut total = 0.0_f64;
    match grad {
        Some(grad) => {
            let scale = 1.0 / n as f32;
            for ((g, &z), &y) in grad.iter_mut().zip(logits).zip(targets) {
                let (loss, slope) = per_element(z, y);
                total += f64::from(loss);
                *g = slope * scale;
            }
        }
        None => {
            for (&z, &y) in logits.iter().zip(targets) {
                total += f64::from(per_element(z, y).0);
            }
        }
    }
    total / n as f64
}

/// `1 / (1 + exp(-z))`.
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}
