//! Reading a results folder: `runs.csv` and `epochs.csv` into runs grouped by cell, the
//! claims of `experiment.toml`, each cell's configuration and each run's weights ([`Results`],
//! for the report); the study and its raw rows ([`StudyFolder`], for `dlp merge`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dlp_config::{EPOCH_COLUMNS, Expect, Resolved, Study, run_columns};
use serde::Deserialize;

use crate::writer::complete_rows;
use crate::{CELLS, EPOCHS_CSV, EXPERIMENT, FINGERPRINT, MANIFEST, RUNS_CSV, WEIGHTS};

/// The first column of `runs.csv` after the swept keys: everything between `seed` and it is
/// a swept key.
const FIRST_FIXED_COLUMN: &str = "dataset";

/// One row of `epochs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRow {
    /// 0 before training.
    pub epoch: usize,
    /// Metrics by column name (`train_loss`, `test_acc`, `lr`, `wall_s`, ...).
    pub values: BTreeMap<String, f64>,
}

/// One run (a seed of a cell): its `runs.csv` row and its epochs.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run's id (names its weights file).
    pub run_id: String,
    /// The cell (configuration) it belongs to.
    pub cell: usize,
    /// Its seed.
    pub seed: u64,
    /// The swept keys' values, as text, in `runs.csv` column order.
    pub swept: Vec<(String, String)>,
    /// Every `runs.csv` column, as text.
    pub fields: BTreeMap<String, String>,
    /// Its `epochs.csv` rows, by epoch.
    pub epochs: Vec<EpochRow>,
}

impl Run {
    /// A numeric `runs.csv` column: `None` when empty (not reached) or absent; NaN stays NaN.
    pub fn number(&self, column: &str) -> Option<f64> {
        let text = self.fields.get(column)?.trim();
        if text.is_empty() {
            return None;
        }
        parse_number(text)
    }

    /// An `epochs.csv` metric at `epoch`, `None` when the run stopped before it.
    pub fn at_epoch(&self, metric: &str, epoch: usize) -> Option<f64> {
        let row = self.epochs.iter().find(|e| e.epoch == epoch)?;
        row.values.get(metric).copied()
    }

    /// Whether the run's loss became NaN or infinite.
    pub fn diverged(&self) -> bool {
        self.fields.get("status").is_some_and(|s| s == "diverged")
    }

    /// The value of swept `key`, as text.
    pub fn swept_value(&self, key: &str) -> Option<&str> {
        self.swept
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A cell: one configuration and all its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The cell index.
    pub cell: usize,
    /// `key=value, ...` over the swept keys, or the experiment's name when nothing is swept.
    pub label: String,
    /// Indices into [`Runs::runs`], in file order.
    pub runs: Vec<usize>,
}

/// The rows of `runs.csv` and `epochs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    /// The swept keys (dotted), in column order.
    pub swept: Vec<String>,
    /// Every run, in `runs.csv` order.
    pub runs: Vec<Run>,
    /// The cells, by cell index.
    pub groups: Vec<Group>,
}

/// Everything a report is made from.
pub struct Results {
    /// The results folder.
    pub dir: PathBuf,
    /// The experiment's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// `manifest.toml` as key = value text pairs (scalars only).
    pub manifest: Vec<(String, String)>,
    /// The claims of `experiment.toml`.
    pub expect: Vec<Expect>,
    /// The runs.
    pub runs: Runs,
}

#[derive(Deserialize)]
struct ExperimentHead {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    expect: Vec<Expect>,
}

impl Results {
    /// Reads the results folder `dir`.
    pub fn load(dir: &Path) -> Result<Results> {
        let read = |name: &str| read_text(&dir.join(name));
        let experiment_text = read(EXPERIMENT)?;
        // Only the keys the report needs; the runner validated the whole file before training.
        let table: toml::Table = toml::from_str(&experiment_text)
            .with_context(|| format!("cannot parse {}", dir.join(EXPERIMENT).display()))?;
        let head: ExperimentHead = toml::Value::Table(table).try_into().with_context(|| {
            format!(
                "cannot read the claims of {}",
                dir.join(EXPERIMENT).display()
            )
        })?;
        let manifest_table: toml::Table = toml::from_str(&read(MANIFEST)?)
            .with_context(|| format!("cannot parse {}", dir.join(MANIFEST).display()))?;
        let manifest = manifest_table
            .iter()
            .filter(|(_, v)| !v.is_table() && !v.is_array())
            .map(|(k, v)| (k.clone(), value_text(v)))
            .collect();
        let runs = parse_runs(&read(RUNS_CSV)?, &read(EPOCHS_CSV)?, &head.name)
            .with_context(|| format!("cannot read the tables of {}", dir.display()))?;
        Ok(Results {
            dir: dir.to_path_buf(),
            name: head.name,
            description: head.description,
            manifest,
            expect: head.expect,
            runs,
        })
    }

    /// The resolved configuration of `cell` (`cells/<cell>.toml`, whose data and weights
    /// paths lead to the copies in the folder).
    pub fn cell(&self, cell: usize) -> Result<Resolved> {
        let path = self.dir.join(CELLS).join(format!("{cell}.toml"));
        let text = read_text(&path)?;
        Resolved::parse(&path, &text).with_context(|| format!("cannot load {}", path.display()))
    }

    /// The file of `run`'s final weights (absent when the cell did not save them).
    pub fn weights(&self, run: &Run) -> PathBuf {
        self.dir
            .join(WEIGHTS)
            .join(format!("{}.safetensors", run.run_id))
    }
}

/// A results folder as `dlp merge` reads it: its fingerprint, the study it was made from, its
/// complete rows.
pub struct StudyFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Its `fingerprint` file: what identifies the study.
    pub fingerprint: String,
}

impl StudyFolder {
    /// Opens the results folder `dir`; a folder that is not one says so.
    pub fn open(dir: &Path) -> Result<StudyFolder> {
        let fingerprint = std::fs::read_to_string(dir.join(FINGERPRINT)).with_context(|| {
            format!(
                "{} is not a dlp results folder (no {FINGERPRINT})",
                dir.display()
            )
        })?;
        Ok(StudyFolder {
            dir: dir.to_path_buf(),
            fingerprint,
        })
    }

    /// The study, rebuilt from `experiment.toml` as if read where it was run (relative paths
    /// in it start from there).
    pub fn study(&self) -> Result<Study> {
        let dir = &self.dir;
        let text = std::fs::read_to_string(dir.join(EXPERIMENT)).with_context(|| {
            format!(
                "{} is not a dlp results folder (no {EXPERIMENT})",
                dir.display()
            )
        })?;
        let manifest: toml::Table = read_text(&dir.join(MANIFEST))?
            .parse()
            .with_context(|| format!("cannot parse {}", dir.join(MANIFEST).display()))?;
        let experiment_dir = manifest
            .get("experiment_dir")
            .and_then(|v| v.as_str())
            .unwrap_or(".");
        let path = Path::new(experiment_dir).join(EXPERIMENT);
        Study::parse(&path, &text, &[]).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
    }

    /// The complete `runs.csv` rows of `study`'s columns, in file order.
    pub fn run_rows(&self, study: &Study) -> Result<Vec<Vec<String>>> {
        let columns = run_columns(&study.swept_keys);
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        complete_rows(&self.dir.join(RUNS_CSV), &columns)
    }
    /// The complete `epochs.csv` rows, in file order.
    pub fn epoch_rows(&self) -> Result<Vec<Vec<String>>> {
        complete_rows(&self.dir.join(EPOCHS_CSV), EPOCH_COLUMNS)
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Parses `runs.csv` and `epochs.csv` (their text); `name` labels the single group of an
/// experiment without sweep.
pub fn parse_runs(runs_csv: &str, epochs_csv: &str, name: &str) -> Result<Runs> {
    let (header, rows) = read_csv(runs_csv).context("runs.csv")?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("runs.csv has no `{name}` column"))
    };
    let (id_col, cell_col, seed_col) = (column("run_id")?, column("cell")?, column("seed")?);
    let fixed = column(FIRST_FIXED_COLUMN)?;
    let swept: Vec<String> = header[seed_col + 1..fixed].to_vec();
    let mut runs = Vec::new();
    for (line, row) in rows.iter().enumerate() {
        let parse_err = |what: &str| format!("runs.csv row {}: bad {what}", line + 2);
        runs.push(Run {
            run_id: row[id_col].clone(),
            cell: row[cell_col]
                .trim()
                .parse()
                .with_context(|| parse_err("cell"))?,
            seed: row[seed_col]
                .trim()
                .parse()
                .with_context(|| parse_err("seed"))?,
            swept: swept
                .iter()
                .cloned()
                .zip(row[seed_col + 1..fixed].iter().cloned())
                .collect(),
            fields: header.iter().cloned().zip(row.iter().cloned()).collect(),
            epochs: Vec::new(),
        });
    }

    let (header, rows) = read_csv(epochs_csv).context("epochs.csv")?;
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("epochs.csv has no `{name}` column"))
    };
    let (id_col, epoch_col) = (position("run_id")?, position("epoch")?);
    let skip = ["run_id", "cell", "seed", "epoch"];
    let index: BTreeMap<String, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.run_id.clone(), i))
        .collect();
    for row in rows {
        let Some(&run) = index.get(&row[id_col]) else {
            continue; // a run in flight: its runs.csv row marks it done
        };
        let values = header
            .iter()
            .zip(&row)
            .filter(|(h, _)| !skip.contains(&h.as_str()))
            .filter_map(|(h, v)| Some((h.clone(), parse_number(v.trim())?)))
            .collect();
        let epoch = row[epoch_col]
            .trim()
            .parse()
            .context("epochs.csv: bad epoch")?;
        runs[run].epochs.push(EpochRow { epoch, values });
    }
    for run in &mut runs {
        run.epochs.sort_by_key(|e| e.epoch);
    }

    let mut cells: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        cells.entry(run.cell).or_default().push(i);
    }
    let groups = cells
        .into_iter()
        .map(|(cell, members)| Group {
            cell,
            label: label(&runs[members[0]], name),
            runs: members,
        })
        .collect();
    Ok(Runs {
        swept,
        runs,
        groups,
    })
}

fn label(run: &Run, name: &str) -> String {
    if run.swept.is_empty() {
        return name.to_string();
    }
    let parts: Vec<String> = run.swept.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(", ")
}

fn read_csv(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record?.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

/// A number as the CSV files write it; `NaN`, `inf` and `-inf` included.
pub fn parse_number(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

/// A TOML value as text: strings bare, arrays as `[a b]`, as `runs.csv` writes swept values.
pub fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_swept_columns_groups_and_epochs() {
        let runs = crate::testing::sample();
        assert_eq!(runs.swept, ["model.activation"]);
        assert_eq!(runs.groups.len(), 2);
        assert_eq!(runs.groups[1].label, "model.activation=sigmoid");
        assert_eq!(runs.groups[1].runs, [3, 4, 5]);
        let b0 = &runs.runs[3];
        assert_eq!(b0.number("epochs_to_threshold"), None);
        assert!(runs.runs[5].number("final_test_acc").unwrap().is_nan());
        assert!(runs.runs[5].diverged());
        assert_eq!(runs.runs[0].at_epoch("test_acc", 1), Some(0.9));
        assert_eq!(runs.runs[0].epochs.len(), 2);
        assert_eq!(runs.runs[5].at_epoch("train_loss", 1), Some(f64::INFINITY));
    }

    #[test]
    fn toml_values_as_runs_csv_text() {
        let v: toml::Table = toml::from_str("a = [20, 20]\nb = 'relu'\nc = 0.01").unwrap();
        assert_eq!(value_text(&v["a"]), "[20 20]");
        assert_eq!(value_text(&v["b"]), "relu");
        assert_eq!(value_text(&v["c"]), "0.01");
    }
}
