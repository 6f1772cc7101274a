/// The losses of one finished epoch, as a schedule sees them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochLosses {
    /// Mean training loss over the epoch.
    pub train_loss: f64,
    /// Loss on the test set after the epoch.
    pub test_loss: f64,
}

/// A learning-rate schedule, asked for the learning rate before each epoch.
///
/// The runner calls [`Schedule::lr`] once before every epoch, in order (`epoch` = 0, 1, 2, ...),
/// with the previous epoch's losses (`None` before epoch 0), and sets the optimizer's learning
/// rate to the result. Stateful schedules (plateau, adaptive, loss_increase) rely on that order.
pub trait Schedule: Send {
    /// The learning rate for `epoch` (0-based), given the configured `base_lr`.
    fn lr(&mut self, epoch: usize, base_lr: f64, previous: Option<&EpochLosses>) -> f64;
}

/// Which loss a loss-driven schedule watches (`monitor = "train_loss"` or `"test_loss"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Monitor {
    TrainLoss,
    TestLoss,
}

/// The `monitor` parameter of the schedules that watch a loss.
pub(crate) const MONITOR: crate::Param = crate::Param {
    name: "monitor",
    default: crate::ParamDefault::Choice {
        default: "train_loss",
        allowed: &["train_loss", "test_loss"],
    },
    doc: "\"train_loss\" or \"test_loss\"",
};

impl Monitor {
    pub(crate) fn read(p: &crate::Params) -> Result<Self, crate::OptimError> {
        Ok(match p.choice(&MONITOR)? {
            "test_loss" => Self::TestLoss,
            _ => Self::TrainLoss,
        })
    }

    pub(crate) fn pick(self, losses: &EpochLosses) -> f64 {
        match self {
            Self::TrainLoss => losses.train_loss,
            Self::TestLoss => losses.test_loss,
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Builds schedule `name` from TOML text and returns the learning rates it gives for
    /// epochs `0..train.len() + 1` with base lr `base`, feeding the train losses in order
    /// (test loss = 10 * train loss, so the monitor choice shows).
    pub(crate) fn lrs(name: &str, toml_text: &str, base: f64, train: &[f64]) -> Vec<f64> {
        let table: toml::Table = toml::from_str(toml_text).unwrap();
        let mut s = crate::build_schedule(name, &table).unwrap();
        let mut out = vec![s.lr(0, base, None)];
        for (e, &l) in train.iter().enumerate() {
            let losses = EpochLosses {
                train_loss: l,
                test_loss: 10.0 * l,
            };
            out.push(s.lr(e + 1, base, Some(&losses)));
        }
        out
    }

    /// The error message of building schedule `name` from TOML text.
    pub(crate) fn err(name: &str, toml_text: &str) -> String {
        let table: toml::Table = toml::from_str(toml_text).unwrap();
        crate::build_schedule(name, &table)
            .err()
            .unwrap()
            .to_string()
    }

    #[track_caller]
    pub(crate) fn assert_lrs(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                "got {got:?}, want {want:?}"
            );
        }
    }
}
