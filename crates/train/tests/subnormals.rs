//! Subnormal floats cost a microcode assist per operation on many CPUs (most Intel cores):
//! a training must not keep any in its state. Counted, not timed, so it holds on every CPU.

use std::path::Path;
use std::sync::{Arc, Mutex};

mod watch;

use dlp_data::{DataConfig, DataKind, load};
use dlp_model::{Activation, Architecture};
use dlp_train::{TrainSpec, train};
use watch::{Counts, Watched};

/// The canonical TP1 run (2-20-20-1 ReLU, BCE-with-logits, Adam 0.01, batch 10) for 100
/// epochs: dead units' moments decay geometrically and, unflushed, stay subnormal for good
/// (`0.9 * m` rounds back to `m` at the bottom of the range).
#[test]
fn a_long_canonical_training_keeps_no_subnormals() {
    let data = DataConfig {
        kind: DataKind::Tp1Spirals,
        n_train: Some(4000),
        n_test: Some(1000),
        ..DataConfig::default()
    };
    let split = load(&data, 0, Path::new(".")).unwrap();
    let counts = Arc::new(Mutex::new(Counts::default()));
    let spec = TrainSpec {
        split: &split,
        architecture: Architecture::new(&[20, 20], Activation::Relu).unwrap(),
        loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
        penalties: dlp_train::Penalties::default(),
        optimizer: Box::new(Watched::new(0.01, &counts)),
        schedule: dlp_optim::build_schedule("constant", &toml::Table::new()).unwrap(),
        epochs: 100,
        batch_size: 10,
        seed: 0,
        initial_weights: None,
        early_stopping: None,
    };
    let run = train(spec, &mut |_| {}).unwrap();
    assert!(run.epochs.last().unwrap().test_acc > 0.9, "it trains");
    assert_eq!(*counts.lock().unwrap(), Counts::default());
}
