//! The registries hold exactly the expected names once `dlp_plugins` is linked: a plugin
//! that is silently not linked (or a name that appears twice) fails here.

use dlp_optim::EpochLosses;
use dlp_optim::testing::still_at_zero_gradient_and_finite;
use dlp_plugins as _;
use proptest::prelude::*;

fn optimizer_names() -> Vec<&'static str> {
    dlp_optim::optimizers().iter().map(|e| e.name).collect()
}

#[test]
fn optimizers_are_exactly_the_builtins_and_the_plugins() {
    assert_eq!(
        optimizer_names(),
        ["adagrad", "adam", "adamw", "lion", "rmsprop", "sgd"]
    );
}

#[test]
fn schedules_are_exactly_the_builtins_and_the_plugins() {
    let names: Vec<_> = dlp_optim::schedules().iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "adaptive",
            "constant",
            "cosine",
            "exponential",
            "loss_increase",
            "reduce_on_plateau",
            "step",
            "warmup",
        ]
    );
}

#[test]
fn linked_plugins_are_listed() {
    assert_eq!(dlp_plugins::linked_plugins(), ["dlp_optim_lion"]);
}

/// The checks a plugin crate outside dlp runs on its own optimizer (docs/plugins.md).
#[test]
fn every_optimizer_passes_the_plugin_checks() {
    for name in optimizer_names() {
        dlp_optim::testing::assert_registered(name, &toml::Table::new());
    }
}

#[test]
fn every_schedule_starts_at_the_base_lr_without_decay() {
    // Required parameters are given 1; no schedule with those values is below lr0 at epoch 0
    // except warmup, which starts at start_factor * lr0.
    for e in dlp_optim::schedules() {
        let table: toml::Table = e
            .params
            .iter()
            .filter(|p| p.default == dlp_optim::ParamDefault::Required)
            .map(|p| (p.name.to_owned(), toml::Value::Integer(1)))
            .collect();
        let mut s = dlp_optim::build_schedule(e.name, &table).unwrap();
        let lr = s.lr(0, 0.3, None);
        let want = if e.name == "warmup" { 0.1 } else { 0.3 };
        assert!((lr - want).abs() < 1e-12, "{}: {lr}", e.name);
        let losses = EpochLosses {
            train_loss: 1.0,
            test_loss: 1.0,
        };
        assert!(s.lr(1, 0.3, Some(&losses)).is_finite(), "{}", e.name);
    }
}

proptest! {
    /// Every registered optimizer, with its defaults but no weight decay: finite inputs give
    /// finite outputs, and a zero gradient from a fresh state does not move the parameters.
    #[test]
    fn every_optimizer_is_finite_and_still_at_zero_gradient(
        p0 in prop::collection::vec(-10.0_f32..10.0, 1..8),
        grads in prop::collection::vec(prop::collection::vec(-10.0_f32..10.0, 8), 1..5),
    ) {
        let grads: Vec<Vec<f32>> = grads.iter().map(|g| g[..p0.len()].to_vec()).collect();
        for name in optimizer_names() {
            still_at_zero_gradient_and_finite(name, &toml::Table::new(), &p0, &grads)
                .map_err(TestCaseError::fail)?;
        }
    }
}
