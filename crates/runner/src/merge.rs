//! `dlp merge`: results folders of one study (shards, or runs on several machines) combined
//! into one, keeping one copy of each run, reporting conflicting copies and missing runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use dlp_config::{plan, run_columns};
use dlp_results::{ResultsDir, RunRows, StudyFolder};

use crate::Error;

/// Columns that measure time, so differ between two honest copies of a run.
const WALL_CLOCK: &[&str] = &["seconds_to_threshold", "train_seconds", "seconds_per_epoch"];

/// What a merge found.
#[derive(Debug)]
pub struct Merged {
    /// The merged folder.
    pub dir: PathBuf,
    /// Runs of the plan present in the merged folder.
    pub present: usize,
    /// Runs of the plan found in no source: `cell C seed S (run RUN_ID)`.
    pub missing: Vec<String>,
    /// Runs found twice with different results (wall-clock columns aside).
    pub conflicts: Vec<String>,
}

/// Merges the results folders `sources` (each `OUT/<name>` of the same study) into
/// `out/<name>`. Any failure, a write included, is [`Error::Input`] (exit 2): the sources
/// are the user's to fix, and the merge can be run again.
pub fn merge(sources: &[PathBuf], out: &Path) -> Result<Merged, Error> {
    merge_folders(sources, out).map_err(|e| Error::Input(format!("{e:#}")))
}

fn merge_folders(sources: &[PathBuf], out: &Path) -> Result<Merged> {
    let first = sources
        .first()
        .context("name at least one results folder to merge")?;
    let first_folder = StudyFolder::open(first)?;
    let study = first_folder.study()?;
    let fingerprint = first_folder.fingerprint;
    let columns = run_columns(&study.swept_keys);
    let dir = out.join(study.name());
    if sources.iter().any(|s| same_folder(s, &dir)) {
        bail!(
            "the merged folder {} is also a source; choose another --out",
            dir.display()
        );
    }
    let mut merged = ResultsDir::open_study(out, &study, false)?;
    merged.describe(&study)?;
    let wall_clock: Vec<usize> = WALL_CLOCK
        .iter()
        .filter_map(|c| columns.iter().position(|n| n == c))
        .collect();
    let comparable = |row: &[String]| -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, v)| {
                if wall_clock.contains(&i) {
                    String::new()
                } else {
                    v.clone()
                }
            })
            .collect()
    };
    let mut seen: HashMap<String, (Vec<String>, PathBuf)> = HashMap::new();
    let mut conflicts = Vec::new();
    for source in sources {
        let folder = StudyFolder::open(source)?;
        if folder.fingerprint != fingerprint {
            bail!(
                "{} holds another study than {}; merge only folders of one study",
                source.display(),
                first.display()
            );
        }
        let mut epochs: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for row in folder.epoch_rows()? {
            epochs.entry(row[0].clone()).or_default().push(row);
        }
        for run in folder.run_rows(&study)? {
            let id = run[0].clone();
            if let Some((earlier, from)) = seen.get(&id) {
                if comparable(earlier) != comparable(&run) {
                    conflicts.push(format!(
                        "run {id} differs between {} and {}",
                        from.display(),
                        source.display()
                    ));
                }
                continue;
            }
            if !merged.is_done(&id) {
                merged.copy_weights_from(source, &id)?;
                merged.append(&RunRows {
                    run: run.clone(),
                    epochs: epochs.remove(&id).unwrap_or_default(),
                })?;
            }
            seen.insert(id, (run, source.clone()));
        }
    }
    let plan = plan(&study, None);
    let order: Vec<String> = plan.iter().map(|p| p.run_id.clone()).collect();
    merged.canonicalize(&order)?;
    let missing: Vec<String> = plan
        .iter()
        .filter(|p| !merged.is_done(&p.run_id))
        .map(|p| format!("cell {} seed {} (run {})", p.cell, p.seed, p.run_id))
        .collect();
    Ok(Merged {
        dir,
        present: plan.len() - missing.len(),
        missing,
        conflicts,
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
