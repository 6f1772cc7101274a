//! Live runs: one seed of a configuration trained on a thread of its own through
//! `dlp_train::train_watched`, each epoch's metrics and decision field sent to the page as a
//! Server-Sent Event. At most `cap` train at once; the others wait in a queue, told their place.
//! A page that goes away (its event stream dropped) stops its run.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::sse::Event;
use dlp_data::{InputMap, Split};
use dlp_report::FieldBytes;
use dlp_train::{EpochMetrics, Snapshot, Status};
use futures_util::Stream;
use serde_json::json;
use tokio::sync::mpsc;

use super::form::Form;

/// Cells per side of a live decision field (Playground draws 100).
const FIELD: usize = 100;
/// Points sent with a run's start (a stride through larger sets).
const MAX_POINTS: usize = 3000;
/// Events a slow page may fall behind by before its run waits for it.
const BACKLOG: usize = 16;
/// How often a waiting or paused run looks whether its page went away.
const POLL: Duration = Duration::from_millis(200);

type Refusal = (StatusCode, String);

/// The live runs of a server.
pub struct Runs {
    next: AtomicU64,
    sessions: Arc<Mutex<HashMap<String, Arc<Session>>>>,
    slots: Arc<Slots>,
}

/// One run: its configuration until its stream starts it, and its controls.
struct Session {
    form: Mutex<Option<Form>>,
    control: Control,
}

/// What the page asked of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Running,
    Paused,
    /// One more epoch, then paused.
    Step,
    Stopped,
}

struct Control {
    mode: Mutex<Mode>,
    changed: Condvar,
}

impl Control {
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
        self.changed.notify_all();
    }
}

/// Training slots: `cap` at once, the rest in arrival order.
struct Slots {
    cap: usize,
    state: Mutex<(usize, VecDeque<u64>)>,
    changed: Condvar,
}

impl Slots {
    /// Waits for a slot for `ticket`, telling `tell` each new place in the queue; `false`
    /// when `gone` says the page went away first.
    fn acquire(&self, ticket: u64, tell: &mut dyn FnMut(usize), gone: &dyn Fn() -> bool) -> bool {
        let mut state = self.state.lock().unwrap();
        state.1.push_back(ticket);
        let mut told = None;
        loop {
            let place = state.1.iter().position(|&t| t == ticket).unwrap_or(0);
            if place == 0 && state.0 < self.cap {
                state.1.pop_front();
                state.0 += 1;
                self.changed.notify_all();
                return true;
            }
            if gone() {
                state.1.retain(|&t| t != ticket);
                self.changed.notify_all();
                return false;
            }
            let ahead = place + usize::from(place == 0);
            if told != Some(ahead) {
                told = Some(ahead);
                drop(state);
                tell(ahead);
                state = self.state.lock().unwrap();
            }
            state = self.changed.wait_timeout(state, POLL).unwrap().0;
        }
    }

    fn release(&self) {
        self.state.lock().unwrap().0 -= 1;
        self.changed.notify_all();
    }
}

impl Runs {
    /// No runs yet; `cap` train at once.
    pub fn new(cap: usize) -> Self {
        Self {
            next: AtomicU64::new(1),
            sessions: Arc::default(),
            slots: Arc::new(Slots {
                cap: cap.max(1),
                state: Mutex::default(),
                changed: Condvar::new(),
            }),
        }
    }

    /// Registers a run of `form`; it starts when its event stream is opened.
    pub fn create(&self, form: Form) -> String {
        let id = format!("r{}", self.next.fetch_add(1, Ordering::Relaxed));
        let session = Session {
            form: Mutex::new(Some(form)),
            control: Control {
                mode: Mutex::new(Mode::Running),
                changed: Condvar::new(),
            },
        };
        self.sessions
            .lock()
            .unwrap()
            .insert(id.clone(), Arc::new(session));
        id
    }

    fn session(&self, id: &str) -> Result<Arc<Session>, Refusal> {
        let sessions = self.sessions.lock().unwrap();
        sessions.get(id).cloned().ok_or_else(|| {
            let message = format!("no run `{id}`: it finished, was reset or never started");
            (StatusCode::NOT_FOUND, message)
        })
    }

    /// Starts run `id` and returns its events.
    pub fn stream(&self, id: &str) -> Result<impl Stream<Item = Event> + use<>, Refusal> {
        let session = self.session(id)?;
        let form = session.form.lock().unwrap().take().ok_or_else(|| {
            let message = format!("run `{id}` is already streaming to another page");
            (StatusCode::CONFLICT, message)
        })?;
        let (sender, receiver) = mpsc::channel(BACKLOG);
        let (sessions, slots, id) = (
            Arc::clone(&self.sessions),
            Arc::clone(&self.slots),
            id.to_string(),
        );
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        std::thread::spawn(move || {
            let events = Events(sender);
            let gone =
                || events.0.is_closed() || *session.control.mode.lock().unwrap() == Mode::Stopped;
            let mut tell = |ahead: usize| {
                events.send("queued", json!({ "position": ahead }));
            };
            if slots.acquire(ticket, &mut tell, &gone) {
                if let Err(error) = train(&form, &session.control, &events) {
                    events.send("error", json!({ "error": error }));
                }
                slots.release();
            }
            sessions.lock().unwrap().remove(&id);
        });
        Ok(futures_util::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|event| (event, receiver)) },
        ))
    }

    /// Pauses, resumes, steps or stops run `id`.
    pub fn control(&self, id: &str, action: &str) -> Result<(), Refusal> {
        let mode = match action {
            "pause" => Mode::Paused,
            "resume" => Mode::Running,
            "step" => Mode::Step,
            "stop" => Mode::Stopped,
            other => {
                let message = format!("unknown action `{other}`: pause, resume, step or DELETE");
                return Err((StatusCode::NOT_FOUND, message));
            }
        };
        let session = self.session(id)?;
        session.control.set(mode);
        if mode == Mode::Stopped {
            self.sessions.lock().unwrap().remove(id);
        }
        Ok(())
    }
}

/// A run's side of its event stream.
struct Events(mpsc::Sender<Event>);

impl Events {
    /// Sends a named event; `false` when the page went away. Waits while the page is
    /// `BACKLOG` events behind.
    fn send(&self, name: &str, data: serde_json::Value) -> bool {
        let event = Event::default().event(name).data(data.to_string());
        self.0.blocking_send(event).is_ok()
    }
}

/// The plane around the data, for the live decision field: its grid of raw points, and the
/// model's inputs at them (through the data's `InputMap`, as the training data).
struct Plane {
    plane: dlp_report::Plane,
    inputs: Vec<f32>,
}

impl Plane {
    /// Around every point, train and test, `resolution` cells per side; `None` unless the
    /// data is 2-D.
    fn of(raw: &Split, map: &InputMap, resolution: usize) -> Option<Plane> {
        if raw.train.n_features != 2 {
            return None;
        }
        let rows = (0..raw.train.len())
            .map(|i| raw.train.row(i))
            .chain((0..raw.test.len()).map(|i| raw.test.row(i)));
        let plane = dlp_report::Plane::around_rows(rows, resolution);
        let inputs = map.apply(&plane.grid());
        Some(Plane { plane, inputs })
    }
}

/// The data's points for the page, in their own coordinates: a stride through each set,
/// train then test.
fn points(split: &Split) -> serde_json::Value {
    let (mut x, mut y, mut label, mut set) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let total = split.train.len() + split.test.len();
    let stride = total.div_ceil(MAX_POINTS).max(1);
    for (name, data) in [("train", &split.train), ("test", &split.test)] {
        for i in (0..data.len()).step_by(stride) {
            let row = data.row(i);
            x.push(row[0]);
            y.push(row[1]);
            label.push(data.labels[i]);
            set.push(name);
        }
    }
    json!({ "x": x, "y": y, "label": label, "split": set })
}

/// Trains the form's first cell on its first seed, as `dlp run` would, streaming each epoch.
fn train(form: &Form, control: &Control, events: &Events) -> Result<(), String> {
    let resolved = &form.study.cells[0].resolved;
    let seed = resolved.experiment.seeds.list()[0];
    let (raw, map) = dlp_data::load_raw(&resolved.experiment.data, seed, Path::new("."))
        .map_err(|e| e.to_string())?;
    let split = map.apply_split(&raw);
    let spec =
        crate::run::train_spec(resolved, &split, seed, None).map_err(|e| format!("{e:#}"))?;
    let (head, classes) = (
        spec.loss.head,
        split.train.n_classes.max(split.test.n_classes),
    );
    let plane = Plane::of(&raw, &map, FIELD);
    let grid = plane.as_ref().map(|p| {
        let (x, y) = (p.plane.x, p.plane.y);
        json!({ "x": [x.0, x.1], "y": [y.0, y.1], "nx": FIELD, "ny": FIELD })
    });
    let points = plane.as_ref().map(|_| points(&raw));
    let start = json!({
        "epochs": spec.epochs,
        "classes": classes,
        "grid": grid,
        "points": points,
        "validation": split.validation.is_some(),
        "early_stopping": spec.early_stopping.map(|rule| json!({
            "patience": rule.patience,
            "min_delta": rule.min_delta,
            "metric": rule.metric.name(),
        })),
    });
    if !events.send("start", start) {
        return Ok(());
    }
    let mut stopped = false;
    let mut watch = |metrics: &EpochMetrics, mut model: Snapshot<'_>| {
        let mut data = json!({
            "epoch": metrics.epoch,
            "train_loss": metrics.train_loss,
            "train_acc": metrics.train_acc,
            "test_loss": metrics.test_loss,
            "test_acc": metrics.test_acc,
            "lr": metrics.lr,
        });
        // With a validation set only, as in `epochs.csv` (empty without one).
        if let (Some(data), Some(loss), Some(acc)) =
            (data.as_object_mut(), metrics.val_loss, metrics.val_acc)
        {
            data.insert("val_loss".into(), json!(loss));
            data.insert("val_acc".into(), json!(acc));
        }
        if let Some(plane) = &plane {
            let outputs = model.predict(&plane.inputs);
            let cells: Vec<(u32, f64)> = outputs
                .chunks(outputs.len() / (FIELD * FIELD))
                .map(|row| head.class_and_probability(row, classes))
                .collect();
            let bytes =
                serde_json::to_value(FieldBytes::new(&cells, FIELD, classes)).unwrap_or_default();
            if let (Some(data), Some(bytes)) = (data.as_object_mut(), bytes.as_object()) {
                data.extend(bytes.clone());
            }
        }
        if !events.send("epoch", data) {
            stopped = true;
            return ControlFlow::Break(());
        }
        let flow = wait_while_paused(control, events, metrics.epoch);
        stopped |= flow.is_break();
        flow
    };
    let trained = dlp_train::train_watched(spec, &mut watch).map_err(|e| e.to_string())?;
    let last = trained.epochs.last().map_or(0, |m| m.epoch);
    let status = match trained.status {
        Status::Diverged { .. } => "diverged",
        Status::Ok if stopped => "stopped",
        Status::Ok => "ok",
    };
    // Why it stopped is `runs.csv`'s `stop_reason` (`watcher`: the page stopped it); the
    // weights kept are the restored epoch's, with early stopping.
    events.send(
        "done",
        json!({
            "status": status,
            "epoch": last,
            "stop_reason": trained.stop_reason.name(),
            "restored_epoch": trained.restored_epoch,
        }),
    );
    Ok(())
}

/// After an epoch: goes on, or waits while paused (telling the page once), or stops.
fn wait_while_paused(control: &Control, events: &Events, epoch: usize) -> ControlFlow<()> {
    let mut mode = control.mode.lock().unwrap();
    let mut told = false;
    loop {
        match *mode {
            Mode::Running => return ControlFlow::Continue(()),
            Mode::Step => {
                *mode = Mode::Paused;
                return ControlFlow::Continue(());
            }
            Mode::Stopped => return ControlFlow::Break(()),
            Mode::Paused => {
                if !told {
                    told = true;
                    drop(mode);
                    if !events.send("paused", json!({ "epoch": epoch })) {
                        return ControlFlow::Break(());
                    }
                    mode = control.mode.lock().unwrap();
                    continue;
                }
                if events.0.is_closed() {
                    return ControlFlow::Break(());
                }
                mode = control.changed.wait_timeout(mode, POLL).unwrap().0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlp_config::Study;
    use dlp_data::Dataset;

    /// A model trained on all seven features classifies a test point the same through the
    /// live field's path (a grid of raw points through the `InputMap`) as through its dataset.
    #[test]
    fn the_live_field_maps_its_grid_like_the_training_data() {
        let text = "name = 'f'\n[data]\nn_train = 400\nn_test = 50\nstandardize = true\n\
                    features = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)']\n\
                    [model]\nhidden = [8]\n[optim]\nname = 'adam'\nlr = 0.02\n\
                    [train]\nepochs = 3\n";
        let study = Study::parse(Path::new("f.toml"), text, &[]).unwrap();
        let resolved = &study.cells[0].resolved;
        let (raw, map) = dlp_data::load_raw(&resolved.experiment.data, 0, Path::new(".")).unwrap();
        let split = map.apply_split(&raw);
        let spec = crate::run::train_spec(resolved, &split, 0, None).unwrap();
        let trained = dlp_train::train(spec, &mut |_| {}).unwrap();
        assert_eq!(trained.inputs, 7);

        let field = Plane::of(&raw, &map, FIELD).unwrap();
        assert_eq!(field.inputs.len(), FIELD * FIELD * 7);
        let expected = trained.classify(&split.test.features);
        for (i, &class) in expected.iter().enumerate() {
            // A plane of one cell around one point has its centre at the point.
            let point = raw.test.row(i).to_vec();
            let one = Dataset {
                features: point.clone(),
                labels: vec![0],
                n_features: 2,
                n_classes: 2,
            };
            let around = Split {
                train: one.clone(),
                test: one,
                validation: None,
            };
            let plane = Plane::of(&around, &map, 1).unwrap();
            assert_eq!(plane.plane.grid(), point);
            assert_eq!(
                trained.classify(&plane.inputs),
                vec![class],
                "test point {i}"
            );
        }
        assert!(
            expected.contains(&0) && expected.contains(&1),
            "{expected:?}"
        );
    }
}
