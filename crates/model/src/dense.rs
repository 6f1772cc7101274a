use dfdx::prelude::*;
use rand::Rng;
use rand_distr::{Distribution, Uniform};

/// The device every model runs on.
pub type Dev = Cpu;

/// A batch of rows: `(batch, features)`.
pub type Batch<C, T> = Tensor<(usize, C), f32, Dev, T>;

/// A fully connected layer `y = x W^T + b`, laid out as `torch.nn.Linear` (`weight` is
/// `(out, in)`), with statically typed sizes where the architecture fixes them (`Const<N>`)
/// and run-time sizes where the data does (`usize`: input features, classes).
#[derive(Debug, Clone)]
pub struct Dense<I: Dim, O: Dim> {
    /// `(out, in)` weights.
    pub weight: Tensor<(O, I), f32, Dev>,
    /// `(out,)` biases.
    pub bias: Tensor<(O,), f32, Dev>,
}

impl<I: Dim, O: Dim> Dense<I, O> {
    /// A layer initialised as `torch.nn.Linear`: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)),
    /// drawn from `rng`, weights first (row by row), then biases.
    pub fn new(dev: &Dev, inputs: I, outputs: O, rng: &mut impl Rng) -> Self {
        let bound = 1.0 / (inputs.size() as f32).sqrt();
        let uniform = Uniform::new_inclusive(-bound, bound);
        let mut draw = |n: usize| (0..n).map(|_| uniform.sample(rng)).collect::<Vec<f32>>();
        let weight = draw(outputs.size() * inputs.size());
        let bias = draw(outputs.size());
        Self {
            weight: dev.tensor_from_vec(weight, (outputs, inputs)),
            bias: dev.tensor_from_vec(bias, (outputs,)),
        }
    }

    /// `x W^T + b` on a batch, recording on `x`'s tape.
    pub fn forward<T: Tape<f32, Dev>>(&self, x: Batch<I, T>) -> Batch<O, T> {
        let batch = x.shape().0;
        let outputs = self.weight.shape().0;
        let y = x.matmul(self.weight.retaped::<T>().permute::<(I, O), Axes2<1, 0>>());
        y + self
            .bias
            .retaped::<T>()
            .broadcast_like::<_, Axis<0>>(&(batch, outputs))
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.weight.shape().1.size()
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.weight.shape().0.size()
    }
}
