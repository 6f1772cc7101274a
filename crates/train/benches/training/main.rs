//! Speed of dlp's training loop on the TP1 canonical run, against a no-framework scalar loop.
//!
//! `cargo bench -p dlp-train` (filter with `-- NAME`, e.g. `-- canonical`). See
//! benches/README.md at the workspace root for the targets and the measured numbers.

mod scalar_reference;
#[path = "../../tests/watch/mod.rs"]
mod watch;

use std::hint::black_box;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use dlp_data::{DataConfig, DataKind, Split, load};
use dlp_model::{Activation, Architecture};
use dlp_optim::Optimizer;
use dlp_train::{TrainSpec, Trained, train};
use watch::{Counts, Watched};

/// Seed of every benchmarked run (data, initial weights, batch order).
const SEED: u64 = 0;

/// The TP1 data: tp1_spirals, 4000 training and 1000 test points.
fn tp1_data() -> Split {
    let config = DataConfig {
        kind: DataKind::Tp1Spirals,
        n_train: Some(4000),
        n_test: Some(1000),
        ..DataConfig::default()
    };
    load(&config, SEED, Path::new(".")).expect("tp1_spirals needs no file")
}

/// The canonical run (ReLU, BCE-with-logits, Adam 0.01, constant schedule) with `hidden`,
/// `batch_size` and `epochs`, through the public entry point.
fn run(split: &Split, hidden: &[usize], batch_size: usize, epochs: usize) -> Trained {
    let adam = dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.01 }).expect("valid adam");
    run_with(split, hidden, batch_size, epochs, adam)
}

/// [`run`] with another optimizer.
fn run_with(
    split: &Split,
    hidden: &[usize],
    batch_size: usize,
    epochs: usize,
    optimizer: Box<dyn Optimizer>,
) -> Trained {
    let spec = TrainSpec {
        split,
        architecture: Architecture::new(hidden, Activation::Relu).expect("a valid architecture"),
        loss: dlp_loss::find_loss("bce_with_logits").expect("a built-in loss"),
        penalties: dlp_train::Penalties::default(),
        optimizer,
        schedule: dlp_optim::build_schedule("constant", &toml::Table::new())
            .expect("valid schedule"),
        epochs,
        batch_size,
        seed: SEED,
        initial_weights: None,
        early_stopping: None,
    };
    train(spec, &mut |_| {}).expect("the canonical run starts")
}

/// Counts, outside any timing, the subnormal floats in the gradients, parameters and Adam
/// moments of the 100-epoch canonical run: they cost a microcode assist per operation on
/// many CPUs (most Intel cores), which a CPU without the stall would not show in the timings.
fn subnormals(split: &Split) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    run_with(
        split,
        &[20, 20],
        10,
        100,
        Box::new(Watched::new(0.01, &counts)),
    );
    let counts = *counts.lock().expect("not poisoned");
    eprintln!("[subnormals] canonical run, 100 epochs, summed over every update: {counts:?}");
    assert_eq!(
        counts,
        Counts::default(),
        "subnormals in the training state"
    );
}

/// The scalar reference on the canonical run.
fn scalar(split: &Split) -> scalar_reference::ScalarRun {
    scalar_reference::train::<20>(split, SEED, 10, 10, 0.01)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Checks once, outside the timing loops, that both loops really train, and measures the
/// dlp / scalar ratio with interleaved runs (each pair sees the same machine load), plus
/// how the canonical run splits into training steps and evaluation.
fn sanity_and_ratio(split: &Split) {
    let dlp = run(split, &[20, 20], 10, 10);
    let last = dlp.epochs.last().expect("epochs");
    let reference = scalar(split);
    eprintln!(
        "[check] canonical run, 10 epochs: dlp test acc {:.3} (train loss {:.4}); \
         scalar reference test acc {:.3} (train loss {:.4})",
        last.test_acc, last.train_loss, reference.test_acc, reference.train_loss
    );
    assert!(last.test_acc > 0.85, "dlp did not learn: {last:?}");
    assert!(
        reference.test_acc > 0.85,
        "the scalar reference did not learn: {reference:?}"
    );

    let pairs = 9;
    let (mut dlp_ms, mut scalar_ms, mut ratios, mut steps_ms) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut scalar_steps_ms, mut step_ratios) = (Vec::new(), Vec::new());
    for _ in 0..pairs {
        let started = Instant::now();
        let trained = black_box(run(split, &[20, 20], 10, 10));
        let d = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let reference = black_box(scalar(split));
        let s = started.elapsed().as_secs_f64() * 1e3;
        let steps = trained.epochs.iter().map(|m| m.wall_s).sum::<f64>() * 1e3;
        steps_ms.push(steps);
        scalar_steps_ms.push(reference.steps_s * 1e3);
        step_ratios.push(steps / (reference.steps_s * 1e3));
        dlp_ms.push(d);
        scalar_ms.push(s);
        ratios.push(d / s);
    }
    let (d, s, steps) = (median(dlp_ms), median(scalar_ms), median(steps_ms));
    let scalar_steps = median(scalar_steps_ms);
    eprintln!(
        "[ratio] {pairs} interleaved pairs, medians: dlp canonical {d:.1} ms \
         (training steps {steps:.1} ms, evaluation and setup {:.1} ms), scalar reference \
         {s:.1} ms (training steps {scalar_steps:.1} ms, evaluation {:.1} ms); \
         dlp/scalar {:.2}x whole run (target <= 2x), {:.2}x training steps only",
        d - steps,
        s - scalar_steps,
        median(ratios),
        median(step_ratios)
    );
}

/// Architectures off the menu against menu entries of about their size, canonical run
/// otherwise: interleaved pairs (each pair sees the same machine load), medians of the whole
/// run and of the ratio. `[20, 21]` and `[21, 21]` take `RowSums`' blocked loop for 21
/// (16 + 5 columns); `[32, 16]` mixes two menu widths; `[48, 55]` is blocked on both.
fn off_menu_ratio(split: &Split) {
    let pairs = [
        (&[20, 20][..], &[20, 21][..]),
        (&[20, 20], &[21, 21]),
        (&[25, 25], &[32, 16]),
        (&[50, 50], &[48, 55]),
    ];
    for (menu, off) in pairs {
        let count = |h: &[usize]| {
            Architecture::new(h, Activation::Relu)
                .unwrap()
                .parameter_count(2, 1)
        };
        let (mut menu_ms, mut off_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..9 {
            let started = Instant::now();
            black_box(run(split, menu, 10, 10));
            let m = started.elapsed().as_secs_f64() * 1e3;
            let started = Instant::now();
            black_box(run(split, off, 10, 10));
            let o = started.elapsed().as_secs_f64() * 1e3;
            menu_ms.push(m);
            off_ms.push(o);
            ratios.push(o / m);
        }
        eprintln!(
            "[off-menu] 9 interleaved pairs, medians: menu {menu:?} ({} parameters) {:.1} ms, \
             off-menu {off:?} ({} parameters) {:.1} ms: off/menu {:.2}x (target <= 1.5x)",
            count(menu),
            median(menu_ms),
            count(off),
            median(off_ms),
            median(ratios)
        );
    }
}

fn benches(c: &mut Criterion) {
    // One thread per training, as `dlp run` does: dfdx's matmul would otherwise use rayon's
    // global pool.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let split = tp1_data();
    sanity_and_ratio(&split);
    subnormals(&split);
    off_menu_ratio(&split);

    let mut group = c.benchmark_group("tp1");
    group.bench_function("canonical_b10_10ep", |b| {
        b.iter(|| run(&split, &[20, 20], 10, 10))
    });
    // Long enough for dead units' moments to decay into the subnormals, were they not flushed.
    group.bench_function("canonical_b10_100ep", |b| {
        b.iter(|| run(&split, &[20, 20], 10, 100))
    });
    group.bench_function("scalar_reference_b10_10ep", |b| b.iter(|| scalar(&split)));
    group.bench_function("canonical_b100_10ep", |b| {
        b.iter(|| run(&split, &[20, 20], 100, 10))
    });
    // Model construction and the epoch-0 evaluation (train + test) only: the fixed cost in
    // every run, and one of the eleven evaluations of a 10-epoch run.
    group.bench_function("canonical_setup_eval_0ep", |b| {
        b.iter(|| run(&split, &[20, 20], 10, 0))
    });
    group.bench_function("off_menu_20x21_b10_10ep", |b| {
        b.iter(|| run(&split, &[20, 21], 10, 10))
    });
    group.bench_function("off_menu_32x16_b10_10ep", |b| {
        b.iter(|| run(&split, &[32, 16], 10, 10))
    });
    group.bench_function("menu_25x25_b10_10ep", |b| {
        b.iter(|| run(&split, &[25, 25], 10, 10))
    });
    group.bench_function("h128x128_b100_1ep", |b| {
        b.iter(|| run(&split, &[128, 128], 100, 1))
    });
    group.bench_function("data_tp1_spirals_4000_1000", |b| b.iter(tp1_data));
    group.finish();
}

mod group {
    //! Small samples, so that `cargo bench -p dlp-train` takes a couple of minutes.
    #![allow(missing_docs)] // criterion_group! generates an undocumented `pub fn`.
    use super::*;

    criterion_group! {
        name = training;
        config = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        targets = benches
    }
}
criterion_main!(group::training);
