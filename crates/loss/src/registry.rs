use std::collections::BTreeMap;
use std::sync::OnceLock;

use dfdx::prelude::*;

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

inventory::collect!(LossEntry);

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
            $crate::LossEntry {
                name: $name,
                summary: $summary,
                head: $head,
                train: $loss::<$crate::TrainTape>,
                eval: $loss::<$crate::EvalTape>,
                fused: $crate::__optional!($($fused)?),
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

fn registry() -> &'static Result<BTreeMap<&'static str, &'static LossEntry>, LossError> {
    static REGISTRY: OnceLock<Result<BTreeMap<&'static str, &'static LossEntry>, LossError>> =
        OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut map = BTreeMap::new();
        for entry in inventory::iter::<LossEntry> {
            if map.insert(entry.name, entry).is_some() {
                return Err(LossError::Duplicate { name: entry.name });
            }
        }
        Ok(map)
    })
}

/// Every registered loss, sorted by name.
pub fn losses() -> Result<Vec<&'static LossEntry>, LossError> {
    registry()
        .as_ref()
        .map(|m| m.values().copied().collect())
        .map_err(Clone::clone)
}

/// The loss called `name`, or an error listing the known ones and the nearest name.
pub fn find_loss(name: &str) -> Result<&'static LossEntry, LossError> {
    let map = registry().as_ref().map_err(Clone::clone)?;
    map.get(name).copied().ok_or_else(|| {
        let known: Vec<&str> = map.keys().copied().collect();
        let nearest = known
            .iter()
            .min_by_key(|k| strsim::levenshtein(k, name))
            .map(|k| k.to_string())
            .unwrap_or_default();
        LossError::Unknown {
            name: name.to_string(),
            known: known.join(", "),
            nearest,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let all = losses().unwrap();
        for entry in &all {
            let mut chars = entry.name.chars();
            assert!(
                chars.next().is_some_and(|c| c.is_ascii_lowercase()),
                "{}",
                entry.name
            );
            assert!(chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        }
        let names: Vec<&str> = all.iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            ["bce", "bce_with_logits", "cross_entropy", "hinge", "mse"]
        );
    }

    #[test]
    fn unknown_name_suggests_the_nearest() {
        let err = find_loss("bce_logits").unwrap_err().to_string();
        assert!(err.contains("did you mean `bce_with_logits`"), "{err}");
        assert!(
            err.contains("if it comes from a plugin crate, that crate must be linked"),
            "{err}"
        );
        assert!(
            err.contains("known: bce, bce_with_logits, cross_entropy, hinge, mse;"),
            "{err}"
        );
    }
}
