//! `dlp run` end to end: the results folder, determinism, resuming, saved weights, divergence.

use std::collections::BTreeMap;
use std::path::Path;

use dlp_tests::{
    EPOCH_COLUMNS, Table, dlp, read, results_without_wall_clock, run_columns, run_ok,
    small_experiment, write,
};

fn columns(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| c.to_string()).collect()
}

#[test]
fn run_writes_config_runs_and_epochs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "layout.toml",
        &small_experiment("layout", 2, 3, ""),
    );
    let out = tmp.path().join("results");
    let output = run_ok(&file, &out, &[], tmp.path());
    assert!(
        output
            .stderr
            .contains("layout: 2 runs trained, 0 already done, 0 diverged"),
        "{}",
        output.stderr
    );

    let dir = out.join("layout");
    let config: toml::Table = read(&dir.join("cells").join("0.toml")).parse().unwrap();
    assert_eq!(config["name"].as_str(), Some("layout"));
    assert_eq!(config["train"]["epochs"].as_integer(), Some(3));

    let runs = Table::read(&dir.join("runs.csv"));
    assert_eq!(runs.columns, run_columns(&[]));
    assert_eq!(runs.column("seed"), ["0", "1"]);
    assert_eq!(runs.column("status"), ["ok", "ok"]);
    assert_eq!(runs.column("epochs"), ["3", "3"]);
    let run_ids = runs.column("run_id");
    assert_ne!(run_ids[0], run_ids[1], "each seed is its own run");

    let epochs = Table::read(&dir.join("epochs.csv"));
    assert_eq!(epochs.columns, columns(EPOCH_COLUMNS));
    let mut per_run: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, epoch) in epochs
        .column("run_id")
        .into_iter()
        .zip(epochs.column("epoch"))
    {
        per_run.entry(id).or_default().push(epoch);
    }
    for id in &run_ids {
        // Epoch 0 is measured before training, then one row per epoch.
        assert_eq!(per_run[id], ["0", "1", "2", "3"], "epochs of run {id}");
    }
    assert_eq!(per_run.len(), 2, "no rows of other runs: {per_run:?}");

    // The final test accuracy in runs.csv is the last epoch's.
    let last_test_acc: Vec<&str> = epochs
        .rows
        .iter()
        .filter(|r| r[epochs.index("epoch")] == "3")
        .map(|r| r[epochs.index("test_acc")].as_str())
        .collect();
    assert_eq!(runs.column("final_test_acc"), last_test_acc);

    // Without validation: empty validation columns, stopped after its epochs, nothing
    // restored.
    assert!(epochs.column("val_loss").iter().all(|v| v.is_empty()));
    assert!(epochs.column("val_acc").iter().all(|v| v.is_empty()));
    assert_eq!(runs.column("final_val_acc"), ["", ""]);
    assert_eq!(runs.column("stopped_epoch"), ["3", "3"]);
    assert_eq!(runs.column("stop_reason"), ["epochs", "epochs"]);
    assert_eq!(runs.column("restored_epoch"), ["", ""]);
}

/// A study with a validation split and early stopping: `epochs.csv` has the validation
/// metrics, `runs.csv` the epoch each run stopped at, why, and the epoch restored, whose row
/// the final metrics are; the saved weights are the restored ones; claims can name the new
/// columns.
#[test]
fn early_stopping_records_where_it_stopped_and_keeps_the_best_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let text = small_experiment(
        "stop",
        2,
        300,
        "early_stopping = { patience = 4, metric = \"val_loss\" }\n\n\
         [[expect]]\nclaim = \"validation accuracy beats chance\"\nmetric = \"final_val_acc\"\n\
         op = \">\"\nvalue = 0.6\n\n\
         [[expect]]\nclaim = \"it stops before 300 epochs\"\nmetric = \"stopped_epoch\"\n\
         op = \"<\"\nvalue = 300\n\n\
         [[expect]]\nclaim = \"epoch 1 is measured on the validation set\"\n\
         metric = \"val_loss\"\nepoch = 1\nop = \"<\"\nvalue = 10\n",
    )
    .replace(
        "n_train = 200\n",
        "n_train = 80\nnoise = 0.35\nvalidation_fraction = 0.25\n",
    )
    .replace("hidden = [8]", "hidden = [64, 64]")
    .replace("lr = 0.01", "lr = 0.02")
    .replace("batch_size = 16", "batch_size = 8");
    let file = write(tmp.path(), "stop.toml", &text);
    let out = tmp.path().join("results");
    let output = run_ok(&file, &out, &[], tmp.path());
    assert!(
        output.stdout.contains("PASS") && !output.stdout.contains("FAIL"),
        "{}",
        output.stdout
    );
    let dir = out.join("stop");
    let runs = Table::read(&dir.join("runs.csv"));
    let epochs = Table::read(&dir.join("epochs.csv"));
    assert_eq!(runs.columns, run_columns(&[]));
    assert_eq!(epochs.columns, columns(EPOCH_COLUMNS));
    assert_eq!(
        runs.column("stop_reason"),
        ["early_stopping", "early_stopping"]
    );
    for (i, run_id) in runs.column("run_id").into_iter().enumerate() {
        let field = |name: &str| runs.rows[i][runs.index(name)].clone();
        let rows: Vec<&Vec<String>> = epochs
            .rows
            .iter()
            .filter(|r| r[epochs.index("run_id")] == run_id)
            .collect();
        let stopped: usize = field("stopped_epoch").parse().unwrap();
        let restored: usize = field("restored_epoch").parse().unwrap();
        assert_eq!(rows.len(), stopped + 1, "epochs 0..=stopped are recorded");
        assert_eq!(field("epochs"), stopped.to_string());
        assert_eq!(restored + 4, stopped, "patience 4");
        let at = |epoch: usize, column: &str| rows[epoch][epochs.index(column)].clone();
        assert!(rows.iter().all(|r| !r[epochs.index("val_loss")].is_empty()));
        // The final metrics are the restored epoch's row.
        for (final_column, column) in [
            ("final_train_loss", "train_loss"),
            ("final_test_acc", "test_acc"),
            ("final_test_loss", "test_loss"),
            ("final_val_loss", "val_loss"),
            ("final_val_acc", "val_acc"),
        ] {
            assert_eq!(field(final_column), at(restored, column), "{final_column}");
        }
        // The best validation loss of epochs 1..=stopped is the restored epoch's.
        let val_loss = |epoch: usize| at(epoch, "val_loss").parse::<f64>().unwrap();
        assert!((1..=stopped).all(|e| val_loss(e) >= val_loss(restored)));
        assert!((1..restored).all(|e| val_loss(e) > val_loss(restored)));

        // The saved weights are the restored ones: a run starting from them measures the
        // restored epoch's test metrics at its epoch 0 (the test set does not depend on the
        // validation split).
        let weights = dir.join("weights").join(format!("{run_id}.safetensors"));
        let restart = small_experiment(&format!("restart{i}"), 1, 1, "")
            .replace("seeds = 1", &format!("seeds = [{i}]"))
            .replace("n_train = 200\n", "n_train = 80\nnoise = 0.35\n")
            .replace("hidden = [8]", "hidden = [64, 64]")
            .replace(
                "activation = \"relu\"\n",
                &format!(
                    "activation = \"relu\"\ninit = \"file\"\nweights = {:?}\n",
                    weights.to_str().unwrap()
                ),
            )
            .replace("batch_size = 16", "batch_size = 8");
        let restart = write(tmp.path(), "restart.toml", &restart);
        run_ok(&restart, &out, &[], tmp.path());
        let second = Table::read(&out.join(format!("restart{i}")).join("epochs.csv"));
        assert_eq!(second.column("test_acc")[0], at(restored, "test_acc"));
        assert_eq!(second.column("test_loss")[0], at(restored, "test_loss"));
    }
}

/// A results folder written before validation and early stopping (no `val_*`,
/// `final_val_*`, `stopped_epoch`, `stop_reason`, `restored_epoch` columns) resumes: nothing
/// is retrained, and its files are rewritten with the new columns filled in as a run
/// without validation writes them.
#[test]
fn a_folder_of_before_early_stopping_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "old.toml", &small_experiment("old", 2, 2, ""));
    let out = tmp.path().join("results");
    let dir = out.join("old");
    run_ok(&file, &out, &[], tmp.path());
    let current = snapshot(&dir);
    for name in ["runs.csv", "epochs.csv"] {
        let table = Table::read(&dir.join(name));
        let keep: Vec<usize> = (0..table.columns.len())
            .filter(|&i| !dlp_config::ADDED_COLUMNS.contains(&table.columns[i].as_str()))
            .collect();
        let old = Table {
            columns: keep.iter().map(|&i| table.columns[i].clone()).collect(),
            rows: table
                .rows
                .iter()
                .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        };
        std::fs::write(dir.join(name), old.to_csv()).unwrap();
    }
    let again = run_ok(&file, &out, &[], tmp.path());
    assert!(
        again.stderr.contains("0 runs trained, 2 already done"),
        "{}",
        again.stderr
    );
    assert_eq!(snapshot(&dir), current);
}

#[test]
fn same_experiment_gives_same_results_whatever_the_jobs() {
    same_results_whatever_the_jobs(&small_experiment("det", 3, 2, ""));
}

/// The same with dropout (masks from each run's seed) on an architecture off the menu.
#[test]
fn dropout_gives_same_results_whatever_the_jobs() {
    let text = small_experiment("det", 3, 2, "")
        .replace("hidden = [8]\n", "hidden = [12, 6]\ndropout = [0.3, 0.1]\n");
    same_results_whatever_the_jobs(&text);
}

/// Runs the experiment `det` three times (`--jobs` 1, 1 and 2): the same files.
fn same_results_whatever_the_jobs(text: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "det.toml", text);
    let folders = [("one", "1"), ("again", "1"), ("two", "2")];
    for (out, jobs) in folders {
        run_ok(&file, &tmp.path().join(out), &["--jobs", jobs], tmp.path());
    }
    let dir = |out: &str| tmp.path().join(out).join("det");
    let reference = results_without_wall_clock(&dir("one"));
    assert_eq!(reference.0.lines().count(), 4, "{}", reference.0);
    for (out, jobs) in &folders[1..] {
        let results = results_without_wall_clock(&dir(out));
        assert_eq!(results.0, reference.0, "runs.csv of {out} (--jobs {jobs})");
        assert_eq!(
            results.1, reference.1,
            "epochs.csv of {out} (--jobs {jobs})"
        );
        assert_eq!(
            read(&dir(out).join("cells").join("0.toml")),
            read(&dir("one").join("cells").join("0.toml"))
        );
        let weights = |out: &str| -> Vec<(String, Vec<u8>)> {
            let mut files: Vec<_> = std::fs::read_dir(dir(out).join("weights"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read(&p).unwrap(),
                    )
                })
                .collect();
            files.sort();
            files
        };
        assert_eq!(
            weights(out),
            weights("one"),
            "weights of {out} (--jobs {jobs})"
        );
    }
}

fn snapshot(dir: &Path) -> [String; 3] {
    ["cells/0.toml", "runs.csv", "epochs.csv"].map(|name| read(&dir.join(name)))
}

#[test]
fn second_run_resumes_fresh_retrains_and_another_config_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "resume.toml",
        &small_experiment("resume", 2, 2, ""),
    );
    let out = tmp.path().join("results");
    let dir = out.join("resume");
    run_ok(&file, &out, &[], tmp.path());
    let first = snapshot(&dir);
    let first_blanked = results_without_wall_clock(&dir);

    let again = run_ok(&file, &out, &[], tmp.path());
    assert!(
        again.stderr.contains("0 runs trained, 2 already done"),
        "{}",
        again.stderr
    );
    assert_eq!(
        snapshot(&dir),
        first,
        "a run with nothing to do changes nothing"
    );

    // A run cut short: its runs.csv row is missing, so it is trained again, and only it.
    let runs = read(&dir.join("runs.csv"));
    let kept: Vec<&str> = runs.lines().take(2).collect();
    std::fs::write(dir.join("runs.csv"), kept.join("\n") + "\n").unwrap();
    let resumed = run_ok(&file, &out, &[], tmp.path());
    assert!(
        resumed.stderr.contains("1 runs trained, 1 already done"),
        "{}",
        resumed.stderr
    );
    let blanked = results_without_wall_clock(&dir);
    assert_eq!(
        blanked, first_blanked,
        "resuming gives the rows of an uninterrupted run, in the same order"
    );

    let fresh = run_ok(&file, &out, &["--fresh"], tmp.path());
    assert!(
        fresh.stderr.contains("2 runs trained, 0 already done"),
        "{}",
        fresh.stderr
    );
    assert_eq!(results_without_wall_clock(&dir), blanked);

    let before = snapshot(&dir);
    let changed = write(
        tmp.path(),
        "resume.toml",
        &small_experiment("resume", 2, 3, ""),
    );
    let refused = dlp(
        &[
            "run",
            "-q",
            "--out",
            out.to_str().unwrap(),
            changed.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    assert!(refused.stderr.contains("--fresh"), "{}", refused.stderr);
    assert_eq!(
        snapshot(&dir),
        before,
        "a refused run leaves the folder as it was"
    );
}

#[test]
fn saved_weights_start_a_new_run() {
    saved_weights_restart(&[8]);
}

/// Architectures that were refused before any widths were accepted (mixed widths, a width of
/// no precompiled type, more than four layers) train, save their weights, start a new run from
/// them and get their report (whose decision boundary goes through `predict`).
#[test]
fn architectures_off_the_menu_train_and_restart_from_their_weights() {
    for hidden in [&[8, 16][..], &[7], &[8, 8, 8, 8, 8], &[3, 70, 2]] {
        saved_weights_restart(hidden);
    }
}

/// Trains `hidden` for two epochs, saving the weights, then starts a second run from them.
fn saved_weights_restart(hidden: &[usize]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let with_hidden =
        |text: String| text.replace("hidden = [8]\n", &format!("hidden = {hidden:?}\n"));
    let first = write(
        tmp.path(),
        "first.toml",
        &with_hidden(small_experiment("first", 1, 2, "save_weights = true\n")),
    );
    run_ok(&first, &out, &[], tmp.path());
    let runs = Table::read(&out.join("first").join("runs.csv"));
    assert_eq!(runs.column("status"), ["ok"], "{hidden:?}");
    let run_id = runs.column("run_id")[0];
    let weights = out
        .join("first")
        .join("weights")
        .join(format!("{run_id}.safetensors"));
    assert!(weights.is_file(), "{} is missing", weights.display());

    // Same data, model and seed, starting from the first run's final weights.
    let text = with_hidden(small_experiment("second", 1, 1, "")).replace(
        "activation = \"relu\"\n",
        &format!(
            "activation = \"relu\"\ninit = \"file\"\nweights = {:?}\n",
            weights.to_str().unwrap()
        ),
    );
    let second = write(tmp.path(), "second.toml", &text);
    run_ok(&second, &out, &[], tmp.path());
    let epochs = Table::read(&out.join("second").join("epochs.csv"));
    assert_eq!(epochs.column("epoch")[0], "0");
    assert_eq!(
        epochs.column("test_acc")[0],
        runs.column("final_test_acc")[0],
        "epoch 0 of the second run measures the first run's final weights ({hidden:?})"
    );
    assert_eq!(
        epochs.column("test_loss")[0],
        runs.column("final_test_loss")[0]
    );
}

#[test]
fn a_diverging_run_is_recorded_and_the_command_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    // Plain SGD with lr = 1e6 on the unbounded logit loss overflows to NaN in the first epoch.
    // (With `mse` or `bce` the sigmoid saturates instead and the loss stays finite.)
    let text = small_experiment("diverge", 1, 3, "")
        .replace("name = \"adam\"\nlr = 0.01", "name = \"sgd\"\nlr = 1e6");
    let file = write(tmp.path(), "diverge.toml", &text);
    let out = tmp.path().join("results");
    let output = run_ok(&file, &out, &[], tmp.path());
    assert!(
        output
            .stderr
            .contains("1 runs trained, 0 already done, 1 diverged"),
        "{}",
        output.stderr
    );
    let runs = Table::read(&out.join("diverge").join("runs.csv"));
    assert_eq!(runs.column("status"), ["diverged"]);
    let epoch: usize = runs.column("diverged_epoch")[0].parse().unwrap();
    assert!((1..=3).contains(&epoch), "diverged_epoch = {epoch}");
    let epochs = Table::read(&out.join("diverge").join("epochs.csv"));
    assert_eq!(epochs.rows.len(), epoch + 1, "training stops at divergence");
}

/// Reports are written after every study has trained, several at once, but each study's
/// claims print in study order; a study that cannot run (here its results folder holds another
/// configuration) stops the invocation before any study trains.
#[test]
fn reports_keep_study_order_and_bad_input_stops_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let studies = tmp.path().join("studies");
    std::fs::create_dir(&studies).unwrap();
    for name in ["a", "b"] {
        let claim = format!(
            "\n[[expect]]\nclaim = \"claim of {name}\"\nmetric = \"final_test_acc\"\n\
             op = \">=\"\nvalue = 0.0\n"
        );
        write(
            &studies,
            &format!("{name}.toml"),
            &small_experiment(name, 1, 2, &claim),
        );
    }
    let out = tmp.path().join("results");
    let output = run_ok(&studies, &out, &["--jobs", "2"], tmp.path());
    let (a, b) = (
        output.stdout.find("PASS claim of a"),
        output.stdout.find("PASS claim of b"),
    );
    assert!(a.is_some() && b.is_some() && a < b, "{}", output.stdout);

    let stopped = tmp.path().join("stopped");
    let c = write(tmp.path(), "c.toml", &small_experiment("c", 1, 2, ""));
    run_ok(&c, &stopped, &[], tmp.path());
    write(&studies, "c.toml", &small_experiment("c", 1, 3, ""));
    let args = [
        "run",
        "-q",
        "--out",
        stopped.to_str().unwrap(),
        studies.to_str().unwrap(),
    ];
    let output = dlp(&args, tmp.path());
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("--fresh"), "{}", output.stderr);
    for name in ["a", "b"] {
        let runs = stopped.join(name).join("runs.csv");
        let trained = runs.is_file() && !Table::read(&runs).rows.is_empty();
        assert!(!trained, "{name} trained before the bad study was found");
    }
}

#[test]
fn a_results_folder_is_reported_alone_after_its_data_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let experiment_dir = tmp.path().join("experiment");
    let mut points = String::from("x1,x2,label\n");
    for i in 0..120 {
        let (x, y) = ((i % 12) as f32 - 5.5, (i / 12) as f32 - 4.5);
        points.push_str(&format!("{x},{y},{}\n", u8::from(x * y > 0.0)));
    }
    std::fs::create_dir(&experiment_dir).unwrap();
    write(&experiment_dir, "points.csv", &points);
    let text = small_experiment("own-data", 2, 3, "save_weights = true\n").replace(
        "kind = \"moons\"\nn_train = 200\nn_test = 100\n",
        "kind = \"csv\"\npath = \"points.csv\"\nlabel_column = \"label\"\n",
    );
    let file = write(&experiment_dir, "own-data.toml", &text);
    let out = tmp.path().join("results");
    run_ok(&file, &out, &["--no-report"], tmp.path());

    // The folder moves to another machine; the experiment and its data stay behind.
    let moved = tmp.path().join("elsewhere");
    std::fs::rename(out.join("own-data"), &moved).unwrap();
    std::fs::remove_dir_all(&experiment_dir).unwrap();
    let report = dlp(&["report", moved.to_str().unwrap()], tmp.path());
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(!report.stderr.contains("warning"), "{}", report.stderr);
    assert!(moved.join("plots").join("boundary-cell0.png").is_file());
    assert_eq!(read(&moved.join("inputs").join("0-points.csv")), points);
}

/// Without saved weights there are no decision boundaries to draw, and the report says
/// nothing about weights it was told not to keep.
#[test]
fn a_study_without_saved_weights_reports_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let text = small_experiment("no-weights", 2, 2, "save_weights = false\n")
        + "\n[sweep]\n\"model.hidden\" = [[4], [8]]\n";
    let file = write(tmp.path(), "no-weights.toml", &text);
    let out = tmp.path().join("results");
    let output = run_ok(&file, &out, &[], tmp.path());
    assert!(!output.stderr.contains("warning"), "{}", output.stderr);
    let dir = out.join("no-weights");
    assert!(
        !dir.join("weights").exists()
            || std::fs::read_dir(dir.join("weights"))
                .unwrap()
                .next()
                .is_none()
    );
    assert!(!dir.join("plots").join("boundaries.png").exists());
    assert!(dir.join("plots").join("curves.png").exists());
    assert!(dir.join("report.html").exists());
}
