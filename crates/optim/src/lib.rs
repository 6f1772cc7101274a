//! Optimizers and learning-rate schedules behind `inventory` registries.
//!
//! An optimizer here is a per-tensor update rule on plain `f32` slices, so one registered
//! optimizer works with every model: the model side walks its parameter tensors in a fixed
//! order and calls [`Optimizer::update`] on each.
//!
//! ```
//! let table: toml::Table = toml::from_str("lr = 0.1").unwrap();
//! let mut sgd = dlp_optim::build_optimizer("sgd", &table).unwrap();
//! let mut w = vec![1.0_f32, 2.0];
//! sgd.begin_step();
//! sgd.update(0, &mut w, &[1.0, -1.0]);
//! assert_eq!(w, vec![0.9, 2.1]);
//! ```
//!
//! The built-in optimizers follow PyTorch's definitions exactly (`sgd`, `adam`, `adamw`,
//! `rmsprop`, `adagrad`), computed in `f32` like PyTorch's float32 tensors; they agree with
//! PyTorch to `f32` rounding, not bit for bit. The built-in schedules are `constant`, `step`,
//! `exponential`, `cosine`, `warmup`, `reduce_on_plateau`, `adaptive` and `loss_increase`.
//!
//! Other crates add entries with [`register_optimizer!`] and [`register_schedule!`] (see
//! `docs/plugins.md`); such a crate must be named in source by the final binary or test
//! (the `dlp-plugins` crate does that), or its entries are silently not linked.
//!
//! The `testing` module (cargo feature `testing`) holds the checks an optimizer's tests run,
//! in dlp or in a plugin crate of its own: registered and linked, and faithful to an
//! independent `f64` version of its formula.
//!
//! Lookups go through the lookup every dlp registry shares (`dlp-registry`): they fail on an
//! unknown name (listing the known ones, suggesting one only if it is near) and, when two
//! linked crates registered one name, on every name (the error names both registrations).
//! Building fails on a parameter of the wrong type, out of range, or not accepted by the
//! entry (see [`Params`]). All of it before any training.
#![warn(missing_docs)]

mod adagrad;
mod adam;
pub mod check;
mod error;
mod optimizer;
mod params;
mod registry;
mod rmsprop;
mod schedule;
mod schedules;
mod sgd;
mod subnormal;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use dlp_registry::LookupError;
pub use error::OptimError;
pub use optimizer::{Optimizer, tensor_state, zeroed_state};
pub use params::{Param, ParamDefault, Params, fill_defaults};
#[doc(hidden)]
pub use registry::Registration;
pub use registry::{
    OptimizerEntry, ScheduleEntry, build_optimizer, build_schedule, find_optimizer, find_schedule,
    optimizers, schedules,
};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use schedule::{EpochLosses, Schedule};
pub use sgd::{Sgd, SgdConfig};
pub use subnormal::flush_subnormal;

#[doc(hidden)]
pub use inventory as __inventory;
/// The `toml` crate whose tables [`build_optimizer`] and [`build_schedule`] take: use it
/// (`dlp_optim::toml::toml! { lr = 0.01 }`) rather than another version of `toml`.
pub use toml;
