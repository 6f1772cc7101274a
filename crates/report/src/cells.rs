//! The resolved configuration of each cell, and the data of each seed it regenerates (from
//! the copies in the results folder for data read from files).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use anyhow::{Context, Result};
use dlp_data::{DataConfig, InputMap, Split};

use dlp_config::Resolved;
use dlp_results::{Results, Run};

/// A run's data as generated or read (its own coordinates), and the map from them to the
/// model's inputs.
pub type RawData = Rc<(Split, InputMap)>;

/// The cells' configurations, by cell index; cells whose file is unreadable are left out
/// (with a warning), and so are the plots that need them.
pub struct Cells {
    resolved: BTreeMap<usize, Resolved>,
    /// Data already regenerated, by configuration and seed: the plots ask for the data of a
    /// run more than once, and cells that sweep other keys share it.
    data: RefCell<Vec<(DataConfig, u64, RawData)>>,
}

impl Cells {
    /// Reads `cells/<cell>.toml` for every group of `results`.
    pub fn load(results: &Results, warnings: &mut Vec<String>) -> Self {
        let mut resolved = BTreeMap::new();
        for group in &results.runs.groups {
            match results.cell(group.cell) {
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

    /// The data `run` trained on, regenerated from its seed (once per configuration and seed),
    /// as generated or read, with the [`InputMap`] that made the model's inputs of it.
    pub fn data(&self, run: &Run) -> Result<RawData> {
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
        let base_dir = self.get(run.cell).context("no configuration")?.base_dir();
        let split = dlp_data::load_raw(config, run.seed, base_dir)
            .with_context(|| format!("cannot regenerate the data of run {}", run.run_id))?;
        let split = Rc::new(split);
        let entry = (config.clone(), run.seed, Rc::clone(&split));
        self.data.borrow_mut().push(entry);
        Ok(split)
    }
}
