use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dense::Dev;

/// The non-linearity applied after every hidden layer (never after the output layer).
///
/// It is chosen at run time: making it part of the model type would triple the menu's compile
/// time for no speed gain (ARCHITECTURE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, x)`. The default.
    #[default]
    Relu,
    /// `1 / (1 + exp(-x))`.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
    /// `max(0, x) + 0.01 * min(0, x)`, PyTorch's default slope.
    LeakyRelu,
    /// GELU in its tanh form, `torch.nn.GELU(approximate="tanh")`:
    /// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, within 5e-4 of the exact `x * Phi(x)`.
    /// dfdx 0.13's exact GELU has a wrong backward pass (its `x phi(x)` term is sqrt(2) too
    /// large), which the gradient property tests caught.
    Gelu,
    /// `x`: the network is then linear, whatever its depth.
    Identity,
}

/// PyTorch's `LeakyReLU` default negative slope.
pub const LEAKY_RELU_SLOPE: f32 = 0.01;

impl Activation {
    /// Every activation, in menu order.
    pub const ALL: [Activation; 6] = [
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::LeakyRelu,
        Activation::Gelu,
        Activation::Identity,
    ];

    /// The name used in experiment files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Gelu => "gelu",
            Activation::Identity => "identity",
        }
    }

    /// Applies the activation element-wise, recording on the tensor's tape.
    pub fn apply<S: Shape, T: Tape<f32, Dev>>(
        self,
        x: Tensor<S, f32, Dev, T>,
    ) -> Tensor<S, f32, Dev, T> {
        match self {
            Activation::Relu => x.relu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::LeakyRelu => x.prelu(LEAKY_RELU_SLOPE),
            Activation::Gelu => x.fast_gelu(),
            Activation::Identity => x,
        }
    }
}
