//! The training loop: data + model + loss + optimizer, for any architecture.
//!
//! [`train`] is the one non-generic entry point; inside, the architecture dispatches to the
//! concrete model type (a menu entry, or the type of its depth with run-time widths) and the
//! generic loop is compiled once per type, here and only here, so that editing the runner
//! never recompiles the models.
//!
//! ```
//! use dlp_data::{DataConfig, load};
//! use dlp_model::{Activation, Architecture};
//! use dlp_optim::{Adam, AdamConfig};
//! use dlp_train::{TrainSpec, train};
//!
//! let split = load(&DataConfig::default(), 0, ".".as_ref()).unwrap(); // the TP1 spirals
//! let spec = TrainSpec {
//!     architecture: Architecture::new(&[20, 20], Activation::Relu).unwrap(),
//!     loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
//!     optimizer: Box::new(Adam::new(AdamConfig { lr: 0.01, ..AdamConfig::default() }).unwrap()),
//!     epochs: 2,
//!     batch_size: 100,
//!     ..TrainSpec::new(&split) // the rest as in an experiment file: constant lr, seed 0
//! };
//! let model = train(spec, &mut |_| {}).unwrap();
//! assert_eq!(model.epochs.len(), 3); // epoch 0 (before training), 1 and 2
//! assert!(model.epochs[2].train_loss < model.epochs[0].train_loss);
//! assert_eq!(model.accuracy(&split.test), model.epochs[2].test_acc);
//! let class = model.classify(&[0.5, -1.0]); // one point, two features
//! assert!(class[0] < 2);
//! ```
#![warn(missing_docs)]

mod early_stopping;
mod evaluate;
mod fit;
mod loss;
mod predict;
mod trained;

pub use early_stopping::{EarlyStopping, StopMetric, StopReason};
pub use fit::{
    EpochMetrics, Snapshot, Status, TrainError, TrainSpec, Trained, train, train_watched,
};
pub use predict::predict;

/// The weight penalties of [`TrainSpec::penalties`].
pub use dlp_model::Penalties;
