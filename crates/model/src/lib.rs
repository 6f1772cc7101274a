//! Statically typed dfdx models, chosen at run time from a description.
//!
//! A menu of common architectures has every hidden width as a const generic
//! ([`TwoHiddenLayers<20>`] is two hidden layers of 20, an alias of `Mlp<20, 1>`: one layer and
//! one extra); any other list of widths is served by the type of its depth, whose widths are
//! run-time sizes ([`AnyWidths<1>`] for `[32, 16]`). The number of input features and of
//! outputs follow the data and are run-time sizes. An [`Architecture`] checks a description
//! (0 to 8 hidden layers of 1 to 1024 units), and [`Architecture::dispatch`] runs generic code
//! on the concrete type it names.
//!
//! ```
//! use dfdx::prelude::*;
//! use dlp_model::{Activation, Architecture, Network, TwoHiddenLayers};
//! use rand::SeedableRng;
//!
//! let dev = Cpu::default();
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
//! let net = TwoHiddenLayers::<20>::new(&dev, 2, 1, Activation::Relu, &mut rng);
//! let x = dev.tensor_from_vec(vec![0.5_f32, -1.0, 2.0, 0.0], (2_usize, 2_usize));
//! let logits = net.forward(x);
//! assert_eq!(logits.shape(), &(2, 1));
//! assert!(Architecture::new(&[20, 20], Activation::Relu).is_ok());
//! assert!(Architecture::new(&[32, 16], Activation::Relu).is_ok());
//! assert!(Architecture::new(&[0], Activation::Relu).is_err());
//! ```
#![warn(missing_docs)]

/// Hands the menu's hidden widths to `$callback!` as literals: the one list from which `menu!`
/// generates the model types and `RowSums` its specialised loops. Other widths are served too
/// (by `AnyWidths` and `RowSums`' blocked loop); a width here costs about 1 s of release build.
macro_rules! with_menu_widths {
    ($callback:ident) => {
        $callback! {1, 2, 3, 4, 5, 8, 10, 15, 16, 20, 25, 32, 50, 64, 100, 128}
    };
}

mod activation;
mod config;
mod dense;
mod error;
mod fused;
mod matmul;
mod menu;
mod network;
mod rows;
mod step;
mod weights;

pub use activation::{Activation, LEAKY_RELU_SLOPE};
pub use config::{Dropout, Init, ModelConfig};
pub use dense::{Batch, Dense, Dev};
pub use error::ModelError;
pub use fused::{FusedMlp, Penalties};
pub use menu::{
    Architecture, MAX_DEPTH, MAX_WIDTH, MENU_DEPTH, NetworkVisitor, WIDTHS, describe_menu,
};
pub use network::{
    AnyWidths, FourHiddenLayers, LayerVisitor, Linear0, Mlp, Network, OneHiddenLayer,
    ThreeHiddenLayers, TwoHiddenLayers,
};
pub use step::apply_optimizer;
pub use weights::{NamedTensor, Weights};

/// The `dfdx` crate whose tensors and devices this crate's types use
/// (`use dlp_model::dfdx::prelude::*;`), so that your code and dlp agree on its version.
pub use dfdx;
/// The `rand` crate whose `Rng` [`Network::build`] takes.
pub use rand;
