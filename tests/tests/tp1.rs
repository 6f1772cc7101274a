//! The TP1 study, reduced to two seeds, through every one of its claims: the study CI checks.

use std::path::Path;

use dlp_tests::dlp;

#[test]
fn every_tp1_claim_holds_on_two_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments/tp1");
    let out = tmp.path().join("results");
    let output = dlp(
        &[
            "run",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            study.to_str().unwrap(),
            "seeds=2",
        ],
        tmp.path(),
    );
    let claims: Vec<&str> = output
        .stdout
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .collect();
    let failed: Vec<&&str> = claims.iter().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failed.is_empty(),
        "failed claims:\n{failed:#?}\n{}",
        output.stderr
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        claims.len() >= 40,
        "only {} claims checked:\n{}",
        claims.len(),
        output.stdout
    );
}
