//! The interactive report as a person sees it: `dlp run` writes it, headless Chromium opens it
//! from disk, renders every section without an error, and (with node) responds to clicks,
//! the metric selector and a brush (`crates/report/assets/dev/interact.js`).
//!
//! Screenshots are kept in `target/test-artefacts/`. Without Chromium the test says so and
//! passes, except under CI (`CI` set), where `.ci/run` installs it and its absence fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use dlp_tests::{run_ok, write};

const STUDY: &str = r#"
name = "browser"
seeds = 3

[data]
kind = "moons"
n_train = 200
n_test = 200

[model]
hidden = [8]

[loss]
name = "bce_with_logits"

[optim]
name = "adam"

[train]
epochs = 6
batch_size = 20
threshold = 0.8

[sweep]
"optim.lr" = [0.001, 0.01, 0.1]
"model.activation" = ["relu", "tanh"]

[[expect]]
claim = "A learning rate of 0.1 beats 0.001"
metric = "final_test_acc"
where = { "optim.lr" = 0.1 }
op = ">"
than = { "optim.lr" = 0.001 }
"#;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `args` (`--dump-dom`, `--screenshot=...`).
fn headless(chromium: &Path, page: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=20000",
            "--window-size=1280,4000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks one report page: rendered without error, `canvases` decision-boundary canvases at
/// least, a screenshot, and (with node) the interaction checks.
fn check_page(chromium: &Path, page: &Path, name: &str, canvases: usize) {
    let dom = headless(chromium, page, &["--dump-dom"]);
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or_default();
    assert!(
        body.contains("data-ready=\"1\""),
        "{name}: not rendered: <body{body}>"
    );
    assert!(
        !body.contains("data-errors"),
        "{name}: errors: <body{body}>"
    );
    assert!(
        dom.matches("<canvas").count() >= canvases,
        "{name}: decision boundaries"
    );

    let artefacts = artefacts();
    let screenshot = artefacts.join(format!("{name}.png"));
    headless(
        chromium,
        page,
        &[&format!("--screenshot={}", screenshot.display())],
    );
    assert!(std::fs::read(&screenshot).unwrap().starts_with(b"\x89PNG"));

    let interact =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/report/assets/dev/interact.js");
    let copy = artefacts.join(format!("{name}.html"));
    std::fs::copy(page, &copy).unwrap();
    match Command::new("node")
        .arg("--experimental-websocket")
        .arg(&interact)
        .arg(chromium)
        .arg(&copy)
        .output()
    {
        Ok(output) => {
            let log = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "{name}: interaction checks failed:\n{log}"
            );
            assert!(log.contains("ok   table sorts"), "{log}");
            assert!(log.contains("ok   legend click hides a group"), "{log}");
        }
        Err(e) => eprintln!("interaction checks skipped: node: {e}"),
    }
}

#[test]
fn reports_render_in_chromium_and_respond() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("skipped: no Chromium (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    // Two keys (a heatmap of means), and the TP1 architecture study (15 groups, one key).
    let two_keys = write(tmp.path(), "browser.toml", STUDY);
    let architecture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments/tp1/architecture.toml");
    for file in [&two_keys, &architecture] {
        run_ok(file, &out, &[], tmp.path());
    }
    let page = |name: &str| out.join(name).join("report.html");
    check_page(&chromium, &page("browser"), "report-two-keys", 12);
    assert!(
        std::fs::read_to_string(page("browser"))
            .unwrap()
            .contains("A learning rate of 0.1 beats 0.001")
    );
    check_page(
        &chromium,
        &page("tp1-architecture"),
        "report-tp1-architecture",
        30,
    );
}
