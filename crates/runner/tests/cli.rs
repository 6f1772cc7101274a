//! The binary's own smoke test. Being an integration test of this package, it also makes
//! `cargo test --workspace` build `dlp`, which the end-to-end tests in `tests/` drive.

use std::process::Command;

#[test]
fn prints_its_version_and_refuses_unknown_subcommands() {
    let dlp = env!("CARGO_BIN_EXE_dlp");
    let version = Command::new(dlp).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("dlp "));
    let unknown = Command::new(dlp).arg("frobnicate").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
