//! What the model's test files share.

use dfdx::prelude::*;
use dlp_model::{Dense, Dev, LayerVisitor, Network};

/// Every parameter's gradient in `grads`, in visit order (layer by layer, weight then bias, as
/// `Weights` lists them).
pub fn grads_of<N: Network>(net: &mut N, grads: &Gradients<f32, Dev>) -> Vec<Vec<f32>> {
    let mut collect = GradsOf {
        grads,
        out: Vec::new(),
    };
    net.visit_layers(&mut collect);
    collect.out
}

struct GradsOf<'a> {
    grads: &'a Gradients<f32, Dev>,
    out: Vec<Vec<f32>>,
}

impl LayerVisitor for GradsOf<'_> {
    fn visit<I: Dim, O: Dim>(&mut self, _: usize, layer: &mut Dense<I, O>) {
        self.out.push(self.grads.get(&layer.weight).as_vec());
        self.out.push(self.grads.get(&layer.bias).as_vec());
    }
}
