//! The bad-input corpus: every file in `tests/bad/` is refused with exit code 2 and a message
//! that names the file, points at the line and column, and never panics.
//!
//! Each message is snapshotted (`snapshots/bad_inputs__<file stem>.snap`), so a change in what
//! users read shows up in review. `dlp check` and `dlp run` refuse each file the same way,
//! before anything is trained or written.

use std::path::{Path, PathBuf};

use dlp_tests::{Output, dlp};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The line of `FILE:LINE:COLUMN:` as the runner writes value errors.
fn value_location(stderr: &str, file_name: &str) -> Option<usize> {
    stderr
        .match_indices(&format!("{file_name}:"))
        .find_map(|(i, m)| {
            let mut parts = stderr[i + m.len()..].splitn(3, ':');
            let number = |s: Option<&str>| {
                s.filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|s| s.parse::<usize>().ok())
            };
            let line = number(parts.next());
            (line.is_some() && number(parts.next()).is_some() && parts.next().is_some())
                .then_some(line)
                .flatten()
        })
}

/// `at line LINE, column COLUMN` as toml writes syntax and type errors.
fn has_syntax_location(stderr: &str) -> bool {
    stderr.match_indices("at line ").any(|(i, m)| {
        let rest = &stderr[i + m.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0
            && rest[digits..].starts_with(", column ")
            && rest[digits + ", column ".len()..]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit())
    })
}

/// Replaces the machine's paths with stable placeholders.
fn normalise(text: &str, tmp: &Path) -> String {
    let tests = env!("CARGO_MANIFEST_DIR");
    text.replace(tmp.to_str().unwrap(), "[tmp]")
        .replace(tests, "tests")
        .replace('\\', "/")
}

fn run_case(file: &Path, command: &str, tmp: &Path) -> Output {
    let file = file.to_str().unwrap();
    let out = tmp.join("out");
    match command {
        "check" => dlp(&["check", file], tmp),
        _ => dlp(
            &["run", "--quiet", "--out", out.to_str().unwrap(), file],
            tmp,
        ),
    }
}

#[test]
fn every_bad_input_is_refused_with_a_located_message() {
    let files = corpus();
    assert!(
        files.len() >= 25,
        "only {} files in tests/bad/",
        files.len()
    );
    for file in &files {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let file_name = file.file_name().unwrap().to_str().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let output = run_case(file, "check", tmp.path());
        let stderr = &output.stderr;

        assert_eq!(
            output.code, 2,
            "{file_name}: `dlp check` exit code\n{stderr}"
        );
        let lower = stderr.to_lowercase();
        assert!(
            !lower.contains("panicked") && !lower.contains("backtrace"),
            "{file_name}: panic on user input:\n{stderr}"
        );
        assert!(stderr.starts_with("error: "), "{file_name}:\n{stderr}");
        assert!(
            stderr.contains(file_name),
            "{file_name}: the file is not named\n{stderr}"
        );
        let located = if stderr.contains("TOML parse error") {
            has_syntax_location(stderr)
        } else {
            // A line of the user's file, not of the text dlp generates from a sweep.
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            value_location(stderr, file_name).is_some_and(|line| line <= lines)
        };
        assert!(
            located,
            "{file_name}: no line and column in the file\n{stderr}"
        );

        let ran = run_case(file, "run", tmp.path());
        assert_eq!(
            ran.code, 2,
            "{file_name}: `dlp run` exit code\n{}",
            ran.stderr
        );
        assert_eq!(
            ran.stderr, output.stderr,
            "{file_name}: `run` and `check` disagree"
        );
        assert!(
            !tmp.path().join("out").exists(),
            "{file_name}: `run` wrote results"
        );

        let shown = format!(
            "$ dlp check tests/bad/{file_name}\nexit code: {}\n{}",
            output.code,
            normalise(stderr, tmp.path())
        );
        insta::assert_snapshot!(stem, shown);
    }
}
