//! The results folder: CSV files that grow by whole runs, each write made durable before the
//! next, and a final rewrite in a canonical order so that any `--jobs` gives the same bytes.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use dlp_config::{ADDED_COLUMNS, Cell, EPOCH_COLUMNS, Planned, Study, run_columns};
use dlp_train::Trained;

use crate::describe::{describe_study, fingerprint, save_weights};
use crate::durable::write_durably;
use crate::rows::RunRows;
use crate::{CELLS, EPOCHS_CSV, FINGERPRINT, INPUTS, LOCK, RUNS_CSV, WEIGHTS};

/// An experiment's results folder, open for appending.
pub struct ResultsDir {
    dir: PathBuf,
    run_columns: Vec<String>,
    done: HashSet<String>,
    /// Held open with an exclusive lock while this value lives: a second `dlp` on the same
    /// folder is refused instead of interleaving rows.
    _lock: File,
}

impl ResultsDir {
    /// Opens (creating) `out/<name>` for `study`, as [`ResultsDir::open`] does.
    pub fn open_study(out: &Path, study: &Study, fresh: bool) -> Result<Self> {
        let dir = out.join(study.name());
        Self::open(
            &dir,
            &fingerprint(study),
            run_columns(&study.swept_keys),
            fresh,
        )
    }

    /// Describes `study` in the folder: the file as run, each cell resolved, copies of the
    /// files the runs read, and a manifest of where and how it ran.
    pub fn describe(&self, study: &Study) -> Result<()> {
        describe_study(study, &self.dir)
    }

    /// Opens (creating) `dir` for a study identified by `fingerprint` (its cells' identities,
    /// without seeds) whose `runs.csv` has `run_columns`.
    ///
    /// Finished runs already there are kept and reported by [`ResultsDir::is_done`]; rows of
    /// runs that were in flight when a previous process died are dropped. A folder holding
    /// another study's results is refused unless `fresh`, which empties it.
    pub fn open(
        dir: &Path,
        fingerprint: &str,
        run_columns: Vec<String>,
        fresh: bool,
    ) -> Result<Self> {
        if dir.is_file() {
            bail!(
                "output path {} is a file, not a folder; choose another --out",
                dir.display()
            );
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create results folder {}", dir.display()))?;
        let lock = lock(dir)?;
        let fingerprint_path = dir.join(FINGERPRINT);
        if fresh {
            for name in [RUNS_CSV, EPOCHS_CSV, FINGERPRINT] {
                remove_if_exists(&dir.join(name))?;
            }
            for folder in [WEIGHTS, CELLS, INPUTS] {
                let folder = dir.join(folder);
                if folder.exists() {
                    std::fs::remove_dir_all(&folder)
                        .with_context(|| format!("cannot empty {}", folder.display()))?;
                }
            }
        }

        match std::fs::read_to_string(&fingerprint_path) {
            Ok(existing) if existing != fingerprint => bail!(
                "{} holds results of a different configuration; rerun with --fresh to replace \
                 them, or give the experiment another `name` or another --out",
                dir.display()
            ),
            Ok(_) => {}
            Err(_) => write_durably(&fingerprint_path, fingerprint.as_bytes())?,
        }
        let columns: Vec<&str> = run_columns.iter().map(String::as_str).collect();
        let status = columns.iter().position(|c| *c == "status");
        // A failed run is retried: its row goes, so that the retry does not duplicate it.
        let runs: Vec<Vec<String>> = complete_rows(&dir.join(RUNS_CSV), &columns)?
            .into_iter()
            .filter(|row| status.is_none_or(|s| row[s] != "failed"))
            .collect();
        let done: HashSet<String> = runs.iter().map(|r| r[0].clone()).collect();
        let epochs = complete_rows(&dir.join(EPOCHS_CSV), EPOCH_COLUMNS)?
            .into_iter()
            .filter(|r| done.contains(&r[0]))
            .collect::<Vec<_>>();
        rewrite(&dir.join(RUNS_CSV), &columns, &runs)?;
        rewrite(&dir.join(EPOCHS_CSV), EPOCH_COLUMNS, &epochs)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            run_columns,
            done,
            _lock: lock,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Whether the run `run_id` finished in an earlier invocation.
    pub fn is_done(&self, run_id: &str) -> bool {
        self.done.contains(run_id)
    }

    /// Writes a finished run of `cell`: its weights (when the cell saves them), then its rows.
    pub fn record(&mut self, cell: &Cell, planned: &Planned, trained: &Trained) -> Result<()> {
        if cell.resolved.experiment.train.save_weights {
            save_weights(&cell.resolved, &self.dir, &planned.run_id, trained)?;
        }
        self.append(&RunRows::finished(cell, planned, trained))
    }

    /// Writes a run that could not train (status `failed`); the next invocation retries it.
    pub fn record_failure(&mut self, cell: &Cell, planned: &Planned) -> Result<()> {
        self.append(&RunRows::failed(cell, planned))
    }

    /// Copies the weights of run `run_id` from the results folder `source`, if it has them.
    pub fn copy_weights_from(&self, source: &Path, run_id: &str) -> Result<()> {
        for extension in ["safetensors", "toml"] {
            let name = format!("{run_id}.{extension}");
            let from = source.join(WEIGHTS).join(&name);
            if from.is_file() {
                let to = self.dir.join(WEIGHTS).join(&name);
                std::fs::copy(&from, &to).with_context(|| {
                    format!("cannot copy {} to {}", from.display(), to.display())
                })?;
            }
        }
        Ok(())
    }

    /// Appends a finished run: its epochs first, then its `runs.csv` row, which marks it done.
    pub fn append(&mut self, rows: &RunRows) -> Result<()> {
        append_rows(&self.dir.join(EPOCHS_CSV), &rows.epochs)?;
        append_rows(&self.dir.join(RUNS_CSV), std::slice::from_ref(&rows.run))?;
        self.done.insert(rows.run[0].clone());
        Ok(())
    }

    /// Rewrites both files with runs in `order` (run ids), so the bytes do not depend on which
    /// run finished first. Runs not in `order` keep their place after them.
    pub fn canonicalize(&self, order: &[String]) -> Result<()> {
        let rank: BTreeMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let key = |row: &Vec<String>| rank.get(row[0].as_str()).copied().unwrap_or(usize::MAX);
        let run_columns: Vec<&str> = self.run_columns.iter().map(String::as_str).collect();
        for (name, columns) in [(RUNS_CSV, &run_columns[..]), (EPOCHS_CSV, EPOCH_COLUMNS)] {
            let path = self.dir.join(name);
            let mut rows = complete_rows(&path, columns)?;
            rows.sort_by_key(key); // stable: epochs of one run keep their order
            rewrite(&path, columns, &rows)?;
        }
        Ok(())
    }
}

/// Whether a `dlp` process (this one included) has the folder open for writing now.
pub fn is_being_written(dir: &Path) -> bool {
    File::open(dir.join(LOCK))
        .is_ok_and(|file| matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
}

/// Takes the folder's lock (`dir/.lock`), released when the process ends, however it ends.
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "{} is in use by another dlp process; wait for it to finish or choose another --out",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// The complete rows of a CSV file: a last line cut short by a crash is dropped. A file
/// written before the [`ADDED_COLUMNS`] existed (its header is `columns` without some of them
/// at the end) is read with them filled in ([`filled_in`]); any other header is refused.
pub(crate) fn complete_rows(path: &Path, columns: &[&str]) -> Result<Vec<Vec<String>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(complete.as_bytes());
    let header = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?;
    let header: Vec<String> = header.iter().map(str::to_string).collect();
    let older = header.len() < columns.len()
        && header.iter().zip(columns).all(|(h, c)| h == c)
        && columns[header.len()..]
            .iter()
            .all(|c| ADDED_COLUMNS.contains(c));
    if !(older || header.iter().eq(columns.iter().copied())) {
        bail!(
            "{} has columns from another version of dlp; rerun with --fresh to start over",
            path.display()
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot read {}", path.display()))?;
        if record.len() == header.len() {
            let row: Vec<String> = record.iter().map(str::to_string).collect();
            rows.push(filled_in(row, &header, columns));
        }
    }
    Ok(rows)
}

/// A row of an older file (columns `header`, a prefix of `columns`) with the columns added
/// since filled in as the run would have written them: no validation metrics, stopped after
/// its `epochs` or where it diverged, nothing restored.
fn filled_in(mut row: Vec<String>, header: &[String], columns: &[&str]) -> Vec<String> {
    let field = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .map_or(String::new(), |i| row[i].clone())
    };
    let added: Vec<String> = columns[header.len()..]
        .iter()
        .map(|&column| match (column, field("status").as_str()) {
            ("stopped_epoch", "ok" | "diverged") => field("epochs"),
            ("stop_reason", "ok") => "epochs".into(),
            ("stop_reason", "diverged") => "diverged".into(),
            _ => String::new(),
        })
        .collect();
    row.extend(added);
    row
}

fn csv_bytes(columns: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if let Some(columns) = columns {
        writer.write_record(columns)?;
    }
    for row in rows {
        writer.write_record(row)?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

fn append_rows(path: &Path, rows: &[Vec<String>]) -> Result<()> {
    let bytes = csv_bytes(None, rows)?;
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {} to append", path.display()))?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_data())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Replaces `path` atomically (write a sibling, sync, rename).
fn rewrite(path: &Path, columns: &[&str], rows: &[Vec<String>]) -> Result<()> {
    write_durably(path, &csv_bytes(Some(columns), rows)?)
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    fn columns() -> Vec<String> {
        run_columns(&[])
    }

    fn open(dir: &Path, fingerprint: &str, fresh: bool) -> Result<ResultsDir> {
        ResultsDir::open(dir, fingerprint, columns(), fresh)
    }

    fn run(id: &str) -> RunRows {
        let mut run = vec![id.to_string()];
        run.resize(columns().len(), "x".into());
        let mut epoch = vec![id.to_string()];
        epoch.resize(EPOCH_COLUMNS.len(), "1".into());
        RunRows {
            run,
            epochs: vec![epoch.clone(), epoch],
        }
    }

    #[test]
    fn drops_in_flight_rows_and_keeps_finished_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exp");
        let mut results = open(&dir, "cfg", false).unwrap();
        results.append(&run("a")).unwrap();
        // A run killed between its epochs and its runs.csv row, then a torn line.
        append_rows(&dir.join("epochs.csv"), &run("b").epochs).unwrap();
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.join("runs.csv"))
            .unwrap();
        f.write_all(b"c,x,x").unwrap();
        drop(results);

        let results = open(&dir, "cfg", false).unwrap();
        assert!(results.is_done("a") && !results.is_done("b") && !results.is_done("c"));
        assert_eq!(rows(&dir, "epochs.csv").lines().count(), 3);
        assert_eq!(rows(&dir, "runs.csv").lines().count(), 2);
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exp");
        let first = open(&dir, "cfg", false).unwrap();
        let err = open(&dir, "cfg", false).err().unwrap().to_string();
        assert!(err.contains("in use by another dlp process"), "{err}");
        drop(first);
        assert!(open(&dir, "cfg", false).is_ok());
    }

    #[test]
    fn refuses_another_configuration_unless_fresh() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exp");
        open(&dir, "cfg", false).unwrap().append(&run("a")).unwrap();
        let err = open(&dir, "other", false).err().unwrap().to_string();
        assert!(err.contains("--fresh"), "{err}");
        let results = open(&dir, "other", true).unwrap();
        assert!(!results.is_done("a"));
    }

    /// A folder written before validation and early stopping (fewer columns at the end of
    /// both files) resumes: its rows are read with the new columns filled in, and the files
    /// are rewritten with them. A header that is no such prefix is refused.
    #[test]
    fn folders_of_before_the_added_columns_resume() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exp");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("fingerprint"), "cfg").unwrap();
        let added = |columns: &[&str]| {
            columns
                .iter()
                .filter(|c| !ADDED_COLUMNS.contains(c))
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        };
        let columns = columns();
        let old_runs = added(&columns.iter().map(String::as_str).collect::<Vec<_>>());
        let old_epochs = added(EPOCH_COLUMNS);
        let row = |header: &[String], values: &[(&str, &str)]| {
            header
                .iter()
                .map(|h| {
                    let found = values.iter().find(|(k, _)| k == h);
                    found.map_or("1".to_string(), |(_, v)| v.to_string())
                })
                .collect::<Vec<_>>()
        };
        let ok = row(
            &old_runs,
            &[("run_id", "a"), ("status", "ok"), ("epochs", "7")],
        );
        let diverged = row(
            &old_runs,
            &[("run_id", "b"), ("status", "diverged"), ("epochs", "3")],
        );
        let old_runs_refs: Vec<&str> = old_runs.iter().map(String::as_str).collect();
        let old_epochs_refs: Vec<&str> = old_epochs.iter().map(String::as_str).collect();
        rewrite(&dir.join("runs.csv"), &old_runs_refs, &[ok, diverged]).unwrap();
        let epoch = row(&old_epochs, &[("run_id", "a")]);
        rewrite(&dir.join("epochs.csv"), &old_epochs_refs, &[epoch]).unwrap();

        let results = open(&dir, "cfg", false).unwrap();
        assert!(results.is_done("a") && results.is_done("b"));
        let text = rows(&dir, "runs.csv");
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), columns.join(","));
        // final_val_loss, final_val_acc, stopped_epoch, stop_reason, restored_epoch
        assert!(lines.next().unwrap().ends_with(",,,7,epochs,"), "{text}");
        assert!(lines.next().unwrap().ends_with(",,,3,diverged,"), "{text}");
        let text = rows(&dir, "epochs.csv");
        assert_eq!(text.lines().nth(1).unwrap(), "a,1,1,1,1,1,1,1,1,1,,");
        drop(results);

        std::fs::write(dir.join("epochs.csv"), "run_id,cell,seed,epoch,loss\n").unwrap();
        let err = open(&dir, "cfg", false).err().unwrap().to_string();
        assert!(err.contains("columns from another version of dlp"), "{err}");
    }

    #[test]
    fn canonical_order_does_not_depend_on_finishing_order() {
        let tmp = tempfile::tempdir().unwrap();
        let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
        let order = vec!["a".to_string(), "b".to_string()];
        let mut first = open(&one, "cfg", false).unwrap();
        first.append(&run("a")).unwrap();
        first.append(&run("b")).unwrap();
        first.canonicalize(&order).unwrap();
        let mut second = open(&two, "cfg", false).unwrap();
        second.append(&run("b")).unwrap();
        second.append(&run("a")).unwrap();
        second.canonicalize(&order).unwrap();
        assert_eq!(rows(&one, "runs.csv"), rows(&two, "runs.csv"));
        assert_eq!(rows(&one, "epochs.csv"), rows(&two, "epochs.csv"));
    }
}
