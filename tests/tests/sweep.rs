//! Sweeps end to end: grids, zipped keys, random search, overrides, shards, the summary.

use std::path::{Path, PathBuf};

use dlp_tests::{Table, dlp, read, results_without_wall_clock, run_ok, small_experiment, write};

const GRID: &str = "\n[sweep]\n\"optim.lr\" = [0.003, 0.03]\n\"model.activation\" = [\"relu\", \"tanh\"]\n\n\
                    [[sweep.zip]]\n\"train.batch_size\" = [8, 32]\n\"train.epochs\" = [1, 2]\n";

/// The grid experiment (8 cells, 2 seeds, 1 epoch) written into `dir`.
fn grid_file(dir: &Path) -> PathBuf {
    write(dir, "grid.toml", &small_experiment("grid", 2, 1, GRID))
}

#[test]
fn check_counts_cells_and_shows_what_varies() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let output = dlp(&["check", file.to_str().unwrap()], tmp.path());
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains("ok, 16 runs (8 cells x 2 seeds)"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("optim.lr                 0.003 | 0.03"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("train.epochs             1 | 2"),
        "{}",
        output.stdout
    );
    let overridden = dlp(&["check", file.to_str().unwrap(), "seeds=3"], tmp.path());
    assert!(
        overridden.stdout.contains("24 runs (8 cells x 3 seeds)"),
        "{}",
        overridden.stdout
    );
}

#[test]
fn a_grid_runs_every_cell_with_its_values_in_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let out = tmp.path().join("results");
    run_ok(&file, &out, &[], tmp.path());
    let runs = Table::read(&out.join("grid").join("runs.csv"));
    assert_eq!(runs.rows.len(), 16);
    assert_eq!(
        &runs.columns[3..7],
        [
            "optim.lr",
            "model.activation",
            "train.batch_size",
            "train.epochs"
        ]
    );
    // Zipped keys vary together; the run's own columns agree with the swept values.
    for (batch, epochs) in runs
        .column("train.batch_size")
        .iter()
        .zip(runs.column("epochs"))
    {
        assert_eq!(
            (*batch, epochs),
            if *batch == "8" {
                ("8", "1")
            } else {
                ("32", "2")
            }
        );
    }
    assert_eq!(runs.column("activation"), runs.column("model.activation"));
    for cell in 0..8 {
        assert!(
            out.join("grid")
                .join("cells")
                .join(format!("{cell}.toml"))
                .is_file()
        );
    }
}

#[test]
fn overrides_act_as_if_written_and_typos_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "o.toml", &small_experiment("o", 1, 3, ""));
    let out = tmp.path().join("results");
    run_ok(
        &file,
        &out,
        &["train.epochs=1", "seeds=2", "optim.lr=0.1"],
        tmp.path(),
    );
    let runs = Table::read(&out.join("o").join("runs.csv"));
    assert_eq!(runs.column("epochs"), ["1", "1"]);
    assert_eq!(runs.column("lr"), ["0.1", "0.1"]);
    let typo = dlp(
        &["check", file.to_str().unwrap(), "train.epoch=1"],
        tmp.path(),
    );
    assert_eq!(typo.code, 2);
    // The error names the argument, not a line of the text dlp generated from it.
    assert!(
        typo.stderr
            .starts_with("error: cannot apply override `train.epoch=1`: unknown field `epoch`"),
        "{}",
        typo.stderr
    );
    let table_typo = dlp(
        &["check", file.to_str().unwrap(), "trian.batch_size=4"],
        tmp.path(),
    );
    assert!(
        table_typo.stderr.starts_with(
            "error: cannot apply override `trian.batch_size=4`: unknown field `trian`"
        ),
        "{}",
        table_typo.stderr
    );
}

#[test]
fn an_override_of_a_swept_key_replaces_its_sweep_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let output = dlp(
        &["check", file.to_str().unwrap(), "train.epochs=3"],
        tmp.path(),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    // The zipped batch sizes still vary; the epochs are pinned.
    assert!(
        output.stdout.contains("ok, 16 runs (8 cells x 2 seeds)"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("train.epochs             3\n"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stderr
            .contains("grid.toml: `train.epochs=3` replaces the sweep of `train.epochs` (1, 2)"),
        "{}",
        output.stderr
    );
    // Pinning one of two zipped keys to one value with the other fixed too repeats a
    // combination: each configuration is kept once.
    let pinned = dlp(
        &[
            "check",
            file.to_str().unwrap(),
            "train.epochs=3",
            "train.batch_size=8",
        ],
        tmp.path(),
    );
    assert!(
        pinned.stdout.contains("ok, 8 runs (4 cells x 2 seeds)"),
        "{}",
        pinned.stdout
    );
    let out = tmp.path().join("results");
    run_ok(&file, &out, &["train.epochs=2", "seeds=1"], tmp.path());
    let runs = Table::read(&out.join("grid").join("runs.csv"));
    assert!(runs.column("epochs").iter().all(|e| *e == "2"), "{runs:?}");
}

#[test]
fn sweep_errors_point_at_the_sweep_entry_in_the_users_file() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "name = \"typo\"\n[sweep]\n\"trian.epochs\" = [1, 2]\n";
    let file = write(tmp.path(), "typo.toml", text);
    let output = dlp(&["check", file.to_str().unwrap()], tmp.path());
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("typo.toml:3:1: `trian.epochs`: unknown field `trian`"),
        "{}",
        output.stderr
    );
}

#[test]
fn random_search_draws_the_same_cells_every_time() {
    let tmp = tempfile::tempdir().unwrap();
    let random = "\n[sweep.random]\nn = 4\nseed = 7\n\"optim.lr\" = { log_uniform = [0.001, 0.1] }\n\
                  \"model.activation\" = { choice = [\"relu\", \"tanh\"] }\n";
    let file = write(tmp.path(), "r.toml", &small_experiment("r", 1, 1, random));
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    run_ok(&file, &one, &[], tmp.path());
    run_ok(&file, &two, &[], tmp.path());
    let runs = Table::read(&one.join("r").join("runs.csv"));
    assert_eq!(runs.rows.len(), 4);
    let lrs: Vec<f64> = runs
        .column("optim.lr")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(lrs.iter().all(|lr| (0.001..0.1).contains(lr)), "{lrs:?}");
    assert_eq!(
        results_without_wall_clock(&one.join("r")),
        results_without_wall_clock(&two.join("r"))
    );
}

#[test]
fn shards_together_equal_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let whole = tmp.path().join("whole");
    run_ok(&file, &whole, &[], tmp.path());
    let mut sharded = Vec::new();
    for k in 0..3 {
        let out = tmp.path().join(format!("shard{k}"));
        run_ok(&file, &out, &["--shard", &format!("{k}/3")], tmp.path());
        sharded.extend(
            Table::read(&out.join("grid").join("runs.csv"))
                .without_wall_clock()
                .rows,
        );
    }
    let mut all = Table::read(&whole.join("grid").join("runs.csv"))
        .without_wall_clock()
        .rows;
    all.sort();
    sharded.sort();
    assert_eq!(sharded, all);
}

#[test]
fn the_summary_groups_seeds_by_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let output = dlp(
        &[
            "run",
            "--out",
            "results",
            file.to_str().unwrap(),
            "--sort",
            "final_test_loss",
        ],
        tmp.path(),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        9,
        "a header and one line per cell:\n{}",
        output.stdout
    );
    assert!(
        lines[0].starts_with("group") && lines[1].contains("optim.lr="),
        "{}",
        output.stdout
    );
    assert!(read(&tmp.path().join("results/grid/experiment.toml")).contains("[sweep]"));
}

#[test]
fn merge_combines_shards_and_names_the_missing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_file(tmp.path());
    let whole = tmp.path().join("whole");
    run_ok(&file, &whole, &[], tmp.path());
    let shard = |k: usize| {
        let out = tmp.path().join(format!("shard{k}"));
        run_ok(&file, &out, &["--shard", &format!("{k}/3")], tmp.path());
        out.join("grid").to_str().unwrap().to_string()
    };
    let (zero, one, two) = (shard(0), shard(1), shard(2));

    let partial = dlp(&["merge", "--out", "partial", &zero, &one], tmp.path());
    assert_eq!(partial.code, 1, "{}", partial.stderr);
    assert_eq!(
        partial.stderr.matches("missing: cell").count(),
        5,
        "{}",
        partial.stderr
    );
    assert!(
        partial
            .stderr
            .contains("the merged study is incomplete: 5 runs missing"),
        "{}",
        partial.stderr
    );

    let merged = dlp(
        &["merge", "--out", "merged", &zero, &one, &two, &one],
        tmp.path(),
    );
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(
        merged.stderr.contains("merged 16 runs"),
        "{}",
        merged.stderr
    );
    assert_eq!(
        results_without_wall_clock(&tmp.path().join("merged/grid")),
        results_without_wall_clock(&whole.join("grid"))
    );
}

/// `[loss]`'s weight penalties are sweepable: each cell trains with its value, the cell
/// without penalties is the same run (id and numbers) as the file without the key, and the
/// penalties change training.
#[test]
fn weight_penalties_sweep_and_zero_is_the_run_without_them() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = "\n[sweep]\n\"loss.l2\" = [0, 1e-4, 1e-2]\n\"loss.l1\" = [0, 1e-3]\n";
    let swept = write(
        tmp.path(),
        "penalties.toml",
        &small_experiment("penalties", 1, 2, sweep),
    );
    let plain = write(
        tmp.path(),
        "plain.toml",
        &small_experiment("plain", 1, 2, ""),
    );
    let out = tmp.path().join("results");
    run_ok(&swept, &out, &[], tmp.path());
    run_ok(&plain, &out, &[], tmp.path());
    let runs = Table::read(&out.join("penalties").join("runs.csv"));
    let plain_runs = Table::read(&out.join("plain").join("runs.csv"));
    assert_eq!(runs.rows.len(), 6);
    assert_eq!(&runs.columns[3..5], ["loss.l2", "loss.l1"]);
    assert_eq!(runs.column("run_id")[0], plain_runs.column("run_id")[0]);
    let losses = runs.column("final_train_loss");
    assert_eq!(losses[0], plain_runs.column("final_train_loss")[0]);
    let mut distinct = losses.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        6,
        "every penalty changes training: {losses:?}"
    );
    let cell: toml::Table = read(&out.join("penalties").join("cells").join("5.toml"))
        .parse()
        .unwrap();
    assert_eq!(cell["loss"]["l2"].as_float(), Some(1e-2));
    assert_eq!(cell["loss"]["l1"].as_float(), Some(1e-3));
    let zero: toml::Table = read(&out.join("penalties").join("cells").join("0.toml"))
        .parse()
        .unwrap();
    assert!(
        !zero["loss"].as_table().unwrap().contains_key("l2"),
        "{zero}"
    );
}

/// `[data] features` is sweepable: each cell trains on its inputs (its weights have one input
/// per feature), the cell of the default `["x1", "x2"]` is the same run (id and numbers) as
/// the file without the key, `runs.csv` shows the lists readably, claims select by them, and
/// the report draws every cell's boundary in the x1/x2 plane.
#[test]
fn input_features_sweep_and_the_default_is_the_run_without_them() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = "\n[sweep]\n\"data.features\" = [[\"x1\", \"x2\"], [\"x1\", \"x2\", \"x1^2\", \
                 \"x2^2\"], [\"x1\", \"x2\", \"x1^2\", \"x2^2\", \"x1*x2\", \"sin(x1)\", \
                 \"sin(x2)\"]]\n\n\
                 [[expect]]\nclaim = \"the coordinates alone learn moons\"\n\
                 metric = \"final_test_acc\"\nwhere = { \"data.features\" = [\"x1\", \"x2\"] }\n\
                 op = \">\"\nvalue = 0.5\n";
    let swept = write(
        tmp.path(),
        "features.toml",
        &small_experiment("features", 1, 2, sweep),
    );
    let plain = write(
        tmp.path(),
        "plain.toml",
        &small_experiment("plain", 1, 2, ""),
    );
    let out = tmp.path().join("results");
    let output = run_ok(&swept, &out, &[], tmp.path());
    assert!(
        output.stdout.contains("PASS") || output.stderr.contains("PASS"),
        "{}\n{}",
        output.stdout,
        output.stderr
    );
    run_ok(&plain, &out, &[], tmp.path());
    let dir = out.join("features");
    let runs = Table::read(&dir.join("runs.csv"));
    let plain_runs = Table::read(&out.join("plain").join("runs.csv"));
    assert_eq!(runs.columns[3], "data.features");
    assert_eq!(
        runs.column("data.features"),
        [
            "[x1 x2]",
            "[x1 x2 x1^2 x2^2]",
            "[x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2)]"
        ]
    );
    assert_eq!(runs.column("run_id")[0], plain_runs.column("run_id")[0]);
    let losses = runs.column("final_train_loss");
    assert_eq!(losses[0], plain_runs.column("final_train_loss")[0]);
    assert!(
        losses[0] != losses[1] && losses[1] != losses[2],
        "{losses:?}"
    );
    let default: toml::Table = read(&dir.join("cells").join("0.toml")).parse().unwrap();
    assert!(!default["data"].as_table().unwrap().contains_key("features"));
    let all: toml::Table = read(&dir.join("cells").join("2.toml")).parse().unwrap();
    assert_eq!(all["data"]["features"].as_array().unwrap().len(), 7);
    // The first layer's weights take one input per feature.
    for (row, inputs) in [2, 4, 7].into_iter().enumerate() {
        let id = &runs.column("run_id")[row];
        let bytes = std::fs::read(dir.join("weights").join(format!("{id}.safetensors"))).unwrap();
        let length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + length]).unwrap();
        assert_eq!(header["0.weight"]["shape"], serde_json::json!([8, inputs]));
    }
    for cell in 0..3 {
        let png = dir.join("plots").join(format!("boundary-cell{cell}.png"));
        assert!(png.is_file(), "{}", png.display());
    }
    let report = read(&dir.join("report.md"));
    assert!(
        report.contains("data.features=[x1 x2 x1^2 x2^2]"),
        "{report}"
    );
    assert!(
        report.contains("**PASS** the coordinates alone learn moons"),
        "{report}"
    );
}
