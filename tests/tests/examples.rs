//! The example experiments run as a user would run them, and between them they train every
//! registered optimizer.

use std::collections::BTreeSet;
use std::path::Path;

use dlp_tests::{Table, dlp};

#[test]
fn every_example_runs_and_every_optimizer_trains() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments/examples");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let run = dlp(
        &[
            "run",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            examples.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    // `dlp list optimizers` indents each name by two spaces and its parameters by more.
    let list = dlp(&["list", "optimizers"], tmp.path());
    let registered: BTreeSet<&str> = list
        .stdout
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(registered.contains("lion"), "{}", list.stdout);
    let runs = Table::read(&out.join("example-optimizers").join("runs.csv"));
    let trained: BTreeSet<&str> = runs.column("optim.name").into_iter().collect();
    assert_eq!(trained, registered);
}
