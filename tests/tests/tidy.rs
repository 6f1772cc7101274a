//! The repository stays honest: every shipped experiment validates, `dlp list` names everything.

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
    for what in ["datasets", "models", "losses", "optimizers", "schedules"] {
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
