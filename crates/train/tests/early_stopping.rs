//! Validation metrics and early stopping through the public entry point: a run with patience
//! stops where the rule says, keeps the best epoch's weights (which give that epoch's numbers
//! exactly, and are the weights of a run trained for that many epochs), and a run without a
//! validation set gives the numbers it gave before validation existed.

use std::path::Path;

use dlp_data::{DataConfig, DataKind, Split, load};
use dlp_model::{Activation, Architecture};
use dlp_train::{
    EarlyStopping, Status, StopMetric, StopReason, TrainError, TrainSpec, Trained, train,
};

/// Few noisy points and a wide network: the validation loss bottoms out, then rises.
fn noisy_moons(validation_fraction: Option<f64>) -> Split {
    let data = DataConfig {
        kind: DataKind::Moons,
        n_train: Some(80),
        n_test: Some(200),
        noise: Some(0.35),
        validation_fraction,
        ..DataConfig::default()
    };
    load(&data, 2, Path::new(".")).unwrap()
}

const EPOCHS: usize = 300;

fn run(split: &Split, epochs: usize, early_stopping: Option<EarlyStopping>) -> Trained {
    let spec = TrainSpec {
        architecture: Architecture::new(&[64, 64], Activation::Relu).unwrap(),
        loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
        optimizer: dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.02 }).unwrap(),
        epochs,
        batch_size: 8,
        seed: 3,
        early_stopping,
        ..TrainSpec::new(split)
    };
    train(spec, &mut |_| {}).unwrap()
}

fn patience(patience: usize, metric: StopMetric) -> Option<EarlyStopping> {
    Some(EarlyStopping {
        patience,
        min_delta: 0.0,
        metric,
    })
}

/// Without wall-clock times, which no two runs share.
fn numbers(trained: &Trained) -> Vec<Vec<u64>> {
    let bits = |x: Option<f64>| x.map_or(u64::MAX, f64::to_bits);
    trained
        .epochs
        .iter()
        .map(|m| {
            vec![
                m.train_loss.to_bits(),
                m.train_acc.to_bits(),
                m.test_loss.to_bits(),
                m.test_acc.to_bits(),
                bits(m.val_loss),
                bits(m.val_acc),
                m.lr.to_bits(),
            ]
        })
        .collect()
}

#[test]
fn patience_stops_early_and_restores_the_best_epoch() {
    let split = noisy_moons(Some(0.25));
    let validation = split.validation.as_ref().unwrap();
    assert_eq!((split.train.len(), validation.len()), (60, 20));
    for (metric, p) in [(StopMetric::ValLoss, 10), (StopMetric::ValAcc, 10)] {
        let trained = run(&split, EPOCHS, patience(p, metric));
        let stopped = trained.stopped_epoch();
        let best = trained.restored_epoch.expect("early stopping restores");
        assert_eq!(trained.status, Status::Ok);
        assert_eq!(trained.stop_reason, StopReason::EarlyStopping, "{metric:?}");
        assert!(stopped < EPOCHS, "{metric:?} ran all its epochs");
        assert_eq!(trained.epochs.len(), stopped + 1);
        assert_eq!(
            best + p,
            stopped,
            "{metric:?}: stops `patience` epochs after the best"
        );

        // The best epoch is the first at the best value of epochs 1..=stopped (strict
        // improvements only, min_delta = 0).
        let value = |m: &dlp_train::EpochMetrics| metric.of(m).unwrap();
        let trained_epochs = &trained.epochs[1..];
        let first_best = trained_epochs.iter().fold(&trained_epochs[0], |b, m| {
            let better = match metric {
                StopMetric::ValLoss => value(m) < value(b),
                StopMetric::ValAcc => value(m) > value(b),
            };
            if better { m } else { b }
        });
        assert_eq!(first_best.epoch, best, "{metric:?}");

        // The weights kept give exactly the best epoch's numbers, and are those of a run
        // trained for `best` epochs: stopping decides nothing about training before it.
        let row = &trained.epochs[best];
        assert_eq!(trained.final_metrics(), row);
        assert_eq!(trained.accuracy(&split.test), row.test_acc);
        assert_eq!(trained.accuracy(&split.train), row.train_acc);
        assert_eq!(Some(trained.accuracy(validation)), row.val_acc);
        let short = run(&split, best, None);
        assert_eq!(short.weights, trained.weights, "{metric:?}");
        assert_eq!(numbers(&short)[..], numbers(&trained)[..=best]);
        assert_eq!(
            (short.stop_reason, short.restored_epoch),
            (StopReason::Epochs, None)
        );
    }
}

#[test]
fn without_early_stopping_validation_is_only_measured() {
    let split = noisy_moons(Some(0.25));
    let measured = run(&split, 30, None);
    assert_eq!(measured.stop_reason, StopReason::Epochs);
    assert_eq!(measured.restored_epoch, None);
    assert_eq!(measured.stopped_epoch(), 30);
    assert!(measured.epochs.iter().all(|m| m.val_loss.is_some()));
    let last = measured.epochs.last().unwrap();
    assert_eq!(measured.final_metrics(), last);
    assert_eq!(
        Some(measured.accuracy(split.validation.as_ref().unwrap())),
        last.val_acc
    );

    // Patience that never runs out: all epochs, the best kept (the same training).
    let patient = run(&split, 30, patience(1000, StopMetric::ValLoss));
    assert_eq!(patient.stop_reason, StopReason::Epochs);
    assert_eq!(numbers(&patient), numbers(&measured));
    let best = patient.restored_epoch.unwrap();
    assert_eq!(patient.final_metrics().epoch, best);
    assert_eq!(patient.weights, run(&split, best, None).weights);
}

#[test]
fn early_stopping_needs_a_validation_set() {
    let split = noisy_moons(None);
    let spec = TrainSpec {
        early_stopping: patience(5, StopMetric::ValLoss),
        ..TrainSpec::new(&split)
    };
    let error = train(spec, &mut |_| {}).unwrap_err();
    assert!(matches!(error, TrainError::NoValidation), "{error}");
    assert!(error.to_string().contains("validation_fraction"), "{error}");
}

/// A run without validation set gives, bit for bit, the numbers `dlp-train` gave before
/// validation and early stopping existed (commit 7092f5d, `TrainSpec::new` on these moons
/// with 5 epochs and seed 1), and measures no validation metric.
#[test]
fn no_validation_is_bit_identical_to_before() {
    let config = DataConfig {
        kind: DataKind::Moons,
        noise: Some(0.2),
        ..DataConfig::default()
    };
    let split = load(&config, 1, Path::new(".")).unwrap();
    let spec = TrainSpec {
        epochs: 5,
        seed: 1,
        ..TrainSpec::new(&split)
    };
    let trained = train(spec, &mut |_| {}).unwrap();
    let last = trained.epochs.last().unwrap();
    assert_eq!(last.train_loss.to_bits(), 0x3fce_e1b0_621c_ac08);
    assert_eq!(last.test_loss.to_bits(), 0x3fce_d1b2_eb64_5a1d);
    assert_eq!(last.test_acc, 0.506);
    assert_eq!(
        trained.epochs[2].train_loss.to_bits(),
        0x3fd0_7e5c_40e5_6042
    );
    assert!(
        trained
            .epochs
            .iter()
            .all(|m| m.val_loss.is_none() && m.val_acc.is_none())
    );
    assert_eq!(
        (trained.stop_reason, trained.restored_epoch),
        (StopReason::Epochs, None)
    );
}
