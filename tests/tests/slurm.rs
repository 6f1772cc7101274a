//! `dlp slurm` end to end, with a fake `sbatch` on PATH (tests/slurm/run.sh runs a real Slurm):
//! what is printed is what is submitted, and each failure has its exit code.

use std::path::Path;
use std::process::Command;

use dlp_tests::{Output, dlp, dlp_bin, small_experiment, write};

/// Records each call's arguments and standard input in `sbatch.log` and answers with the job id
/// `41 + call` and a cluster name, as `sbatch --parsable` does; fails when `fail` exists.
const FAKE_SBATCH: &str = "#!/bin/sh\n\
    dir=$(dirname \"$0\")\n\
    [ -e \"$dir/fail\" ] && { echo 'sbatch: error: refused' >&2; exit 1; }\n\
    echo \"--- sbatch $*\" >>\"$dir/sbatch.log\"\n\
    cat >>\"$dir/sbatch.log\"\n\
    echo \"$((40 + $(grep -c '^--- ' \"$dir/sbatch.log\")));cluster\"\n";

/// Runs `dlp ARGS` in `cwd` with `bin` first on PATH.
fn dlp_with_path(args: &[&str], cwd: &Path, bin: &Path) -> Output {
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let output = Command::new(dlp_bin())
        .args(args)
        .current_dir(cwd)
        .env("PATH", path)
        .output()
        .unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn the_printed_script_is_what_is_submitted() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = "\n[sweep]\n\"optim.lr\" = [0.01, 0.1]\n";
    write(
        tmp.path(),
        "grid.toml",
        &small_experiment("grid", 2, 1, sweep),
    );
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let sbatch = write(&bin, "sbatch", FAKE_SBATCH);
    Command::new("chmod")
        .arg("+x")
        .arg(&sbatch)
        .status()
        .unwrap();
    let args = [
        "slurm",
        "grid.toml",
        "train.epochs=2",
        "--tasks",
        "2",
        "--out",
        "out",
        "--mem",
        "2G",
    ];

    let printed = dlp(&args, tmp.path());
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert!(!bin.join("sbatch.log").exists(), "printing submits nothing");
    let submitted = dlp_with_path(&[&args[..], &["--submit"]].concat(), tmp.path(), &bin);
    assert_eq!(submitted.code, 0, "{}", submitted.stderr);
    assert_eq!(submitted.stdout, "41 42\n", "the cluster suffix is dropped");
    assert!(
        submitted
            .stderr
            .contains("submitted array job 41 (2 tasks) and merge job 42"),
        "{}",
        submitted.stderr
    );
    let log = std::fs::read_to_string(bin.join("sbatch.log")).unwrap();
    let out = std::path::absolute(tmp.path().join("out")).unwrap();
    assert!(
        out.join("slurm").is_dir(),
        "the log folder exists before sbatch"
    );
    // sbatch read each job script exactly as printed between its here-document markers.
    let between = |text: &str, mark: &str| -> String {
        let start = text.find(&format!("<<'{mark}'\n")).unwrap() + mark.len() + 5;
        text[start..start + text[start..].find(&format!("\n{mark}\n")).unwrap() + 1].to_string()
    };
    let expected = format!(
        "--- sbatch --parsable\n{}--- sbatch --parsable --dependency=afterany:41 \
         --export=ALL,DLP_ARRAY_JOB=41\n{}",
        between(&printed.stdout, "DLP_ARRAY_JOB"),
        between(&printed.stdout, "DLP_MERGE_JOB")
    );
    assert_eq!(log, expected);
    assert!(
        log.contains("#SBATCH --array=0-1\n#SBATCH --output="),
        "{log}"
    );
    assert!(log.contains("#SBATCH --mem=2G\n"), "{log}");
    assert!(
        log.contains("grid.toml train.epochs=2 --shard \"$i/2\""),
        "{log}"
    );

    std::fs::write(bin.join("fail"), "").unwrap();
    let refused = dlp_with_path(&[&args[..], &["--submit"]].concat(), tmp.path(), &bin);
    assert_eq!(refused.code, 1, "a failed submission exits 1");
    assert!(
        refused.stderr.contains("sbatch: error: refused")
            && refused.stderr.contains("error: submission failed"),
        "{}",
        refused.stderr
    );
}

#[test]
fn bad_slurm_arguments_exit_2_and_a_missing_sbatch_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "one.toml", &small_experiment("one", 2, 1, ""));
    write(tmp.path(), "two.toml", &small_experiment("two", 2, 1, ""));
    for (args, message) in [
        (
            &["one.toml", "--tasks", "3"][..],
            "error: --tasks 3: one.toml has 2 runs, so ask for 1 to 2 tasks",
        ),
        (
            &["one.toml", "--tasks", "1", "--time", "1 h"],
            "error: --time `1 h`: write one word, without spaces or quotes",
        ),
        (
            &["one.toml", "--tasks", "1", "--out", "my results"],
            "Slurm log paths cannot hold spaces",
        ),
        (
            &["one.toml", "two.toml", "--tasks", "1"],
            "error: dlp slurm takes one experiment file; this names 2",
        ),
        (
            &["seeds=2", "--tasks", "1"],
            "error: no experiment file given (only overrides: seeds=2)",
        ),
        (
            &["one.toml", "train.epochs=0", "--tasks", "1"],
            "error: cannot apply override `train.epochs=0`",
        ),
    ] {
        let output = dlp(&[&["slurm"], args].concat(), tmp.path());
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
        assert!(output.stdout.is_empty(), "{args:?}: {}", output.stdout);
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = Command::new(dlp_bin())
        .args(["slurm", "one.toml", "--tasks", "1", "--submit"])
        .current_dir(tmp.path())
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error: sbatch is not on PATH"));
}
