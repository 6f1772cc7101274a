//! The repository stays honest: every shipped experiment validates, `dlp list` names everything,
//! the docs show the crates `.ci/outside` builds.

use std::path::{Path, PathBuf};

use dlp_tests::dlp;

fn toml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

#[test]
fn every_shipped_experiment_checks() {
    let experiments = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments");
    let mut files = Vec::new();
    toml_files(&experiments, &mut files);
    files.sort();
    assert!(
        files.len() >= 2,
        "no experiments found under {}",
        experiments.display()
    );
    for file in &files {
        let output = dlp(&["check", file.to_str().unwrap()], &experiments);
        assert_eq!(
            output.code,
            0,
            "{} does not validate:\n{}",
            file.display(),
            output.stderr
        );
        assert!(output.stdout.contains(": ok, "), "{}", output.stdout);
    }
}

#[test]
fn list_names_every_registered_entry() {
    let output = dlp(&["list"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(output.code, 0, "{}", output.stderr);
    let listed: Vec<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    let expected = [
        // optimizers
        "sgd",
        "adam",
        "adamw",
        "rmsprop",
        "adagrad",
        "lion",
        // losses
        "mse",
        "bce",
        "bce_with_logits",
        "hinge",
        "cross_entropy",
        // dataset kinds
        "tp1_spirals",
        "circles",
        "moons",
        "xor",
        "gaussians",
        "spiral",
        "csv",
        // schedules
        "constant",
        "step",
        "exponential",
        "cosine",
        "warmup",
        "reduce_on_plateau",
        "loss_increase",
        "adaptive",
    ];
    let missing: Vec<&&str> = expected.iter().filter(|n| !listed.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "`dlp list` misses {missing:?}:\n{}",
        output.stdout
    );
    insta::assert_snapshot!("dlp_list", output.stdout);
}

#[test]
fn each_listing_is_part_of_the_whole() {
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    let all = dlp(&["list"], cwd).stdout;
    for what in [
        "datasets",
        "models",
        "losses",
        "optimizers",
        "schedules",
        "training",
    ] {
        let output = dlp(&["list", what], cwd);
        assert_eq!(output.code, 0, "dlp list {what}: {}", output.stderr);
        assert!(
            output.stdout.starts_with(&format!("{what} (")),
            "{}",
            output.stdout
        );
        assert!(
            all.contains(&output.stdout),
            "`dlp list {what}` differs from `dlp list`"
        );
    }
}

/// The text of `path`, relative to the repository.
fn repository_file(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// docs/plugins.md and the README show, whole, the files of the crates `.ci/outside` builds
/// outside the workspace: following them literally gives a crate CI has built.
#[test]
fn the_docs_show_the_outside_crates_as_built() {
    let shown = [
        ("docs/plugins.md", "tests/outside/signsgd/Cargo.toml"),
        ("docs/plugins.md", "tests/outside/signsgd/src/lib.rs"),
        ("docs/plugins.md", "tests/outside/signsgd/src/main.rs"),
        ("docs/plugins.md", "tests/outside/signsgd/tests/signsgd.rs"),
        ("docs/plugins.md", "tests/outside/signsgd/signsgd.toml"),
        ("README.md", "tests/outside/coursework/Cargo.toml"),
    ];
    for (doc, file) in shown {
        assert!(
            repository_file(doc).contains(&repository_file(file)),
            "{doc} does not show {file} as it is: copy the file into the doc"
        );
    }
}
