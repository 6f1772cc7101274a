//! The results folders `dlp serve` shows: each study's overview, and its report, written again
//! when runs finished since (a study still training shows what is done, without a restart).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use dlp_results::{
    REPORT_HTML, RUNS_CSV, Results, StudyFolder, is_being_written, is_results_folder,
};
use serde::Serialize;

/// One study in the results view.
#[derive(Clone, Serialize)]
pub struct Overview {
    name: String,
    runs: usize,
    planned: Option<usize>,
    claims_passed: usize,
    claims: usize,
    started: Option<String>,
    running: bool,
    report: String,
}

/// The served results folders, and each study's overview as of its last `runs.csv`.
pub struct Browse {
    dirs: Vec<PathBuf>,
    known: Mutex<HashMap<PathBuf, (SystemTime, Overview)>>,
    /// Serialises report writing: two tabs asking at once write it once.
    writing: Mutex<()>,
}

impl Browse {
    /// Serves the results folders under each of `dirs`.
    pub fn new(dirs: Vec<PathBuf>) -> Self {
        Self {
            dirs,
            known: Mutex::default(),
            writing: Mutex::default(),
        }
    }

    /// Where new studies go: the first folder served.
    pub fn out(&self) -> &Path {
        &self.dirs[0]
    }

    /// Every study under the served folders, newest first.
    pub fn list(&self) -> Vec<Overview> {
        let mut all = Vec::new();
        for (index, parent) in self.dirs.iter().enumerate() {
            let Ok(entries) = std::fs::read_dir(parent) else {
                continue;
            };
            let mut folders: Vec<PathBuf> = entries
                .filter_map(|e| Some(e.ok()?.path()))
                .filter(|p| is_results_folder(p))
                .collect();
            folders.sort();
            for folder in folders {
                if let Some(overview) = self.overview(index, &folder) {
                    all.push(overview);
                }
            }
        }
        all.sort_by(|a, b| b.started.cmp(&a.started));
        all
    }

    fn overview(&self, index: usize, folder: &Path) -> Option<Overview> {
        let modified = std::fs::metadata(folder.join(RUNS_CSV))
            .ok()?
            .modified()
            .ok()?;
        let running = is_being_written(folder);
        if let Some((seen, overview)) = self.known.lock().unwrap().get(folder)
            && *seen == modified
        {
            return Some(Overview {
                running,
                ..overview.clone()
            });
        }
        let results = Results::load(folder).ok()?;
        let claims = dlp_report::evaluate_all(&results.expect, &results.runs);
        let planned = StudyFolder::open(folder)
            .and_then(|f| f.study())
            .ok()
            .map(|study| dlp_config::plan(&study, None).len());
        let started = results
            .manifest
            .iter()
            .find(|(k, _)| k == "started_unix")
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .map(|s| {
                let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s);
                humantime::format_rfc3339_seconds(time).to_string()
            });
        let name = folder.file_name()?.to_string_lossy().into_owned();
        let overview = Overview {
            report: format!("/results/{index}/{name}/{REPORT_HTML}"),
            name,
            runs: results.runs.runs.len(),
            planned,
            claims_passed: claims.iter().filter(|c| c.passed).count(),
            claims: claims.len(),
            started,
            running,
        };
        self.known
            .lock()
            .unwrap()
            .insert(folder.to_path_buf(), (modified, overview.clone()));
        Some(overview)
    }

    /// The report of study `name` under served folder `index`, written again if runs
    /// finished since; `None` for anything that is not a served study (no path is read
    /// outside the served folders: `name` must be one of their children, by name).
    pub fn report(&self, index: usize, name: &str) -> Option<Result<String, String>> {
        let parent = self.dirs.get(index)?;
        let folder = std::fs::read_dir(parent)
            .ok()?
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_str() == Some(name))?
            .path();
        if !is_results_folder(&folder) {
            return None;
        }
        let page = folder.join(REPORT_HTML);
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let _writing = self.writing.lock().unwrap();
        if modified(&page) < modified(&folder.join(RUNS_CSV))
            && let Err(e) = dlp_report::write_report(&folder)
        {
            return Some(Err(format!("cannot write the report of {name}: {e:#}")));
        }
        Some(std::fs::read_to_string(&page).map_err(|e| format!("cannot read the report: {e}")))
    }
}
