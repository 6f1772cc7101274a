//! The data of the interactive `report.html`, as the page's script reads it (the schema is in
//! `assets/README.md`): swept keys, metrics, groups with their statistics, runs with their
//! curves, claims, importance and decision-boundary fields.

use std::collections::BTreeMap;

use base64::Engine;
use dlp_config::Expect;
use dlp_results::{Results, Run, Runs};
use serde::Serialize;

use crate::boundary::{Field, field};
use crate::cells::Cells;
use crate::claims::ClaimResult;
use crate::importance::main_effect_shares;
use crate::stats::Summary;

/// The metrics the page can show, with their label and direction.
const METRICS: &[(&str, &str, &str)] = &[
    ("final_test_acc", "final test accuracy", "higher"),
    ("best_test_acc", "best test accuracy", "higher"),
    ("final_test_loss", "final test loss", "lower"),
    ("final_train_loss", "final train loss", "lower"),
    ("epochs_to_threshold", "epochs to threshold", "lower"),
    ("seconds_to_threshold", "seconds to threshold", "lower"),
    ("train_seconds", "training seconds", "lower"),
];

/// The series of `epochs.csv` the learning curves show; a run without a validation set has
/// no `val_*` series.
const CURVES: &[&str] = &[
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "val_loss",
    "val_acc",
];

/// Cells per side of a decision-boundary field (Playground draws 100).
const FIELD_RESOLUTION: usize = 150;
/// Test points drawn over a field.
const FIELD_POINTS: usize = 500;

#[derive(Serialize)]
pub struct Page {
    name: String,
    description: Option<String>,
    manifest: BTreeMap<String, String>,
    swept: Vec<SweptKey>,
    metrics: Vec<Metric>,
    groups: Vec<Group>,
    runs: Vec<PageRun>,
    claims: Vec<Claim>,
    importance: BTreeMap<&'static str, Vec<Share>>,
    boundaries: Vec<Boundary>,
}

#[derive(Serialize)]
struct SweptKey {
    key: String,
    values: Vec<String>,
    numeric: bool,
    log: bool,
}

#[derive(Serialize)]
struct Metric {
    id: &'static str,
    label: &'static str,
    better: &'static str,
}

#[derive(Serialize)]
struct Group {
    cell: usize,
    label: String,
    values: BTreeMap<String, String>,
    runs: Vec<usize>,
    stats: BTreeMap<&'static str, Stat>,
}

/// Mean and 95% interval over a group's finished runs (`None` where undefined: JSON null).
#[derive(Serialize)]
struct Stat {
    mean: Option<f64>,
    lo: Option<f64>,
    hi: Option<f64>,
    n: usize,
}

#[derive(Serialize)]
struct PageRun {
    run_id: String,
    cell: usize,
    seed: u64,
    status: String,
    metrics: BTreeMap<&'static str, Option<f64>>,
    curves: BTreeMap<&'static str, Vec<Option<f64>>>,
}

#[derive(Serialize)]
struct Claim {
    claim: String,
    passed: bool,
    detail: String,
    metric: String,
    keys: Vec<String>,
}

#[derive(Serialize)]
struct Share {
    key: String,
    share: f64,
}

#[derive(Serialize)]
struct Boundary {
    cell: usize,
    label: String,
    which: &'static str,
    seed: u64,
    run_id: String,
    test_acc: Option<f64>,
    classes: usize,
    grid: Grid,
    points: Points,
}

/// A field's cells, rows from the top (largest y) down, each a byte in base64.
#[derive(Serialize)]
struct Grid {
    x: [f64; 2],
    y: [f64; 2],
    nx: usize,
    ny: usize,
    #[serde(flatten)]
    bytes: FieldBytes,
}

#[derive(Serialize)]
struct Points {
    x: Vec<f64>,
    y: Vec<f64>,
    label: Vec<u32>,
}

/// A finite number, or `None` (null in the page).
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// Whether a run finished without diverging: only those enter means, intervals and fields.
fn finished(run: &Run) -> bool {
    run.fields.get("status").is_some_and(|s| s == "ok")
}

impl Page {
    /// The page's data; boundary fields that cannot be computed become `warnings`.
    pub fn new(
        results: &Results,
        expect: &[Expect],
        claims: &[ClaimResult],
        cells: &Cells,
        warnings: &mut Vec<String>,
    ) -> Page {
        let runs = &results.runs;
        Page {
            name: results.name.clone(),
            description: results.description.clone(),
            manifest: results.manifest.iter().cloned().collect(),
            swept: swept_keys(runs),
            metrics: METRICS
                .iter()
                .map(|&(id, label, better)| Metric { id, label, better })
                .collect(),
            groups: groups(runs),
            runs: runs.runs.iter().map(page_run).collect(),
            claims: expect
                .iter()
                .zip(claims)
                .map(|(expect, result)| Claim {
                    claim: result.claim.clone(),
                    passed: result.passed,
                    detail: result.detail.clone(),
                    metric: expect.metric.clone(),
                    keys: claim_keys(expect),
                })
                .collect(),
            importance: METRICS
                .iter()
                .map(|&(metric, _, _)| (metric, importance(runs, metric)))
                .collect(),
            boundaries: boundaries(results, cells, warnings),
        }
    }
}

/// Each swept key with its values in cell order (numbers sorted), and whether they are
/// numbers spaced evenly on a log scale.
fn swept_keys(runs: &Runs) -> Vec<SweptKey> {
    runs.swept
        .iter()
        .map(|key| {
            let mut values: Vec<String> = Vec::new();
            for group in &runs.groups {
                let value = runs.runs[group.runs[0]].swept_value(key).unwrap_or("");
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_string());
                }
            }
            let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse().ok()).collect();
            let numeric = numbers.is_some();
            let log = numbers.is_some_and(|n| log_spaced(&n));
            if numeric {
                values.sort_by(|a, b| {
                    let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
                    a.total_cmp(&b)
                });
            }
            SweptKey {
                key: key.clone(),
                values,
                numeric,
                log,
            }
        })
        .collect()
}

/// Whether positive `values` are closer to evenly spaced in log than in linear terms (two
/// values: a ratio of 10 or more).
pub fn log_spaced(values: &[f64]) -> bool {
    if values.len() < 2 || values.iter().any(|&v| v <= 0.0) {
        return false;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    if sorted.len() == 2 {
        return max / min >= 10.0;
    }
    // The spread of consecutive steps, relative to their mean, on each scale.
    let unevenness = |steps: Vec<f64>| {
        let s = Summary::of(steps);
        s.std / s.mean.abs()
    };
    let linear = unevenness(sorted.windows(2).map(|w| w[1] - w[0]).collect());
    let log = unevenness(sorted.windows(2).map(|w| (w[1] / w[0]).ln()).collect());
    log < linear
}

fn groups(runs: &Runs) -> Vec<Group> {
    runs.groups
        .iter()
        .map(|group| {
            let members: Vec<&Run> = group.runs.iter().map(|&r| &runs.runs[r]).collect();
            let stats = METRICS
                .iter()
                .map(|&(metric, _, _)| {
                    let values = members.iter().filter(|r| finished(r));
                    let s = Summary::of(values.filter_map(|r| r.number(metric)));
                    // Every metric is >= 0 and accuracies are <= 1: the interval stays in range,
                    // as the tables of report.md clip it.
                    let top = if metric.contains("acc") {
                        1.0
                    } else {
                        f64::INFINITY
                    };
                    let interval = finite(Some(s.ci95));
                    let stat = Stat {
                        mean: finite(Some(s.mean)),
                        lo: interval.map(|ci| (s.mean - ci).max(0.0)),
                        hi: interval.map(|ci| (s.mean + ci).min(top)),
                        n: s.n,
                    };
                    (metric, stat)
                })
                .collect();
            Group {
                cell: group.cell,
                label: group.label.clone(),
                values: members[0].swept.iter().cloned().collect(),
                runs: group.runs.clone(),
                stats,
            }
        })
        .collect()
}

fn page_run(run: &Run) -> PageRun {
    PageRun {
        run_id: run.run_id.clone(),
        cell: run.cell,
        seed: run.seed,
        status: run.fields.get("status").cloned().unwrap_or_default(),
        metrics: METRICS
            .iter()
            .map(|&(metric, _, _)| (metric, finite(run.number(metric))))
            .collect(),
        curves: std::iter::once((
            "epoch",
            run.epochs.iter().map(|e| Some(e.epoch as f64)).collect(),
        ))
        .chain(CURVES.iter().filter_map(|&series| {
            let values: Vec<Option<f64>> = run
                .epochs
                .iter()
                .map(|e| finite(e.values.get(series).copied()))
                .collect();
            values
                .iter()
                .any(Option::is_some)
                .then_some((series, values))
        }))
        .collect(),
    }
}

/// The swept keys a claim selects on, `where` first, each once.
fn claim_keys(expect: &Expect) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for selection in [&expect.select, &expect.than].into_iter().flatten() {
        for key in selection.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// Each swept key's share of the variance of `metric` over the finished runs.
fn importance(runs: &Runs, metric: &str) -> Vec<Share> {
    let observations: Vec<(Vec<&str>, f64)> = runs
        .runs
        .iter()
        .filter(|r| finished(r))
        .filter_map(|r| {
            let value = finite(r.number(metric))?;
            let levels = runs.swept.iter().map(|k| r.swept_value(k).unwrap_or(""));
            Some((levels.collect(), value))
        })
        .collect();
    main_effect_shares(&observations)
        .into_iter()
        .zip(&runs.swept)
        .map(|(share, key)| Share {
            key: key.clone(),
            share,
        })
        .collect()
}

/// The fields of the best and the median seed (by final test accuracy) of each group.
fn boundaries(results: &Results, cells: &Cells, warnings: &mut Vec<String>) -> Vec<Boundary> {
    let runs = &results.runs;
    let mut out = Vec::new();
    for group in &runs.groups {
        let mut ranked: Vec<&Run> = group
            .runs
            .iter()
            .map(|&r| &runs.runs[r])
            .filter(|r| finished(r) && finite(r.number("final_test_acc")).is_some())
            .collect();
        ranked.sort_by(|a, b| {
            let acc = |r: &Run| r.number("final_test_acc").unwrap_or(f64::NAN);
            acc(b).total_cmp(&acc(a)).then(a.seed.cmp(&b.seed))
        });
        let Some(&best) = ranked.first() else {
            continue;
        };
        let median = ranked[ranked.len() / 2];
        let chosen = if ranked.len() > 1 {
            vec![("best", best), ("median", median)]
        } else {
            vec![("best", best)]
        };
        for (which, run) in chosen {
            match field(cells, results, run, FIELD_RESOLUTION, FIELD_POINTS) {
                Ok(Some(field)) => out.push(boundary(group.cell, &group.label, which, run, field)),
                Ok(None) => {} // not 2-D data, or no weights saved
                Err(e) => warnings.push(format!(
                    "no interactive decision boundary for {} (seed {}): {e:#}",
                    group.label, run.seed
                )),
            }
        }
    }
    out
}

/// A field's cells (class, probability; rows from the bottom up, `n` per row) as the page
/// reads them: base64 bytes, rows from the top down, `p1` for two classes, else `class` and
/// `confidence`. `dlp serve` streams its live fields in the same form.
#[derive(Serialize)]
pub struct FieldBytes {
    #[serde(skip_serializing_if = "Option::is_none")]
    p1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<String>,
}

impl FieldBytes {
    /// Encodes `cells` of a field `n` cells wide for data of `classes` classes.
    pub fn new(cells: &[(u32, f64)], n: usize, classes: usize) -> FieldBytes {
        let top_down: Vec<(u32, f64)> = cells
            .chunks(n)
            .rev()
            .flat_map(|row| row.iter().copied())
            .collect();
        let bytes = |f: &dyn Fn(&(u32, f64)) -> u8| {
            let bytes: Vec<u8> = top_down.iter().map(f).collect();
            Some(base64::engine::general_purpose::STANDARD.encode(bytes))
        };
        let level = |p: f64| (p.clamp(0.0, 1.0) * 255.0).round() as u8;
        if classes == 2 {
            FieldBytes {
                p1: bytes(&|c| level(c.1)),
                class: None,
                confidence: None,
            }
        } else {
            FieldBytes {
                p1: None,
                class: bytes(&|c| c.0.min(255) as u8),
                confidence: bytes(&|c| level(c.1)),
            }
        }
    }
}

fn boundary(cell: usize, label: &str, which: &'static str, run: &Run, field: Field) -> Boundary {
    let n = field.resolution;
    let grid = Grid {
        x: [field.x.0, field.x.1],
        y: [field.y.0, field.y.1],
        nx: n,
        ny: n,
        bytes: FieldBytes::new(&field.cells, n, field.classes),
    };
    Boundary {
        cell,
        label: label.to_string(),
        which,
        seed: run.seed,
        run_id: run.run_id.clone(),
        test_acc: finite(run.number("final_test_acc")),
        classes: field.classes,
        grid,
        points: Points {
            x: field.points.iter().map(|p| p.0).collect(),
            y: field.points.iter().map(|p| p.1).collect(),
            label: field.points.iter().map(|p| p.2).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's curves hold the series it measured: `val_*` only with a validation set.
    #[test]
    fn validation_curves_come_with_a_validation_set() {
        let runs = dlp_results::parse_runs(
            "run_id,cell,seed,dataset,status\nv,0,0,moons,ok\nn,0,1,moons,ok\n",
            "run_id,cell,seed,epoch,train_loss,train_acc,test_loss,test_acc,lr,wall_s,val_loss,val_acc\n\
             v,0,0,1,0.3,0.9,0.3,0.9,0.01,0.1,0.4,0.8\n\
             n,0,1,1,0.3,0.9,0.3,0.9,0.01,0.1,,\n",
            "demo",
        )
        .unwrap();
        let with = page_run(&runs.runs[0]);
        assert_eq!(with.curves["val_loss"], [Some(0.4)]);
        assert_eq!(with.curves["val_acc"], [Some(0.8)]);
        let without = page_run(&runs.runs[1]);
        assert!(!without.curves.contains_key("val_loss"));
        assert_eq!(without.curves["test_acc"], [Some(0.9)]);
    }

    #[test]
    fn log_spacing_is_told_from_linear_spacing() {
        assert!(log_spaced(&[0.001, 0.01, 0.1, 1.0]));
        assert!(log_spaced(&[1.0, 10.0, 100.0, 1000.0, 10000.0]));
        assert!(log_spaced(&[1e-4, 1e-3]));
        assert!(!log_spaced(&[1.0, 2.0, 3.0, 4.0]));
        assert!(!log_spaced(&[10.0, 20.0, 30.0, 40.0, 50.0]));
        assert!(!log_spaced(&[0.0, 1.0, 10.0]), "zero has no log");
        assert!(!log_spaced(&[5.0]));
    }
}
