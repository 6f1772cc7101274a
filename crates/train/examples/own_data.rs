//! Train a model on your own data: points you computed or read yourself, as plain vectors.
//!
//! Here each point `(x, y)` of the square `[-1, 1]^2` is labelled 1 inside the circle of radius
//! 0.6 and 0 outside; replace `make_points` by your own data. Needs `dlp-data`, `dlp-loss`,
//! `dlp-model`, `dlp-optim` and `dlp-train` as dependencies.
//!
//! `cargo run --release --example own_data`

use dlp_data::{Dataset, Split};
use dlp_model::{Activation, Architecture};
use dlp_optim::{Adam, AdamConfig};
use dlp_train::{TrainSpec, train};

/// `n` points on a regular-ish pseudo-random spread, two features each, with their labels.
fn make_points(n: usize, offset: f32) -> Dataset {
    let mut features = Vec::with_capacity(2 * n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let x = ((i as f32 * 0.618 + offset) % 1.0) * 2.0 - 1.0;
        let y = ((i as f32 * 0.414 + offset) % 1.0) * 2.0 - 1.0;
        features.extend([x, y]);
        labels.push(u32::from(x * x + y * y < 0.36));
    }
    Dataset {
        features,
        labels,
        n_features: 2,
        n_classes: 2,
    }
}

fn main() {
    let split = Split {
        train: make_points(2000, 0.0),
        test: make_points(500, 0.5),
        validation: None,
    };
    let spec = TrainSpec {
        architecture: Architecture::new(&[16, 16], Activation::Tanh).expect("on the menu"),
        loss: dlp_loss::find_loss("bce_with_logits").expect("a built-in loss"),
        optimizer: Box::new(
            Adam::new(AdamConfig {
                lr: 0.01,
                ..AdamConfig::default()
            })
            .expect("a valid Adam"),
        ),
        epochs: 30,
        batch_size: 20,
        // Everything else as in an experiment file: constant learning rate, seed 0.
        ..TrainSpec::new(&split)
    };
    let model = train(spec, &mut |epoch| {
        if epoch.epoch % 10 == 0 {
            println!(
                "epoch {:2}: train loss {:.4}, test accuracy {:.3}",
                epoch.epoch, epoch.train_loss, epoch.test_acc
            );
        }
    })
    .expect("the loss fits two classes");

    println!("test accuracy: {:.3}", model.accuracy(&split.test));
    let centre_and_corner = [0.0, 0.0, 0.9, 0.9];
    println!(
        "classes of (0, 0) and (0.9, 0.9): {:?}",
        model.classify(&centre_and_corner)
    );
}
