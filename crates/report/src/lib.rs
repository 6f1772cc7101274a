//! The report of a results folder: an interactive, self-contained `report.html` (claims linked
//! to their charts, the effect of each swept key, learning curves, parallel coordinates,
//! importance, decision boundaries, a sortable table; `page.rs` gives it its data, `assets/`
//! holds the page), and `report.md` with `plots/*.png` for papers and CI logs, with the
//! experiment's `[[expect]]` claims checked.
//!
//! It reads the results folder alone, through `dlp-results`: the data it draws is
//! regenerated from the cells' configurations or read from the copies in the folder.
//!
//! ```no_run
//! let report = dlp_report::write_report("results/tp1-canonical".as_ref())?;
//! for claim in &report.claims {
//!     println!("{claim}");
//! }
//! # Ok::<(), anyhow::Error>(())
//! ```
#![warn(missing_docs)]

mod boundary;
mod cells;
mod claims;
mod curves;
mod figure;
mod html;
mod importance;
mod markdown;
mod page;
mod scatter;
mod stats;
mod summary;
mod tables;
mod threshold;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dlp_results::Results;

pub use boundary::Plane;
pub use claims::{ClaimResult, evaluate, evaluate_all};
pub use html::{D3, fill_template};
pub use page::FieldBytes;
pub use stats::{Summary, t975};
pub use summary::{SUMMARY_METRICS, summary_table};

use figure::Figure;

/// What [`write_report`] wrote and found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Each claim of `experiment.toml`, checked, in file order.
    pub claims: Vec<ClaimResult>,
    /// The files written (`report.md`, `report.html`, `plots/*.png`).
    pub files: Vec<PathBuf>,
    /// Plots that could not be drawn (missing weights, a font missing, ...), one line each.
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether every claim holds (true without claims).
    pub fn all_passed(&self) -> bool {
        self.claims.iter().all(|c| c.passed)
    }
}

/// Everything the two documents show.
struct Content {
    results: Results,
    claims: Vec<ClaimResult>,
    tables: Vec<tables::GroupTable>,
    threshold: Option<f64>,
    figures: Vec<Figure>,
    warnings: Vec<String>,
}

/// Reads the results folder `dir` and writes `report.md`, `report.html` and `plots/*.png`
/// into it.
pub fn write_report(dir: &Path) -> Result<Report> {
    let results = Results::load(dir)?;
    let claims = claims::evaluate_all(&results.expect, &results.runs);
    let tables = tables::group_tables(&results.runs);
    let plots_dir = dir.join(dlp_results::PLOTS);
    std::fs::create_dir_all(&plots_dir)
        .with_context(|| format!("cannot create {}", plots_dir.display()))?;
    let mut warnings = Vec::new();
    let cells = cells::Cells::load(&results, &mut warnings);
    let threshold = cells.threshold();
    // Two halves drawn at once (each with its own text cache): the charts of the runs' numbers,
    // and what needs the data and the weights (the dataset, the boundaries, the page's fields).
    let (drawn, page, data_warnings) = std::thread::scope(|scope| {
        let charts = scope.spawn(|| {
            let plots = figure::Plots::new(plots_dir.clone());
            [
                curves::figure(&results, &plots),
                threshold::figure(&results.runs, threshold, &plots),
            ]
        });
        let plots = figure::Plots::new(plots_dir.clone());
        let mut warnings = Vec::new();
        let scatter = scatter::figure(&results, &cells, &plots);
        let boundaries = boundary::figures(&results, &cells, &plots, &mut warnings);
        let page = page::Page::new(&results, &results.expect, &claims, &cells, &mut warnings);
        let charts = charts.join().expect("drawing the charts does not panic");
        let drawn: Vec<Result<Figure>> = charts
            .into_iter()
            .chain(scatter)
            .chain(boundaries)
            .collect();
        (drawn, page, warnings)
    });
    let mut figures = Vec::new();
    for figure in drawn {
        match figure {
            Ok(figure) => figures.push(figure),
            Err(e) => warnings.push(format!("{e:#}")),
        }
    }
    warnings.extend(data_warnings);

    let title = format!("{}: dlp report", results.name);
    let content = Content {
        results,
        claims,
        tables,
        threshold,
        figures,
        warnings,
    };
    let mut files: Vec<PathBuf> = content.figures.iter().map(|f| dir.join(&f.png)).collect();
    for (name, text) in [
        (dlp_results::REPORT_MD, markdown::render(&content)),
        (dlp_results::REPORT_HTML, html::render(&page, &title)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        files.push(path);
    }
    Ok(Report {
        claims: content.claims,
        files,
        warnings: content.warnings,
    })
}

#[cfg(test)]
mod smoke;
