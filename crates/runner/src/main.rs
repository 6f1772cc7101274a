//! `dlp`: run TOML-declared hyperparameter studies of small neural networks.
//!
//! Exit codes: 0 success, 1 a run or a write failed, 2 bad input (a file, a key, a value).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dlp_runner::{
    ConfigError, Resolved, RunError, RunOptions, check_experiment, list, run_experiment,
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
    Run {
        /// Experiment files or folders of them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Parent folder of the results; each experiment writes OUT/<name>/
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
    },
    /// Validate experiment files without training
    Check {
        /// Experiment files or folders of them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            paths,
            out,
            jobs,
            quiet,
            fresh,
        } => {
            let experiments = match load_all(&paths) {
                Ok(experiments) => experiments,
                Err(code) => return code,
            };
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            // One thread per training: dfdx's matmul must not spread over the other cores.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build_global();
            let options = RunOptions {
                out: &out,
                jobs,
                quiet,
                fresh,
            };
            for resolved in &experiments {
                match run_experiment(resolved, &options) {
                    Ok(summary) => eprintln!(
                        "{}: {} runs trained, {} already done, {} diverged -> {}",
                        resolved.experiment.name,
                        summary.trained,
                        summary.skipped,
                        summary.diverged,
                        out.join(&resolved.experiment.name).display()
                    ),
                    Err(RunError::Input(message)) => {
                        eprintln!("error: {message}");
                        return ExitCode::from(2);
                    }
                    Err(RunError::Failed(error)) => {
                        eprintln!("error: {}: {error:#}", resolved.path.display());
                        return ExitCode::from(1);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check { paths } => match load_all(&paths) {
            Ok(experiments) => {
                let mut code = ExitCode::SUCCESS;
                for resolved in experiments {
                    match check_experiment(&resolved) {
                        Ok(runs) => println!("{}: ok, {runs} runs", resolved.path.display()),
                        Err(error) => {
                            eprintln!("error: {error}");
                            code = ExitCode::from(2);
                        }
                    }
                }
                code
            }
            Err(code) => code,
        },
        Command::List { what } => {
            let text = match what {
                None => list::everything(),
                Some(Listing::Datasets) => list::datasets(),
                Some(Listing::Models) => list::models(),
                Some(Listing::Losses) => list::losses(),
                Some(Listing::Optimizers) => list::optimizers(),
                Some(Listing::Schedules) => list::schedules(),
            };
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// Loads and validates every experiment named by `paths`, reporting every bad one.
fn load_all(paths: &[PathBuf]) -> Result<Vec<Resolved>, ExitCode> {
    let files = match dlp_runner::experiment_files(paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return Err(ExitCode::from(2));
        }
    };
    let (mut ok, mut failed) = (Vec::new(), false);
    for file in files {
        match Resolved::load(&file) {
            Ok(resolved) => ok.push(resolved),
            Err(error) => {
                report(&error);
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

fn report(error: &ConfigError) {
    eprintln!("error: {error}");
}
