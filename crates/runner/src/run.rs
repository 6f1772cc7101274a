//! Runs an experiment: one training per seed, `jobs` at a time, each finished run written
//! before the next is reported.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result};
use dlp_model::{Init, Weights};
use dlp_train::{EpochMetrics, Status, TrainSpec, Trained};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::config::Resolved;
use crate::results::{ResultsDir, RunRows};

/// How to run.
pub struct RunOptions<'a> {
    /// Parent of the experiment's results folder.
    pub out: &'a Path,
    /// Trainings at once.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// Start over instead of resuming.
    pub fresh: bool,
}

/// What a finished invocation did.
pub struct Summary {
    /// Runs trained now.
    pub trained: usize,
    /// Runs found finished from an earlier invocation.
    pub skipped: usize,
    /// Runs that diverged.
    pub diverged: usize,
}

/// One training of the experiment.
struct Planned {
    seed: u64,
    run_id: String,
}

/// Why an experiment did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The experiment's inputs (data file, weights file, loss for the data) are unusable;
    /// found before anything was trained or written.
    #[error("{0}")]
    Input(String),
    /// A run or a write failed; runs written before it are kept.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Checks what the runs would read (data files, weights, the loss against the data's
/// classes) without training or writing anything; returns the number of runs.
pub fn check_experiment(resolved: &Resolved) -> Result<usize, RunError> {
    let config =
        toml::to_string(&resolved.experiment).context("cannot serialise the configuration")?;
    let plan = plan(resolved, &config);
    Inputs::load(resolved, &plan)?;
    Ok(plan.len())
}

fn plan(resolved: &Resolved, config: &str) -> Vec<Planned> {
    resolved
        .experiment
        .seeds
        .list()
        .into_iter()
        .map(|seed| Planned {
            seed,
            run_id: run_id(config, seed),
        })
        .collect()
}

/// Trains every run of `resolved` not already in its results folder.
pub fn run_experiment(resolved: &Resolved, options: &RunOptions) -> Result<Summary, RunError> {
    let config =
        toml::to_string(&resolved.experiment).context("cannot serialise the configuration")?;
    let plan = plan(resolved, &config);
    let inputs = Inputs::load(resolved, &plan)?;
    let dir = options.out.join(&resolved.experiment.name);
    let mut results = ResultsDir::open(&dir, &config, options.fresh)
        .map_err(|e| RunError::Input(format!("{}: {e:#}", resolved.path.display())))?;
    let todo: Vec<&Planned> = plan
        .iter()
        .filter(|p| !results.is_done(&p.run_id))
        .collect();
    let skipped = plan.len() - todo.len();
    if resolved.experiment.train.save_weights {
        std::fs::create_dir_all(dir.join("weights"))
            .with_context(|| format!("cannot create {}", dir.join("weights").display()))?;
    }

    let epochs = resolved.experiment.train.epochs as u64;
    let bar = progress_bar(
        options.quiet,
        todo.len() as u64 * epochs,
        &resolved.experiment.name,
    );
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, Result<Trained>)>();
    let mut diverged = 0;
    let mut first_error = None;
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, todo.len().max(1)) {
            let sender = sender.clone();
            let (next, todo, bar) = (&next, &todo, &bar);
            let inputs = &inputs;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(planned) = todo.get(i) else { break };
                    let outcome = train_one(
                        resolved,
                        planned.seed,
                        &inputs.splits[&planned.seed],
                        inputs.weights.as_ref(),
                        &mut |m| {
                            if m.epoch > 0 {
                                bar.inc(1);
                            }
                        },
                    );
                    if sender.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (i, outcome) in receiver {
            let planned = todo[i];
            let written = outcome.and_then(|trained| {
                if let Status::Diverged { .. } = trained.status {
                    diverged += 1;
                }
                if resolved.experiment.train.save_weights {
                    save_weights(resolved, &results, &planned.run_id, &trained)?;
                }
                results.append(&rows(resolved, planned, &trained))
            });
            if let Err(error) = written {
                // Stop handing out work; runs already written stay written.
                next.store(usize::MAX / 2, Ordering::Relaxed);
                first_error.get_or_insert(error);
            }
            bar.set_message(format!("{diverged} diverged"));
        }
    });
    bar.finish_and_clear();
    if let Some(error) = first_error {
        return Err(error.into());
    }
    let order: Vec<String> = plan.iter().map(|p| p.run_id.clone()).collect();
    results.canonicalize(&order)?;
    Ok(Summary {
        trained: todo.len(),
        skipped,
        diverged,
    })
}

/// A run's id: the first 12 hex digits of SHA-256 over its resolved configuration and seed.
fn run_id(config: &str, seed: u64) -> String {
    let digest = Sha256::digest(format!("{config}\nseed = {seed}\n"));
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// What the runs read besides the configuration, loaded and checked before any training.
struct Inputs {
    splits: HashMap<u64, dlp_data::Split>,
    weights: Option<Weights>,
}

impl Inputs {
    fn load(resolved: &Resolved, plan: &[Planned]) -> Result<Self, RunError> {
        let refuse = |key: &str, message: String| {
            RunError::Input(resolved.error_at(key, message).to_string())
        };
        let experiment = &resolved.experiment;
        let loss = dlp_loss::find_loss(&experiment.loss.name)
            .map_err(|e| refuse("loss.name", e.to_string()))?;
        let weights = match (&experiment.model.init, &experiment.model.weights) {
            (Init::File, Some(path)) => Some(
                Weights::load(&resolved.base_dir().join(path))
                    .map_err(|e| refuse("model.weights", e.to_string()))?,
            ),
            _ => None,
        };
        let mut splits = HashMap::new();
        for planned in plan {
            let split = dlp_data::load(&experiment.data, planned.seed, resolved.base_dir())
                .map_err(|e| {
                    refuse(
                        &format!("data.{}", e.key().unwrap_or("path")),
                        e.to_string(),
                    )
                })?;
            let classes = split.train.n_classes;
            let outputs = loss.head.outputs(classes).ok_or_else(|| {
                refuse(
                    "loss.name",
                    format!(
                        "loss `{}` predicts two classes but the data has {classes}; \
                         use `cross_entropy` for more than two classes",
                        loss.name
                    ),
                )
            })?;
            if let Some(weights) = &weights {
                dlp_train::predict(
                    &resolved.architecture,
                    weights,
                    split.train.n_features,
                    outputs,
                    &[],
                )
                .map_err(|e| refuse("model.weights", e))?;
            }
            splits.insert(planned.seed, split);
        }
        Ok(Self { splits, weights })
    }
}

fn train_one(
    resolved: &Resolved,
    seed: u64,
    split: &dlp_data::Split,
    initial_weights: Option<&Weights>,
    on_epoch: &mut dyn FnMut(&EpochMetrics),
) -> Result<Trained> {
    let experiment = &resolved.experiment;
    let spec = TrainSpec {
        split,
        architecture: resolved.architecture,
        loss: dlp_loss::find_loss(&experiment.loss.name)?,
        optimizer: dlp_optim::build_optimizer(&resolved.optimizer, &resolved.optimizer_params)?,
        schedule: dlp_optim::build_schedule(&resolved.schedule, &resolved.schedule_params)?,
        epochs: experiment.train.epochs,
        batch_size: experiment.train.batch_size,
        seed,
        initial_weights,
    };
    Ok(dlp_train::train(spec, on_epoch)?)
}

fn save_weights(
    resolved: &Resolved,
    results: &ResultsDir,
    run_id: &str,
    trained: &Trained,
) -> Result<()> {
    let model = &resolved.experiment.model;
    let metadata = HashMap::from([
        ("hidden".to_string(), format!("{:?}", model.hidden)),
        (
            "activation".to_string(),
            model.activation.name().to_string(),
        ),
        ("loss".to_string(), resolved.experiment.loss.name.clone()),
        ("outputs".to_string(), trained.outputs.to_string()),
        (
            "naming".to_string(),
            "torch.nn.Sequential: linear layer l is module 2l".to_string(),
        ),
    ]);
    let path = results
        .path()
        .join("weights")
        .join(format!("{run_id}.safetensors"));
    trained.weights.save(&path, metadata.clone())?;
    let mut description: Vec<String> = metadata
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}"))
        .collect();
    description.sort();
    crate::results::write_durably(
        &path.with_extension("toml"),
        (description.join("\n") + "\n").as_bytes(),
    )
}

fn rows(resolved: &Resolved, planned: &Planned, trained: &Trained) -> RunRows {
    let experiment = &resolved.experiment;
    let id = planned.run_id.clone();
    let seed = planned.seed.to_string();
    let epochs: Vec<Vec<String>> = trained
        .epochs
        .iter()
        .map(|m| {
            vec![
                id.clone(),
                seed.clone(),
                m.epoch.to_string(),
                m.train_loss.to_string(),
                m.train_acc.to_string(),
                m.test_loss.to_string(),
                m.test_acc.to_string(),
                m.lr.to_string(),
                format!("{:.6}", m.wall_s),
            ]
        })
        .collect();
    let last = trained.epochs.last().expect("epoch 0 is always measured");
    let best = trained.epochs.iter().fold(
        last,
        |best, m| if m.test_acc > best.test_acc { m } else { best },
    );
    let threshold = experiment.train.threshold;
    let reached = trained.epochs.iter().find(|m| m.test_acc >= threshold);
    let seconds_until = |epoch: usize| -> f64 {
        trained
            .epochs
            .iter()
            .take(epoch + 1)
            .map(|m| m.wall_s)
            .sum()
    };
    let train_seconds = seconds_until(last.epoch);
    let trained_epochs = trained.epochs.len() - 1;
    let (status, diverged_epoch) = match trained.status {
        Status::Ok => ("ok", String::new()),
        Status::Diverged { epoch } => ("diverged", epoch.to_string()),
    };
    let run = vec![
        id,
        seed,
        experiment.data.kind.name().to_string(),
        format!("{:?}", experiment.model.hidden).replace(',', ""),
        experiment.model.activation.name().to_string(),
        experiment.loss.name.clone(),
        resolved.optimizer.clone(),
        resolved
            .optimizer_params
            .get("lr")
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
            .map(|lr| lr.to_string())
            .unwrap_or_default(),
        resolved.schedule.clone(),
        experiment.train.batch_size.to_string(),
        trained_epochs.to_string(),
        status.to_string(),
        diverged_epoch,
        last.train_loss.to_string(),
        last.train_acc.to_string(),
        last.test_loss.to_string(),
        last.test_acc.to_string(),
        best.test_acc.to_string(),
        best.epoch.to_string(),
        reached.map(|m| m.epoch.to_string()).unwrap_or_default(),
        reached
            .map(|m| format!("{:.6}", seconds_until(m.epoch)))
            .unwrap_or_default(),
        format!("{train_seconds:.6}"),
        format!("{:.6}", train_seconds / trained_epochs.max(1) as f64),
    ];
    RunRows { run, epochs }
}

fn progress_bar(quiet: bool, total: u64, name: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total).with_prefix(name.to_string());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} epochs, ETA {eta} {msg}",
        )
        .expect("the template is valid"),
    );
    bar
}
