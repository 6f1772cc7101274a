//! A user's own data from csv files.
//!
//! Format: a header row naming the columns, then one row per point. Every column but the
//! label column is a feature and must hold finite numbers (representable as `f32`). The
//! label column holds class indices written as non-negative integers; the classes of the
//! training data must be exactly `0..k` for some `k >= 2`, with every class present (so that
//! class `j` means the same thing in every run). Cells are trimmed of surrounding spaces.
//! Errors name the file and the 1-based line, as a text editor shows it.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;

use crate::{DataError, Dataset, Split, derive_seed, rng};

/// The parsed contents of one csv file.
#[derive(Debug)]
struct Table {
    path: PathBuf,
    /// The header's cells.
    header: Vec<String>,
    /// Row-major features.
    features: Vec<f32>,
    /// One label per row.
    labels: Vec<u32>,
    /// The 1-based line of each row.
    lines: Vec<u64>,
    /// Number of feature columns.
    n_features: usize,
}

impl Table {
    fn select(&self, rows: &[usize], n_classes: usize) -> Dataset {
        let mut features = Vec::with_capacity(rows.len() * self.n_features);
        let mut labels = Vec::with_capacity(rows.len());
        for &i in rows {
            features.extend_from_slice(&self.features[i * self.n_features..][..self.n_features]);
            labels.push(self.labels[i]);
        }
        Dataset {
            features,
            labels,
            n_features: self.n_features,
            n_classes,
        }
    }
}

/// Loads the training and test sets of a `csv` configuration.
///
/// `path` and `test_path` are already resolved against the experiment's folder. Without
/// `test_path`, `round(rows * test_fraction)` rows, chosen by a Fisher-Yates shuffle on
/// `rng(derive_seed(seed, "data/split"))`, form the test set; both sets keep the file's row
/// order.
pub(crate) fn load(
    path: &Path,
    test_path: Option<&Path>,
    test_fraction: f64,
    label_column: Option<&str>,
    seed: u64,
) -> Result<Split, DataError> {
    let train = read(path, "path", label_column)?;
    let n_classes = check_classes(&train)?;
    match test_path {
        Some(test_path) => {
            let test = read(test_path, "test_path", label_column)?;
            if test.header != train.header {
                return Err(DataError::HeaderMismatch {
                    path: test.path,
                    expected: train.header.join(","),
                    found: test.header.join(","),
                });
            }
            for (&label, &line) in test.labels.iter().zip(&test.lines) {
                if label as usize >= n_classes {
                    return Err(DataError::UnknownClass {
                        path: test.path,
                        line,
                        label,
                        max: n_classes as u32 - 1,
                    });
                }
            }
            let all = |t: &Table| (0..t.labels.len()).collect::<Vec<_>>();
            Ok(Split {
                train: train.select(&all(&train), n_classes),
                test: test.select(&all(&test), n_classes),
                validation: None,
            })
        }
        None => {
            let rows = train.labels.len();
            let n_test = (rows as f64 * test_fraction).round() as usize;
            if n_test == 0 || n_test >= rows {
                return Err(DataError::TooFewRows {
                    path: train.path,
                    rows,
                    test_fraction,
                });
            }
            let mut order: Vec<usize> = (0..rows).collect();
            order.shuffle(&mut rng(derive_seed(seed, "data/split")));
            let (test_rows, train_rows) = order.split_at_mut(n_test);
            test_rows.sort_unstable();
            train_rows.sort_unstable();
            Ok(Split {
                train: train.select(train_rows, n_classes),
                test: train.select(test_rows, n_classes),
                validation: None,
            })
        }
    }
}

/// The number of classes `k`, checking that the labels are exactly `0..k` with `k >= 2`.
fn check_classes(table: &Table) -> Result<usize, DataError> {
    let max = table.labels.iter().copied().max().unwrap_or(0) as usize;
    let mut seen = vec![false; max + 1];
    for &l in &table.labels {
        seen[l as usize] = true;
    }
    let found = seen.iter().filter(|&&s| s).count();
    if found < 2 {
        return Err(DataError::TooFewClasses {
            path: table.path.clone(),
            found,
        });
    }
    if let Some(missing) = seen.iter().position(|&s| !s) {
        return Err(DataError::MissingClass {
            path: table.path.clone(),
            max: max as u32,
            missing: missing as u32,
        });
    }
    Ok(max + 1)
}

/// Maps byte offsets to 1-based line numbers. The csv crate's own `Position::line` does not
/// count the blank lines it skips, so lines are computed here from a record's byte offset,
/// skipping the line breaks of blank lines before it.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i);
        LineCounter {
            bytes,
            newlines: newlines.collect(),
        }
    }

    /// The line of the first byte at or after `byte` that is not a line break.
    fn line_at(&self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        1 + self.newlines.partition_point(|&nl| nl < start) as u64
    }
}

fn read(path: &Path, key: &'static str, label_column: Option<&str>) -> Result<Table, DataError> {
    let io_error = |source| DataError::Io {
        key,
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io_error)?;
    let lines = LineCounter::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(source) => io_error(source),
            _ => DataError::CsvSyntax {
                path: path.to_path_buf(),
                line,
                message,
            },
        }
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(String::from)
        .collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let label_index =
        match label_column {
            None => header.len() - 1,
            Some(name) => header.iter().position(|h| h == name).ok_or_else(|| {
                DataError::UnknownLabelColumn {
                    path: path.to_path_buf(),
                    name: name.to_string(),
                    columns: header
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?,
        };
    if header.len() < 2 {
        return Err(DataError::NoFeatures {
            path: path.to_path_buf(),
            label: header[label_index].clone(),
        });
    }
    let n_features = header.len() - 1;
    let mut table = Table {
        path: path.to_path_buf(),
        header,
        features: Vec::new(),
        labels: Vec::new(),
        lines: Vec::new(),
        n_features,
    };
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.len() != table.header.len() {
            return Err(DataError::RaggedRow {
                path: table.path,
                line,
                expected: table.header.len(),
                found: record.len(),
            });
        }
        for (column, cell) in record.iter().enumerate() {
            let name = || table.header[column].clone();
            if column == label_index {
                let label = cell.parse::<u32>().map_err(|_| DataError::BadLabel {
                    path: path.to_path_buf(),
                    line,
                    column: name(),
                    value: cell.to_string(),
                })?;
                table.labels.push(label);
                continue;
            }
            let value = cell.parse::<f64>().map_err(|_| DataError::NonNumeric {
                path: path.to_path_buf(),
                line,
                column: name(),
                value: cell.to_string(),
            })?;
            let value = value as f32;
            if !value.is_finite() {
                return Err(DataError::NonFinite {
                    path: path.to_path_buf(),
                    line,
                    column: name(),
                    value: cell.to_string(),
                });
            }
            table.features.push(value);
        }
        table.lines.push(line);
    }
    if table.labels.is_empty() {
        return Err(DataError::NoRows {
            path: table.path,
            line: 2,
        });
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use crate::{DataConfig, DataError, Split};

    /// Writes `files` into a fresh folder and loads `[data]` = `kind = "csv"` + `extra`,
    /// with relative paths resolved against that folder.
    fn load(
        files: &[(&str, &[u8])],
        extra: &str,
        seed: u64,
    ) -> (TempDir, Result<Split, DataError>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in files {
            std::fs::write(dir.path().join(name), contents).unwrap();
        }
        let config: DataConfig = toml::from_str(&format!("kind = \"csv\"\n{extra}")).unwrap();
        let result = crate::load(&config, seed, dir.path());
        (dir, result)
    }

    /// Loads `data.csv` with `contents` and returns the error's message.
    fn error(contents: &str, extra: &str) -> (DataError, String) {
        let (_dir, result) = load(
            &[("data.csv", contents.as_bytes())],
            &format!("path = \"data.csv\"\n{extra}"),
            0,
        );
        let e = result.unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("data.csv"),
            "message does not name the file: {message}"
        );
        (e, message)
    }

    const GOOD: &str = "x,y,label\n0.5,1,0\n-2,3e1,1\n  4 , 5 , 2 \n1,1,1\n0,0,0\n";

    #[test]
    fn reads_features_and_labels() {
        let (_dir, result) = load(
            &[
                ("train.csv", GOOD.as_bytes()),
                ("test.csv", b"x,y,label\n9,8,2\n"),
            ],
            "path = \"train.csv\"\ntest_path = \"test.csv\"",
            0,
        );
        let split = result.unwrap();
        assert_eq!(
            split.train.features,
            vec![0.5, 1.0, -2.0, 30.0, 4.0, 5.0, 1.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(split.train.labels, vec![0, 1, 2, 1, 0]);
        assert_eq!((split.train.n_features, split.train.n_classes), (2, 3));
        assert_eq!(split.test.features, vec![9.0, 8.0]);
        assert_eq!(
            (split.test.labels.clone(), split.test.n_classes),
            (vec![2], 3)
        );
    }

    #[test]
    fn label_column_by_name() {
        let text = "class,a,b\n1,0.5,0.25\n0,2,3\n";
        let (_dir, result) = load(
            &[("d.csv", text.as_bytes()), ("t.csv", text.as_bytes())],
            "path = \"d.csv\"\ntest_path = \"t.csv\"\nlabel_column = \"class\"",
            0,
        );
        let split = result.unwrap();
        assert_eq!(split.train.features, vec![0.5, 0.25, 2.0, 3.0]);
        assert_eq!(split.train.labels, vec![1, 0]);
    }

    #[test]
    fn held_out_split_is_seeded_and_complete() {
        let mut text = String::from("v,label\n");
        for i in 0..100 {
            text.push_str(&format!("{i},{}\n", i % 2));
        }
        let run = |seed| {
            let (_dir, result) = load(
                &[("d.csv", text.as_bytes())],
                "path = \"d.csv\"\ntest_fraction = 0.25",
                seed,
            );
            result.unwrap()
        };
        let a = run(1);
        assert_eq!((a.train.len(), a.test.len()), (75, 25));
        assert_eq!(a, run(1));
        assert_ne!(a.test, run(2).test);
        let mut all: Vec<f32> = a
            .train
            .features
            .iter()
            .chain(&a.test.features)
            .copied()
            .collect();
        all.sort_by(f32::total_cmp);
        assert_eq!(all, (0..100).map(|i| i as f32).collect::<Vec<_>>());
        // Each part keeps the file's order.
        assert!(a.test.features.windows(2).all(|w| w[0] < w[1]));
        // The default fraction is 0.2.
        let (_dir, result) = load(&[("d.csv", text.as_bytes())], "path = \"d.csv\"", 0);
        assert_eq!(result.unwrap().test.len(), 20);
    }

    #[test]
    fn standardize_uses_training_rows() {
        let mut text = String::from("v,w,label\n");
        for i in 0..50 {
            text.push_str(&format!("{},{},{}\n", i * 3, 7, i % 2));
        }
        let (_dir, result) = load(
            &[("d.csv", text.as_bytes())],
            "path = \"d.csv\"\nstandardize = true",
            0,
        );
        let split = result.unwrap();
        let s = crate::Standardizer::fit(&split.train);
        assert!(
            s.mean()[0].abs() < 1e-5 && (s.std()[0] - 1.0).abs() < 1e-5,
            "{s:?}"
        );
        // The constant column becomes 0 everywhere.
        assert!(
            split
                .test
                .features
                .iter()
                .skip(1)
                .step_by(2)
                .all(|&w| w == 0.0)
        );
    }

    #[test]
    fn missing_file() {
        let (_dir, result) = load(&[], "path = \"nope.csv\"", 0);
        let e = result.unwrap_err();
        assert_eq!(e.key(), Some("path"));
        assert!(
            e.to_string().starts_with("cannot read `") && e.to_string().contains("nope.csv`"),
            "{e}"
        );
        assert!(std::error::Error::source(&e).is_some());
        let (_dir, result) = load(
            &[("d.csv", GOOD.as_bytes())],
            "path = \"d.csv\"\ntest_path = \"t.csv\"",
            0,
        );
        assert_eq!(result.unwrap_err().key(), Some("test_path"));
    }

    #[test]
    fn empty_file_and_header_only() {
        let (e, m) = error("", "");
        assert!(matches!(e, DataError::EmptyFile { .. }), "{m}");
        assert!(
            m.ends_with("is empty (a header row naming the columns is required)"),
            "{m}"
        );
        let (e, m) = error("a,label\n", "");
        assert!(matches!(e, DataError::NoRows { line: 2, .. }), "{m}");
        assert!(m.contains("line 2: no data rows"), "{m}");
    }

    #[test]
    fn ragged_row() {
        let (e, m) = error("a,b,label\n1,2,0\n1,2\n", "");
        assert!(
            matches!(
                e,
                DataError::RaggedRow {
                    line: 3,
                    expected: 3,
                    found: 2,
                    ..
                }
            ),
            "{m}"
        );
        assert!(
            m.ends_with("data.csv` line 3: expected 3 cells like the header, found 2"),
            "{m}"
        );
    }

    #[test]
    fn non_numeric_cell_names_column_and_line() {
        let (e, m) = error("a,b,label\n1,2,0\n\n1,oops,1\n", "");
        // The blank line still counts, as in a text editor.
        assert!(matches!(e, DataError::NonNumeric { line: 4, .. }), "{m}");
        assert!(
            m.ends_with("line 4: column `b` holds `oops`, which is not a number"),
            "{m}"
        );
        let (e, _) = error("a,label\n,0\n", "");
        assert!(matches!(e, DataError::NonNumeric { line: 2, .. }));
    }

    #[test]
    fn lines_count_crlf_blank_and_quoted_lines() {
        let text = "a,label\r\n1,0\r\n\r\n\"2\n\",1\r\nx,0\r\n";
        let (e, m) = error(text, "");
        // Line 3 is blank and the quoted cell on line 4 spans two lines.
        assert!(matches!(e, DataError::NonNumeric { line: 6, .. }), "{m}");
    }

    #[test]
    fn non_finite_values() {
        for bad in ["NaN", "nan", "inf", "-infinity", "1e40"] {
            let (e, m) = error(&format!("a,label\n1,0\n{bad},1\n"), "");
            assert!(
                matches!(e, DataError::NonFinite { line: 3, .. }),
                "{bad}: {m}"
            );
            assert!(
                m.contains(&format!("line 3: column `a` holds `{bad}`")),
                "{m}"
            );
        }
    }

    #[test]
    fn bad_labels() {
        for bad in ["-1", "1.5", "one", ""] {
            let (e, m) = error(&format!("a,label\n1,0\n2,{bad}\n"), "");
            assert!(
                matches!(e, DataError::BadLabel { line: 3, .. }),
                "{bad}: {m}"
            );
            assert!(
                m.ends_with(&format!("line 3: label column `label` holds `{bad}`, which is not a non-negative integer")),
                "{m}"
            );
        }
    }

    #[test]
    fn fewer_than_two_classes() {
        let (e, m) = error("a,label\n1,0\n2,0\n", "");
        assert!(
            matches!(e, DataError::TooFewClasses { found: 1, .. }),
            "{m}"
        );
        assert!(
            m.ends_with("holds 1 class(es) (at least 2 are required)"),
            "{m}"
        );
    }

    #[test]
    fn labels_must_be_contiguous() {
        let (e, m) = error("a,label\n1,0\n2,2\n", "");
        assert!(
            matches!(
                e,
                DataError::MissingClass {
                    max: 2,
                    missing: 1,
                    ..
                }
            ),
            "{m}"
        );
        assert!(
            m.contains("labels must be 0..=2 with every class present, but class 1 never appears"),
            "{m}"
        );
    }

    #[test]
    fn unknown_label_column_lists_columns() {
        let (e, m) = error("a,b,y\n1,2,0\n", "label_column = \"label\"");
        assert_eq!(e.key(), Some("label_column"));
        assert!(
            m.ends_with("line 1: no column `label` for `label_column` (columns: `a`, `b`, `y`)"),
            "{m}"
        );
    }

    #[test]
    fn label_column_alone_is_not_enough() {
        let (e, m) = error("label\n0\n1\n", "");
        assert!(matches!(e, DataError::NoFeatures { .. }), "{m}");
        assert!(
            m.contains("line 1: no feature column besides the label column `label`"),
            "{m}"
        );
    }

    #[test]
    fn invalid_utf8() {
        let (_dir, result) = load(
            &[("data.csv", b"a,label\n1,0\n\xff,1\n")],
            "path = \"data.csv\"",
            0,
        );
        let e = result.unwrap_err();
        let m = e.to_string();
        assert!(m.contains("data.csv"), "{m}");
        assert!(matches!(e, DataError::CsvSyntax { line: 3, .. }), "{m}");
        assert!(m.contains("line 3"), "{m}");
    }

    #[test]
    fn test_file_must_match() {
        let (_dir, result) = load(
            &[("d.csv", GOOD.as_bytes()), ("t.csv", b"x,z,label\n1,2,0\n")],
            "path = \"d.csv\"\ntest_path = \"t.csv\"",
            0,
        );
        let m = result.unwrap_err().to_string();
        assert!(
            m.contains(
                "t.csv` line 1: header `x,z,label` differs from the training file's `x,y,label`"
            ),
            "{m}"
        );
        let (_dir, result) = load(
            &[
                ("d.csv", GOOD.as_bytes()),
                ("t.csv", b"x,y,label\n1,2,0\n3,4,3\n"),
            ],
            "path = \"d.csv\"\ntest_path = \"t.csv\"",
            0,
        );
        let m = result.unwrap_err().to_string();
        assert!(
            m.contains(
                "t.csv` line 3: label 3 is not a class of the training data (classes 0..=2)"
            ),
            "{m}"
        );
    }

    #[test]
    fn too_few_rows_to_hold_out() {
        let (e, m) = error("a,label\n1,0\n2,1\n", "test_fraction = 0.1");
        assert!(matches!(e, DataError::TooFewRows { rows: 2, .. }), "{m}");
        let (e, _) = error("a,label\n1,0\n2,1\n", "test_fraction = 0.9");
        assert!(matches!(e, DataError::TooFewRows { .. }));
    }
}
