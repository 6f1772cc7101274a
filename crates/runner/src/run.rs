//! Runs studies: every planned run not already done, `jobs` at a time from one queue, each
//! finished run written before the next is reported.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result};
use dlp_train::{EpochMetrics, Status, TrainSpec, Trained};
use indicatif::{ProgressBar, ProgressStyle};

use dlp_config::{Planned, Resolved, Shard, Study, plan};
use dlp_data::Split;
use dlp_model::Weights;
use dlp_results::ResultsDir;

use crate::Error;
use crate::inputs::Inputs;
use crate::parallel::map_in_parallel;

/// How to run.
pub struct RunOptions<'a> {
    /// Parent of the study's results folder.
    pub out: &'a Path,
    /// Trainings at once.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// Start over instead of resuming.
    pub fresh: bool,
    /// Run only this slice of the plan.
    pub shard: Option<Shard>,
}

/// What a finished invocation did.
pub struct Summary {
    /// The results folder.
    pub dir: PathBuf,
    /// Runs trained now.
    pub trained: usize,
    /// Runs found finished from an earlier invocation.
    pub skipped: usize,
    /// Runs trained now that diverged.
    pub diverged: usize,
    /// Runs that could not train (status `failed`; retried by the next invocation).
    pub failed: usize,
}

/// Set (by the Ctrl-C handler) to stop handing out runs: runs in flight finish and are
/// written, the others stay to do on the next invocation.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Checks what the runs would read (data files, weights, the loss against the data's
/// classes) without training or writing anything.
pub fn check_study(study: &Study) -> Result<(), Error> {
    Inputs::load(study, &plan(study, None)).map(drop)
}

/// A study ready to train: its inputs loaded, its folder open and described. The training
/// threads read it; only the writing thread touches `Written`.
struct Prepared<'a> {
    study: &'a Study,
    plan: Vec<Planned>,
    inputs: Inputs,
    /// Indexes into `plan` of the runs not done yet.
    todo: Vec<usize>,
}

/// A study's results folder and what was written to it.
struct Written {
    results: ResultsDir,
    diverged: usize,
    failed: usize,
}

/// Trains every run of `studies` (or of their shards) not already in their results folders.
///
/// Every study is prepared first (data, starting weights, results folder), so that bad input
/// stops the invocation before anything trains. Then the runs of all studies form one queue,
/// longest first, that `jobs` threads share: no core idles at the end of a study while the
/// last runs of another are left. Each finished run is written before the next is reported.
///
/// Same seed, same numbers: dfdx's matrix product (layers of 64 units and more) splits its work
/// over rayon's global pool, so this sets that pool to one thread (parallelism comes from the
/// `jobs` trainings at once), and refuses to run in a process that already built a larger one.
pub fn run_studies(studies: &[Study], options: &RunOptions) -> Result<Vec<Summary>, Error> {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    if rayon::current_num_threads() != 1 {
        return Err(Error::Failed(anyhow::anyhow!(
            "rayon's global thread pool has {} threads: dlp needs one for reproducible matrix \
             products (call run_studies before building that pool, or run dlp in its own process)",
            rayon::current_num_threads()
        )));
    }
    // Studies are prepared `jobs` at a time: loading data and writing each cell's description
    // (synced) is serial work otherwise. The first study in order that fails is reported.
    let (prepared, mut folders): (Vec<Prepared>, Vec<Written>) = map_in_parallel(
        &(0..studies.len()).collect::<Vec<_>>(),
        options.jobs,
        |&s| prepare(&studies[s], options),
    )
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?
    .into_iter()
    .unzip();
    let mut queue: Vec<(usize, usize)> = prepared
        .iter()
        .enumerate()
        .flat_map(|(s, p)| p.todo.iter().map(move |&r| (s, r)))
        .collect();
    // Longest runs first: the runs left for the end are then short (files are rewritten in
    // plan order at the end anyway).
    queue.sort_by_key(|&(s, r)| {
        let p = &prepared[s];
        std::cmp::Reverse(expected_cost(p.study, &p.inputs, &p.plan[r]))
    });

    let epochs: u64 = queue
        .iter()
        .map(|&(s, r)| {
            let p = &prepared[s];
            p.study.cells[p.plan[r].cell]
                .resolved
                .experiment
                .train
                .epochs as u64
        })
        .sum();
    let label = match studies {
        [study] => study.name().to_string(),
        _ => format!("{} studies", studies.len()),
    };
    let bar = progress_bar(options.quiet, epochs, &label);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, Result<Trained>)>();
    let (mut written, mut diverged, mut failed) = (0, 0, 0);
    let mut first_error = None;
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, queue.len().max(1)) {
            let sender = sender.clone();
            let (next, queue, bar, prepared) = (&next, &queue, &bar, &prepared);
            scope.spawn(move || {
                while !INTERRUPTED.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(s, r)) = queue.get(index) else {
                        break;
                    };
                    let p = &prepared[s];
                    let planned = &p.plan[r];
                    let resolved = &p.study.cells[planned.cell].resolved;
                    let outcome = train_one(resolved, planned, &p.inputs, &mut |m| {
                        if m.epoch > 0 {
                            bar.inc(1);
                        }
                    });
                    if sender.send((index, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (index, outcome) in receiver {
            let (s, r) = queue[index];
            let (p, folder) = (&prepared[s], &mut folders[s]);
            let planned = &p.plan[r];
            let cell = &p.study.cells[planned.cell];
            let stored = match outcome {
                Ok(trained) => {
                    // The epochs a run did not train (early stopping, divergence) still
                    // count as done on the bar.
                    let planned_epochs = cell.resolved.experiment.train.epochs;
                    bar.inc(planned_epochs.saturating_sub(trained.stopped_epoch()) as u64);
                    if let Status::Diverged { .. } = trained.status {
                        folder.diverged += 1;
                        diverged += 1;
                    }
                    folder.results.record(cell, planned, &trained)
                }
                Err(error) => {
                    folder.failed += 1;
                    failed += 1;
                    bar.suspend(|| {
                        eprintln!(
                            "warning: {}: run {} (cell {}, seed {}) failed: {error:#}",
                            p.study.name(),
                            planned.run_id,
                            planned.cell,
                            planned.seed
                        )
                    });
                    folder.results.record_failure(cell, planned)
                }
            }
            .map(|()| written += 1);
            if let Err(error) = stored {
                // Stop handing out work; runs already written stay written.
                next.store(usize::MAX / 2, Ordering::Relaxed);
                first_error.get_or_insert(error.context(p.study.path.display().to_string()));
            }
            bar.set_message(format!(
                "{written}/{} runs, {diverged} diverged, {failed} failed",
                queue.len()
            ));
        }
    });
    bar.finish_and_clear();

    // Every folder is rewritten in plan order, `jobs` at a time.
    let finished: Vec<(&Prepared, Written)> = prepared.iter().zip(folders).collect();
    let summaries = map_in_parallel(&finished, options.jobs, |(p, folder)| {
        let order: Vec<String> = p
            .plan
            .iter()
            .map(|planned| planned.run_id.clone())
            .collect();
        folder
            .results
            .canonicalize(&order)
            .with_context(|| p.study.path.display().to_string())?;
        Ok(Summary {
            dir: folder.results.path().to_path_buf(),
            trained: p.todo.len(),
            skipped: p.plan.len() - p.todo.len(),
            diverged: folder.diverged,
            failed: folder.failed,
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    if let Some(error) = first_error {
        return Err(error.into());
    }
    if written < queue.len() {
        return Err(Error::Interrupted {
            written,
            left: queue.len() - written,
        });
    }
    Ok(summaries)
}

/// Plans `study`, loads its inputs and opens and describes its results folder.
fn prepare<'a>(study: &'a Study, options: &RunOptions) -> Result<(Prepared<'a>, Written), Error> {
    let plan = plan(study, options.shard);
    let inputs = Inputs::load(study, &plan)?;
    let input_error = |e: anyhow::Error| Error::Input(format!("{}: {e:#}", study.path.display()));
    let results = ResultsDir::open_study(options.out, study, options.fresh).map_err(input_error)?;
    results.describe(study)?;
    let todo = (0..plan.len())
        .filter(|&r| !results.is_done(&plan[r].run_id))
        .collect();
    let prepared = Prepared {
        study,
        plan,
        inputs,
        todo,
    };
    let written = Written {
        results,
        diverged: 0,
        failed: 0,
    };
    Ok((prepared, written))
}

/// A run's work, roughly: epochs x rows x parameters (each epoch trains on the training set
/// and evaluates both sets, each row costs about one pass over the parameters).
fn expected_cost(study: &Study, inputs: &Inputs, planned: &Planned) -> usize {
    let resolved = &study.cells[planned.cell].resolved;
    let split = inputs.split(planned);
    let rows = split.train.len() + split.test.len();
    let parameters = resolved
        .architecture
        .parameter_count(split.train.n_features, split.train.n_classes);
    (resolved.experiment.train.epochs + 1) * rows * parameters
}

fn train_one(
    resolved: &Resolved,
    planned: &Planned,
    inputs: &Inputs,
    on_epoch: &mut dyn FnMut(&EpochMetrics),
) -> Result<Trained> {
    let split = inputs.split(planned);
    let spec = train_spec(resolved, split, planned.seed, inputs.weights(planned))?;
    Ok(dlp_train::train(spec, on_epoch)?)
}

/// What `resolved` trains on `split` with `seed`: `dlp run` and `dlp serve` build the same.
pub(crate) fn train_spec<'a>(
    resolved: &Resolved,
    split: &'a Split,
    seed: u64,
    initial_weights: Option<&'a Weights>,
) -> Result<TrainSpec<'a>> {
    let experiment = &resolved.experiment;
    Ok(TrainSpec {
        split,
        architecture: resolved.architecture,
        loss: dlp_loss::find_loss(&experiment.loss.name)?,
        penalties: experiment.loss.penalties(),
        optimizer: dlp_optim::build_optimizer(&resolved.optimizer, &resolved.optimizer_params)?,
        schedule: dlp_optim::build_schedule(&resolved.schedule, &resolved.schedule_params)?,
        epochs: experiment.train.epochs,
        batch_size: experiment.train.batch_size,
        seed,
        initial_weights,
        early_stopping: experiment.train.early_stopping.as_ref().map(|e| {
            dlp_train::EarlyStopping {
                patience: e.patience,
                min_delta: e.min_delta,
                metric: match e.metric {
                    dlp_config::ValidationMetric::ValLoss => dlp_train::StopMetric::ValLoss,
                    dlp_config::ValidationMetric::ValAcc => dlp_train::StopMetric::ValAcc,
                },
            }
        }),
    })
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
