//! The experiment file: its shape, its defaults, and its validation against the registries.

use std::path::{Path, PathBuf};

use dlp_data::DataConfig;
use dlp_model::{Architecture, ModelConfig};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::provenance::Provenance;

/// An experiment file as written. Every table is optional; docs/config.md lists every key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Names the results folder. Required.
    pub name: String,
    /// Free text, copied to the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A number of seeds (`5` means seeds 0 to 4) or a list of seeds. Defaults to `1`.
    #[serde(default)]
    pub seeds: Seeds,
    /// The dataset (`[data]`).
    #[serde(default)]
    pub data: DataConfig,
    /// The model (`[model]`).
    #[serde(default)]
    pub model: ModelConfig,
    /// The loss (`[loss]`).
    #[serde(default)]
    pub loss: LossConfig,
    /// The optimizer: `name`, its parameters, and an optional `[optim.schedule]` table.
    #[serde(default = "default_optim")]
    pub optim: toml::Table,
    /// The training loop (`[train]`).
    #[serde(default)]
    pub train: TrainConfig,
    /// What varies across runs (`[sweep]`); expanded into cells by [`crate::Study`], so a
    /// resolved cell has none.
    #[serde(default, skip_serializing)]
    pub sweep: Option<toml::Table>,
    /// Claims about the results (`[[expect]]`), checked by the report; not part of a run's
    /// identity.
    #[serde(default, skip_serializing)]
    pub expect: Vec<crate::Expect>,
}

/// `seeds = 5` or `seeds = [0, 7, 42]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "a whole number of seeds (`seeds = 10` runs seeds 0 to 9) or a list of seeds (`seeds = [0, 7, 42]`)"
)]
pub enum Seeds {
    /// Seeds `0..n`.
    Count(u64),
    /// These seeds.
    List(Vec<u64>),
}

impl Default for Seeds {
    fn default() -> Self {
        Seeds::Count(1)
    }
}

impl Seeds {
    /// The seeds, in order.
    pub fn list(&self) -> Vec<u64> {
        match self {
            Seeds::Count(n) => (0..*n).collect(),
            Seeds::List(list) => list.clone(),
        }
    }
}

/// The `[loss]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossConfig {
    /// A registered loss (`dlp list losses`). Defaults to `"mse"`, the TP1 baseline.
    #[serde(default = "default_loss")]
    pub name: String,
    /// L1 penalty on the weights (not the biases): `l1 * sum |w|` is added to the training
    /// objective. Defaults to `0`; left out of the serialised configuration when zero, so that
    /// runs without it keep their ids.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub l1: f64,
    /// L2 penalty on the weights (not the biases): `l2 * sum w^2` is added to the training
    /// objective. Defaults to `0`; left out of the serialised configuration when zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub l2: f64,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self {
            name: default_loss(),
            l1: 0.0,
            l2: 0.0,
        }
    }
}

impl LossConfig {
    /// The weight penalties, as training applies them.
    pub fn penalties(&self) -> dlp_model::Penalties {
        dlp_model::Penalties {
            l1: self.l1 as f32,
            l2: self.l2 as f32,
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

fn default_loss() -> String {
    "mse".into()
}

fn default_optim() -> toml::Table {
    toml::toml! { name = "sgd" lr = 0.01 }
}

/// The `[train]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the training set. Defaults to `10`.
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    /// Rows per mini-batch. Defaults to `10`.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Test accuracy counted as "reached" in the time-to-accuracy columns. Defaults to `0.99`.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Save each run's final weights as safetensors (the report draws decision boundaries from
    /// them). Defaults to `true`.
    #[serde(default = "default_save_weights")]
    pub save_weights: bool,
    /// Stop when the validation metric stalls and keep the best epoch's weights (needs
    /// `[data] validation_fraction`). Defaults to none; left out of the serialised
    /// configuration when absent, so that runs without it keep their ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<EarlyStoppingConfig>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: default_epochs(),
            batch_size: default_batch_size(),
            threshold: default_threshold(),
            save_weights: default_save_weights(),
            early_stopping: None,
        }
    }
}

/// `[train] early_stopping = { patience, min_delta, metric }`: Keras' `EarlyStopping` with
/// `restore_best_weights=True` (docs/config.md gives the exact rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// Epochs in a row without improvement before training stops, >= 1. Defaults to `10`
    /// (scikit-learn's `n_iter_no_change`).
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// How much better than the best value so far a value must be to count as an
    /// improvement, finite and >= 0. Defaults to `0` (any improvement counts, as in Keras).
    #[serde(default)]
    pub min_delta: f64,
    /// The validation metric watched. Defaults to `val_loss`.
    #[serde(default)]
    pub metric: ValidationMetric,
}

impl Default for EarlyStoppingConfig {
    fn default() -> Self {
        Self {
            patience: default_patience(),
            min_delta: 0.0,
            metric: ValidationMetric::default(),
        }
    }
}

/// The metric early stopping watches: `val_loss` (lower is better) or `val_acc` (higher).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationMetric {
    /// The validation loss. The default.
    #[default]
    ValLoss,
    /// The validation accuracy.
    ValAcc,
}

fn default_patience() -> usize {
    10
}

fn default_epochs() -> usize {
    10
}
fn default_batch_size() -> usize {
    10
}
fn default_save_weights() -> bool {
    true
}
fn default_threshold() -> f64 {
    0.99
}

/// An experiment checked against the registries and the menu, with every default filled in.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The file it came from.
    pub path: PathBuf,
    /// The experiment with defaults filled in (what `config.toml` records).
    pub experiment: Experiment,
    /// The model's menu entry.
    pub architecture: Architecture,
    /// The optimizer's name.
    pub optimizer: String,
    /// The optimizer's parameters (the `[optim]` table without `name` and `schedule`).
    pub optimizer_params: toml::Table,
    /// The schedule's name.
    pub schedule: String,
    /// The schedule's parameters.
    pub schedule_params: toml::Table,
    /// Where each key came from, to point later errors at what the user wrote.
    pub provenance: Provenance,
}

impl Resolved {
    /// Reads, parses and validates an experiment file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::parse(path, &text)
    }

    /// Parses and validates `text`, read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        Self::parse_edited(text, Provenance::file(path, text))
    }

    /// Parses and validates `text`, a file with the edits that `provenance` records (sweep
    /// values, overrides) applied; errors point at the file as written or at the edit.
    pub fn parse_edited(text: &str, provenance: Provenance) -> Result<Self, ConfigError> {
        let experiment: Experiment =
            toml::from_str(text).map_err(|e| provenance.syntax_error(text, &e))?;
        validate(experiment, provenance)
    }

    /// An error about `key` found after validation (reading the data, say), located in the
    /// file like a validation error.
    pub fn error_at(&self, key: &str, message: impl std::fmt::Display) -> ConfigError {
        self.provenance.error(key, message)
    }

    /// What identifies this configuration's runs: the resolved configuration without its
    /// name, description and seeds (adding seeds keeps the ids of the runs already done).
    pub fn identity(&self) -> String {
        let mut table =
            toml::Table::try_from(&self.experiment).expect("a resolved experiment serialises");
        for key in ["name", "description", "seeds"] {
            table.remove(key);
        }
        table.to_string()
    }

    /// The folder relative paths in the file are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

fn validate(mut experiment: Experiment, provenance: Provenance) -> Result<Resolved, ConfigError> {
    let invalid = |key: String, message: String| provenance.error(&key, message);
    if experiment.name.is_empty()
        || !experiment
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || experiment.name.starts_with('.')
    {
        return Err(invalid(
            "name".into(),
            format!(
                "`{}` cannot name a results folder; use letters, digits, `-`, `_` and `.`",
                experiment.name
            ),
        ));
    }
    let seeds = experiment.seeds.list();
    if seeds.is_empty() {
        return Err(invalid(
            "seeds".into(),
            "needs at least one seed (a count >= 1 or a non-empty list)".into(),
        ));
    }
    let mut unique = seeds.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != seeds.len() {
        return Err(invalid("seeds".into(), "lists a seed twice".into()));
    }

    experiment
        .data
        .validate()
        .map_err(|e| invalid(format!("data.{}", e.key().unwrap_or("kind")), e.to_string()))?;
    experiment.data = experiment.data.resolved();

    let architecture = experiment.model.architecture().map_err(|e| {
        let key = match e {
            dlp_model::ModelError::BadDropout { .. } => "model.dropout",
            _ => "model.hidden",
        };
        invalid(key.into(), e.to_string())
    })?;
    if experiment.model.init == dlp_model::Init::File && experiment.model.weights.is_none() {
        return Err(invalid(
            "model.init".into(),
            "`init = \"file\"` needs `weights = \"path/to/weights.safetensors\"` in [model]".into(),
        ));
    }
    if experiment.model.init == dlp_model::Init::Torch && experiment.model.weights.is_some() {
        return Err(invalid(
            "model.weights".into(),
            "`weights` is read only with `init = \"file\"`; add it or remove `weights`".into(),
        ));
    }

    let base_dir = provenance.path().parent().unwrap_or(Path::new("."));
    let files = [
        ("data.path", experiment.data.path.as_ref()),
        ("data.test_path", experiment.data.test_path.as_ref()),
        ("model.weights", experiment.model.weights.as_ref()),
    ];
    for (key, file) in files {
        if let Some(file) = file.filter(|f| !base_dir.join(f).is_file()) {
            return Err(invalid(
                key.into(),
                format!(
                    "no such file: {} (relative paths start from the experiment file's folder)",
                    base_dir.join(file).display()
                ),
            ));
        }
    }

    let loss = dlp_loss::find_loss(&experiment.loss.name)
        .map_err(|e| invalid("loss.name".into(), e.to_string()))?;
    for (key, value) in [
        ("loss.l1", experiment.loss.l1),
        ("loss.l2", experiment.loss.l2),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(invalid(
                key.into(),
                format!(
                    "must be a finite number >= 0 (got {value}); 0 is no penalty, \
                     typical values are 1e-5 to 1e-2"
                ),
            ));
        }
    }
    let classes = match experiment.data.kind {
        dlp_data::DataKind::Gaussians => experiment.data.k,
        dlp_data::DataKind::Csv => None, // known once the file is read
        _ => Some(2),
    };
    if let Some(classes) = classes.filter(|&c| loss.head.outputs(c).is_none()) {
        return Err(invalid(
            "loss.name".into(),
            format!(
                "loss `{}` predicts two classes but the data has {classes}; \
                 use `cross_entropy` for more than two classes",
                loss.name
            ),
        ));
    }

    let train = &experiment.train;
    if train.epochs == 0 {
        return Err(invalid(
            "train.epochs".into(),
            "must be >= 1 (got 0)".into(),
        ));
    }
    if train.batch_size == 0 {
        return Err(invalid(
            "train.batch_size".into(),
            "must be >= 1 (got 0)".into(),
        ));
    }
    if let Some(n_train) = experiment.data.n_train.filter(|&n| train.batch_size > n) {
        return Err(invalid(
            "train.batch_size".into(),
            format!(
                "is larger than the training set ({} > n_train = {n_train})",
                train.batch_size
            ),
        ));
    }
    if let (Some(n_train), Some(fraction)) =
        (experiment.data.n_train, experiment.data.validation_fraction)
    {
        let rows = n_train - dlp_data::validation_rows(n_train, fraction).unwrap_or(0);
        if train.batch_size > rows {
            return Err(invalid(
                "train.batch_size".into(),
                format!(
                    "is larger than the training set left after validation ({} > {rows} = \
                     n_train = {n_train} minus round({n_train} * validation_fraction = \
                     {fraction}))",
                    train.batch_size
                ),
            ));
        }
    }
    if let Some(stopping) = &train.early_stopping {
        if stopping.patience == 0 {
            return Err(invalid(
                "train.early_stopping.patience".into(),
                "must be >= 1 (got 0): the number of epochs in a row without improvement \
                 before training stops"
                    .into(),
            ));
        }
        if !(stopping.min_delta.is_finite() && stopping.min_delta >= 0.0) {
            return Err(invalid(
                "train.early_stopping.min_delta".into(),
                format!(
                    "must be a finite number >= 0 (got {}); 0 counts any improvement",
                    stopping.min_delta
                ),
            ));
        }
        if experiment.data.validation_fraction.is_none() {
            return Err(invalid(
                "train.early_stopping".into(),
                "watches a validation set, and there is none; carve one from the training \
                 set with `validation_fraction = 0.2` in [data]"
                    .into(),
            ));
        }
    }
    if !(train.threshold > 0.0 && train.threshold <= 1.0) {
        return Err(invalid(
            "train.threshold".into(),
            format!("must be an accuracy in (0, 1] (got {})", train.threshold),
        ));
    }

    let (optimizer, mut optimizer_params, schedule, mut schedule_params) =
        split_optim(&experiment.optim).map_err(|(key, message)| invalid(key, message))?;
    dlp_optim::build_optimizer(&optimizer, &optimizer_params).map_err(|e| {
        let key = e
            .key()
            .map_or("optim.name".to_string(), |k| format!("optim.{k}"));
        invalid(key, e.to_string())
    })?;
    dlp_optim::build_schedule(&schedule, &schedule_params).map_err(|e| {
        let key = e.key().map_or("optim.schedule.name".to_string(), |k| {
            format!("optim.schedule.{k}")
        });
        invalid(key, e.to_string())
    })?;

    // Every default the user did not set, so that `config.toml` records every value.
    if let Ok(entry) = dlp_optim::find_optimizer(&optimizer) {
        dlp_optim::fill_defaults(&mut optimizer_params, entry.params);
    }
    if let Ok(entry) = dlp_optim::find_schedule(&schedule) {
        dlp_optim::fill_defaults(&mut schedule_params, entry.params);
    }
    let mut optim = optimizer_params.clone();
    optim.insert("name".into(), optimizer.clone().into());
    let mut schedule_table = schedule_params.clone();
    schedule_table.insert("name".into(), schedule.clone().into());
    optim.insert("schedule".into(), schedule_table.into());
    experiment.optim = optim;

    Ok(Resolved {
        path: provenance.path().to_path_buf(),
        experiment,
        architecture,
        optimizer,
        optimizer_params,
        schedule,
        schedule_params,
        provenance,
    })
}

type OptimParts = (String, toml::Table, String, toml::Table);

/// Splits `[optim]` into the optimizer's name and parameters and the schedule's.
fn split_optim(optim: &toml::Table) -> Result<OptimParts, (String, String)> {
    let mut params = optim.clone();
    let name = take_name(&mut params, "optim", "sgd")?;
    let mut schedule = match params.remove("schedule") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            return Err((
                "optim.schedule".into(),
                "must be a table: [optim.schedule] with `name` and its parameters".into(),
            ));
        }
    };
    let schedule_name = take_name(&mut schedule, "optim.schedule", "constant")?;
    Ok((name, params, schedule_name, schedule))
}

fn take_name(table: &mut toml::Table, at: &str, default: &str) -> Result<String, (String, String)> {
    match table.remove("name") {
        None => Ok(default.to_string()),
        Some(toml::Value::String(name)) => Ok(name),
        Some(other) => Err((
            format!("{at}.name"),
            format!(
                "must be a string naming a registered entry (got {})",
                other.type_str()
            ),
        )),
    }
}
