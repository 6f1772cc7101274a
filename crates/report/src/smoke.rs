//! A real results folder (two cells trained on moons for a few epochs, written as `dlp run`
//! writes it), reported end to end.

use std::path::{Path, PathBuf};

use dlp_config::{Study, plan};
use dlp_results::ResultsDir;
use dlp_train::{Status, TrainSpec};

const EXPERIMENT: &str = r#"
name = "smoke"
seeds = 2

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
lr = 0.05

[train]
epochs = 4
batch_size = 20
threshold = 0.8

[sweep]
"model.activation" = ["relu", "tanh"]

[[expect]]
claim = "Both activations learn moons"
metric = "final_test_acc"
op = ">"
value = 0.6

[[expect]]
claim = "ReLU is twice as good as tanh"
metric = "test_acc"
epoch = 4
where = { "model.activation" = "relu" }
op = ">"
than = { "model.activation" = "tanh" }
times = 2.0
"#;

/// Trains every run of [`EXPERIMENT`] and writes the results folder `out/smoke` with
/// `dlp-results`, as the runner does.
fn write_results(out: &Path) -> PathBuf {
    let study = Study::parse(&out.join("smoke.toml"), EXPERIMENT, &[]).unwrap();
    let mut results = ResultsDir::open_study(out, &study, false).unwrap();
    results.describe(&study).unwrap();
    for planned in plan(&study, None) {
        let resolved = &study.cells[planned.cell].resolved;
        let split = dlp_data::load(&resolved.experiment.data, planned.seed, out).unwrap();
        let spec = TrainSpec {
            split: &split,
            architecture: resolved.architecture,
            loss: dlp_loss::find_loss(&resolved.experiment.loss.name).unwrap(),
            penalties: resolved.experiment.loss.penalties(),
            optimizer: dlp_optim::build_optimizer(&resolved.optimizer, &resolved.optimizer_params)
                .unwrap(),
            schedule: dlp_optim::build_schedule(&resolved.schedule, &resolved.schedule_params)
                .unwrap(),
            epochs: 4,
            batch_size: 20,
            seed: planned.seed,
            initial_weights: None,
            early_stopping: None,
        };
        let trained = dlp_train::train(spec, &mut |_| {}).unwrap();
        assert_eq!(trained.status, Status::Ok);
        results
            .record(&study.cells[planned.cell], &planned, &trained)
            .unwrap();
    }
    results.path().to_path_buf()
}

#[test]
fn reports_a_real_results_folder() {
    let tmp = tempfile::tempdir().unwrap();
    // DLP_REPORT_SMOKE_DIR keeps the folder to look at the plots.
    let out =
        std::env::var_os("DLP_REPORT_SMOKE_DIR").map_or_else(|| tmp.path().into(), PathBuf::from);
    let dir = write_results(&out);
    let report = super::write_report(&dir).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.claims.len(), 2);
    assert!(report.claims[0].passed, "{}", report.claims[0]);
    assert!(!report.claims[1].passed, "{}", report.claims[1]); // accuracies are <= 1 < 2 x 0.5
    for name in [
        "curves",
        "threshold",
        "dataset",
        "boundaries",
        "boundary-cell0",
        "boundary-cell1",
    ] {
        let png = dir.join("plots").join(format!("{name}.png"));
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{name}");
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("**PASS** Both activations learn moons"), "{md}");
    assert!(md.contains("### model.activation=tanh"), "{md}");
    assert!(md.contains("![Learning curves"), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    // Self-contained: nothing fetched, the data inline.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("<img") && !html.contains("<link") && !html.contains(" src="));
    let data = html.split("id=\"dlp-data\">").nth(1).unwrap();
    let data = data.split("</script>").next().unwrap();
    let data: serde_json::Value = serde_json::from_str(&data.replace("<\\/", "</")).unwrap();
    assert_eq!(data["runs"].as_array().unwrap().len(), 4);
    assert_eq!(data["claims"][1]["passed"], false);
    assert_eq!(data["claims"][1]["keys"][0], "model.activation");
    // Best and median seed of each of the two groups, on a fine grid.
    assert_eq!(data["boundaries"].as_array().unwrap().len(), 4);
    assert_eq!(data["boundaries"][0]["grid"]["nx"], 150);
}
