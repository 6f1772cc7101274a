//! Records the compiler and the commit dlp is built from, for each results folder's manifest.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    let commit = output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=DLP_RUSTC_VERSION={version}");
    println!("cargo:rustc-env=DLP_GIT_COMMIT={commit}");
    // Rebuilt when HEAD moves (a checkout, or a commit on the current branch), not on every
    // change of `.git/index`, which `git status` and `git add` rewrite: watching it rebuilt
    // this crate on every `cargo run`. Uncommitted edits are not recorded for that reason. A
    // watched file that does not exist would rerun this script on every build.
    let head = std::fs::read_to_string("../../.git/HEAD").unwrap_or_default();
    let branch = head
        .trim()
        .strip_prefix("ref: ")
        .map(|r| format!("../../.git/{r}"));
    let watched = [
        "../../.git/HEAD".to_string(),
        "../../.git/packed-refs".into(),
    ];
    for path in watched.into_iter().chain(branch) {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
