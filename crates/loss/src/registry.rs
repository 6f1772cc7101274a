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
}

inventory::collect!(LossEntry);

/// Registers a loss from a function generic over the tape:
/// `fn my_loss<T: Tape<f32, Cpu>>(z: Logits<T>, y: Targets) -> Tensor<(), f32, Cpu, T>`.
///
/// ```text
/// dlp_loss::register_loss!(name: "my_loss", summary: "...", head: dlp_loss::Head::Logit, loss: my_loss);
/// ```
#[macro_export]
macro_rules! register_loss {
    (name: $name:literal, summary: $summary:literal, head: $head:expr, loss: $loss:ident $(,)?) => {
        $crate::__inventory::submit! {
            $crate::LossEntry {
                name: $name,
                summary: $summary,
                head: $head,
                train: $loss::<$crate::TrainTape>,
                eval: $loss::<$crate::EvalTape>,
            }
        }
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
            err.contains("known: bce, bce_with_logits, cross_entropy, hinge, mse"),
            "{err}"
        );
    }
}
