//! Architectures off the menu (mixed widths, widths of no precompiled type, deep networks)
//! train through the public entry point like menu entries: they learn, the same seed gives the
//! same numbers, and the trained model predicts what training measured.

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

fn run(split: &Split, hidden: &[usize], epochs: usize) -> Trained {
    let spec = TrainSpec {
        architecture: Architecture::new(hidden, Activation::Tanh).unwrap(),
        loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
        optimizer: dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.01 }).unwrap(),
        epochs,
        ..TrainSpec::new(split)
    };
    train(spec, &mut |_| {}).unwrap()
}

#[test]
fn off_the_menu_architectures_learn_and_repeat() {
    let split = moons();
    for hidden in [&[32, 16][..], &[7], &[8, 8, 8, 8, 8, 8], &[64, 32, 16]] {
        let first = run(&split, hidden, 20);
        let (start, end) = (&first.epochs[0], first.epochs.last().unwrap());
        assert!(
            end.train_loss < 0.7 * start.train_loss && end.test_acc > 0.8,
            "{hidden:?} did not learn: {start:?} -> {end:?}"
        );
        assert_eq!(first.accuracy(&split.test), end.test_acc, "{hidden:?}");
        let again = run(&split, hidden, 20);
        assert_eq!(
            first.weights, again.weights,
            "{hidden:?}: same seed, same weights"
        );
        let shapes: Vec<&[usize]> = first.weights.tensors.iter().map(|t| &t.shape[..]).collect();
        assert_eq!(shapes.len(), 2 * (hidden.len() + 1));
        assert_eq!(shapes[0], [hidden[0], 2]);
        assert_eq!(shapes[shapes.len() - 2], [1, hidden[hidden.len() - 1]]);
    }
}

/// The extremes of the range run: 1024 units, 8 layers.
#[test]
fn the_widest_and_the_deepest_run() {
    let split = moons();
    for hidden in [&[1024][..], &[3; 8]] {
        let trained = run(&split, hidden, 1);
        assert!(trained.epochs[1].train_loss.is_finite(), "{hidden:?}");
    }
}
