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

/// `1 + EXTRA_LAYERS` hidden layers of `WIDTH` units, each followed by the activation, then a
/// linear head: `inputs -> WIDTH -> (WIDTH -> WIDTH) x EXTRA_LAYERS -> outputs`.
///
/// Name it by its number of hidden layers: [`OneHiddenLayer<20>`] is `Mlp<20, 0>`,
/// [`TwoHiddenLayers<20>`] (`hidden = [20, 20]`) is `Mlp<20, 1>`, and so on.
#[derive(Debug, Clone)]
pub struct Mlp<const WIDTH: usize, const EXTRA_LAYERS: usize> {
    /// First hidden layer, from the data's features.
    pub input: Dense<usize, Const<WIDTH>>,
    /// The other hidden layers.
    pub hidden: [Dense<Const<WIDTH>, Const<WIDTH>>; EXTRA_LAYERS],
    /// Output layer, to one logit per output.
    pub head: Dense<Const<WIDTH>, usize>,
    /// Applied after every hidden layer.
    pub activation: Activation,
}

/// One hidden layer of `WIDTH` units (`hidden = [WIDTH]`).
pub type OneHiddenLayer<const WIDTH: usize> = Mlp<WIDTH, 0>;
/// Two hidden layers of `WIDTH` units (`hidden = [WIDTH, WIDTH]`).
pub type TwoHiddenLayers<const WIDTH: usize> = Mlp<WIDTH, 1>;
/// Three hidden layers of `WIDTH` units.
pub type ThreeHiddenLayers<const WIDTH: usize> = Mlp<WIDTH, 2>;
/// Four hidden layers of `WIDTH` units, the deepest of the menu.
pub type FourHiddenLayers<const WIDTH: usize> = Mlp<WIDTH, 3>;

impl<const WIDTH: usize, const EXTRA_LAYERS: usize> Network for Mlp<WIDTH, EXTRA_LAYERS> {
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
        visitor.visit(EXTRA_LAYERS + 1, &mut self.head);
    }
}
