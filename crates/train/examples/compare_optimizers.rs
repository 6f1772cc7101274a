//! Compare two optimizers over a few seeds on the TP1 spirals: the same model, loss and
//! learning rate, only the optimizer changes. Any optimizer `dlp list optimizers` shows
//! (plugins included, when linked) is built by its name and a TOML table of its parameters.
//!
//! `cargo run --release --example compare_optimizers`

use dlp_data::{DataConfig, load};
use dlp_model::{Activation, Architecture};
use dlp_optim::toml;
use dlp_train::{TrainSpec, train};

fn main() {
    for name in ["sgd", "adam"] {
        let mut accuracies = Vec::new();
        for seed in 0..3 {
            // The data and the initial weights differ by seed, not by optimizer.
            let split = load(&DataConfig::default(), seed, ".".as_ref()).expect("generated");
            let spec = TrainSpec {
                architecture: Architecture::new(&[20, 20], Activation::Relu).expect("on the menu"),
                loss: dlp_loss::find_loss("bce_with_logits").expect("a built-in loss"),
                optimizer: dlp_optim::build_optimizer(name, &toml::toml! { lr = 0.01 })
                    .expect("a registered optimizer"),
                epochs: 10,
                seed,
                ..TrainSpec::new(&split)
            };
            let model = train(spec, &mut |_| {}).expect("the loss fits two classes");
            accuracies.push(model.accuracy(&split.test));
        }
        let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
        println!("{name:>5}: test accuracy {mean:.3} (seeds: {accuracies:.3?})");
    }
}
