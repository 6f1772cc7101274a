/// A per-tensor update rule, driven once per training step over every parameter tensor.
///
/// The driver calls [`Optimizer::begin_step`] once, then [`Optimizer::update`] for each
/// parameter tensor, always in the same order and with the same `index` for the same tensor,
/// so an implementation can keep per-tensor state (moments, buffers) in a `Vec` indexed by it.
pub trait Optimizer: Send {
    /// Starts a new step (PyTorch's `step()` call): advances the step counter `t`.
    fn begin_step(&mut self);
    /// Updates one parameter tensor in place from its gradient (the mean loss's gradient).
    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]);
    /// The learning rate in force.
    fn lr(&self) -> f64;
    /// Sets the learning rate (used by schedules).
    fn set_lr(&mut self, lr: f64);
}

/// The state slot of tensor `index`, growing `states` with defaults as needed.
///
/// Optimizers keep per-tensor state in a `Vec` indexed by the tensor index and size it lazily
/// on the first [`Optimizer::update`] of each tensor:
///
/// ```
/// let mut moments: Vec<Vec<f32>> = Vec::new();
/// let m = dlp_optim::tensor_state(&mut moments, 2);
/// if m.is_empty() {
///     m.resize(3, 0.0);
/// }
/// assert_eq!(moments.len(), 3);
/// ```
pub fn tensor_state<T: Default>(states: &mut Vec<T>, index: usize) -> &mut T {
    if states.len() <= index {
        states.resize_with(index + 1, T::default);
    }
    &mut states[index]
}

/// The state buffer of tensor `index`, `len` zeros on the tensor's first update: what most
/// optimizers keep per tensor (a moment, a sum of squares). Panics if the tensor changed size.
///
/// ```
/// let mut moments: Vec<Vec<f32>> = Vec::new();
/// let m = dlp_optim::zeroed_state(&mut moments, 1, 3);
/// m[0] = 0.5;
/// assert_eq!(moments, [vec![], vec![0.5, 0.0, 0.0]]);
/// ```
pub fn zeroed_state(states: &mut Vec<Vec<f32>>, index: usize, len: usize) -> &mut Vec<f32> {
    let s = tensor_state(states, index);
    if s.len() != len {
        assert!(
            s.is_empty(),
            "tensor {index} changed size from {} to {len}",
            s.len()
        );
        s.resize(len, 0.0);
    }
    s
}
