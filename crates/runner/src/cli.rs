//! The `dlp` command line (clap) and its exit codes: [`main`], one function per subcommand.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{RunError, RunOptions, Shard, Study, check_study, list, run_studies, summary_table};

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
    match Cli::parse().command {
        Command::Run(run_args) => run(run_args),
        Command::Check { args } => check(&args),
        Command::Merge { sources, out } => merge(&sources, &out),
        Command::Report { dirs } => report(&dirs),
        Command::Slurm(slurm_args) => slurm(slurm_args),
        Command::List { what } => {
            print!("{}", listing(what));
            ExitCode::SUCCESS
        }
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
) -> ExitCode {
    let studies = match load_all(&args) {
        Ok(studies) => studies,
        Err(code) => return code,
    };
    if !crate::SUMMARY_METRICS.contains(&sort.as_str()) {
        eprintln!(
            "error: --sort {sort}: choose one of {}",
            crate::SUMMARY_METRICS.join(", ")
        );
        return ExitCode::from(2);
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    interrupt_cleanly();
    let mut claims_hold = true;
    let options = RunOptions {
        out: &out,
        jobs,
        quiet,
        fresh,
        shard,
    };
    let summaries = match run_studies(&studies, &options) {
        Ok(summaries) => summaries,
        Err(RunError::Input(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
        Err(error @ RunError::Interrupted { .. }) => {
            eprintln!("{error}");
            return ExitCode::from(130);
        }
        Err(RunError::Failed(error)) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(1);
        }
    };
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
        claims_hold &= summary.failed == 0;
        if !quiet {
            match summary_table(&summary.dir, &study.swept_keys, &sort) {
                Ok(table) => print!("{table}"),
                Err(error) => eprintln!("warning: no summary: {error:#}"),
            }
        }
    }
    if options.shard.is_none() && !no_report {
        let dirs: Vec<PathBuf> = summaries.into_iter().map(|s| s.dir).collect();
        claims_hold &= reports(&dirs, jobs);
    }
    success_if(claims_hold)
}

/// `dlp report`.
fn report(dirs: &[PathBuf]) -> ExitCode {
    for dir in dirs {
        if !dir.join("runs.csv").is_file() {
            eprintln!(
                "error: {} is not a dlp results folder (no runs.csv)",
                dir.display()
            );
            return ExitCode::from(2);
        }
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    success_if(reports(dirs, jobs))
}

/// `dlp check`.
fn check(args: &[String]) -> ExitCode {
    let studies = match load_all(args) {
        Ok(studies) => studies,
        Err(code) => return code,
    };
    let mut code = ExitCode::SUCCESS;
    for study in studies {
        match check_study(&study) {
            Ok(()) => print!("{}", describe(&study)),
            Err(error) => {
                eprintln!("error: {error}");
                code = ExitCode::from(2);
            }
        }
    }
    code
}

/// `dlp merge`.
fn merge(sources: &[PathBuf], out: &Path) -> ExitCode {
    let merged = match crate::merge(sources, out) {
        Ok(merged) => merged,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
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
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "error: the merged study is incomplete: {} runs missing, {} conflicts; \
         rerun the missing shards (or `dlp run` the study into {}) and merge again",
        merged.missing.len(),
        merged.conflicts.len(),
        out.display()
    );
    ExitCode::from(1)
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
) -> ExitCode {
    let studies = match load_all(&args) {
        Ok(studies) => studies,
        Err(code) => return code,
    };
    let [study] = &studies[..] else {
        eprintln!(
            "error: dlp slurm takes one experiment file; this names {}",
            studies.len()
        );
        return ExitCode::from(2);
    };
    if let Err(error) = check_study(study) {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    let dlp = match std::env::current_exe() {
        Ok(dlp) => dlp,
        Err(error) => {
            eprintln!("error: cannot find the dlp binary: {error}");
            return ExitCode::from(1);
        }
    };
    let options = crate::SlurmOptions {
        dlp,
        tasks,
        out,
        partition,
        time,
        cpus_per_task,
        mem,
        account,
    };
    let script = match crate::slurm_script(study, &crate::overrides_of(&args), &options) {
        Ok(script) => script,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if !submit {
        print!("{script}");
        return ExitCode::SUCCESS;
    }
    match crate::submit(&script) {
        Ok(ids) => {
            println!("{} {}", ids.array, ids.merge);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
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
    }
}

/// Exit code 0 when `ok`, else 1.
fn success_if(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
                eprintln!("report: {}", dir.join("report.html").display());
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

/// Loads every experiment named in `args` with the overrides in `args`, reporting every bad one.
fn load_all(args: &[String]) -> Result<Vec<Study>, ExitCode> {
    let (overrides, paths): (Vec<String>, Vec<String>) = args
        .iter()
        .cloned()
        .partition(|a| a.contains('=') && !std::path::Path::new(a).exists());
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!(
            "error: no experiment file given (only overrides: {})",
            overrides.join(" ")
        );
        return Err(ExitCode::from(2));
    }
    let files = match crate::experiment_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return Err(ExitCode::from(2));
        }
    };
    let (mut ok, mut failed) = (Vec::new(), false);
    for file in files {
        match Study::load(&file, &overrides) {
            Ok(study) => {
                for note in &study.notes {
                    eprintln!("note: {}: {note}", file.display());
                }
                ok.push(study);
            }
            Err(error) => {
                eprintln!("error: {error}");
                failed = true;
            }
        }
    }
    if failed {
        Err(ExitCode::from(2))
    } else {
        Ok(ok)
    }
}
