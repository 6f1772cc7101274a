//! The hot paths of training, one by one, so that a regression shows where it is:
//! one training step (forward, loss gradient, backward, Adam) per model size and batch size,
//! and one evaluation pass over 5000 rows. `cargo bench -p dlp-model --bench fused`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dlp_model::{Activation, Dev, FusedMlp, Mlp, Weights};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A 2-H-H-1 ReLU network initialised as torch does, and `rows` random 2-feature rows with
/// 0/1 targets.
fn setup<const H: usize>(rows: usize) -> (FusedMlp, Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Mlp::<H, 1>::new(&Dev::default(), 2, 1, Activation::Relu, &mut rng);
    let fused = FusedMlp::new(&Weights::of(&mut net), Activation::Relu);
    let x = (0..2 * rows).map(|_| rng.gen_range(-10.0..10.0)).collect();
    let y = (0..rows).map(|_| f32::from(rng.gen_bool(0.5))).collect();
    (fused, x, y)
}

fn step<const H: usize>(c: &mut Criterion, batch: usize) {
    let (mut fused, x, y) = setup::<H>(batch);
    let loss = dlp_loss::find_loss("bce_with_logits")
        .expect("a built-in loss")
        .fused
        .expect("a fused loss");
    let mut adam =
        dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.001 }).expect("valid adam");
    let mut grad = vec![0.0; batch];
    c.bench_function(&format!("step/2-{H}-{H}-1/b{batch}"), |b| {
        b.iter(|| {
            let logits = fused.forward(black_box(&x), true);
            loss(logits, &y, 1, Some(&mut grad));
            fused.backward(&x, &grad);
            fused.step(adam.as_mut());
        })
    });
}

fn evaluate<const H: usize>(c: &mut Criterion) {
    let (mut fused, x, _) = setup::<H>(5000);
    c.bench_function(&format!("evaluate/2-{H}-{H}-1/5000_rows"), |b| {
        b.iter(|| {
            for rows in x.chunks(256 * 2) {
                black_box(fused.forward(rows, false));
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    for batch in [10, 100] {
        step::<20>(c, batch);
        step::<128>(c, batch);
    }
    evaluate::<20>(c);
    evaluate::<128>(c);
}

mod group {
    #![allow(missing_docs)] // criterion_group! generates an undocumented `pub fn`.
    use super::*;

    criterion_group! {
        name = fused;
        config = Criterion::default()
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        targets = benches
    }
}
criterion_main!(group::fused);
