use std::ops::ControlFlow;
use std::time::Instant;

use dlp_data::{BatchOrder, Split, derive_seed, rng};
use dlp_loss::{Head, LossEntry};
use dlp_model::{Architecture, Dev, FusedMlp, Network, NetworkVisitor, Penalties, Weights};
use dlp_optim::{EpochLosses, Optimizer, Schedule, Sgd, SgdConfig};
use rand::SeedableRng;

use crate::early_stopping::{EarlyStopping, StopReason, Tracker};
use crate::evaluate::{CHUNK, Labelled, evaluate};
use crate::loss::Loss;

/// Everything one training run needs. [`TrainSpec::new`] fills in the defaults of an experiment
/// file (docs/config.md); change what you need with struct update syntax:
/// `TrainSpec { epochs: 40, ..TrainSpec::new(&split) }`.
pub struct TrainSpec<'a> {
    /// Training and test data, and the validation set measured after each epoch, if any.
    pub split: &'a Split,
    /// The model: any hidden widths (0 to 8 layers of 1 to 1024 units), and its dropout.
    pub architecture: Architecture,
    /// The loss, which also fixes the head (number of outputs, decision rule).
    pub loss: &'static LossEntry,
    /// L1 and L2 penalties on the weights, added to the training objective (not to the
    /// reported losses). Zero by default.
    pub penalties: Penalties,
    /// The optimizer, with its initial learning rate.
    pub optimizer: Box<dyn Optimizer>,
    /// The learning-rate schedule, consulted before every epoch.
    pub schedule: Box<dyn Schedule>,
    /// Number of passes over the training set.
    pub epochs: usize,
    /// Rows per mini-batch; the last partial batch of an epoch is kept.
    pub batch_size: usize,
    /// The run's seed: initial weights, batch order and dropout masks derive from it.
    pub seed: u64,
    /// Starting weights instead of the seeded initialisation.
    pub initial_weights: Option<&'a Weights>,
    /// Stop when the validation metric stalls, and keep the best epoch's weights; needs
    /// `split.validation`. None by default.
    pub early_stopping: Option<EarlyStopping>,
}

impl<'a> TrainSpec<'a> {
    /// Training on `split` with the defaults of an experiment file: one hidden layer of 10
    /// ReLU units, the `mse` loss (on a sigmoid output), SGD at a constant learning rate of
    /// 0.01, 10 epochs of batches of 10, seed 0, the seeded `torch.nn.Linear` initialisation,
    /// no weight penalties, no early stopping.
    pub fn new(split: &'a Split) -> Self {
        Self {
            split,
            architecture: dlp_model::ModelConfig::default()
                .architecture()
                .expect("the default model is valid"),
            loss: dlp_loss::find_loss("mse").expect("mse is built in"),
            penalties: Penalties::default(),
            optimizer: Box::new(
                Sgd::new(SgdConfig {
                    lr: 0.01,
                    ..SgdConfig::default()
                })
                .expect("a valid SGD"),
            ),
            schedule: dlp_optim::build_schedule("constant", &dlp_optim::toml::Table::new())
                .expect("constant is built in"),
            epochs: 10,
            batch_size: 10,
            seed: 0,
            initial_weights: None,
            early_stopping: None,
        }
    }
}

/// Metrics at the end of one epoch (epoch 0: before training).
#[derive(Debug, Clone, PartialEq)]
pub struct EpochMetrics {
    /// 0 before training, then 1, 2, ...
    pub epoch: usize,
    /// Mean loss over the whole training set, after the epoch.
    pub train_loss: f64,
    /// Accuracy over the whole training set, after the epoch.
    pub train_acc: f64,
    /// Mean loss over the test set, after the epoch.
    pub test_loss: f64,
    /// Accuracy over the test set, after the epoch.
    pub test_acc: f64,
    /// Mean loss over the validation set, after the epoch; `None` without one.
    pub val_loss: Option<f64>,
    /// Accuracy over the validation set, after the epoch; `None` without one.
    pub val_acc: Option<f64>,
    /// Learning rate in force during the epoch.
    pub lr: f64,
    /// Seconds spent in this epoch's training steps (evaluation excluded).
    pub wall_s: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// All epochs ran with finite losses.
    Ok,
    /// A loss became NaN or infinite during this epoch; training stopped there.
    Diverged {
        /// The epoch (1-based) in which it happened.
        epoch: usize,
    },
}

/// The outcome of a run: its metrics and the trained model, which predicts
/// ([`Trained::predict`], [`Trained::classify`], [`Trained::accuracy`]).
#[derive(Debug, Clone)]
pub struct Trained {
    /// One entry per epoch trained, from epoch 0 (before training) to the epoch it stopped
    /// at, whatever the weights kept.
    pub epochs: Vec<EpochMetrics>,
    /// Whether the run completed or diverged.
    pub status: Status,
    /// Why it stopped after its last epoch.
    pub stop_reason: StopReason,
    /// With early stopping, the epoch whose weights were kept (the best); `None` without
    /// early stopping, or when the run diverged, which keeps its last weights.
    pub restored_epoch: Option<usize>,
    /// The parameters kept: the last epoch's, or the restored epoch's.
    pub weights: Weights,
    /// The model the weights belong to.
    pub architecture: Architecture,
    /// Number of model inputs (the data's features).
    pub inputs: usize,
    /// Number of model outputs (1 for binary heads, k for softmax).
    pub outputs: usize,
    /// The loss's head: how outputs become a class.
    pub head: Head,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The loss's head cannot serve the data's classes.
    #[error(
        "loss `{loss}` predicts two classes (its head is `{head}`) but the data has {classes}; \
         use `cross_entropy` for more than two classes"
    )]
    HeadMismatch {
        /// The loss.
        loss: &'static str,
        /// Its head.
        head: &'static str,
        /// Classes in the data.
        classes: usize,
    },
    /// The initial weights do not fit the model.
    #[error("initial weights do not fit the model: {0}")]
    Weights(String),
    /// Early stopping was asked for without a validation set.
    #[error(
        "early stopping watches a validation set, and the split has none; carve one from the \
         training set (`[data] validation_fraction = 0.2`)"
    )]
    NoValidation,
}

/// Trains one model, calling `on_epoch` after each epoch (including epoch 0).
pub fn train(
    spec: TrainSpec<'_>,
    on_epoch: &mut dyn FnMut(&EpochMetrics),
) -> Result<Trained, TrainError> {
    train_watched(spec, &mut |metrics, _| {
        on_epoch(metrics);
        ControlFlow::Continue(())
    })
}

/// The model as trained so far, shown to [`train_watched`]'s callback after each epoch.
pub struct Snapshot<'a> {
    fused: &'a mut FusedMlp,
}

impl<'a> Snapshot<'a> {
    pub(crate) fn new(fused: &'a mut FusedMlp) -> Self {
        Self { fused }
    }

    /// The model's raw outputs on `points` (`rows x inputs`, row-major), as [`predict`]
    /// computes them from saved weights (dropout off).
    ///
    /// [`predict`]: crate::predict
    pub fn predict(&mut self, points: &[f32]) -> Vec<f32> {
        let inputs = self.fused.inputs();
        let mut outputs = Vec::new();
        for rows in points.chunks(CHUNK * inputs) {
            outputs.extend_from_slice(self.fused.forward(rows, false));
        }
        outputs
    }
}

/// [`train`], with the model shown after each epoch and a say in going on: `watch` returns
/// [`ControlFlow::Break`] to stop after this epoch (the result then holds the epochs so far,
/// status `Ok`, [`StopReason::Watcher`]; with early stopping, the best epoch so far is
/// restored). Pausing is blocking inside `watch`. Looking at the model changes nothing:
/// the numbers are [`train`]'s.
pub fn train_watched(
    spec: TrainSpec<'_>,
    watch: &mut dyn FnMut(&EpochMetrics, Snapshot<'_>) -> ControlFlow<()>,
) -> Result<Trained, TrainError> {
    let classes = spec.split.train.n_classes;
    let outputs = spec
        .loss
        .head
        .outputs(classes)
        .ok_or(TrainError::HeadMismatch {
            loss: spec.loss.name,
            head: spec.loss.head.name(),
            classes,
        })?;
    if spec.early_stopping.is_some() && spec.split.validation.is_none() {
        return Err(TrainError::NoValidation);
    }
    let architecture = spec.architecture;
    architecture.dispatch(Fit {
        spec,
        outputs,
        watch,
    })
}

struct Fit<'a, 'b> {
    spec: TrainSpec<'a>,
    outputs: usize,
    watch: &'b mut dyn FnMut(&EpochMetrics, Snapshot<'_>) -> ControlFlow<()>,
}

impl NetworkVisitor for Fit<'_, '_> {
    type Output = Result<Trained, TrainError>;

    fn visit<N: Network>(self) -> Self::Output {
        let Fit {
            mut spec,
            outputs,
            watch,
        } = self;
        let dev = Dev::default();
        let (train, test) = (&spec.split.train, &spec.split.test);
        let mut init_rng =
            rand_chacha::ChaCha8Rng::seed_from_u64(derive_seed(spec.seed, "model/init"));
        let activation = spec.architecture.activation();
        let mut network = N::build(
            &dev,
            &spec.architecture,
            train.n_features,
            outputs,
            &mut init_rng,
        );
        if let Some(weights) = spec.initial_weights {
            weights
                .load_into(&mut network)
                .map_err(TrainError::Weights)?;
        }
        let mut fused = FusedMlp::new(&Weights::of(&mut network), activation)
            .with_dropout(
                spec.architecture.dropout(),
                derive_seed(spec.seed, "train/dropout"),
            )
            .with_penalties(spec.penalties);
        let loss = Loss::new(spec.loss, outputs);
        let (train, test) = (Labelled::new(train, outputs), Labelled::new(test, outputs));
        let validation = spec
            .split
            .validation
            .as_ref()
            .map(|v| Labelled::new(v, outputs));

        let base_lr = spec.optimizer.lr();
        let mut logits = Vec::new();
        let mut measure = |fused: &mut FusedMlp, epoch: usize, lr: f64, wall_s: f64| {
            let (train_loss, train_acc) = evaluate(fused, &loss, &train, &mut logits);
            let (test_loss, test_acc) = evaluate(fused, &loss, &test, &mut logits);
            let val = validation
                .as_ref()
                .map(|v| evaluate(fused, &loss, v, &mut logits));
            EpochMetrics {
                epoch,
                train_loss,
                train_acc,
                test_loss,
                test_acc,
                val_loss: val.map(|(l, _)| l),
                val_acc: val.map(|(_, a)| a),
                lr,
                wall_s,
            }
        };
        let mut epochs = vec![measure(&mut fused, 0, base_lr, 0.0)];
        let mut stop = watch(&epochs[0], Snapshot::new(&mut fused)).is_break();

        let mut shuffle_rng = rng(derive_seed(spec.seed, "train/shuffle"));
        let mut order = BatchOrder::new(train.data.len());
        let (mut features, mut labels, mut targets) = (Vec::new(), Vec::new(), Vec::new());
        let mut d_logits = Vec::new();
        let mut status = Status::Ok;
        let mut stop_reason = if stop {
            StopReason::Watcher
        } else {
            StopReason::Epochs
        };
        let mut tracker = spec.early_stopping.map(Tracker::new);

        for epoch in 1..=spec.epochs {
            if stop {
                break;
            }
            let previous = epochs.last().map(|m| EpochLosses {
                train_loss: m.train_loss,
                test_loss: m.test_loss,
            });
            let lr = spec
                .schedule
                .lr(epoch - 1, base_lr, previous.as_ref().filter(|_| epoch > 1));
            spec.optimizer.set_lr(lr);
            order.shuffle(&mut shuffle_rng);
            let started = Instant::now();
            let mut finite = true;
            for batch in order.batches(spec.batch_size) {
                train.data.gather(batch, &mut features, &mut labels);
                train.gather_targets(batch, &mut targets);
                let logits = fused.forward(&features, true);
                finite &= loss
                    .value_and_grad(logits, &targets, &mut d_logits)
                    .is_finite();
                fused.backward(&features, &d_logits);
                fused.step(spec.optimizer.as_mut());
            }
            let metrics = measure(&mut fused, epoch, lr, started.elapsed().as_secs_f64());
            finite &= metrics.train_loss.is_finite() && metrics.test_loss.is_finite();
            let patience_out = tracker
                .as_mut()
                .is_some_and(|t| t.after_epoch(&metrics, || fused.weights()));
            stop = watch(&metrics, Snapshot::new(&mut fused)).is_break();
            epochs.push(metrics);
            if !finite {
                status = Status::Diverged { epoch };
                stop_reason = StopReason::Diverged;
                break;
            }
            if patience_out && epoch < spec.epochs {
                stop_reason = StopReason::EarlyStopping;
                break;
            }
            if stop && epoch < spec.epochs {
                stop_reason = StopReason::Watcher;
            }
        }
        // A diverged run keeps its last weights, as without early stopping; any other run
        // with early stopping ends with its best epoch's.
        let best = tracker
            .and_then(Tracker::into_best)
            .filter(|_| status == Status::Ok);
        let (restored_epoch, weights) = match best {
            Some((epoch, weights)) => (Some(epoch), weights),
            None => (None, fused.weights()),
        };
        Ok(Trained {
            epochs,
            status,
            stop_reason,
            restored_epoch,
            weights,
            architecture: spec.architecture,
            inputs: spec.split.train.n_features,
            outputs,
            head: spec.loss.head,
        })
    }
}
