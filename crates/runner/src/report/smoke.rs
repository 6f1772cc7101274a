//! A real results folder (two cells trained on moons for a few epochs, laid out as `dlp run`
//! writes it), reported end to end.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use dlp_train::{Status, TrainSpec};

use crate::Resolved;

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

fn cell(activation: &str) -> String {
    format!(
        "name = \"smoke\"\nseeds = 2\n[data]\nkind = \"moons\"\nn_train = 200\nn_test = 200\n\
         [model]\nhidden = [8]\nactivation = \"{activation}\"\n[loss]\nname = \"bce_with_logits\"\n\
         [optim]\nname = \"adam\"\nlr = 0.05\n[train]\nepochs = 4\nbatch_size = 20\n\
         threshold = 0.8\nsave_weights = true\n"
    )
}

/// Trains every run and writes the folder `dir` as the runner does.
fn write_results(dir: &Path) {
    let experiment_dir = dir.join("exp");
    std::fs::create_dir_all(dir.join("cells")).unwrap();
    std::fs::create_dir_all(dir.join("weights")).unwrap();
    std::fs::create_dir_all(&experiment_dir).unwrap();
    std::fs::write(dir.join("experiment.toml"), EXPERIMENT).unwrap();
    let manifest = format!(
        "experiment_dir = {:?}\ndlp_version = \"0.1.0\"\nstarted = \"2025-01-01T00:00:00Z\"\n",
        experiment_dir.display().to_string()
    );
    std::fs::write(dir.join("manifest.toml"), manifest).unwrap();
    let mut runs = String::from(
        "run_id,cell,seed,model.activation,dataset,hidden,activation,loss,optimizer,lr,schedule,\
         batch_size,epochs,status,diverged_epoch,final_train_loss,final_train_acc,final_test_loss,\
         final_test_acc,best_test_acc,best_test_acc_epoch,epochs_to_threshold,\
         seconds_to_threshold,train_seconds,seconds_per_epoch\n",
    );
    let mut epochs =
        String::from("run_id,cell,seed,epoch,train_loss,train_acc,test_loss,test_acc,lr,wall_s\n");
    for (c, activation) in ["relu", "tanh"].iter().enumerate() {
        let text = cell(activation);
        std::fs::write(dir.join("cells").join(format!("{c}.toml")), &text).unwrap();
        let resolved = Resolved::parse(&experiment_dir.join("cell.toml"), &text).unwrap();
        for seed in 0..2u64 {
            let run_id = format!("r{c}s{seed}");
            let split = dlp_data::load(&resolved.experiment.data, seed, &experiment_dir).unwrap();
            let spec = TrainSpec {
                split: &split,
                architecture: resolved.architecture,
                loss: dlp_loss::find_loss(&resolved.experiment.loss.name).unwrap(),
                optimizer: dlp_optim::build_optimizer(
                    &resolved.optimizer,
                    &resolved.optimizer_params,
                )
                .unwrap(),
                schedule: dlp_optim::build_schedule(&resolved.schedule, &resolved.schedule_params)
                    .unwrap(),
                epochs: 4,
                batch_size: 20,
                seed,
                initial_weights: None,
            };
            let trained = dlp_train::train(spec, &mut |_| {}).unwrap();
            assert_eq!(trained.status, Status::Ok);
            let path = dir.join("weights").join(format!("{run_id}.safetensors"));
            trained.weights.save(&path, HashMap::new()).unwrap();
            let mut wall = 0.0;
            let mut reached = None;
            for m in &trained.epochs {
                wall += m.wall_s;
                if reached.is_none() && m.test_acc >= 0.8 {
                    reached = Some((m.epoch, wall));
                }
                let _ = writeln!(
                    epochs,
                    "{run_id},{c},{seed},{},{},{},{},{},{},{}",
                    m.epoch, m.train_loss, m.train_acc, m.test_loss, m.test_acc, m.lr, m.wall_s
                );
            }
            let last = trained.epochs.last().unwrap();
            let best = trained
                .epochs
                .iter()
                .max_by(|a, b| a.test_acc.total_cmp(&b.test_acc))
                .unwrap();
            let (e, s) = reached.map_or((String::new(), String::new()), |(e, s)| {
                (e.to_string(), s.to_string())
            });
            let _ = writeln!(
                runs,
                "{run_id},{c},{seed},{activation},moons,[8],{activation},bce_with_logits,adam,0.05,\
                 constant,20,4,ok,,{},{},{},{},{},{},{e},{s},{wall},{}",
                last.train_loss,
                last.train_acc,
                last.test_loss,
                last.test_acc,
                best.test_acc,
                best.epoch,
                wall / 4.0
            );
        }
    }
    std::fs::write(dir.join("runs.csv"), runs).unwrap();
    std::fs::write(dir.join("epochs.csv"), epochs).unwrap();
}

#[test]
fn reports_a_real_results_folder() {
    let tmp = tempfile::tempdir().unwrap();
    // DLP_REPORT_SMOKE_DIR keeps the folder to look at the plots.
    let dir = std::env::var_os("DLP_REPORT_SMOKE_DIR")
        .map_or_else(|| tmp.path().join("smoke"), Into::into);
    write_results(&dir);
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
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("<img") && !html.contains("<link") && !html.contains("<script"));
    assert!(html.matches("<svg").count() >= 6);
    assert!(html.contains("FAIL</span> ReLU is twice as good as tanh"));
}
