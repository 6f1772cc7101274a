//! The cost of the registry: one optimizer step over the tensors of the TP1 network
//! (2-20-20-1) through a `Box<dyn Optimizer>` built by name, against the concrete `Adam` called
//! directly. Target: at most 5% slower. `cargo bench -p dlp-optim --bench registry`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dlp_optim::{Adam, AdamConfig, Optimizer, build_optimizer};

/// Parameter tensor sizes of 2-20-20-1: weights and biases, layer by layer.
const SIZES: [usize; 6] = [40, 20, 400, 20, 20, 1];

fn tensors() -> Vec<(Vec<f32>, Vec<f32>)> {
    SIZES
        .iter()
        .map(|&n| {
            let params = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let grads = (0..n).map(|i| (i as f32 * 0.11).cos() * 0.1).collect();
            (params, grads)
        })
        .collect()
}

fn step<O: Optimizer + ?Sized>(optimizer: &mut O, tensors: &mut [(Vec<f32>, Vec<f32>)]) {
    optimizer.begin_step();
    for (index, (params, grads)) in tensors.iter_mut().enumerate() {
        optimizer.update(index, params, grads);
    }
}

fn registry_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("adam step, 2-20-20-1");
    let mut direct = Adam::new(AdamConfig {
        lr: 0.01,
        ..AdamConfig::default()
    })
    .unwrap();
    let mut data = tensors();
    group.bench_function("direct", |b| {
        b.iter(|| step(&mut direct, black_box(&mut data)))
    });
    let table: toml::Table = toml::from_str("lr = 0.01").unwrap();
    let mut boxed = build_optimizer("adam", &table).unwrap();
    let mut data = tensors();
    group.bench_function("registry", |b| {
        b.iter(|| step(boxed.as_mut(), black_box(&mut data)))
    });
    group.finish();
}

mod group {
    #![allow(missing_docs)] // criterion_group! generates an undocumented `pub fn`.
    use super::*;

    criterion_group! {
        name = benches;
        config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(3));
        targets = registry_overhead
    }
}
criterion_main!(group::benches);
