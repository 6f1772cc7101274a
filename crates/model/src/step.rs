use dfdx::prelude::*;
use dlp_optim::Optimizer;

use crate::dense::{Dense, Dev};
use crate::network::{LayerVisitor, Network};

/// Applies one optimizer step to every parameter of `network` from `grads`.
///
/// Parameters are visited layer by layer from the input, weight then bias, so tensor `2 * l`
/// is layer `l`'s weight and `2 * l + 1` its bias: the stable order optimizers index their
/// state by. A parameter that received no gradient gets a zero one.
pub fn apply_optimizer<N: Network>(
    network: &mut N,
    grads: &mut Gradients<f32, Dev>,
    optimizer: &mut dyn Optimizer,
) {
    optimizer.begin_step();
    network.visit_layers(&mut Stepper {
        grads,
        optimizer,
        scratch: Vec::new(),
    });
}

struct Stepper<'a> {
    grads: &'a mut Gradients<f32, Dev>,
    optimizer: &'a mut dyn Optimizer,
    scratch: Vec<f32>,
}

impl Stepper<'_> {
    fn step<S: Shape>(&mut self, index: usize, param: &mut Tensor<S, f32, Dev>) {
        self.scratch.resize(param.shape().num_elements(), 0.0);
        param.copy_into(&mut self.scratch);
        let grad = self
            .grads
            .get_or_alloc_mut(param)
            .expect("allocating a gradient on the CPU cannot fail");
        self.optimizer.update(index, &mut self.scratch, grad);
        param.copy_from(&self.scratch);
    }
}

impl LayerVisitor for Stepper<'_> {
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>) {
        self.step(2 * index, &mut layer.weight);
        self.step(2 * index + 1, &mut layer.bias);
    }
}
