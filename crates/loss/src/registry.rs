use std::sync::OnceLock;

use dfdx::prelude::*;
use dlp_registry::{Registered, Registry};

use crate::error::LossError;
use crate::head::Head;

/// The tape a training forward pass records on.
pub type TrainTape = OwnedTape<f32, Cpu>;
/// No tape: evaluation.
pub type EvalTape = NoneTape;
/// Raw model outputs, `(batch, outputs)`.
pub type Logits<T> = Tensor<(usize, usize), f32, Cpu, T>;
/// Targets shaped as the outputs: 0/1 labels for one output, one-hot rows for k outputs.
pub type Targets = Tensor<(usize, usize), f32, Cpu>;
/// A loss: the mean over the batch, as a scalar on the logits' tape.
pub type LossFn<T> = fn(Logits<T>, Targets) -> Tensor<(), f32, Cpu, T>;
/// The same loss written by hand on slices, the training fast path:
/// `fused(logits, targets, outputs, grad)` returns the loss (the same mean as the
/// [`LossFn`]) of `(rows, outputs)` row-major `logits` against `targets`, and when `grad` is
/// given writes `d loss / d logits` there. The gradient tests hold it to the [`LossFn`].
pub type FusedLossFn = fn(&[f32], &[f32], usize, Option<&mut [f32]>) -> f64;

/// One registered loss.
#[derive(Debug)]
pub struct LossEntry {
    /// Name used in experiment files (`[loss] name = "..."`).
    pub name: &'static str,
    /// One line for `dlp list losses`.
    pub summary: &'static str,
    /// What the loss applies to the logits, and the decision rule.
    pub head: Head,
    /// The loss recorded on the tape, for training.
    pub train: LossFn<TrainTape>,
    /// The same loss without a tape, for evaluation.
    pub eval: LossFn<EvalTape>,
    /// The same loss and its gradient by hand, when the loss provides them; without, training
    /// computes the loss through `train` on the tape (slower at small batches, same result).
    pub fused: Option<FusedLossFn>,
}

/// A [`LossEntry`] as [`register_loss!`] submits it: with the module that registered it, which
/// a duplicate name's error names.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration {
    pub entry: LossEntry,
    pub origin: &'static str,
}

inventory::collect!(Registration);

/// Registers a loss from a function generic over the tape:
/// `fn my_loss<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T>`,
/// and optionally its hand-written version, a [`FusedLossFn`].
///
/// ```text
/// dlp_loss::register_loss!(name: "my_loss", summary: "...", head: dlp_loss::Head::Logit, loss: my_loss);
/// dlp_loss::register_loss!(name: "my_loss", summary: "...", head: dlp_loss::Head::Logit, loss: my_loss, fused: my_loss_fused);
/// ```
#[macro_export]
macro_rules! register_loss {
    (name: $name:literal, summary: $summary:literal, head: $head:expr, loss: $loss:ident
        $(, fused: $fused:path)? $(,)?) => {
        $crate::__inventory::submit! {
            $crate::Registration {
                entry: $crate::LossEntry {
                    name: $name,
                    summary: $summary,
                    head: $head,
                    train: $loss::<$crate::TrainTape>,
                    eval: $loss::<$crate::EvalTape>,
                    fused: $crate::__optional!($($fused)?),
                },
                origin: ::core::module_path!(),
            }
        }
    };
}

/// `Some(f)` or `None`, for [`register_loss!`]'s optional argument.
#[doc(hidden)]
#[macro_export]
macro_rules! __optional {
    () => {
        None
    };
    ($value:path) => {
        Some($value)
    };
}

/// The registrations, sorted and checked by the lookup all registries share.
fn registry_of(registrations: impl Iterator<Item = &'static Registration>) -> Registry<LossEntry> {
    Registry::new(
        "loss",
        registrations.map(|r| Registered {
            name: r.entry.name,
            origin: r.origin,
            entry: &r.entry,
        }),
    )
}

fn registry() -> &'static Registry<LossEntry> {
    static REGISTRY: OnceLock<Registry<LossEntry>> = OnceLock::new();
    REGISTRY.get_or_init(|| registry_of(inventory::iter::<Registration>.into_iter()))
}

/// Every registered loss, sorted by name.
///
/// # Errors
/// [`LossError::Lookup`] when two linked crates registered one name.
pub fn losses() -> Result<Vec<&'static LossEntry>, LossError> {
    Ok(registry().entries()?)
}

/// The loss called `name`.
///
/// # Errors
/// [`LossError::Lookup`]: no loss has this name (the error lists the known ones and suggests
/// one only if it is near), or two linked crates registered one loss name (whichever name is
/// asked for: the registry refuses every lookup, before anything trains).
pub fn find_loss(name: &str) -> Result<&'static LossEntry, LossError> {
    Ok(registry().lookup(name)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let all = losses().unwrap();
        for entry in &all {
            assert!(dlp_registry::is_well_formed(entry.name), "{}", entry.name);
        }
        let names: Vec<&str> = all.iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            ["bce", "bce_with_logits", "cross_entropy", "hinge", "mse"]
        );
    }

    /// Listed by name, whatever order the linker left the registrations in.
    #[test]
    fn listings_are_sorted_by_name() {
        let mut reversed: Vec<_> = inventory::iter::<Registration>.into_iter().collect();
        reversed.reverse();
        let names: Vec<&str> = registry_of(reversed.into_iter())
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.name)
            .collect();
        assert!(names.is_sorted(), "{names:?}");
    }

    #[test]
    fn unknown_name_suggests_the_nearest() {
        let err = find_loss("bce_logits").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown loss `bce_logits` (known: bce, bce_with_logits, cross_entropy, hinge, mse; \
             if it comes from a plugin crate, that crate must be linked: docs/plugins.md); did \
             you mean `bce_with_logits`?"
        );
        for (near, want) in [("Hinge_loss", "hinge"), ("crossentropy", "cross_entropy")] {
            let err = find_loss(near).unwrap_err().to_string();
            assert!(err.ends_with(&format!("; did you mean `{want}`?")), "{err}");
        }
    }

    /// A far name gets no suggestion: the nearest registered name would be a wrong guess.
    #[test]
    fn unknown_far_name_suggests_nothing() {
        for far in ["transformer", "mae", "nll", "huber"] {
            let err = find_loss(far).unwrap_err().to_string();
            assert!(!err.contains("did you mean"), "{err}");
            assert!(err.ends_with("docs/plugins.md)"), "{err}");
        }
    }

    /// A second `mse` registered by another crate: every lookup and the listing fail, naming
    /// both registrations.
    #[test]
    fn a_duplicate_name_refuses_every_lookup() {
        fn mse<T: Tape<f32, Cpu>>(z: Logits<T>, _: Targets) -> Tensor<(), f32, Cpu, T> {
            z.sum()
        }
        static ANOTHER_MSE: Registration = Registration {
            entry: LossEntry {
                name: "mse",
                summary: "",
                head: Head::Logit,
                train: mse::<TrainTape>,
                eval: mse::<EvalTape>,
                fused: None,
            },
            origin: "my_plugin::mse",
        };
        let all = inventory::iter::<Registration>.into_iter();
        let clash = registry_of(all.chain([&ANOTHER_MSE]));
        let message = "loss `mse` is registered twice, by `dlp_loss::mse` and by \
                       `my_plugin::mse`; rename one of the two";
        for name in ["mse", "hinge", "bce_logits"] {
            let err = LossError::from(clash.lookup(name).unwrap_err());
            assert_eq!(err.to_string(), message);
        }
        assert_eq!(
            LossError::from(clash.entries().unwrap_err()).to_string(),
            message
        );
        // Without the clash, the same registrations look up.
        let all = inventory::iter::<Registration>.into_iter();
        assert!(registry_of(all).lookup("hinge").is_ok());
    }
}
