use dfdx::prelude::*;
use rand::Rng;

use crate::activation::Activation;
use crate::dense::{Batch, Dense, Dev};

/// Sees every layer of a network, in order, with a generic method so that each layer keeps its
/// static type.
pub trait LayerVisitor {
    /// Called once per layer; `index` counts linear layers from the input (0-based).
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>);
}

/// A multi-layer perceptron of the menu: a statically typed dfdx model.
pub trait Network: Sized + Send {
    /// Builds the network for `inputs` features and `outputs` logits, initialised as
    /// `torch.nn.Linear` from `rng`, layer by layer from the input.
    fn new(
        dev: &Dev,
        inputs: usize,
        outputs: usize,
        activation: Activation,
        rng: &mut impl Rng,
    ) -> Self;

    /// The raw outputs (logits) for a batch, recording on the batch's tape.
    fn forward<T: Tape<f32, Dev>>(&self, x: Batch<usize, T>) -> Batch<usize, T>;

    /// Visits every linear layer, from the input to the head.
    fn visit_layers<V: LayerVisitor>(&mut self, visitor: &mut V);
}

/// No hidden layer: logistic (or softmax) regression, `inputs -> outputs`.
#[derive(Debug, Clone)]
pub struct Linear0 {
    /// The only layer.
    pub head: Dense<usize, usize>,
}

impl Network for Linear0 {
    fn new(dev: &Dev, inputs: usize, outputs: usize, _: Activation, rng: &mut impl Rng) -> Self {
        Self {
            head: Dense::new(dev, inputs, outputs, rng),
        }
    }

    fn forward<T: Tape<f32, Dev>>(&self, x: Batch<usize, T>) -> Batch<usize, T> {
        self.head.forward(x)
    }

    fn visit_layers<V: LayerVisitor>(&mut self, visitor: &mut V) {
        visitor.visit(0, &mut self.head);
    }
}

/// `1 + D` hidden layers of width `H`, each followed by the activation, then a linear head:
/// `inputs -> H -> (H -> H) x D -> outputs`.
#[derive(Debug, Clone)]
pub struct Mlp<const H: usize, const D: usize> {
    /// First hidden layer, from the data's features.
    pub input: Dense<usize, Const<H>>,
    /// The other hidden layers.
    pub hidden: [Dense<Const<H>, Const<H>>; D],
    /// Output layer, to one logit per output.
    pub head: Dense<Const<H>, usize>,
    /// Applied after every hidden layer.
    pub activation: Activation,
}

impl<const H: usize, const D: usize> Network for Mlp<H, D> {
    fn new(
        dev: &Dev,
        inputs: usize,
        outputs: usize,
        activation: Activation,
        rng: &mut impl Rng,
    ) -> Self {
        let input = Dense::new(dev, inputs, Const, rng);
        let hidden = std::array::from_fn(|_| Dense::new(dev, Const, Const, rng));
        let head = Dense::new(dev, Const, outputs, rng);
        Self {
            input,
            hidden,
            head,
            activation,
        }
    }

    fn forward<T: Tape<f32, Dev>>(&self, x: Batch<usize, T>) -> Batch<usize, T> {
        let mut h = self.activation.apply(self.input.forward(x));
        for layer in &self.hidden {
            h = self.activation.apply(layer.forward(h));
        }
        self.head.forward(h)
    }

    fn visit_layers<V: LayerVisitor>(&mut self, visitor: &mut V) {
        visitor.visit(0, &mut self.input);
        for (i, layer) in self.hidden.iter_mut().enumerate() {
            visitor.visit(i + 1, layer);
        }
        visitor.visit(D + 1, &mut self.head);
    }
}
