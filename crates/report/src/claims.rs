//! Checking claims (`dlp_config::Expect`) against the runs of a results folder.

use std::collections::BTreeMap;
use std::fmt;

use dlp_config::{Aggregate, Expect};
use dlp_results::{Run, Runs, value_text};

use crate::stats::{fmt as num, mean};

/// A checked claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimResult {
    /// The claim's text.
    pub claim: String,
    /// Whether it holds.
    pub passed: bool,
    /// The left-hand number: the mean of the selected runs (`aggregate = "mean"`).
    pub left: Option<f64>,
    /// The right-hand number, `times` included.
    pub right: Option<f64>,
    /// The fraction of seeds that satisfy the comparison (`aggregate = "fraction"`).
    pub fraction: Option<f64>,
    /// The numbers and, on failure, why.
    pub detail: String,
}

impl fmt::Display for ClaimResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        write!(f, "{verdict} {}: {}", self.claim, self.detail)
    }
}

impl ClaimResult {
    fn fail(expect: &Expect, detail: String) -> Self {
        Self {
            claim: expect.claim.clone(),
            passed: false,
            left: None,
            right: None,
            fraction: None,
            detail,
        }
    }
}

/// Checks every claim against `runs`.
pub fn evaluate_all(expect: &[Expect], runs: &Runs) -> Vec<ClaimResult> {
    expect.iter().map(|e| evaluate(e, runs)).collect()
}

/// Checks one claim against `runs`. An invalid claim, an empty selection, a run without the
/// metric, or a NaN (a diverged run) makes it FAIL, saying why.
pub fn evaluate(expect: &Expect, runs: &Runs) -> ClaimResult {
    if let Err(message) = expect.validate(&runs.swept) {
        return ClaimResult::fail(expect, format!("invalid claim: {message}"));
    }
    let left = select(runs, expect.select.as_ref());
    if left.is_empty() {
        let what = describe(expect.select.as_ref());
        return ClaimResult::fail(expect, format!("`where` {what} selects no runs"));
    }
    let right = match &expect.than {
        None => None,
        Some(than) => {
            let right = select(runs, Some(than));
            if right.is_empty() {
                let what = describe(Some(than));
                return ClaimResult::fail(expect, format!("`than` {what} selects no runs"));
            }
            Some(right)
        }
    };
    let metric = match expect.epoch {
        Some(epoch) => format!("{} at epoch {epoch}", expect.metric),
        None => expect.metric.clone(),
    };
    match expect.aggregate {
        Aggregate::Mean => by_mean(expect, &metric, &left, right.as_deref()),
        Aggregate::Fraction => by_fraction(expect, &metric, &left, right.as_deref()),
    }
}

fn by_mean(expect: &Expect, metric: &str, left: &[&Run], right: Option<&[&Run]>) -> ClaimResult {
    let (left_values, left_note) = match values(expect, left) {
        Ok(v) => v,
        Err(why) => return ClaimResult::fail(expect, format!("{metric}: {why} on the left")),
    };
    let left_mean = mean(&left_values);
    let (right_mean, right_text, right_note) = match right {
        None => {
            let value = expect.value.expect("validated: value or than");
            (
                value * expect.times,
                times_text(expect.times, value),
                String::new(),
            )
        }
        Some(right) => {
            let (values, note) = match values(expect, right) {
                Ok(v) => v,
                Err(why) => {
                    return ClaimResult::fail(expect, format!("{metric}: {why} on the right"));
                }
            };
            let m = mean(&values);
            let text = format!("{} ({})", times_text(expect.times, m), count(right));
            (m * expect.times, text, note)
        }
    };
    let passed = expect.op.holds(left_mean, right_mean);
    let mut detail = format!(
        "{metric} mean {} ({}) {} {right_text}",
        num(left_mean),
        count(left),
        expect.op.symbol()
    );
    for note in [left_note, right_note]
        .into_iter()
        .filter(|n| !n.is_empty())
    {
        detail.push_str(&format!("; {note}"));
    }
    ClaimResult {
        claim: expect.claim.clone(),
        passed,
        left: Some(left_mean),
        right: Some(right_mean),
        fraction: None,
        detail,
    }
}

fn by_fraction(
    expect: &Expect,
    metric: &str,
    left: &[&Run],
    right: Option<&[&Run]>,
) -> ClaimResult {
    let at_least = expect.at_least.unwrap_or(1.0);
    let left_seeds = per_seed(expect, left);
    let right_seeds = right.map(|r| per_seed(expect, r));
    let mut pairs = Vec::new();
    for (seed, &l) in &left_seeds {
        match &right_seeds {
            None => pairs.push((l, expect.value.expect("validated") * expect.times)),
            Some(r) => {
                if let Some(&r) = r.get(seed) {
                    pairs.push((l, r * expect.times));
                }
            }
        }
    }
    if pairs.is_empty() {
        return ClaimResult::fail(expect, "no seed is in both `where` and `than`".into());
    }
    let held = pairs
        .iter()
        .filter(|(l, r)| expect.op.holds(*l, *r))
        .count();
    let invalid = pairs
        .iter()
        .filter(|(l, r)| l.is_nan() || r.is_nan())
        .count();
    let fraction = held as f64 / pairs.len() as f64;
    let rhs = match expect.value {
        Some(value) => times_text(expect.times, value),
        None if expect.times == 1.0 => "`than`".to_string(),
        None => format!("{} x `than`", num(expect.times)),
    };
    let mut detail = format!(
        "{metric} {} {rhs} for {held} of {} seeds{} (fraction {} {} at_least {})",
        expect.op.symbol(),
        pairs.len(),
        if right.is_some() { " paired" } else { "" },
        num(fraction),
        if fraction >= at_least { ">=" } else { "<" },
        num(at_least),
    );
    if invalid > 0 {
        detail.push_str(&format!(
            "; {invalid} seed(s) without a finite value (diverged or not reached) count as failing"
        ));
    }
    ClaimResult {
        claim: expect.claim.clone(),
        passed: fraction >= at_least,
        left: None,
        right: expect.value.map(|v| v * expect.times),
        fraction: Some(fraction),
        detail,
    }
}

/// The runs whose swept values match every key of `selection` (all runs without one).
fn select<'a>(runs: &'a Runs, selection: Option<&toml::Table>) -> Vec<&'a Run> {
    runs.runs
        .iter()
        .filter(|run| {
            selection.into_iter().flatten().all(|(key, wanted)| {
                run.swept_value(key)
                    .is_some_and(|text| same_value(wanted, text))
            })
        })
        .collect()
}

/// Whether a TOML value and a `runs.csv` text are the same value: token by token, numbers
/// compared as numbers (`0.010` = `0.01`, `[20, 20]` = `[20 20]`).
fn same_value(wanted: &toml::Value, text: &str) -> bool {
    let parsed = format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"));
    match parsed {
        Some(found) => equal(wanted, &found),
        None => same_tokens(wanted, text),
    }
}

/// Structural equality, numbers compared as numbers (`1` equals `1.0`).
fn equal(a: &toml::Value, b: &toml::Value) -> bool {
    use toml::Value::{Array, Float, Integer, String, Table};
    let number = |v: &toml::Value| match v {
        Integer(i) => Some(*i as f64),
        Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y)),
        (Table(x), Table(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        (String(x), String(y)) => x == y,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// Token-wise comparison for texts that are not TOML values (`[20 20]`, `relu`).
fn same_tokens(wanted: &toml::Value, text: &str) -> bool {
    let tokens = |s: &str| -> Vec<String> {
        s.split(|c: char| c == '[' || c == ']' || c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (tokens(&value_text(wanted)), tokens(text));
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => x == y,
            })
}

/// The metric of each run; an error when some run lacks it.
fn values(expect: &Expect, runs: &[&Run]) -> Result<(Vec<f64>, String), String> {
    let mut out = Vec::new();
    let mut missing = 0;
    for run in runs {
        match value(expect, run) {
            Some(v) => out.push(v),
            None => missing += 1,
        }
    }
    if missing > 0 {
        let why = match expect.epoch {
            Some(epoch) => format!("stopped before epoch {epoch}"),
            None if expect.metric.ends_with("_to_threshold") => "threshold not reached".into(),
            None => "empty".into(),
        };
        return Err(format!(
            "{missing} of {} runs have no value ({why})",
            runs.len()
        ));
    }
    let bad = out.iter().filter(|v| !v.is_finite()).count();
    let note = if bad > 0 {
        let diverged = runs.iter().filter(|r| r.diverged()).count();
        format!("{bad} run(s) NaN or infinite ({diverged} diverged), so the mean is not a number")
    } else {
        String::new()
    };
    Ok((out, note))
}

fn value(expect: &Expect, run: &Run) -> Option<f64> {
    match expect.epoch {
        Some(epoch) => run.at_epoch(&expect.metric, epoch),
        None => run.number(&expect.metric),
    }
}

/// The metric per seed, averaged over the selected groups; a missing value is NaN (fails).
fn per_seed(expect: &Expect, runs: &[&Run]) -> BTreeMap<u64, f64> {
    let mut by_seed: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for run in runs {
        let v = value(expect, run).unwrap_or(f64::NAN);
        by_seed.entry(run.seed).or_default().push(v);
    }
    by_seed.into_iter().map(|(s, v)| (s, mean(&v))).collect()
}

fn count(runs: &[&Run]) -> String {
    let mut cells: Vec<usize> = runs.iter().map(|r| r.cell).collect();
    cells.sort_unstable();
    cells.dedup();
    if cells.len() == 1 {
        format!("{} seeds", runs.len())
    } else {
        format!("{} runs in {} groups", runs.len(), cells.len())
    }
}

fn times_text(times: f64, value: f64) -> String {
    if times == 1.0 {
        num(value)
    } else {
        format!("{} x {} = {}", num(times), num(value), num(times * value))
    }
}

fn describe(selection: Option<&toml::Table>) -> String {
    let parts: Vec<String> = selection
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", value_text(v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlp_config::Expect;
    use dlp_results::testing::sample;

    fn claim(text: &str) -> Expect {
        toml::from_str(text).unwrap()
    }

    fn check(text: &str) -> ClaimResult {
        evaluate(&claim(&format!("claim = 'c'\n{text}")), &sample())
    }

    const RELU: &str = "where = { 'model.activation' = 'relu' }";
    const SIG: &str = "than = { 'model.activation' = 'sigmoid' }";

    #[test]
    fn each_op_against_a_value() {
        // relu epochs_to_threshold: 3, 2, 4: mean exactly 3.
        let at = |op: &str, value: f64| {
            check(&format!(
                "metric = 'epochs_to_threshold'\n{RELU}\nop = '{op}'\nvalue = {value}"
            ))
        };
        assert!(at(">", 2.5).passed && !at(">", 3.0).passed);
        assert!(at(">=", 3.0).passed && !at(">=", 3.5).passed);
        assert!(at("<", 3.5).passed && !at("<", 3.0).passed);
        assert!(at("<=", 3.0).passed && !at("<=", 2.5).passed);
        let r = at(">", 2.5);
        assert_eq!((r.left, r.right), (Some(3.0), Some(2.5)));
        assert_eq!(
            r.to_string(),
            "PASS c: epochs_to_threshold mean 3 (3 seeds) > 2.5"
        );
    }

    #[test]
    fn than_and_times() {
        // relu epoch-1 test_acc: 0.9, 0.8, 0.7 (mean 0.8); sigmoid: 0.6, 0.6, 0.5 (0.5667).
        let r = check(&format!(
            "metric = 'test_acc'\nepoch = 1\n{RELU}\nop = '>'\n{SIG}"
        ));
        assert!(r.passed, "{r}");
        assert!((r.right.unwrap() - 1.7 / 3.0).abs() < 1e-12);
        let r = check(&format!(
            "metric = 'test_acc'\nepoch = 1\n{RELU}\nop = '>'\n{SIG}\ntimes = 1.5"
        ));
        assert!(!r.passed, "{r}"); // 0.8 > 1.5 * 0.5667 = 0.85 is false
        assert!(r.detail.contains("1.5 x 0.5667 = 0.85"), "{r}");
    }

    #[test]
    fn diverged_runs_make_the_mean_fail() {
        // The sigmoid group holds a NaN: its mean is NaN and no comparison holds.
        let r = check(&format!(
            "metric = 'final_test_acc'\n{RELU}\nop = '>'\n{SIG}"
        ));
        assert!(!r.passed);
        assert!(r.detail.contains("1 diverged"), "{r}");
    }

    #[test]
    fn fraction_paired_by_seed() {
        // Epoch-1 test_acc by seed, relu vs sigmoid: 0.9 > 0.6, 0.8 > 0.6, 0.7 > 0.5: 3 of 3;
        // against 1.4 x sigmoid (0.84, 0.84, 0.7): only seed 0 holds, 1 of 3.
        let base = format!("metric = 'test_acc'\nepoch = 1\n{RELU}\nop = '>'\n{SIG}");
        let r = check(&format!("{base}\naggregate = 'fraction'"));
        assert!(r.passed && r.fraction == Some(1.0), "{r}");
        let r = check(&format!(
            "{base}\naggregate = 'fraction'\ntimes = 1.4\nat_least = 0.3"
        ));
        assert!(r.passed, "{r}");
        assert!(r.detail.contains("for 1 of 3 seeds paired"), "{r}");
        let r = check(&format!(
            "{base}\naggregate = 'fraction'\ntimes = 1.4\nat_least = 0.5"
        ));
        assert!(!r.passed, "{r}");
        // Against a value, the diverged seed's NaN counts as failing: 2 of 3.
        let r = check(
            "metric = 'final_test_acc'\nwhere = { 'model.activation' = 'sigmoid' }\n\
             op = '>='\nvalue = 0.8\naggregate = 'fraction'\nat_least = 0.6",
        );
        assert!(r.passed && r.detail.contains("2 of 3"), "{r}");
        assert!(r.detail.contains("count as failing"), "{r}");
    }

    #[test]
    fn missing_selection_or_value_fails_with_a_reason() {
        let r = check(
            "metric = 'final_test_acc'\nwhere = { 'model.activation' = 'tanh' }\nop = '>'\nvalue = 0",
        );
        assert!(!r.passed && r.detail.contains("selects no runs"), "{r}");
        let r = check(&format!(
            "metric = 'final_test_acc'\n{RELU}\nop = '>'\nthan = {{ 'model.activation' = 'gelu' }}"
        ));
        assert!(!r.passed && r.detail.contains("`than`"), "{r}");
        // sigmoid seed 0 never reached the threshold.
        let r = check("metric = 'epochs_to_threshold'\nop = '<'\nvalue = 100");
        assert!(
            !r.passed && r.detail.contains("threshold not reached"),
            "{r}"
        );
        // All runs (no `where`): 6 runs in 2 groups.
        let r = check("metric = 'final_test_acc'\nop = '>'\nvalue = 0");
        assert!(!r.passed && r.detail.contains("6 runs in 2 groups"), "{r}");
    }

    #[test]
    fn values_match_by_text_form() {
        let v: toml::Table = toml::from_str("a = [20, 20]\nb = 0.010\nc = 'relu'").unwrap();
        assert!(same_value(&v["a"], "[20 20]"));
        assert!(!same_value(&v["a"], "[20 20 20]"));
        assert!(same_value(&v["b"], "0.01"));
        assert!(same_value(&v["c"], "relu") && !same_value(&v["c"], "relu6"));
        let table: toml::Table = toml::from_str("s = { name = \"step\", step_size = 10 }").unwrap();
        assert!(same_value(
            &table["s"],
            "{ name = \"step\", step_size = 10.0 }"
        ));
        assert!(!same_value(
            &table["s"],
            "{ name = \"step\", step_size = 5 }"
        ));
    }
}
