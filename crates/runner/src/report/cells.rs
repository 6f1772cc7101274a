//! The resolved configuration of each cell (`cells/<cell>.toml`), and what it regenerates:
//! the data of a seed and the model of a run.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use anyhow::{Context, Result};
use dlp_data::{DataConfig, Split};

use super::load::{Results, Run};
use crate::Resolved;

/// The cells' configurations, by cell index; cells whose file is unreadable are left out
/// (with a warning), and so are the plots that need them.
pub struct Cells {
    resolved: BTreeMap<usize, Resolved>,
    /// Data already regenerated, by configuration and seed: the plots ask for the data of a
    /// run more than once, and cells that sweep other keys share it.
    data: RefCell<Vec<(DataConfig, u64, Rc<Split>)>>,
}

impl Cells {
    /// Reads `cells/<cell>.toml` for every group of `results`.
    pub fn load(results: &Results, warnings: &mut Vec<String>) -> Self {
        let mut resolved = BTreeMap::new();
        for group in &results.runs.groups {
            match read(results, group.cell) {
                Ok(r) => {
                    resolved.insert(group.cell, r);
                }
                Err(e) => warnings.push(format!("{e:#}")),
            }
        }
        Self {
            resolved,
            data: RefCell::default(),
        }
    }

    /// The configuration of `cell`.
    pub fn get(&self, cell: usize) -> Option<&Resolved> {
        self.resolved.get(&cell)
    }

    /// The threshold accuracy, when every cell waits for the same one.
    pub fn threshold(&self) -> Option<f64> {
        let mut thresholds = self.resolved.values().map(|r| r.experiment.train.threshold);
        let first = thresholds.next()?;
        thresholds.all(|t| t == first).then_some(first)
    }

    /// The data `run` trained on, regenerated from its seed (once per configuration and seed).
    pub fn data(&self, results: &Results, run: &Run) -> Result<Rc<Split>> {
        let config = &self
            .get(run.cell)
            .context("no configuration")?
            .experiment
            .data;
        let known = self.data.borrow().iter().find_map(|(c, seed, split)| {
            (c == config && *seed == run.seed).then(|| Rc::clone(split))
        });
        if let Some(split) = known {
            return Ok(split);
        }
        let split = dlp_data::load(config, run.seed, &results.experiment_dir)
            .with_context(|| format!("cannot regenerate the data of run {}", run.run_id))?;
        let split = Rc::new(split);
        let entry = (config.clone(), run.seed, Rc::clone(&split));
        self.data.borrow_mut().push(entry);
        Ok(split)
    }
}

fn read(results: &Results, cell: usize) -> Result<Resolved> {
    let path = results.dir.join("cells").join(format!("{cell}.toml"));
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    // Relative paths in a cell start from the experiment's folder: parse it as if it were
    // a file there.
    let virtual_path = results.experiment_dir.join(format!("cells-{cell}.toml"));
    Resolved::parse(&virtual_path, &text)
        .with_context(|| format!("cannot load {} for the plots", path.display()))
}
