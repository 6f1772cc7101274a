//! The TP1 study exactly as `dlp run experiments/tp1` runs it (the files' 10 seeds, no
//! overrides), through every one of its claims: the study CI checks.

use std::path::Path;

use dlp_tests::dlp;

#[test]
fn every_tp1_claim_holds() {
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
        claims.len() >= 52,
        "only {} claims checked:\n{}",
        claims.len(),
        output.stdout
    );
}
