//! A study: an experiment file expanded into cells (one configuration each) by its `[sweep]`
//! table and command-line overrides, every cell validated before anything trains.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use toml_edit::{DocumentMut, Item, Value};

use crate::config::Resolved;
use crate::error::ConfigError;

/// Most runs one study may declare: a typo like `seeds = 1000000` fails up front.
pub const MAX_RUNS: u64 = 1_000_000;

/// One configuration of the study: the swept values that define it and its validated form.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Position in the plan, from 0.
    pub index: usize,
    /// `(dotted key, value as TOML text)` for every swept key, in sweep order.
    pub values: Vec<(String, String)>,
    /// The configuration with these values, validated and with every default filled in.
    pub resolved: Resolved,
}

impl Cell {
    /// `optim.lr=0.01, model.hidden=[20, 20]`, or `base` when nothing is swept.
    pub fn label(&self) -> String {
        if self.values.is_empty() {
            return "base".into();
        }
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.join(", ")
    }
}

/// An experiment file with its sweep expanded.
#[derive(Debug, Clone)]
pub struct Study {
    /// The experiment file.
    pub path: PathBuf,
    /// The file's text with command-line overrides applied.
    pub source: String,
    /// The swept keys, in order (grid axes, then zipped keys, then random ones).
    pub swept_keys: Vec<String>,
    /// Every configuration.
    pub cells: Vec<Cell>,
}

impl Study {
    /// The experiment's name (the same in every cell).
    pub fn name(&self) -> &str {
        &self.cells[0].resolved.experiment.name
    }

    /// Number of runs: cells times seeds.
    pub fn run_count(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.resolved.experiment.seeds.list().len())
            .sum()
    }

    /// Reads an experiment file, applies `overrides` (`dotted.key=value`), expands its sweep
    /// and validates every cell.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::parse(path, &text, overrides)
    }

    /// As [`Study::load`], from `text`.
    pub fn parse(path: &Path, text: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        let syntax = |message: String| ConfigError::Syntax {
            path: path.to_path_buf(),
            message,
        };
        let mut document: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| syntax(e.to_string()))?;
        for assignment in overrides {
            let (key, value) =
                parse_override(assignment).map_err(|message| ConfigError::Override {
                    assignment: assignment.clone(),
                    message,
                })?;
            set(&mut document, &key, value).map_err(|message| ConfigError::Override {
                assignment: assignment.clone(),
                message,
            })?;
        }
        let source = document.to_string();
        // The base file alone must be valid, so that its errors point at its own lines.
        let base = Resolved::parse(path, &source).map_err(|e| with_overrides(e, overrides))?;
        let invalid = |key: &str, message: String| base.error_at(key, message);
        let axes = match base.experiment.sweep.as_ref() {
            None => Vec::new(),
            Some(_) => sweep_axes(&document, &invalid)?,
        };
        let swept_keys: Vec<String> = axes.iter().flat_map(|a| a.keys.clone()).collect();
        for (i, expect) in base.experiment.expect.iter().enumerate() {
            expect.validate(&swept_keys).map_err(|message| {
                invalid(
                    "expect",
                    format!("claim {} (`{}`): {message}", i + 1, expect.claim),
                )
            })?;
        }
        let combinations: u64 = axes
            .iter()
            .map(|a| a.rows.len() as u64)
            .try_fold(1u64, u64::checked_mul)
            .unwrap_or(u64::MAX);
        let seeds = base.experiment.seeds.list().len() as u64;
        if combinations.saturating_mul(seeds) > MAX_RUNS {
            return Err(invalid(
                "sweep",
                format!(
                    "declares {} runs ({combinations} cells x {seeds} seeds); at most {MAX_RUNS} are allowed",
                    combinations.saturating_mul(seeds)
                ),
            ));
        }
        let mut cells = Vec::new();
        for (index, values) in cartesian(&axes).into_iter().enumerate() {
            let mut cell_document = document.clone();
            for (key, value) in &values {
                set(&mut cell_document, key, value.clone())
                    .map_err(|message| invalid("sweep", message))?;
            }
            let resolved = Resolved::parse(path, &cell_document.to_string()).map_err(|error| {
                ConfigError::Cell {
                    cell: index,
                    values: describe(&values),
                    source: Box::new(with_overrides(error, overrides)),
                }
            })?;
            let values = values
                .into_iter()
                .map(|(k, v)| (k, value_text(&v)))
                .collect();
            cells.push(Cell {
                index,
                values,
                resolved,
            });
        }
        if cells.is_empty() {
            return Err(invalid(
                "sweep",
                "declares no configuration (an empty list of values?)".into(),
            ));
        }
        Ok(Study {
            path: path.to_path_buf(),
            source,
            swept_keys,
            cells,
        })
    }
}

/// One independent dimension of the sweep: keys that vary together, and their rows of values.
struct Axis {
    keys: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// Reads `[sweep]`: grid axes (`"key" = [values]`), zipped groups (`[[sweep.zip]]`, keys
/// varying together) and random search (`[sweep.random]`, `n` draws).
fn sweep_axes(
    document: &DocumentMut,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Vec<Axis>, ConfigError> {
    let sweep = document["sweep"].as_table_like().ok_or_else(|| {
        invalid(
            "sweep",
            "must be a table of `\"dotted.key\" = [values]`".into(),
        )
    })?;
    let mut axes = Vec::new();
    for (key, item) in sweep.iter() {
        match key {
            "zip" => {
                let groups = item.as_array_of_tables().ok_or_else(|| {
                    invalid(
                        "sweep.zip",
                        "must be [[sweep.zip]] tables of equally long lists".into(),
                    )
                })?;
                for group in groups.iter() {
                    axes.push(zipped(group, invalid)?);
                }
            }
            "random" => {
                let table = item.as_table_like().ok_or_else(|| {
                    invalid("sweep.random", "must be a [sweep.random] table".into())
                })?;
                axes.push(random(table, invalid)?);
            }
            _ => {
                let values = list(item, key, &format!("sweep.\"{key}\""), invalid)?;
                axes.push(Axis {
                    keys: vec![key.to_string()],
                    rows: values.into_iter().map(|v| vec![v]).collect(),
                });
            }
        }
    }
    Ok(axes)
}

/// The values of the swept `key`, whose entry sits at the dotted path `at` (for errors).
fn list(
    item: &Item,
    key: &str,
    at: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Vec<Value>, ConfigError> {
    let array = item.as_array().ok_or_else(|| {
        invalid(
            at,
            format!("`{key}` must be a list of values to try, e.g. `\"{key}\" = [a, b]`"),
        )
    })?;
    if array.is_empty() {
        return Err(invalid(at, format!("`{key}` lists no value")));
    }
    Ok(array
        .iter()
        .cloned()
        .map(|mut v| {
            v.decor_mut().clear();
            v
        })
        .collect())
}

fn zipped(
    group: &toml_edit::Table,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Axis, ConfigError> {
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    for (key, item) in group.iter() {
        keys.push(key.to_string());
        columns.push(list(item, key, "sweep.zip", invalid)?);
    }
    let length = columns.first().map_or(0, Vec::len);
    if columns.iter().any(|c| c.len() != length) {
        return Err(invalid(
            "sweep.zip",
            format!(
                "the lists of {} vary together and must have one length",
                keys.join(", ")
            ),
        ));
    }
    let rows = (0..length)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok(Axis { keys, rows })
}

/// `n` draws (default 10) from `seed` (default 0), each key `{ uniform = [a, b] }`,
/// `{ log_uniform = [a, b] }` or `{ choice = [values] }`.
fn random(
    table: &dyn toml_edit::TableLike,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Axis, ConfigError> {
    let integer = |key: &str, default: i64| -> Result<i64, ConfigError> {
        match table.get(key) {
            None => Ok(default),
            Some(item) => item.as_integer().filter(|&n| n >= 0).ok_or_else(|| {
                invalid(
                    "sweep.random",
                    format!("`{key}` must be a non-negative integer"),
                )
            }),
        }
    };
    let draws = integer("n", 10)? as usize;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(integer("seed", 0)? as u64);
    let mut keys = Vec::new();
    let mut distributions = Vec::new();
    for (key, item) in table.iter().filter(|(k, _)| !["n", "seed"].contains(k)) {
        keys.push(key.to_string());
        distributions.push(Distribution::parse(key, item).map_err(|m| invalid("sweep.random", m))?);
    }
    let rows = (0..draws)
        .map(|_| distributions.iter().map(|d| d.draw(&mut rng)).collect())
        .collect();
    Ok(Axis { keys, rows })
}

enum Distribution {
    Uniform(f64, f64),
    LogUniform(f64, f64),
    Choice(Vec<Value>),
}

impl Distribution {
    fn parse(key: &str, item: &Item) -> Result<Self, String> {
        let usage = format!(
            "`{key}` must be {{ uniform = [low, high] }}, {{ log_uniform = [low, high] }} or {{ choice = [values] }}"
        );
        let table = item.as_table_like().ok_or_else(|| usage.clone())?;
        let (kind, value) = table
            .iter()
            .next()
            .filter(|_| table.len() == 1)
            .ok_or_else(|| usage.clone())?;
        let values = value.as_array().ok_or_else(|| usage.clone())?;
        let bounds = || -> Result<(f64, f64), String> {
            let numbers: Vec<f64> = values
                .iter()
                .filter_map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                .collect();
            match numbers[..] {
                [low, high] if low < high => Ok((low, high)),
                _ => Err(format!("`{key}`: `{kind}` needs two numbers, low < high")),
            }
        };
        match kind {
            "uniform" => bounds().map(|(l, h)| Distribution::Uniform(l, h)),
            "log_uniform" => match bounds()? {
                (l, h) if l > 0.0 => Ok(Distribution::LogUniform(l, h)),
                _ => Err(format!("`{key}`: `log_uniform` needs 0 < low < high")),
            },
            "choice" if !values.is_empty() => {
                Ok(Distribution::Choice(values.iter().cloned().collect()))
            }
            _ => Err(usage),
        }
    }

    fn draw(&self, rng: &mut impl Rng) -> Value {
        match self {
            Distribution::Uniform(low, high) => Value::from(rng.gen_range(*low..*high)),
            Distribution::LogUniform(low, high) => {
                Value::from(rng.gen_range(low.ln()..high.ln()).exp())
            }
            Distribution::Choice(values) => {
                let mut value = values[rng.gen_range(0..values.len())].clone();
                value.decor_mut().clear();
                value
            }
        }
    }
}

/// Every combination of one row per axis, the first axis varying slowest.
fn cartesian(axes: &[Axis]) -> Vec<Vec<(String, Value)>> {
    let mut cells = vec![Vec::new()];
    for axis in axes {
        let mut next = Vec::with_capacity(cells.len() * axis.rows.len());
        for cell in &cells {
            for row in &axis.rows {
                let mut extended: Vec<(String, Value)> = cell.clone();
                extended.extend(axis.keys.iter().cloned().zip(row.iter().cloned()));
                next.push(extended);
            }
        }
        cells = next;
    }
    cells
}

/// Splits `key=value`; the value is read as TOML, or as a string when it is not TOML.
fn parse_override(assignment: &str) -> Result<(String, Value), String> {
    let (key, value) = assignment
        .split_once('=')
        .ok_or("an override is `dotted.key=value`, e.g. `optim.lr=0.1`")?;
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err("the key before `=` must be a dotted key like `train.epochs`".into());
    }
    let value = value.trim();
    let parsed = value
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(value));
    Ok((key.to_string(), parsed))
}

/// Sets the dotted `key` in the document, creating tables on the way, in place when the key
/// exists so that the other keys keep their lines.
fn set(document: &mut DocumentMut, key: &str, value: Value) -> Result<(), String> {
    let segments: Vec<&str> = key.split('.').collect();
    let (last, parents) = segments
        .split_last()
        .expect("split yields at least one segment");
    let mut table: &mut dyn toml_edit::TableLike = document.as_table_mut();
    for segment in parents {
        let item = table.entry(segment).or_insert(toml_edit::table());
        table = item
            .as_table_like_mut()
            .ok_or_else(|| format!("`{segment}` in `{key}` is a value, not a table"))?;
    }
    match table.get_mut(last) {
        Some(item) if item.is_value() => {
            let decor = item.as_value().map(|v| v.decor().clone());
            let mut value = value;
            if let Some(decor) = decor {
                *value.decor_mut() = decor;
            }
            *item = Item::Value(value);
        }
        Some(_) => return Err(format!("`{key}` is a table; set one of its keys instead")),
        None => {
            table.insert(last, Item::Value(value));
        }
    }
    Ok(())
}

fn value_text(value: &Value) -> String {
    match value.as_str() {
        Some(text) => text.to_string(),
        None => value.to_string().trim().to_string(),
    }
}

fn describe(values: &[(String, Value)]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|(k, v)| format!("{k} = {}", v.to_string().trim()))
        .collect();
    parts.join(", ")
}

fn with_overrides(error: ConfigError, overrides: &[String]) -> ConfigError {
    if overrides.is_empty() {
        return error;
    }
    ConfigError::WithOverrides {
        overrides: overrides.join(" "),
        source: Box::new(error),
    }
}
