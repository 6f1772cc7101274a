//! What a loss's hand-written version saves per training step: the loss and its gradient on a
//! batch of 10 logits, through the tape (what training does for a loss without a fused
//! version) and by hand. `cargo bench -p dlp-loss --bench tape_or_fused`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dfdx::prelude::*;

fn benches(c: &mut Criterion) {
    let entry = dlp_loss::find_loss("bce_with_logits").expect("a built-in loss");
    let fused = entry.fused.expect("a fused version");
    let logits: Vec<f32> = (0..10).map(|i| i as f32 * 0.3 - 1.5).collect();
    let targets: Vec<f32> = (0..10).map(|i| (i % 2) as f32).collect();
    let dev = Cpu::default();
    let mut grad = vec![0.0; 10];
    c.bench_function("bce_with_logits/b10/tape", |b| {
        b.iter(|| {
            let z = dev.tensor_from_vec(logits.clone(), (10_usize, 1_usize));
            let y = dev.tensor_from_vec(targets.clone(), (10_usize, 1_usize));
            let loss = (entry.train)(z.leaky_trace(), y);
            black_box(loss.array());
            loss.backward().get(&z).copy_into(&mut grad);
        })
    });
    c.bench_function("bce_with_logits/b10/fused", |b| {
        b.iter(|| black_box(fused(&logits, &targets, 1, Some(&mut grad))))
    });
}

mod group {
    #![allow(missing_docs)] // criterion_group! generates an undocumented `pub fn`.
    use super::*;

    criterion_group! {
        name = tape_or_fused;
        config = Criterion::default()
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        targets = benches
    }
}
criterion_main!(group::tape_or_fused);
