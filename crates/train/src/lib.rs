//! The training loop: data + model + loss + optimizer, for any model of the menu.
//!
//! [`train`] is the one non-generic entry point; inside, the architecture dispatches to the
//! concrete model type and the generic loop is compiled once per menu entry, here and only
//! here, so that editing the runner never recompiles the menu.
//!
//! ```
//! use dlp_data::{DataConfig, load};
//! use dlp_model::{Activation, Architecture};
//!
//! let split = load(&DataConfig::default(), 0, ".".as_ref()).unwrap();
//! let run = dlp_train::train(
//!     dlp_train::TrainSpec {
//!         split: &split,
//!         architecture: Architecture::new(&[20, 20], Activation::Relu).unwrap(),
//!         loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
//!         optimizer: dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.01 }).unwrap(),
//!         schedule: dlp_optim::build_schedule("constant", &toml::Table::new()).unwrap(),
//!         epochs: 2,
//!         batch_size: 100,
//!         seed: 0,
//!         initial_weights: None,
//!     },
//!     &mut |_| {},
//! )
//! .unwrap();
//! assert_eq!(run.epochs.len(), 3); // epoch 0 (before training), 1 and 2
//! assert!(run.epochs[2].train_loss < run.epochs[0].train_loss);
//! ```
#![warn(missing_docs)]

mod evaluate;
mod fit;
mod loss;
mod predict;

pub use fit::{EpochMetrics, Status, TrainError, TrainSpec, Trained, train};
pub use predict::predict;
