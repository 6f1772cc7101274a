//! Early stopping on the validation set, with the best weights kept (Keras' `EarlyStopping`
//! with `restore_best_weights=True`, scikit-learn's `early_stopping=True`).

use dlp_model::Weights;

use crate::EpochMetrics;

/// Which validation metric [`EarlyStopping`] watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StopMetric {
    /// The validation loss, lower is better. The default.
    #[default]
    ValLoss,
    /// The validation accuracy, higher is better.
    ValAcc,
}

impl StopMetric {
    /// The name written in experiment files and `epochs.csv`: `val_loss` or `val_acc`.
    pub fn name(self) -> &'static str {
        match self {
            StopMetric::ValLoss => "val_loss",
            StopMetric::ValAcc => "val_acc",
        }
    }

    /// The metric's value at `metrics`, `None` without a validation set.
    pub fn of(self, metrics: &EpochMetrics) -> Option<f64> {
        match self {
            StopMetric::ValLoss => metrics.val_loss,
            StopMetric::ValAcc => metrics.val_acc,
        }
    }

    /// Whether `value` improves on `best` by more than `min_delta`. NaN never improves.
    fn improves(self, value: f64, best: f64, min_delta: f64) -> bool {
        match self {
            StopMetric::ValLoss => value < best - min_delta,
            StopMetric::ValAcc => value > best + min_delta,
        }
    }
}

/// Stop training when the validation metric has not improved for `patience` epochs in a
/// row, and keep the weights of the best epoch.
///
/// After each epoch (from epoch 1; the untrained model of epoch 0 is not a candidate) the
/// metric is compared with the best value so far: it improves when it is better by more
/// than `min_delta` (`value < best - min_delta` for `val_loss`, `value > best + min_delta`
/// for `val_acc`; epoch 1 always improves unless its value is NaN). An improvement makes the
/// epoch the best and resets the count; otherwise the count grows, and training stops after
/// the epoch where it reaches `patience`. Whether it stops early or runs all its epochs, the
/// run ends with the best epoch's weights ([`Trained::restored_epoch`]).
///
/// [`Trained::restored_epoch`]: crate::Trained::restored_epoch
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// Epochs in a row without improvement before stopping, at least 1.
    pub patience: usize,
    /// How much better than the best a value must be to count as an improvement, `>= 0`.
    pub min_delta: f64,
    /// The metric watched.
    pub metric: StopMetric,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// It ran all its epochs.
    Epochs,
    /// Early stopping: `patience` epochs without improvement.
    EarlyStopping,
    /// A loss became NaN or infinite ([`Status::Diverged`](crate::Status::Diverged)).
    Diverged,
    /// [`train_watched`](crate::train_watched)'s callback asked it to stop.
    Watcher,
}

impl StopReason {
    /// The name `runs.csv` records: `epochs`, `early_stopping`, `diverged` or `watcher`.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Epochs => "epochs",
            StopReason::EarlyStopping => "early_stopping",
            StopReason::Diverged => "diverged",
            StopReason::Watcher => "watcher",
        }
    }
}

/// The state of early stopping during a run: the best epoch, its weights, the count.
pub(crate) struct Tracker {
    rule: EarlyStopping,
    best: Option<(usize, f64, Weights)>,
    waited: usize,
}

impl Tracker {
    pub(crate) fn new(rule: EarlyStopping) -> Self {
        Self {
            rule,
            best: None,
            waited: 0,
        }
    }

    /// Looks at a trained epoch's metrics (`weights` gives the model's weights, asked for
    /// only when the epoch is the new best); `true` when patience has run out.
    pub(crate) fn after_epoch(
        &mut self,
        metrics: &EpochMetrics,
        weights: impl FnOnce() -> Weights,
    ) -> bool {
        let value = self.rule.metric.of(metrics).unwrap_or(f64::NAN);
        let improved = match &self.best {
            None => !value.is_nan(),
            Some((_, best, _)) => self.rule.metric.improves(value, *best, self.rule.min_delta),
        };
        if improved {
            self.best = Some((metrics.epoch, value, weights()));
            self.waited = 0;
        } else {
            self.waited += 1;
        }
        self.waited >= self.rule.patience
    }

    /// The best epoch and its weights, if any epoch had a value.
    pub(crate) fn into_best(self) -> Option<(usize, Weights)> {
        self.best.map(|(epoch, _, weights)| (epoch, weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(epoch: usize, val_loss: f64) -> EpochMetrics {
        EpochMetrics {
            epoch,
            train_loss: 0.0,
            train_acc: 0.0,
            test_loss: 0.0,
            test_acc: 0.0,
            val_loss: Some(val_loss),
            val_acc: Some(1.0 - val_loss),
            lr: 0.1,
            wall_s: 0.0,
        }
    }

    /// The epoch at which training stops (or `None`) and the best epoch, for a series of
    /// validation values starting at epoch 1.
    fn run(rule: EarlyStopping, values: &[f64]) -> (Option<usize>, Option<usize>) {
        let mut tracker = Tracker::new(rule);
        let mut stopped = None;
        for (i, &v) in values.iter().enumerate() {
            if tracker.after_epoch(&metrics(i + 1, v), Weights::default) {
                stopped = Some(i + 1);
                break;
            }
        }
        (stopped, tracker.into_best().map(|(epoch, _)| epoch))
    }

    #[test]
    fn keras_semantics() {
        let rule = |patience, min_delta, metric| EarlyStopping {
            patience,
            min_delta,
            metric,
        };
        let loss = StopMetric::ValLoss;
        // Best at 2; epochs 3 and 4 do not improve: patience 2 stops after epoch 4.
        assert_eq!(
            run(rule(2, 0.0, loss), &[0.5, 0.4, 0.4, 0.45, 0.1]),
            (Some(4), Some(2))
        );
        // An equal value is no improvement; a smaller one resets the count.
        assert_eq!(
            run(rule(2, 0.0, loss), &[0.5, 0.4, 0.4, 0.3, 0.35, 0.3]),
            (Some(6), Some(4))
        );
        // min_delta: 0.5 -> 0.45 is not better by more than 0.1 (0.5 -> 0.35 would be).
        assert_eq!(run(rule(1, 0.1, loss), &[0.5, 0.35]), (None, Some(2)));
        assert_eq!(
            run(rule(1, 0.1, loss), &[0.5, 0.45, 0.2]),
            (Some(2), Some(1))
        );
        // Patience never runs out: no stop, best kept.
        assert_eq!(run(rule(3, 0.0, loss), &[0.5, 0.6, 0.4]), (None, Some(3)));
        // val_acc: higher is better (val_acc = 1 - val_loss here).
        assert_eq!(
            run(rule(1, 0.0, StopMetric::ValAcc), &[0.5, 0.4, 0.45]),
            (Some(3), Some(2))
        );
        // NaN never improves; a NaN first epoch leaves the next to be the best.
        assert_eq!(
            run(rule(2, 0.0, loss), &[f64::NAN, 0.3, f64::NAN, 0.31]),
            (Some(4), Some(2))
        );
    }
}
