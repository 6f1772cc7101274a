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

/// A study of the TP1 spirals on all seven input features, standardised.
const FEATURES: &str = r#"
name = "features"

[data]
n_train = 600
n_test = 200
standardize = true
features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]

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

[sweep]
"model.activation" = ["relu", "tanh"]
"#;

/// Trains every run of `experiment` and writes its results folder in `out` with
/// `dlp-results`, as the runner does.
fn write_results(out: &Path, experiment: &str) -> PathBuf {
    let study = Study::parse(&out.join("smoke.toml"), experiment, &[]).unwrap();
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
    let dir = write_results(&out, EXPERIMENT);
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

/// A study on all seven features trains, its boundaries render in the data's own plane, and
/// the grid path (raw points through the cell's `InputMap`) gives the class the dataset path
/// gives.
#[test]
fn reports_a_study_on_seven_features() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_results(tmp.path(), FEATURES);
    let report = super::write_report(&dir).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    for name in ["dataset", "boundaries", "boundary-cell0", "boundary-cell1"] {
        let png = dir.join("plots").join(format!("{name}.png"));
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{name}");
    }

    let results = dlp_results::Results::load(&dir).unwrap();
    let mut warnings = Vec::new();
    let cells = crate::cells::Cells::load(&results, &mut warnings);
    let run = &results.runs.runs[0];
    let field = crate::boundary::field(&cells, &results, run, 50, 1000)
        .unwrap()
        .unwrap();
    let data = cells.data(run).unwrap();
    let (raw, map) = &*data;
    assert_eq!(map.inputs(), 7);
    // The field lies in the raw plane: its points are the raw test points, inside its box.
    assert_eq!(field.points.len(), raw.test.len());
    for (i, &(x, y, label)) in field.points.iter().enumerate() {
        assert_eq!(
            (x, y),
            (f64::from(raw.test.row(i)[0]), f64::from(raw.test.row(i)[1]))
        );
        assert_eq!(label, raw.test.labels[i]);
        assert!(field.x.0 < x && x < field.x.1 && field.y.0 < y && y < field.y.1);
    }
    assert!(
        field.x.1 - field.x.0 > 10.0,
        "the spirals span about 30: {:?}",
        field.x
    );
    // Grid path versus dataset path on each test point, from the saved weights.
    let resolved = cells.get(run.cell).unwrap();
    let weights = dlp_model::Weights::load(&results.weights(run)).unwrap();
    let split = map.apply_split(raw);
    let loss = dlp_loss::find_loss(&resolved.experiment.loss.name).unwrap();
    let direct =
        dlp_train::predict(&resolved.architecture, &weights, 7, 1, &split.test.features).unwrap();
    let mut both = 0;
    for i in 0..raw.test.len() {
        let point = raw.test.row(i);
        let plane = crate::boundary::Plane::around_rows([point], 1);
        assert_eq!(plane.grid(), point);
        let grid =
            crate::boundary::classify_raw(resolved, &weights, map, 2, &plane.grid()).unwrap();
        assert_eq!(
            grid[0].0,
            loss.head.predict(&direct[i..=i]),
            "test point {i}"
        );
        both |= 1 << grid[0].0;
    }
    assert_eq!(both, 0b11, "the model predicts both classes");
}
