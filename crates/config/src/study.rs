//! A study: an experiment file expanded into cells (one configuration each) by its `[sweep]`
//! table and command-line overrides, every cell validated before anything trains.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use toml_edit::{DocumentMut, Item, Value};

use crate::error::ConfigError;
use crate::experiment::Resolved;
use crate::provenance::Provenance;

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
    /// What the overrides changed in the sweep, one line each (`dlp check` and `dlp run`
    /// print them).
    pub notes: Vec<String>,
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
        let mut document: DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| ConfigError::Syntax {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
        let mut provenance = Provenance::file(path, text);
        let mut pinned = Vec::new();
        for assignment in overrides {
            let error = |message| ConfigError::Override {
                assignment: assignment.clone(),
                message,
            };
            let (key, value) = parse_override(assignment).map_err(error)?;
            set(&mut document, &key, value.clone()).map_err(error)?;
            provenance.overridden(&key, assignment);
            pinned.push((key, value, assignment));
        }
        let source = document.to_string();
        // The base file alone must be valid, so that its errors point at its own lines.
        let base = Resolved::parse_edited(&source, provenance.clone())
            .map_err(|e| with_overrides(e, overrides))?;
        let invalid = |key: &str, message: String| base.error_at(key, message);
        let mut axes = match base.experiment.sweep.as_ref() {
            None => Vec::new(),
            Some(_) => sweep_axes(&document, &invalid)?,
        };
        let mut notes = Vec::new();
        for (key, value, assignment) in &pinned {
            if let Some(replaced) = pin(&mut axes, key, value) {
                notes.push(format!(
                    "`{assignment}` replaces the sweep of `{key}` ({replaced})"
                ));
            }
        }
        let swept_keys: Vec<String> = axes
            .iter()
            .flat_map(|a| a.columns.iter().map(|c| c.key.clone()))
            .collect();
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
        let mut cells: Vec<Cell> = Vec::new();
        for values in cartesian(&axes) {
            let texts: Vec<(String, String)> = values
                .iter()
                .map(|(column, v)| (column.key.clone(), value_text(v)))
                .collect();
            // An override that pins a key zipped with others can repeat a combination.
            if cells.iter().any(|c| c.values == texts) {
                continue;
            }
            let mut cell_document = document.clone();
            let mut cell_provenance = provenance.clone();
            for (column, value) in &values {
                set(&mut cell_document, &column.key, value.clone())
                    .map_err(|message| invalid(&column.entry, message))?;
                if !pinned.iter().any(|(key, ..)| *key == column.key) {
                    cell_provenance.swept(&column.key, &column.entry);
                }
            }
            let index = cells.len();
            let resolved = Resolved::parse_edited(&cell_document.to_string(), cell_provenance)
                .map_err(|error| ConfigError::Cell {
                    cell: index,
                    values: describe(&values),
                    source: Box::new(with_overrides(error, overrides)),
                })?;
            cells.push(Cell {
                index,
                values: texts,
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
            notes,
            cells,
        })
    }
}

/// Replaces the values of the swept `key` by the override's `value`, as Hydra does; the
/// replaced values as text, or `None` when `key` is not swept.
fn pin(axes: &mut [Axis], key: &str, value: &Value) -> Option<String> {
    let mut replaced: Option<Vec<String>> = None;
    for axis in axes {
        let Some(column) = axis.columns.iter().position(|c| c.key == key) else {
            continue;
        };
        let seen = replaced.get_or_insert_with(Vec::new);
        for row in &mut axis.rows {
            let text = value_text(&row[column]);
            if !seen.contains(&text) {
                seen.push(text);
            }
            row[column] = value.clone();
        }
    }
    replaced.map(|values| values.join(", "))
}

/// One independent dimension of the sweep: keys that vary together, and their rows of values.
struct Axis {
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
}

/// A swept key and where its values are written (a dotted path into `[sweep]`, for errors).
#[derive(Clone)]
struct Column {
    key: String,
    entry: String,
}

impl Column {
    fn new(key: &str, table: &str) -> Self {
        Column {
            key: key.to_string(),
            entry: format!("{table}.\"{key}\""),
        }
    }
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
                let column = Column::new(key, "sweep");
                let values = list(item, key, &column.entry, invalid)?;
                axes.push(Axis {
                    columns: vec![column],
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
    let mut columns = Vec::new();
    let mut lists = Vec::new();
    for (key, item) in group.iter() {
        let column = Column::new(key, "sweep.zip");
        lists.push(list(item, key, &column.entry, invalid)?);
        columns.push(column);
    }
    let length = lists.first().map_or(0, Vec::len);
    if lists.iter().any(|l| l.len() != length) {
        let keys: Vec<&str> = columns.iter().map(|c| c.key.as_str()).collect();
        return Err(invalid(
            "sweep.zip",
            format!(
                "the lists of {} vary together and must have one length",
                keys.join(", ")
            ),
        ));
    }
    let rows = (0..length)
        .map(|i| lists.iter().map(|l| l[i].clone()).collect())
        .collect();
    Ok(Axis { columns, rows })
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
    let mut columns = Vec::new();
    let mut distributions = Vec::new();
    for (key, item) in table.iter().filter(|(k, _)| !["n", "seed"].contains(k)) {
        let column = Column::new(key, "sweep.random");
        distributions.push(Distribution::parse(key, item).map_err(|m| invalid(&column.entry, m))?);
        columns.push(column);
    }
    let rows = (0..draws)
        .map(|_| distributions.iter().map(|d| d.draw(&mut rng)).collect())
        .collect();
    Ok(Axis { columns, rows })
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
fn cartesian(axes: &[Axis]) -> Vec<Vec<(Column, Value)>> {
    let mut cells = vec![Vec::new()];
    for axis in axes {
        let mut next = Vec::with_capacity(cells.len() * axis.rows.len());
        for cell in &cells {
            for row in &axis.rows {
                let mut extended: Vec<(Column, Value)> = cell.clone();
                extended.extend(axis.columns.iter().cloned().zip(row.iter().cloned()));
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

/// A swept value as `runs.csv` and cell labels show it: a string bare (`relu`), a list of
/// strings bare and space-separated like the `hidden` column (`[x1 x2 x1^2]`, no quotes for
/// csv to double), anything else as TOML (`0.01`, `[20, 20]`).
fn value_text(value: &Value) -> String {
    if let Some(text) = value.as_str() {
        return text.to_string();
    }
    if let Some(items) = value.as_array().filter(|a| !a.is_empty())
        && let Some(texts) = items.iter().map(Value::as_str).collect::<Option<Vec<_>>>()
    {
        return format!("[{}]", texts.join(" "));
    }
    value.to_string().trim().to_string()
}

fn describe(values: &[(Column, Value)]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|(c, v)| format!("{} = {}", c.key, v.to_string().trim()))
        .collect();
    parts.join(", ")
}

fn with_overrides(error: ConfigError, overrides: &[String]) -> ConfigError {
    if overrides.is_empty() || matches!(error, ConfigError::Override { .. }) {
        return error;
    }
    ConfigError::WithOverrides {
        overrides: overrides.join(" "),
        source: Box::new(error),
    }
}
