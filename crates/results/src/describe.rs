//! What a results folder says about its study besides the CSV files: the file as run, each
//! cell resolved (pointing at copies of its inputs), a manifest, the fingerprint, and weights.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dlp_config::{Resolved, Study};
use dlp_train::Trained;

use crate::durable::write_durably;
use crate::{CELLS, EXPERIMENT, INPUTS, MANIFEST, WEIGHTS};

/// What identifies the study's results: its cells' identities, without seeds.
pub fn fingerprint(study: &Study) -> String {
    let cells: Vec<String> = study
        .cells
        .iter()
        .map(|c| format!("# cell {}\n{}", c.index, c.resolved.identity()))
        .collect();
    cells.join("\n")
}

/// Writes what the report and `dlp merge` need besides the CSV files: the file as run, each
/// cell's resolved configuration, copies of the files the runs read, and a manifest of where
/// and how it ran.
pub(crate) fn describe_study(study: &Study, dir: &Path) -> Result<()> {
    write_durably(&dir.join(EXPERIMENT), study.source.as_bytes())?;
    let mut inputs = Inputs::default();
    let cells = dir.join(CELLS);
    create_dir(&cells)?;
    for cell in &study.cells {
        let mut experiment = cell.resolved.experiment.clone();
        let base = cell.resolved.base_dir();
        // Cells are experiment files in `cells/`: their paths lead to the copies in `inputs/`.
        for path in [
            &mut experiment.data.path,
            &mut experiment.data.test_path,
            &mut experiment.model.weights,
        ]
        .into_iter()
        .flatten()
        {
            *path = Path::new("..").join(inputs.copy(&base.join(&*path), dir)?);
        }
        let text = toml::to_string(&experiment).context("cannot serialise a cell")?;
        write_durably(&cells.join(format!("{}.toml", cell.index)), text.as_bytes())?;
    }
    let folder = study
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let experiment_dir =
        std::path::absolute(folder).context("cannot resolve the experiment's folder")?;
    let manifest = toml::toml! {
        dlp_version = (env!("CARGO_PKG_VERSION"))
        dlp_commit = (env!("DLP_GIT_COMMIT"))
        rustc = (env!("DLP_RUSTC_VERSION"))
        seeds = (study.cells[0].resolved.experiment.seeds.list().iter().map(|&s| s as i64).collect::<Vec<i64>>())
        experiment = (study.path.display().to_string())
        experiment_dir = (experiment_dir.display().to_string())
        host = (hostname())
        started_unix = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
    };
    write_durably(&dir.join(MANIFEST), manifest.to_string().as_bytes())?;
    create_dir(&dir.join(WEIGHTS))
}

/// The files copied into `inputs/`, each once, named `<k>-<file name>` in order of first use.
#[derive(Default)]
struct Inputs {
    copied: HashMap<PathBuf, PathBuf>,
}

impl Inputs {
    /// Copies `source` into `dir/inputs/` (once) and returns its path relative to `dir`.
    fn copy(&mut self, source: &Path, dir: &Path) -> Result<PathBuf> {
        let source = std::path::absolute(source)
            .with_context(|| format!("cannot resolve {}", source.display()))?;
        if let Some(copy) = self.copied.get(&source) {
            return Ok(copy.clone());
        }
        let name = source
            .file_name()
            .map_or("input".into(), |n| n.to_string_lossy());
        let copy = Path::new(INPUTS).join(format!("{}-{name}", self.copied.len()));
        create_dir(&dir.join(INPUTS))?;
        let bytes =
            std::fs::read(&source).with_context(|| format!("cannot read {}", source.display()))?;
        write_durably(&dir.join(&copy), &bytes)?;
        self.copied.insert(source, copy.clone());
        Ok(copy)
    }
}

fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Writes the run's final weights (and a description beside them) into `weights/`.
pub(crate) fn save_weights(
    resolved: &Resolved,
    dir: &Path,
    run_id: &str,
    trained: &Trained,
) -> Result<()> {
    let model = &resolved.experiment.model;
    let description = toml::toml! {
        hidden = (model.hidden.iter().map(|&w| w as i64).collect::<Vec<i64>>())
        activation = (model.activation.name())
        loss = (resolved.experiment.loss.name.clone())
        outputs = (trained.outputs as i64)
        naming = "torch.nn.Sequential: linear layer l is module 2l"
    }
    .to_string();
    let path = dir.join(WEIGHTS).join(format!("{run_id}.safetensors"));
    // One metadata entry: safetensors writes a map's keys in an arbitrary order, and the same run
    // must give the same bytes.
    let metadata = HashMap::from([("dlp".to_string(), description.clone())]);
    trained.weights.save(&path, metadata)?;
    write_durably(&path.with_extension("toml"), description.as_bytes())
}
