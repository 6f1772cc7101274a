//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while validating a [`DataConfig`](crate::DataConfig) or
/// loading its data.
///
/// Messages are lowercase fragments without a trailing period, so that they read well after
/// "failed to load data: ". Errors about the `[data]` table carry the offending key; see
/// [`DataError::key`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A value is outside the range its key accepts.
    #[error("`{key}` must be {allowed} (got {got})")]
    OutOfRange {
        /// The offending key, relative to the `[data]` table.
        key: &'static str,
        /// What the key accepts, e.g. `>= 0`.
        allowed: &'static str,
        /// The rejected value as written.
        got: String,
    },

    /// A key was given that the chosen `kind` does not use.
    #[error("`{key}` does not apply to kind `{kind}` (it accepts: {accepted})")]
    NotApplicable {
        /// The offending key, relative to the `[data]` table.
        key: &'static str,
        /// The chosen dataset kind.
        kind: &'static str,
        /// The keys that kind accepts, comma-separated.
        accepted: &'static str,
    },

    /// A key the chosen `kind` requires is missing.
    #[error("`{key}` is required for kind `{kind}`")]
    MissingKey {
        /// The missing key, relative to the `[data]` table.
        key: &'static str,
        /// The chosen dataset kind.
        kind: &'static str,
    },

    /// Two keys were given that exclude each other.
    #[error("`{key}` cannot be combined with `{other}` ({reason})")]
    Conflict {
        /// The offending key, relative to the `[data]` table.
        key: &'static str,
        /// The key it conflicts with.
        other: &'static str,
        /// Why the two exclude each other.
        reason: &'static str,
    },

    /// `features` is empty or lists a feature twice.
    #[error("`features` {reason}")]
    BadFeatures {
        /// What is wrong with the list.
        reason: String,
    },

    /// `features` is set for data that does not have exactly 2 feature columns.
    #[error(
        "`features` needs 2-D data (the features are computed from x1 and x2), but the data \
         has {columns} feature column(s); remove `features` or keep 2 columns"
    )]
    FeaturesNeed2d {
        /// The data's number of feature columns.
        columns: usize,
    },

    /// A data file could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The `[data]` key naming the file (`path` or `test_path`).
        key: &'static str,
        /// The file, resolved against the experiment's folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The csv reader rejected a record (e.g. invalid UTF-8).
    #[error("`{}` line {line}: {message}", path.display())]
    CsvSyntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line, as a text editor shows it.
        line: u64,
        /// The csv reader's description of the problem.
        message: String,
    },

    /// A data file has no header row.
    #[error("`{}` is empty (a header row naming the columns is required)", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },

    /// A data file has a header but no data rows.
    #[error("`{}` line {line}: no data rows after the header", path.display())]
    NoRows {
        /// The file.
        path: PathBuf,
        /// The line after the header.
        line: u64,
    },

    /// A row has a different number of cells than the header.
    #[error("`{}` line {line}: expected {expected} cells like the header, found {found}", path.display())]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// Number of columns in the header.
        expected: usize,
        /// Number of cells in this row.
        found: usize,
    },

    /// A feature cell is not a number.
    #[error("`{}` line {line}: column `{column}` holds `{value}`, which is not a number", path.display())]
    NonNumeric {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The column's header name.
        column: String,
        /// The cell as written.
        value: String,
    },

    /// A feature cell is NaN, infinite or too large for `f32`.
    #[error("`{}` line {line}: column `{column}` holds `{value}`, which is not a finite `f32` number", path.display())]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The column's header name.
        column: String,
        /// The cell as written.
        value: String,
    },

    /// A label cell is not a non-negative integer.
    #[error("`{}` line {line}: label column `{column}` holds `{value}`, which is not a non-negative integer", path.display())]
    BadLabel {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The label column's header name.
        column: String,
        /// The cell as written.
        value: String,
    },

    /// The training data holds fewer than two classes.
    #[error("`{}` holds {found} class(es) (at least 2 are required)", path.display())]
    TooFewClasses {
        /// The file.
        path: PathBuf,
        /// Number of distinct labels found.
        found: usize,
    },

    /// The labels are not the contiguous range `0..k`.
    #[error("`{}`: labels must be 0..={max} with every class present, but class {missing} never appears", path.display())]
    MissingClass {
        /// The file.
        path: PathBuf,
        /// The largest label found.
        max: u32,
        /// The smallest absent label.
        missing: u32,
    },

    /// A test-file label names a class the training data does not have.
    #[error("`{}` line {line}: label {label} is not a class of the training data (classes 0..={max})", path.display())]
    UnknownClass {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The label.
        label: u32,
        /// The largest training label.
        max: u32,
    },

    /// `label_column` names no column of the header.
    #[error("`{}` line 1: no column `{name}` for `label_column` (columns: {columns})", path.display())]
    UnknownLabelColumn {
        /// The file.
        path: PathBuf,
        /// The requested column.
        name: String,
        /// The header's columns, comma-separated.
        columns: String,
    },

    /// The header has no feature column besides the label column.
    #[error("`{}` line 1: no feature column besides the label column `{label}`", path.display())]
    NoFeatures {
        /// The file.
        path: PathBuf,
        /// The label column's name.
        label: String,
    },

    /// The test file's header differs from the training file's.
    #[error("`{}` line 1: header `{found}` differs from the training file's `{expected}`", path.display())]
    HeaderMismatch {
        /// The test file.
        path: PathBuf,
        /// The training file's header.
        expected: String,
        /// The test file's header.
        found: String,
    },

    /// A file is too small to hold out a test set with `test_fraction`.
    #[error("`{}` has {rows} row(s), too few to hold out a test fraction of {test_fraction} and keep a training set", path.display())]
    TooFewRows {
        /// The file.
        path: PathBuf,
        /// Number of data rows.
        rows: usize,
        /// The requested fraction.
        test_fraction: f64,
    },

    /// The training set is too small to carve a validation set with `validation_fraction`.
    #[error(
        "`validation_fraction` = {fraction} of {rows} training rows leaves no row for validation \
         or for training (round(rows * fraction) must be between 1 and rows - 1)"
    )]
    TooFewForValidation {
        /// Training rows before the carve.
        rows: usize,
        /// The requested fraction.
        fraction: f64,
    },
}

impl DataError {
    /// The `[data]` key this error is attributed to, relative to the table (e.g. `"noise"`),
    /// so that the caller can point at its file, line and column; `None` for errors that are
    /// about the contents of a data file rather than a key.
    pub fn key(&self) -> Option<&str> {
        match self {
            DataError::OutOfRange { key, .. }
            | DataError::NotApplicable { key, .. }
            | DataError::MissingKey { key, .. }
            | DataError::Conflict { key, .. }
            | DataError::Io { key, .. } => Some(key),
            DataError::UnknownLabelColumn { .. } => Some("label_column"),
            DataError::BadFeatures { .. } | DataError::FeaturesNeed2d { .. } => Some("features"),
            DataError::TooFewForValidation { .. } => Some("validation_fraction"),
            _ => None,
        }
    }
}
