//! Helpers for the end-to-end tests of the `dlp` binary, which live in `tests/tests/`.
//!
//! The tests drive the real binary on real TOML files. Neither `cargo test -p dlp-tests` nor
//! `cargo test --workspace` builds it (cargo builds a package's binaries only for that package's
//! own integration tests, and `dlp-runner` has none), so run `cargo build -p dlp-runner --bin dlp`
//! first. [`dlp_bin`] refuses a missing binary and one older than the crates' sources.
//!
//! ```no_run
//! let out = dlp_tests::dlp(&["list"], std::path::Path::new("."));
//! assert_eq!(out.code, 0, "{}", out.stderr);
//! ```
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Columns of `runs.csv` and `epochs.csv` that hold wall-clock times, which no two runs share.
pub const WALL_CLOCK_COLUMNS: &[&str] = &[
    "wall_s",
    "seconds_to_threshold",
    "train_seconds",
    "seconds_per_epoch",
];

/// The `dlp` binary built next to the running test executable.
///
/// A test executable lives in `target/<profile>/deps/`; cargo puts the workspace's binaries one
/// folder up, in `target/<profile>/`. `cargo test --workspace` builds it (the runner package's
/// own integration test needs it); panics, saying how to build it, when it is missing.
pub fn dlp_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable is in target/<profile>/deps/");
    let bin = profile_dir.join(format!("dlp{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "the dlp binary is missing at {}; run `cargo build -p dlp-runner --bin dlp` or `cargo test --workspace`",
        bin.display()
    );
    bin
}

/// What one invocation of `dlp` did.
#[derive(Debug)]
pub struct Output {
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `dlp ARGS` in the folder `cwd` and waits for it.
pub fn dlp(args: &[&str], cwd: &Path) -> Output {
    let output = Command::new(dlp_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("dlp can be started");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `dlp run --quiet --out OUT FILE [EXTRA...]` in `cwd` and asserts it exits 0.
pub fn run_ok(file: &Path, out: &Path, extra: &[&str], cwd: &Path) -> Output {
    let (file, out) = (file.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["run", "--quiet", "--out", out, file];
    args.extend_from_slice(extra);
    let output = dlp(&args, cwd);
    assert_eq!(output.code, 0, "dlp {args:?} failed:\n{}", output.stderr);
    output
}

/// A small, fast experiment: moons with 200 training and 100 test points, `[8]` relu, Adam.
///
/// `extra` is appended to the file; it may open new tables but must not repeat these keys.
pub fn small_experiment(name: &str, seeds: u64, epochs: usize, extra: &str) -> String {
    format!(
        "name = \"{name}\"\nseeds = {seeds}\n\n\
         [data]\nkind = \"moons\"\nn_train = 200\nn_test = 100\n\n\
         [model]\nhidden = [8]\nactivation = \"relu\"\n\n\
         [loss]\nname = \"bce_with_logits\"\n\n\
         [optim]\nname = \"adam\"\nlr = 0.01\n\n\
         [train]\nepochs = {epochs}\nbatch_size = 16\n{extra}"
    )
}

/// A CSV file read whole: its header and its records.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header row.
    pub columns: Vec<String>,
    /// Every record, as text.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads the CSV file at `path`; panics with the path when it cannot.
    pub fn read(path: &Path) -> Self {
        let mut reader = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let columns = reader
            .headers()
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                r.unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        Self { columns, rows }
    }

    /// The index of `column`; panics when there is no such column.
    pub fn index(&self, column: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == column)
            .unwrap_or_else(|| panic!("no column `{column}` in {:?}", self.columns))
    }

    /// The values of `column`, one per row.
    pub fn column(&self, column: &str) -> Vec<&str> {
        let i = self.index(column);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }

    /// The same table with the [`WALL_CLOCK_COLUMNS`] it has emptied.
    pub fn without_wall_clock(mut self) -> Self {
        let blank: Vec<usize> = WALL_CLOCK_COLUMNS
            .iter()
            .filter_map(|name| self.columns.iter().position(|c| c == name))
            .collect();
        for row in &mut self.rows {
            for &i in &blank {
                row[i].clear();
            }
        }
        self
    }

    /// The table written back as CSV text.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.columns).unwrap();
        for row in &self.rows {
            writer.write_record(row).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }
}

/// `runs.csv` and `epochs.csv` of the results folder `dir` as CSV text, wall-clock columns
/// emptied, for byte comparisons between runs.
pub fn results_without_wall_clock(dir: &Path) -> (String, String) {
    (
        Table::read(&dir.join("runs.csv"))
            .without_wall_clock()
            .to_csv(),
        Table::read(&dir.join("epochs.csv"))
            .without_wall_clock()
            .to_csv(),
    )
}

/// Reads a whole file as text; panics with the path when it cannot.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Writes `text` to `dir/file_name` and returns the path.
pub fn write(dir: &Path, file_name: &str, text: &str) -> PathBuf {
    let path = dir.join(file_name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// Re-exported so the tests read the column lists from the runner, not from a copy.
pub use dlp_config::{EPOCH_COLUMNS, run_columns};
