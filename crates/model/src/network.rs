use dfdx::prelude::*;
use rand::Rng;

use crate::activation::Activation;
use crate::dense::{Batch, Dense, Dev};
use crate::menu::Architecture;

/// Sees every layer of a network, in order, with a generic method so that each layer keeps its
/// static type.
pub trait LayerVisitor {
    /// Called once per layer; `index` counts linear layers from the input (0-based).
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>);
}

/// A multi-layer perceptron: a statically typed dfdx model, of the menu ([`Mlp`], [`Linear0`])
/// or with run-time widths ([`AnyWidths`]).
pub trait Network: Sized + Send {
    /// Builds the network `architecture` names for `inputs` features and `outputs` logits,
    /// initialised as `torch.nn.Linear` from `rng`, layer by layer from the input (weights,
    /// then biases): the same draws, so the same weights, whichever type serves it.
    ///
    /// # Panics
    /// When `architecture` is not one this type serves ([`Architecture::dispatch`] picks it).
    fn build(
        dev: &Dev,
        architecture: &Architecture,
        inputs: usize,
        outputs: usize,
        rng: &mut impl Rng,
    ) -> Self;

    /// The raw outputs (logits) for a batch, recording on the batch's tape: the evaluation
    /// pass (no dropout).
    fn forward<T: Tape<f32, Dev>>(&self, x: Batch<usize, T>) -> Batch<usize, T> {
        self.forward_masked(x, &[])
    }

    /// The raw outputs for a batch with dropout: the activations of hidden layer `l` are
    /// multiplied element-wise by `masks[l]` (`(rows, width)`, row-major; each entry 0 for a
    /// dropped unit or `1 / (1 - p)` for a kept one, as `torch.nn.Dropout(p)` in training).
    /// A missing or empty mask leaves its layer as it is. This is the definition of a training
    /// pass with dropout; [`FusedMlp`](crate::FusedMlp) draws the masks.
    fn forward_masked<T: Tape<f32, Dev>>(
        &self,
        x: Batch<usize, T>,
        masks: &[Vec<f32>],
    ) -> Batch<usize, T>;

    /// Visits every linear layer, from the input to the head.
    fn visit_layers<V: LayerVisitor>(&mut self, visitor: &mut V);
}

/// `h * mask` (dropout with a given mask), or `h` without one.
fn drop<S: Shape, T: Tape<f32, Dev>>(
    h: Tensor<S, f32, Dev, T>,
    mask: Option<&Vec<f32>>,
) -> Tensor<S, f32, Dev, T> {
    match mask.filter(|m| !m.is_empty()) {
        Some(mask) => {
            let shape = *h.shape();
            h * Dev::default().tensor_from_vec(mask.clone(), shape)
        }
        None => h,
    }
}

/// No hidden layer: logistic (or softmax) regression, `inputs -> outputs`.
#[derive(Debug, Clone)]
pub struct Linear0 {
    /// The only layer.
    pub head: Dense<usize, usize>,
}

impl Linear0 {
    /// A linear model for `inputs` features and `outputs` logits, initialised as
    /// `torch.nn.Linear` from `rng`; the activation is unused (there is no hidden layer).
    pub fn new(
        dev: &Dev,
        inputs: usize,
        outputs: usize,
        _: Activation,
        rng: &mut impl Rng,
    ) -> Self {
        Self {
            head: Dense::new(dev, inputs, outputs, rng),
        }
    }
}

impl Network for Linear0 {
    fn build(
        dev: &Dev,
        architecture: &Architecture,
        inputs: usize,
        outputs: usize,
        rng: &mut impl Rng,
    ) -> Self {
        assert!(
            architecture.hidden().is_empty(),
            "{architecture:?} has hidden layers"
        );
        Self::new(dev, inputs, outputs, architecture.activation(), rng)
    }

    fn forward_masked<T: Tape<f32, Dev>>(
        &self,
        x: Batch<usize, T>,
        _: &[Vec<f32>],
    ) -> Batch<usize, T> {
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

impl<const WIDTH: usize, const EXTRA_LAYERS: usize> Mlp<WIDTH, EXTRA_LAYERS> {
    /// The network for `inputs` features and `outputs` logits, initialised as
    /// `torch.nn.Linear` from `rng`, layer by layer from the input.
    pub fn new(
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
}

/// The passes of a network made of an `input` layer, `EXTRA_LAYERS` `hidden` layers and a
/// `head`, with an `activation` after every hidden layer: [`Mlp`] and [`AnyWidths`] share
/// them, over layers whose widths are typed differently.
macro_rules! layer_stack {
    () => {
        fn forward_masked<T: Tape<f32, Dev>>(
            &self,
            x: Batch<usize, T>,
            masks: &[Vec<f32>],
        ) -> Batch<usize, T> {
            let mut h = drop(self.activation.apply(self.input.forward(x)), masks.first());
            for (l, layer) in self.hidden.iter().enumerate() {
                h = drop(self.activation.apply(layer.forward(h)), masks.get(l + 1));
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
    };
}

impl<const WIDTH: usize, const EXTRA_LAYERS: usize> Network for Mlp<WIDTH, EXTRA_LAYERS> {
    fn build(
        dev: &Dev,
        architecture: &Architecture,
        inputs: usize,
        outputs: usize,
        rng: &mut impl Rng,
    ) -> Self {
        assert!(
            architecture.widths().len() == 1 + EXTRA_LAYERS
                && architecture.widths().iter().all(|&w| w == WIDTH),
            "{architecture:?} is not this menu entry"
        );
        Self::new(dev, inputs, outputs, architecture.activation(), rng)
    }

    layer_stack!();
}

/// `1 + EXTRA_LAYERS` hidden layers whose widths are run-time sizes, each followed by the
/// activation, then a linear head: any architecture off the menu (widths that differ, widths
/// outside [`WIDTHS`](crate::WIDTHS), more than [`MENU_DEPTH`](crate::MENU_DEPTH) layers).
///
/// One type per depth, so that 8 types serve every list of widths: the layers are
/// [`Dense<usize, usize>`], as [`Linear0`]'s is. `AnyWidths<1>` with `hidden = [32, 16]` is a
/// 2-32-16-1 network for 2 features and 1 logit.
#[derive(Debug, Clone)]
pub struct AnyWidths<const EXTRA_LAYERS: usize> {
    /// First hidden layer, from the data's features.
    pub input: Dense<usize, usize>,
    /// The other hidden layers.
    pub hidden: [Dense<usize, usize>; EXTRA_LAYERS],
    /// Output layer, to one logit per output.
    pub head: Dense<usize, usize>,
    /// Applied after every hidden layer.
    pub activation: Activation,
}

impl<const EXTRA_LAYERS: usize> AnyWidths<EXTRA_LAYERS> {
    /// The network with `hidden` widths (`1 + EXTRA_LAYERS` of them) for `inputs` features and
    /// `outputs` logits, initialised as `torch.nn.Linear` from `rng`, layer by layer from the
    /// input.
    ///
    /// # Panics
    /// When `hidden` does not have `1 + EXTRA_LAYERS` widths.
    pub fn new(
        dev: &Dev,
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        activation: Activation,
        rng: &mut impl Rng,
    ) -> Self {
        assert_eq!(
            hidden.len(),
            1 + EXTRA_LAYERS,
            "{hidden:?} for AnyWidths<{EXTRA_LAYERS}>"
        );
        let input = Dense::new(dev, inputs, hidden[0], rng);
        let mut below = hidden[0];
        let hidden_layers = std::array::from_fn(|i| {
            let layer = Dense::new(dev, below, hidden[i + 1], rng);
            below = hidden[i + 1];
            layer
        });
        let head = Dense::new(dev, below, outputs, rng);
        Self {
            input,
            hidden: hidden_layers,
            head,
            activation,
        }
    }
}

impl<const EXTRA_LAYERS: usize> Network for AnyWidths<EXTRA_LAYERS> {
    fn build(
        dev: &Dev,
        architecture: &Architecture,
        inputs: usize,
        outputs: usize,
        rng: &mut impl Rng,
    ) -> Self {
        let hidden = architecture.hidden();
        Self::new(
            dev,
            inputs,
            &hidden,
            outputs,
            architecture.activation(),
            rng,
        )
    }

    layer_stack!();
}
