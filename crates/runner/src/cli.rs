//! The `dlp` command line (clap): [`main`], one function per subcommand, each returning an
//! [`Error`] that `main` prints and turns into the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::{Args, Parser, Subcommand, ValueEnum};

use dlp_report::{SUMMARY_METRICS, summary_table};

use crate::{
    Error, RunOptions, Shard, SlurmOptions, Study, check_study, experiment_files, list,
    run_studies, slurm_script, split_arguments,
};

#[derive(Parser)]
#[command(
    name = "dlp",
    version,
    about = "Run and understand hyperparameter studies of small neural networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train every run of the experiment files (or of every *.toml in a folder)
    Run(RunArgs),
    /// Validate experiment files without training: runs and what varies
    Check {
        /// Experiment files or folders of them, then `dotted.key=value` overrides
        #[arg(required = true, value_name = "FILE|DIR|KEY=VALUE")]
        args: Vec<String>,
    },
    /// Combine results folders of one study (shards, other machines) into one
    Merge {
        /// Results folders, each OUT/NAME of the same study
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Parent folder of the merged results
        #[arg(long, default_value = "results")]
        out: PathBuf,
    },
    /// Write report.md, report.html and plots into results folders and check their claims
    Report {
        /// Results folders (OUT/NAME)
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Run a study on Slurm: a job array of `dlp run --shard i/N`, then a merge job
    /// (prints the submission script; `--submit` runs it and prints ARRAY_ID MERGE_ID)
    Slurm(SlurmArgs),
    /// Serve a local page: Playground-like live training on dlp's engine, studies in the
    /// background, and the reports of results folders
    Serve {
        /// Results folders to show (new studies go into the first)
        #[arg(default_value = "results")]
        dirs: Vec<PathBuf>,
        /// Port to listen on (0: any free port)
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Address to bind: this machine only unless you give another
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Trainings at once (live runs past it wait in a queue) [default: number of cores]
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// List what experiment files can name
    List {
        /// What to list (default: everything)
        what: Option<Listing>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Listing {
    Datasets,
    Models,
    Losses,
    Optimizers,
    Schedules,
    Training,
}

// `dlp run`'s arguments (a doc comment here would replace the subcommand's help).
#[derive(Args)]
struct RunArgs {
    /// Experiment files or folders of them, then `dotted.key=value` overrides
    /// (e.g. `train.epochs=3 seeds=2`), applied to every file
    #[arg(required = true, value_name = "FILE|DIR|KEY=VALUE")]
    args: Vec<String>,
    /// Parent folder of the results; each experiment writes OUT/NAME/
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Trainings at once (default: the number of cores)
    #[arg(long, short)]
    jobs: Option<usize>,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
    /// Discard earlier results in the output folder instead of resuming
    #[arg(long)]
    fresh: bool,
    /// Run only the K-th of N slices of the plan (K from 0), e.g. `--shard 0/4`
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Sort the summary by this metric
    #[arg(long, default_value = "final_test_acc")]
    sort: String,
    /// Skip the report and the claims (`dlp report` writes them later)
    #[arg(long)]
    no_report: bool,
}

// `dlp slurm`'s arguments.
#[derive(Args)]
struct SlurmArgs {
    /// One experiment file, then `dotted.key=value` overrides passed to every task
    #[arg(required = true, value_name = "FILE|KEY=VALUE")]
    args: Vec<String>,
    /// Array tasks, one shard of the runs each (1 to the number of runs)
    #[arg(long, value_name = "N")]
    tasks: usize,
    /// Parent folder: shards in OUT/shard-i/NAME, merged results in OUT/NAME, logs in
    /// OUT/slurm/ (on a file system the nodes share)
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Submit with sbatch instead of printing the script
    #[arg(long)]
    submit: bool,
    /// sbatch --partition (tasks and merge job)
    #[arg(long)]
    partition: Option<String>,
    /// sbatch --time (tasks and merge job)
    #[arg(long)]
    time: Option<String>,
    /// sbatch --cpus-per-task (tasks; each trains as many runs at once)
    #[arg(long, value_name = "N")]
    cpus_per_task: Option<u32>,
    /// sbatch --mem (tasks)
    #[arg(long)]
    mem: Option<String>,
    /// sbatch --account (tasks and merge job)
    #[arg(long)]
    account: Option<String>,
}

/// The whole `dlp` command line: parses the arguments, runs the subcommand and returns the exit
/// code (0 success, 1 a run or a write failed or a claim does not hold, 2 bad input, 130
/// interrupted).
///
/// A binary crate of your own that links plugin crates (`docs/plugins.md`) is the `dlp`
/// command with them:
///
/// ```no_run
/// use std::process::ExitCode;
///
/// // use my_optimizer as _; // names each plugin crate, so that it is linked
///
/// fn main() -> ExitCode {
///     dlp_runner::main()
/// }
/// ```
pub fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Run(run_args) => run(run_args),
        Command::Check { args } => check(&args),
        Command::Merge { sources, out } => merge(&sources, &out),
        Command::Report { dirs } => report(&dirs),
        Command::Slurm(slurm_args) => slurm(slurm_args),
        Command::Serve {
            dirs,
            port,
            host,
            jobs,
        } => crate::serve(crate::ServeOptions {
            dirs,
            host,
            port,
            jobs: jobs
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        }),
        Command::List { what } => {
            print!("{}", listing(what));
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            print_error(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

/// `error: MESSAGE` on standard error, one line per error of [`Error::Several`]; nothing for
/// [`Error::NotAllPassed`], whose failures were printed as they happened.
fn print_error(error: &Error) {
    match error {
        Error::Several(errors) => errors.iter().for_each(print_error),
        Error::NotAllPassed => {}
        Error::Interrupted { .. } => eprintln!("{error}"),
        _ => eprintln!("error: {error}"),
    }
}

/// `dlp run`.
fn run(
    RunArgs {
        args,
        out,
        jobs,
        quiet,
        fresh,
        shard,
        sort,
        no_report,
    }: RunArgs,
) -> Result<(), Error> {
    let (paths, overrides) = split_arguments(&args)?;
    let studies = load_all(&paths, &overrides)?;
    if !SUMMARY_METRICS.contains(&sort.as_str()) {
        return Err(Error::Input(format!(
            "--sort {sort}: choose one of {}",
            SUMMARY_METRICS.join(", ")
        )));
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    interrupt_cleanly();
    let options = RunOptions {
        out: &out,
        jobs,
        quiet,
        fresh,
        shard,
    };
    let summaries = run_studies(&studies, &options)?;
    let mut all_passed = true;
    for (study, summary) in studies.iter().zip(&summaries) {
        eprintln!(
            "{}: {} runs trained, {} already done, {} diverged{} -> {}",
            study.name(),
            summary.trained,
            summary.skipped,
            summary.diverged,
            if summary.failed > 0 {
                format!(", {} FAILED", summary.failed)
            } else {
                String::new()
            },
            summary.dir.display()
        );
        all_passed &= summary.failed == 0;
        if !quiet {
            match summary_table(&summary.dir, &sort) {
                Ok(table) => print!("{table}"),
                Err(error) => eprintln!("warning: no summary: {error:#}"),
            }
        }
    }
    if options.shard.is_none() && !no_report {
        let dirs: Vec<PathBuf> = summaries.into_iter().map(|s| s.dir).collect();
        all_passed &= reports(&dirs, jobs);
    }
    passed_if(all_passed)
}

/// `dlp report`.
fn report(dirs: &[PathBuf]) -> Result<(), Error> {
    if let Some(dir) = dirs.iter().find(|dir| !dlp_results::is_results_folder(dir)) {
        return Err(Error::Input(format!(
            "{} is not a dlp results folder (no {})",
            dir.display(),
            dlp_results::RUNS_CSV
        )));
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    passed_if(reports(dirs, jobs))
}

/// `dlp check`.
fn check(args: &[String]) -> Result<(), Error> {
    let (paths, overrides) = split_arguments(args)?;
    let mut errors = Vec::new();
    for study in load_all(&paths, &overrides)? {
        match check_study(&study) {
            Ok(()) => print!("{}", describe(&study)),
            Err(error) => errors.push(error),
        }
    }
    none_or_several(errors)
}

/// `dlp merge`.
fn merge(sources: &[PathBuf], out: &Path) -> Result<(), Error> {
    let merged = crate::merge(sources, out)?;
    eprintln!(
        "merged {} runs into {}",
        merged.present,
        merged.dir.display()
    );
    for conflict in &merged.conflicts {
        eprintln!("conflict: {conflict} (the first copy is kept)");
    }
    for missing in &merged.missing {
        eprintln!("missing: {missing}");
    }
    if merged.missing.is_empty() && merged.conflicts.is_empty() {
        return Ok(());
    }
    Err(anyhow!(
        "the merged study is incomplete: {} runs missing, {} conflicts; \
         rerun the missing shards (or `dlp run` the study into {}) and merge again",
        merged.missing.len(),
        merged.conflicts.len(),
        out.display()
    )
    .into())
}

/// `dlp slurm`.
fn slurm(
    SlurmArgs {
        args,
        tasks,
        out,
        submit,
        partition,
        time,
        cpus_per_task,
        mem,
        account,
    }: SlurmArgs,
) -> Result<(), Error> {
    let (paths, overrides) = split_arguments(&args)?;
    let studies = load_all(&paths, &overrides)?;
    let [study] = &studies[..] else {
        return Err(Error::Input(format!(
            "dlp slurm takes one experiment file; this names {}",
            studies.len()
        )));
    };
    check_study(study)?;
    let options = SlurmOptions {
        dlp: std::env::current_exe().context("cannot find the dlp binary")?,
        tasks,
        out,
        partition,
        time,
        cpus_per_task,
        mem,
        account,
    };
    let script = slurm_script(study, &overrides, &options)?;
    if submit {
        let ids = crate::submit(&script)?;
        println!("{} {}", ids.array, ids.merge);
    } else {
        print!("{script}");
    }
    Ok(())
}

/// `dlp list [WHAT]`'s text.
fn listing(what: Option<Listing>) -> String {
    match what {
        None => list::everything(),
        Some(Listing::Datasets) => list::datasets(),
        Some(Listing::Models) => list::models(),
        Some(Listing::Losses) => list::losses(),
        Some(Listing::Optimizers) => list::optimizers(),
        Some(Listing::Schedules) => list::schedules(),
        Some(Listing::Training) => list::training(),
    }
}

/// [`Error::NotAllPassed`] unless `all_passed`.
fn passed_if(all_passed: bool) -> Result<(), Error> {
    if all_passed {
        Ok(())
    } else {
        Err(Error::NotAllPassed)
    }
}

/// [`Error::Several`] when there are errors.
fn none_or_several(errors: Vec<Error>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Several(errors))
    }
}

/// Writes the report of every folder, `jobs` at a time, and prints each one's warnings and
/// claims in folder order. Whether every claim of every report holds.
fn reports(dirs: &[PathBuf], jobs: usize) -> bool {
    let written = crate::map_in_parallel(dirs, jobs, |dir| crate::report::write_report(dir));
    let mut all_hold = true;
    for (dir, report) in dirs.iter().zip(written) {
        match report {
            Ok(report) => {
                for warning in &report.warnings {
                    eprintln!("warning: {warning}");
                }
                for claim in &report.claims {
                    println!("{claim}");
                }
                eprintln!("report: {}", dir.join(dlp_results::REPORT_HTML).display());
                all_hold &= report.all_passed();
            }
            Err(error) => {
                eprintln!(
                    "error: cannot write the report of {}: {error:#}",
                    dir.display()
                );
                all_hold = false;
            }
        }
    }
    all_hold
}

/// The first Ctrl-C lets the runs in flight finish and be written; the second stops at once.
fn interrupt_cleanly() {
    let handler = || {
        if crate::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the runs in flight (Ctrl-C again to stop now)");
    };
    if let Err(error) = ctrlc::set_handler(handler) {
        eprintln!("warning: Ctrl-C will stop dlp at once: {error}");
    }
}

/// `FILE: ok, N runs (C cells x S seeds)` and one line per swept key with its values.
fn describe(study: &Study) -> String {
    let seeds = study.cells[0].resolved.experiment.seeds.list().len();
    let mut out = format!(
        "{}: ok, {} runs ({} cells x {seeds} seeds)\n",
        study.path.display(),
        study.run_count(),
        study.cells.len()
    );
    for (i, key) in study.swept_keys.iter().enumerate() {
        let mut values: Vec<&str> = Vec::new();
        for cell in &study.cells {
            let value = cell.values[i].1.as_str();
            if !values.contains(&value) {
                values.push(value);
            }
        }
        out.push_str(&format!("  {key:<24} {}\n", values.join(" | ")));
    }
    out
}

/// Loads every experiment file of `paths` with `overrides`, reporting every bad one.
fn load_all(paths: &[PathBuf], overrides: &[String]) -> Result<Vec<Study>, Error> {
    let (mut studies, mut errors) = (Vec::new(), Vec::new());
    for file in experiment_files(paths)? {
        match Study::load(&file, overrides) {
            Ok(study) => {
                for note in &study.notes {
                    eprintln!("note: {}: {note}", file.display());
                }
                studies.push(study);
            }
            Err(error) => errors.push(error.into()),
        }
    }
    none_or_several(errors).map(|()| studies)
}
