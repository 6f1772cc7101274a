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

/// `sqrt(2 / pi)`, the GELU tanh form's inner scale.
const GELU_SCALE: f32 = 0.797_884_6;
/// The GELU tanh form's cubic coefficient.
const GELU_CUBIC: f32 = 0.044_715;

impl Activation {
    /// Applies the activation in place to pre-activations `z`, and, when `slopes` is given,
    /// writes its derivative at each `z` there: the hand-written passes of
    /// [`FusedMlp`](crate::FusedMlp). The `match` sits outside the loops so that each loop is
    /// a plain element-wise kernel the compiler vectorises.
    pub fn apply_in_place(self, z: &mut [f32], slopes: Option<&mut [f32]>) {
        fn each(z: &mut [f32], slopes: Option<&mut [f32]>, f: impl Fn(f32) -> (f32, f32)) {
            match slopes {
                Some(slopes) => {
                    for (z, s) in z.iter_mut().zip(slopes) {
                        (*z, *s) = f(*z);
                    }
                }
                None => z.iter_mut().for_each(|z| *z = f(*z).0),
            }
        }
        match self {
            Activation::Relu => each(z, slopes, |z| {
                let on = z > 0.0;
                (if on { z } else { 0.0 }, f32::from(u8::from(on)))
            }),
            Activation::Sigmoid => each(z, slopes, |z| {
                let h = 1.0 / (1.0 + (-z).exp());
                (h, h * (1.0 - h))
            }),
            Activation::Tanh => each(z, slopes, |z| {
                let h = z.tanh();
                (h, 1.0 - h * h)
            }),
            Activation::LeakyRelu => each(z, slopes, |z| {
                if z > 0.0 {
                    (z, 1.0)
                } else {
                    (LEAKY_RELU_SLOPE * z, LEAKY_RELU_SLOPE)
                }
            }),
            Activation::Gelu => each(z, slopes, |z| {
                let t = (GELU_SCALE * (z + GELU_CUBIC * z * z * z)).tanh();
                let inner_slope = GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * z * z);
                (
                    0.5 * z * (1.0 + t),
                    0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * inner_slope,
                )
            }),
            Activation::Identity => {
                if let Some(slopes) = slopes {
                    slopes.fill(1.0);
                }
            }
        }
    }
}
