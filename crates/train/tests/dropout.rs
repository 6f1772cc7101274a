//! Dropout through the public entry point: masks from the run's `train/dropout` stream, so the
//! same seed gives the same numbers; a rate of 0 is no dropout, bit for bit; evaluation (epoch
//! 0, and every epoch's metrics) never drops.

use std::path::Path;

use dlp_data::{DataConfig, DataKind, Split, load};
use dlp_model::{Activation, Architecture};
use dlp_train::{TrainSpec, Trained, train};

fn moons() -> Split {
    let data = DataConfig {
        kind: DataKind::Moons,
        n_train: Some(400),
        n_test: Some(200),
        ..DataConfig::default()
    };
    load(&data, 0, Path::new(".")).unwrap()
}

fn run(split: &Split, hidden: &[usize], dropout: Option<&[f32]>, seed: u64) -> Trained {
    let mut architecture = Architecture::new(hidden, Activation::Relu).unwrap();
    if let Some(rates) = dropout {
        architecture = architecture.with_dropout(rates).unwrap();
    }
    let spec = TrainSpec {
        architecture,
        loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
        optimizer: dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.01 }).unwrap(),
        epochs: 15,
        seed,
        ..TrainSpec::new(split)
    };
    train(spec, &mut |_| {}).unwrap()
}

/// Without wall-clock times, which no two runs share.
fn numbers(trained: &Trained) -> Vec<[f64; 5]> {
    trained
        .epochs
        .iter()
        .map(|m| [m.train_loss, m.train_acc, m.test_loss, m.test_acc, m.lr])
        .collect()
}

#[test]
fn same_seed_same_numbers_and_zero_is_no_dropout() {
    let split = moons();
    for hidden in [&[20, 20][..], &[32, 16]] {
        let dropped = run(&split, hidden, Some(&[0.3, 0.1]), 1);
        let again = run(&split, hidden, Some(&[0.3, 0.1]), 1);
        assert_eq!(numbers(&dropped), numbers(&again), "{hidden:?}");
        assert_eq!(dropped.weights, again.weights, "{hidden:?}");

        let plain = run(&split, hidden, None, 1);
        let zero = run(&split, hidden, Some(&[0.0, 0.0]), 1);
        assert_eq!(numbers(&plain), numbers(&zero), "{hidden:?}");
        assert_eq!(plain.weights, zero.weights, "{hidden:?}");

        // Evaluation never drops: epoch 0 (same initial weights) is the same with dropout.
        assert_eq!(numbers(&dropped)[0], numbers(&plain)[0], "{hidden:?}");
        // Training does: the weights part ways, and it still learns.
        assert_ne!(dropped.weights, plain.weights, "{hidden:?}");
        let last = dropped.epochs.last().unwrap();
        assert!(last.test_acc > 0.8, "{hidden:?} with dropout: {last:?}");
        // Another seed draws other masks (and other initial weights).
        assert_ne!(
            run(&split, hidden, Some(&[0.3, 0.1]), 2).weights,
            dropped.weights
        );
    }
}
