//! Claims: the `[[expect]]` entries of an experiment file, their schema and validation.
//! The report (`dlp-report`) checks them against the results.
//!
//! ```toml
//! [[expect]]
//! claim = "ReLU beats sigmoid"
//! metric = "final_test_acc"
//! where = { "model.activation" = "relu" }
//! op = ">"
//! than = { "model.activation" = "sigmoid" }
//! ```

use serde::{Deserialize, Serialize};

/// `runs.csv` columns that hold text, not numbers: every other column a claim can name.
const TEXT_COLUMNS: &[&str] = &[
    "dataset",
    "hidden",
    "activation",
    "loss",
    "optimizer",
    "schedule",
    "status",
    "stop_reason",
];

/// Numeric `runs.csv` columns a claim can name.
pub fn run_metrics() -> Vec<&'static str> {
    crate::columns::RUN_COLUMNS
        .iter()
        .copied()
        .filter(|c| !TEXT_COLUMNS.contains(c))
        .collect()
}

/// `epochs.csv` metrics a claim can name, with `epoch = N`.
pub const EPOCH_METRICS: &[&str] = &[
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "val_loss",
    "val_acc",
];

/// One `[[expect]]` entry: a claim about the results, checked by `dlp run`'s report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The text shown with PASS or FAIL.
    pub claim: String,
    /// A numeric `runs.csv` column ([`run_metrics`]) or, with `epoch`, an `epochs.csv` metric
    /// ([`EPOCH_METRICS`]).
    pub metric: String,
    /// The epoch at which an `epochs.csv` metric is read. Only with those metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<usize>,
    /// The runs on the left: swept key = value (compared by text form). Defaults to all runs.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub select: Option<toml::Table>,
    /// The comparison.
    pub op: Op,
    /// A number on the right. Exactly one of `value` and `than`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The runs on the right, selected like `where`. Exactly one of `value` and `than`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub than: Option<toml::Table>,
    /// A factor on the right-hand side ("6x faster": `times = 6`). Defaults to `1.0`.
    #[serde(default = "one")]
    pub times: f64,
    /// How seeds are combined. Defaults to `"mean"`.
    #[serde(default)]
    pub aggregate: Aggregate,
    /// With `aggregate = "fraction"`: the fraction of seeds that must satisfy the comparison.
    /// Defaults to `1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
}

fn one() -> f64 {
    1.0
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
}

impl Op {
    /// Whether `left op right`; false whenever either side is NaN.
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Gt => left > right,
            Op::Ge => left >= right,
            Op::Lt => left < right,
            Op::Le => left <= right,
        }
    }

    /// The operator as written in the file.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// How a claim combines seeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Compare the mean over the selected runs.
    #[default]
    Mean,
    /// Compare seed by seed (paired by seed with `than`); the fraction that holds must be
    /// at least `at_least`.
    Fraction,
}

impl Expect {
    /// Checks the claim against the experiment's swept keys; the message names the field.
    pub fn validate(&self, swept_keys: &[String]) -> Result<(), String> {
        if self.claim.trim().is_empty() {
            return Err("`claim` is empty; say what is expected".into());
        }
        let is_epoch_metric = EPOCH_METRICS.contains(&self.metric.as_str());
        if !is_epoch_metric && !run_metrics().contains(&self.metric.as_str()) {
            return Err(format!(
                "unknown `metric` `{}` (runs.csv: {}; with `epoch`: {})",
                self.metric,
                run_metrics().join(", "),
                EPOCH_METRICS.join(", ")
            ));
        }
        match (is_epoch_metric, self.epoch) {
            (true, None) => {
                return Err(format!(
                    "`epoch` is required with the epochs.csv metric `{}`",
                    self.metric
                ));
            }
            (false, Some(_)) => {
                return Err(format!(
                    "`epoch` applies only to epochs.csv metrics ({}), not `{}`",
                    EPOCH_METRICS.join(", "),
                    self.metric
                ));
            }
            _ => {}
        }
        for (field, selection) in [("where", &self.select), ("than", &self.than)] {
            for key in selection.iter().flat_map(|s| s.keys()) {
                if !swept_keys.contains(key) {
                    let swept = if swept_keys.is_empty() {
                        "nothing is swept".to_string()
                    } else {
                        format!("swept: {}", swept_keys.join(", "))
                    };
                    return Err(format!("`{field}` key `{key}` is not swept ({swept})"));
                }
            }
        }
        match (self.value, &self.than) {
            (Some(_), Some(_)) => return Err("give either `value` or `than`, not both".into()),
            (None, None) => return Err("needs `value` (a number) or `than` (a selection)".into()),
            (Some(v), None) if !v.is_finite() => {
                return Err(format!("`value` must be a finite number (got {v})"));
            }
            _ => {}
        }
        if !(self.times.is_finite() && self.times > 0.0) {
            return Err(format!(
                "`times` must be a finite number > 0 (got {})",
                self.times
            ));
        }
        if let Some(at_least) = self.at_least {
            if !(0.0..=1.0).contains(&at_least) {
                return Err(format!("`at_least` must be in [0, 1] (got {at_least})"));
            }
            if self.aggregate != Aggregate::Fraction {
                return Err("`at_least` applies only with `aggregate = \"fraction\"`".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(text: &str) -> Expect {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let swept = vec!["model.activation".to_string()];
        let err = |text: &str| {
            claim(&format!("claim = 'c'\n{text}"))
                .validate(&swept)
                .unwrap_err()
        };
        assert!(err("metric = 'speed'\nop = '>'\nvalue = 1").contains("unknown `metric` `speed`"));
        assert!(err("metric = 'test_acc'\nop = '>'\nvalue = 1").contains("`epoch` is required"));
        assert!(
            err("metric = 'final_test_acc'\nepoch = 3\nop = '>'\nvalue = 1")
                .contains("`epoch` applies only")
        );
        assert!(
            err("metric = 'final_test_acc'\nwhere = { 'optim.lr' = 0.1 }\nop = '>'\nvalue = 1")
                .contains("`where` key `optim.lr` is not swept")
        );
        assert!(
            err("metric = 'final_test_acc'\nop = '>'\nvalue = 1\nthan = { 'model.activation' = 'sigmoid' }")
            .contains("not both")
        );
        assert!(err("metric = 'final_test_acc'\nop = '>'").contains("needs `value`"));
        assert!(err("metric = 'final_test_acc'\nop = '>'\nvalue = 1\naggregate = 'fraction'\nat_least = 1.5").contains("`at_least` must be in [0, 1]"));
        assert!(
            err("metric = 'final_test_acc'\nop = '>'\nvalue = 1\nat_least = 0.5")
                .contains("only with `aggregate")
        );
        assert!(
            err("metric = 'final_test_acc'\nop = '>'\nvalue = 1\ntimes = 0").contains("`times`")
        );
        let unknown =
            toml::from_str::<Expect>("claim = 'c'\nmetric = 'x'\nop = '>'\nvalue = 1\nvalu = 2");
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown field `valu`")
        );
        let bad_op = toml::from_str::<Expect>("claim = 'c'\nmetric = 'x'\nop = '=='\nvalue = 1");
        assert!(bad_op.is_err());
    }
}
