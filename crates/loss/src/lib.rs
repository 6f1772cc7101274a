//! Loss functions behind an `inventory` registry.
//!
//! A loss receives the model's raw outputs (`(batch, outputs)` logits) and targets of the
//! same shape (the 0/1 label for one-output heads, one-hot rows for k-class heads). Its
//! [`Head`] says what it applies to the logits first (a sigmoid, a softmax, or nothing), how
//! many outputs the model needs, and the decision rule accuracy uses.
//!
//! ```
//! use dfdx::prelude::*;
//! let entry = dlp_loss::find_loss("bce_with_logits").unwrap();
//! let dev = Cpu::default();
//! let logits = dev.tensor_from_vec(vec![0.0_f32, 0.0], (2_usize, 1_usize));
//! let targets = dev.tensor_from_vec(vec![0.0_f32, 1.0], (2_usize, 1_usize));
//! let loss = (entry.eval)(logits, targets).array();
//! assert!((loss - std::f32::consts::LN_2).abs() < 1e-6);
//! ```
#![warn(missing_docs)]

mod bce;
mod bce_with_logits;
mod cross_entropy;
mod elementwise;
mod error;
mod head;
mod hinge;
mod mse;
mod registry;

pub use dlp_registry::LookupError;
pub use error::LossError;
pub use head::Head;
#[doc(hidden)]
pub use registry::Registration;
pub use registry::{
    EvalTape, FusedLossFn, Logits, LossEntry, LossFn, Targets, TrainTape, find_loss, losses,
};

/// The `dfdx` crate whose tensors [`LossEntry`]'s functions take
/// (`use dlp_loss::dfdx::prelude::*;`), so that your code and dlp agree on its version.
pub use dfdx;
#[doc(hidden)]
pub use inventory as __inventory;

#[cfg(test)]
mod tests {
    use dfdx::prelude::*;

    /// The loss `name` on one-output logits `z` and labels `y`, without a tape.
    pub(crate) fn eval(name: &str, z: &[f32], y: &[f32]) -> f32 {
        let dev = Cpu::default();
        let n = z.len();
        let z = dev.tensor_from_vec(z.to_vec(), (n, 1_usize));
        let y = dev.tensor_from_vec(y.to_vec(), (n, 1_usize));
        (crate::find_loss(name).unwrap().eval)(z, y).array()
    }

    /// The gradient of the loss `name` with respect to one-output logits `z`.
    pub(crate) fn grad(name: &str, z: &[f32], y: &[f32]) -> Vec<f32> {
        let dev = Cpu::default();
        let n = z.len();
        let z = dev.tensor_from_vec(z.to_vec(), (n, 1_usize));
        let y = dev.tensor_from_vec(y.to_vec(), (n, 1_usize));
        let loss = (crate::find_loss(name).unwrap().train)(z.leaky_trace(), y);
        loss.backward().get(&z).as_vec()
    }
}
