//! `dlp serve` end to end, on 127.0.0.1 only: the page in headless Chromium (start a run on
//! tp1_spirals, epochs and boundary redraws arrive, pause, step, save as TOML that `dlp check`
//! accepts), the same numbers as `dlp run` (validation and early stopping included: the same
//! stopped and restored epochs), early stopping without a validation set refused at its key,
//! the bad-input corpus refused with `dlp check`'s
//! messages, routes and paths that are not served, a closed stream stopping its run, twenty
//! clients at once through a queue, and a study trained in the background with its report.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dlp_tests::{Table, dlp, dlp_bin, run_ok, small_experiment, write};
use serde_json::{Value, json};

/// A `dlp serve` process on a free port of 127.0.0.1, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Serves `results` with `jobs` trainings at once, from the folder `cwd`.
    fn start(results: &Path, jobs: usize, cwd: &Path) -> Server {
        let mut child = Command::new(dlp_bin())
            .args(["serve", "--port", "0", "--jobs", &jobs.to_string()])
            .arg(results)
            .current_dir(cwd)
            .stderr(Stdio::piped())
            .spawn()
            .expect("dlp serve starts");
        // "dlp serve: http://127.0.0.1:PORT/ (...)"
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `(status, body)` of a request; 4xx and 5xx are answers too.
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let request = ureq::request(method, &self.url(path));
        let response = match body {
            Some(body) => request.send_string(body),
            None => request.call(),
        };
        match response {
            Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_string().unwrap()),
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, text) = self.request("POST", path, Some(&body.to_string()));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Starts a live run of `config` and returns its id.
    fn start_run(&self, config: &Value) -> String {
        let (status, answer) = self.post_json("/api/runs", config);
        assert_eq!(status, 201, "{answer}");
        answer["id"].as_str().unwrap().to_string()
    }

    /// The run's events as `(name, data)`, read until `until` says stop (or the stream ends).
    fn events(
        &self,
        id: &str,
        until: &mut dyn FnMut(&str, &Value) -> bool,
    ) -> Vec<(String, Value)> {
        let response = ureq::get(&self.url(&format!("/api/runs/{id}/events")))
            .call()
            .unwrap();
        let mut reader = BufReader::new(response.into_reader());
        let (mut events, mut name) = (Vec::new(), String::new());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            let text = line.trim_end().to_string();
            line.clear();
            if let Some(event) = text.strip_prefix("event: ") {
                name = event.to_string();
            } else if let Some(data) = text.strip_prefix("data: ") {
                let data: Value = serde_json::from_str(data).unwrap();
                let stop = until(&name, &data);
                events.push((name.clone(), data));
                if stop {
                    break;
                }
            }
        }
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moons(epochs: usize) -> Value {
    json!({
        "name": "live",
        "data": {"kind": "moons", "n_train": 200, "n_test": 100},
        "model": {"hidden": [8], "activation": "relu"},
        "loss": {"name": "bce_with_logits"},
        "optim": {"name": "adam", "lr": 0.01},
        "train": {"epochs": epochs, "batch_size": 16},
    })
}

fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_live_run_gives_the_numbers_of_dlp_run() {
    let events = live_run_gives_the_numbers_of_dlp_run(&moons(3));
    let done = &events.last().unwrap().1;
    assert_eq!(done["stop_reason"], "epochs", "{done}");
    assert_eq!(done["restored_epoch"], Value::Null, "{done}");
    assert!(
        events
            .iter()
            .all(|(_, data)| data.get("val_loss").is_none()),
        "no validation set, no validation numbers"
    );
}

/// With a validation set and early stopping, the live run stops where `dlp run` stops, for
/// the same reason, restores the same epoch, and its validation numbers are `epochs.csv`'s.
#[test]
fn a_live_run_with_early_stopping_stops_as_dlp_run_does() {
    let mut config = moons(300);
    config["data"]["validation_fraction"] = json!(0.25);
    config["optim"]["lr"] = json!(0.05);
    config["train"]["early_stopping"] = json!({"patience": 5, "metric": "val_loss"});
    let events = live_run_gives_the_numbers_of_dlp_run(&config);
    assert_eq!(events[0].1["validation"], true);
    assert_eq!(events[0].1["early_stopping"]["patience"], 5);
    let done = &events.last().unwrap().1;
    assert_eq!(done["stop_reason"], "early_stopping", "{done}");
    let (stopped, restored) = (
        done["epoch"].as_u64().unwrap(),
        done["restored_epoch"].as_u64().unwrap(),
    );
    assert!(restored < stopped && stopped < 300, "{done}");
}

/// Early stopping without a validation set is refused with the engine's message, located at
/// the key in the file the form stands for; a fraction of 0 is refused at its own key.
#[test]
fn early_stopping_without_validation_gets_a_located_error() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("results"), 1, tmp.path());
    let mut config = moons(10);
    config["train"]["early_stopping"] = json!({"patience": 3});
    // The file the form stands for (its table as TOML), checked by `dlp check`: the same
    // message, at the same line and column.
    let text = toml::to_string(&toml::Table::try_from(&config).unwrap()).unwrap();
    let file = write(tmp.path(), "live.toml", &text);
    let checked = dlp(&["check", file.to_str().unwrap()], tmp.path());
    let expected = checked.stderr.trim().strip_prefix("error: ").unwrap();
    assert!(expected.contains("`train.early_stopping`"), "{expected}");
    for path in ["/api/check", "/api/runs"] {
        let (status, answer) = server.post_json(path, &config);
        assert_eq!(status, 400, "{path}: {answer}");
        let error = answer["error"].as_str().unwrap().trim();
        assert_eq!(
            error,
            expected.replace(file.to_str().unwrap(), "live.toml"),
            "{path}"
        );
    }
    config["data"]["validation_fraction"] = json!(0);
    let (status, answer) = server.post_json("/api/check", &config);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("`data.validation_fraction`"),
        "{answer}"
    );
    // With a fraction, the form is valid and "Save as experiment" keeps both keys.
    config["data"]["validation_fraction"] = json!(0.2);
    let (status, saved) = server.post_json("/api/toml", &config);
    assert_eq!(status, 200, "{saved}");
    let saved: toml::Table = saved["toml"].as_str().unwrap().parse().unwrap();
    assert_eq!(saved["data"]["validation_fraction"].as_float(), Some(0.2));
    assert_eq!(
        saved["train"]["early_stopping"]["patience"].as_integer(),
        Some(3)
    );
}

/// With Playground's seven input features (standardised), the live run and its field still
/// follow `dlp run`: the model sees the same inputs, the field is drawn in the x1/x2 plane.
#[test]
fn a_live_run_on_seven_features_gives_the_numbers_of_dlp_run() {
    let mut config = moons(3);
    config["data"]["features"] = json!(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]);
    config["data"]["standardize"] = json!(true);
    live_run_gives_the_numbers_of_dlp_run(&config);
}

/// Trains `config` live and with `dlp run`, compares every epoch's numbers (and the
/// validation set's, when it has one) and how the run ended; returns the live events.
fn live_run_gives_the_numbers_of_dlp_run(config: &Value) -> Vec<(String, Value)> {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("results"), 2, tmp.path());
    let id = server.start_run(config);
    let events = server.events(&id, &mut |name, _| name == "done");
    let epochs: Vec<&Value> = events
        .iter()
        .filter(|(name, _)| name == "epoch")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(events[0].0, "start");
    assert_eq!(events[0].1["grid"]["nx"], 100);
    assert_eq!(events.last().unwrap().1["status"], "ok");
    assert!(
        epochs
            .last()
            .unwrap()
            .get("p1")
            .and_then(Value::as_str)
            .is_some_and(|p| p.len() > 1000)
    );

    // The same file, trained by `dlp run`.
    // The points are the data's own: each inside the field's x1/x2 box.
    let (grid, points) = (&events[0].1["grid"], &events[0].1["points"]);
    for (axis, range) in [("x", &grid["x"]), ("y", &grid["y"])] {
        let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
        for v in points[axis].as_array().unwrap() {
            let v = v.as_f64().unwrap();
            assert!(lo < v && v < hi, "{axis} = {v} outside {lo}..{hi}");
        }
    }
    let (_, toml) = server.post_json("/api/toml", config);
    let file = write(tmp.path(), "live.toml", toml["toml"].as_str().unwrap());
    run_ok(&file, &tmp.path().join("out"), &["--no-report"], tmp.path());
    let table = Table::read(&tmp.path().join("out/live/epochs.csv"));
    let validation = config["data"].get("validation_fraction").is_some();
    let columns = ["train_loss", "train_acc", "test_loss", "test_acc"];
    let val_columns = ["val_loss", "val_acc"];
    for &column in columns
        .iter()
        .chain(if validation { &val_columns[..] } else { &[] })
    {
        let expected: Vec<f64> = table
            .column(column)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let live: Vec<f64> = epochs.iter().map(|e| e[column].as_f64().unwrap()).collect();
        // serde_json (without its `float_roundtrip` feature) may parse the event's shortest
        // decimal one ulp away from the number sent: allow that, and nothing more.
        let same = |a: f64, b: f64| a == b || (a - b).abs() <= a.abs().max(b.abs()) * f64::EPSILON;
        assert!(
            live.len() == expected.len() && live.iter().zip(&expected).all(|(&a, &b)| same(a, b)),
            "{column}: {live:?} != {expected:?}"
        );
    }
    // How it ended: `runs.csv`'s last epoch, reason and restored epoch.
    let runs = Table::read(&tmp.path().join("out/live/runs.csv"));
    let done = &events.last().unwrap().1;
    assert_eq!(
        runs.column("stop_reason"),
        [done["stop_reason"].as_str().unwrap()]
    );
    assert_eq!(runs.column("stopped_epoch"), [done["epoch"].to_string()]);
    let restored = done["restored_epoch"].as_u64().map(|e| e.to_string());
    assert_eq!(
        runs.column("restored_epoch"),
        [restored.unwrap_or_default()]
    );
    events
}

#[test]
fn bad_input_gets_dlp_checks_message_and_nothing_else_is_served() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("bad");
    let server = Server::start(&tmp.path().join("results"), 2, &corpus);
    let mut compared = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let file = entry.unwrap().path();
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        // Files are refused by `dlp serve` whatever they hold: it trains generated data only.
        if file.extension().is_none_or(|e| e != "toml")
            || text.contains("path =")
            || text.contains("weights =")
        {
            continue;
        }
        let name = file.file_name().unwrap().to_str().unwrap();
        let (status, answer) =
            server.request("POST", &format!("/api/check?file={name}"), Some(&text));
        let checked = dlp(&["check", name], &corpus);
        let expected = checked
            .stderr
            .trim()
            .strip_prefix("error: ")
            .unwrap_or(&checked.stderr);
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["error"].as_str().unwrap().trim(), expected, "{name}");
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} corpus files compared");

    for (method, path) in [
        ("GET", "/nothing"),
        ("GET", "/results/0/..%2F..%2Fetc/report.html"),
        ("GET", "/results/0/../../etc/passwd"),
        ("GET", "/results/7/x/report.html"),
        ("GET", "/api/runs/r999/events"),
        ("POST", "/api/runs/r999/pause"),
    ] {
        let (status, body) = server.request(method, path, None);
        assert!(
            (400..500).contains(&status),
            "{method} {path}: {status} {body}"
        );
    }
    let (status, answer) = server.post_json(
        "/api/check",
        &json!({"name": "x", "data": {"kind": "csv", "path": "/etc/passwd"}}),
    );
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("generated datasets"),
        "{answer}"
    );
    let (status, _) = server.request("POST", "/api/runs", Some("{not json"));
    assert_eq!(status, 400);
    let (status, _) = server.request("GET", "/", None);
    assert_eq!(status, 200, "the server is still up");
}

#[test]
fn closing_the_stream_stops_the_run_and_twenty_clients_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("results"), 2, tmp.path());
    let id = server.start_run(&moons(1_000_000));
    let events = server.events(&id, &mut |name, data| name == "epoch" && data["epoch"] == 3);
    assert!(events.len() >= 4);
    // The stream was dropped: the run goes away (its controls answer 404) soon.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server
        .request("POST", &format!("/api/runs/{id}/resume"), None)
        .0
        != 404
    {
        assert!(
            Instant::now() < deadline,
            "the run still trains after its page left"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Twenty at once, two training at a time: every one finishes, some waited their turn.
    let outcomes: Vec<Vec<(String, Value)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    let id = server.start_run(&moons(20));
                    server.events(&id, &mut |name, _| name == "done" || name == "error")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for events in &outcomes {
        let (name, data) = events.last().unwrap();
        assert_eq!(
            (name.as_str(), &data["status"]),
            ("done", &json!("ok")),
            "{events:?}"
        );
    }
    let queued = outcomes
        .iter()
        .filter(|events| events[0].0 == "queued")
        .count();
    assert!(queued >= 1, "no client waited in the queue");
}

#[test]
fn a_study_trains_in_the_background_and_opens_as_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    // A study `dlp run` made before is listed too.
    let earlier = write(
        tmp.path(),
        "earlier.toml",
        &small_experiment("earlier", 1, 2, ""),
    );
    run_ok(&earlier, &results, &[], tmp.path());
    let server = Server::start(&results, 2, tmp.path());
    let mut config = moons(3);
    config["name"] = json!("sweep");
    config["seeds"] = json!(2);
    config["sweep"] = json!({"optim.lr": [0.01, 0.1]});
    let (status, answer) = server.post_json("/api/studies", &config);
    assert_eq!(status, 201, "{answer}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, list) = server.request("GET", "/api/results", None);
        let list: Value = serde_json::from_str(&list).unwrap();
        let sweep = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "sweep");
        if let Some(s) = sweep.filter(|s| s["runs"] == 4 && s["running"] == false) {
            assert_eq!(s["planned"], 4);
            assert!(
                list.as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["name"] == "earlier")
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the study did not finish: {list}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let report = answer["report"].as_str().unwrap();
    let (status, page) = server.request("GET", report, None);
    assert_eq!(status, 200);
    assert!(page.contains("id=\"dlp-data\""));
}

#[test]
fn the_page_trains_live_in_chromium() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing: .ci/run installs it"
        );
        eprintln!("skipped: no Chromium (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("results"), 2, tmp.path());
    let artefacts = artefacts();
    let e2e =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/runner/assets/serve/dev/e2e.js");
    let output = match Command::new("node")
        .arg("--experimental-websocket")
        .arg(&e2e)
        .arg(&chromium)
        .arg(server.url("/"))
        .arg(&artefacts)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "node is missing: {e}");
            eprintln!("skipped: no node ({e})");
            return;
        }
    };
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "browser checks failed:\n{log}");
    let saved = artefacts.join("saved.toml");
    let checked = dlp(&["check", saved.to_str().unwrap()], tmp.path());
    assert_eq!(
        checked.code, 0,
        "dlp check refuses the saved file:\n{}",
        checked.stderr
    );
}
