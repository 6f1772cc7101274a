//! Faults: a sweep killed with SIGKILL at several points resumes to exactly the uninterrupted
//! results; Ctrl-C stops cleanly; a second `dlp` on the same folder is refused.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dlp_tests::{dlp, dlp_bin, results_without_wall_clock, run_ok, small_experiment, write};

/// Enough runs that a kill lands mid-sweep, small enough to stay fast.
fn sweep() -> String {
    small_experiment(
        "faults",
        6,
        4,
        "\n[sweep]\n\"optim.lr\" = [0.003, 0.01, 0.03, 0.1]\n",
    )
    .replace("n_train = 200", "n_train = 2000")
}

/// Starts `dlp run --quiet --jobs JOBS --out OUT FILE` without waiting for it.
fn spawn_run(file: &Path, out: &Path, jobs: &str, stderr: Stdio) -> Child {
    Command::new(dlp_bin())
        .args(["run", "--quiet", "--jobs", jobs, "--out"])
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_at_any_point_then_resume_gives_the_uninterrupted_results() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "faults.toml", &sweep());
    let reference = tmp.path().join("reference");
    run_ok(&file, &reference, &["--jobs", "2"], tmp.path());
    let expected = results_without_wall_clock(&reference.join("faults"));

    let out = tmp.path().join("killed");
    for delay_ms in [5, 40, 90, 150] {
        let mut child = spawn_run(&file, &out, "2", Stdio::null());
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL; it may already have finished
        child.wait().unwrap();
    }
    let resumed = run_ok(&file, &out, &["--jobs", "2"], tmp.path());
    assert!(
        resumed.stderr.contains("already done"),
        "{}",
        resumed.stderr
    );
    assert_eq!(results_without_wall_clock(&out.join("faults")), expected);
}

#[test]
fn ctrl_c_keeps_finished_runs_and_exits_130() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "faults.toml", &sweep());
    let out = tmp.path().join("results");
    let child = spawn_run(&file, &out, "1", Stdio::piped());
    std::thread::sleep(Duration::from_millis(60));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(0) {
        return; // finished before the signal: nothing to check on this machine
    }
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("rerun the same command to resume"),
        "{stderr}"
    );
    let resumed = run_ok(&file, &out, &[], tmp.path());
    assert!(
        resumed.stderr.contains("already done"),
        "{}",
        resumed.stderr
    );
}

#[test]
fn a_second_dlp_on_the_same_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "faults.toml",
        &sweep().replace("seeds = 6", "seeds = 40"),
    );
    let out = tmp.path().join("results");
    let mut first = spawn_run(&file, &out, "1", Stdio::null());
    // Wait until the first has taken the folder.
    for _ in 0..200 {
        if out.join("faults").join("runs.csv").exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = dlp(
        &[
            "run",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let first_status = first.wait().unwrap();
    if second.code == 0 {
        // The first had already finished (a fast machine): the second resumed, as it should.
        assert!(first_status.success());
        return;
    }
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(
        second.stderr.contains("in use by another dlp process"),
        "{}",
        second.stderr
    );
}
