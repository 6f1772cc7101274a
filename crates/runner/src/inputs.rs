//! What runs read besides their configuration: data and starting weights, loaded and checked
//! before anything trains or is written.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use dlp_config::{Planned, Resolved, Study};
use dlp_model::{Init, Weights};

use crate::Error;

/// Data splits per (cell, seed) and starting weights per cell.
pub struct Inputs {
    splits: HashMap<(usize, u64), dlp_data::Split>,
    weights: HashMap<usize, Weights>,
}

impl Inputs {
    /// Loads every split and weights file `plan` needs, checking each against its cell.
    pub fn load(study: &Study, plan: &[Planned]) -> Result<Self, Error> {
        let mut inputs = Inputs {
            splits: HashMap::new(),
            weights: HashMap::new(),
        };
        for planned in plan {
            let resolved = &study.cells[planned.cell].resolved;
            if let Entry::Vacant(slot) = inputs.weights.entry(planned.cell)
                && let Some(weights) = initial_weights(resolved)?
            {
                slot.insert(weights);
            }
            let split = load_split(resolved, planned.seed, inputs.weights.get(&planned.cell))?;
            inputs.splits.insert((planned.cell, planned.seed), split);
        }
        Ok(inputs)
    }

    /// The data of a planned run.
    pub fn split(&self, planned: &Planned) -> &dlp_data::Split {
        &self.splits[&(planned.cell, planned.seed)]
    }

    /// The starting weights of a planned run, if its cell reads them from a file.
    pub fn weights(&self, planned: &Planned) -> Option<&Weights> {
        self.weights.get(&planned.cell)
    }
}

fn refuse(resolved: &Resolved, key: &str, message: impl std::fmt::Display) -> Error {
    Error::Config(resolved.error_at(key, message))
}

fn initial_weights(resolved: &Resolved) -> Result<Option<Weights>, Error> {
    let model = &resolved.experiment.model;
    match (&model.init, &model.weights) {
        (Init::File, Some(path)) => Weights::load(&resolved.base_dir().join(path))
            .map(Some)
            .map_err(|e| refuse(resolved, "model.weights", e)),
        _ => Ok(None),
    }
}

fn load_split(
    resolved: &Resolved,
    seed: u64,
    weights: Option<&Weights>,
) -> Result<dlp_data::Split, Error> {
    let experiment = &resolved.experiment;
    let split = dlp_data::load(&experiment.data, seed, resolved.base_dir())
        .map_err(|e| refuse(resolved, &format!("data.{}", e.key().unwrap_or("path")), &e))?;
    let loss =
        dlp_loss::find_loss(&experiment.loss.name).map_err(|e| refuse(resolved, "loss.name", e))?;
    let classes = split.train.n_classes;
    let outputs = loss.head.outputs(classes).ok_or_else(|| {
        refuse(
            resolved,
            "loss.name",
            format!(
                "loss `{}` predicts two classes but the data has {classes}; \
                 use `cross_entropy` for more than two classes",
                loss.name
            ),
        )
    })?;
    if let Some(weights) = weights {
        dlp_train::predict(
            &resolved.architecture,
            weights,
            split.train.n_features,
            outputs,
            &[],
        )
        .map_err(|e| refuse(resolved, "model.weights", e))?;
    }
    Ok(split)
}
