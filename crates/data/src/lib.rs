//! Datasets for dlp's hyperparameter studies: the TP1 spirals and other seeded 2-D
//! generators, users' csv files, input features, standardisation and shuffled mini-batches.
//!
//! A [`DataConfig`] is the `[data]` table of an experiment file; [`load`] turns it and the
//! run's seed into a [`Split`] of two [`Dataset`]s, whose rows are the model's inputs: the
//! raw points mapped through an [`InputMap`] (features, then standardisation).
//! [`load_raw`] gives the raw points and the map instead. Every random draw comes from a
//! [`DataRng`] seeded through [`derive_seed`], so the same seed always yields the same bits.
//! This crate knows nothing of tensors or training.
//!
//! ```
//! use std::path::Path;
//! use dlp_data::{DataConfig, DataKind, load};
//!
//! let config = DataConfig { kind: DataKind::Tp1Spirals, ..DataConfig::default() };
//! let split = load(&config, 42, Path::new("."))?;
//! assert_eq!((split.train.len(), split.test.len()), (4000, 1000));
//! assert_eq!((split.train.n_features, split.train.n_classes), (2, 2));
//! assert_eq!(split, load(&config, 42, Path::new("."))?);
//!
//! let mut order = dlp_data::BatchOrder::new(split.train.len());
//! order.shuffle(&mut dlp_data::rng(dlp_data::derive_seed(42, "train/shuffle")));
//! assert_eq!(order.batches(10).count(), 400);
//! # Ok::<(), dlp_data::DataError>(())
//! ```
#![warn(missing_docs)]

mod batch;
mod config;
mod dataset;
mod error;
mod features;
mod generators;
mod kinds;
mod load;
mod seed;
mod standardize;
mod validation;

pub use batch::BatchOrder;
pub use config::{DataConfig, DataKind};
pub use dataset::{Dataset, Split};
pub use error::DataError;
pub use features::{Feature, InputMap, UnknownFeature};
pub use kinds::{KindDoc, kinds};
pub use load::{load, load_raw};
pub use seed::{DataRng, derive_seed, rng};
pub use standardize::Standardizer;
pub use validation::validation_rows;

/// The `rand` crate whose traits [`DataRng`] implements (`Rng`, `SeedableRng`).
pub use rand;
