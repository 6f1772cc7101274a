//! A training loop written by hand from dlp's parts, without the runner: the TP1 spirals, a
//! 2-20-20-1 ReLU network, BCE-with-logits, Adam at 0.01, batch 10, 10 epochs.
//!
//! `cargo run --release --example hand_loop`

use dlp_data::{BatchOrder, DataConfig, derive_seed, load, rng};
use dlp_model::dfdx::prelude::*;
use dlp_model::{Activation, Dev, Network, TwoHiddenLayers, apply_optimizer};
use dlp_optim::toml;

fn main() {
    let split = load(&DataConfig::default(), 0, ".".as_ref()).expect("tp1_spirals needs no file");
    let dev = Dev::default();
    let mut init = rng(derive_seed(0, "model/init"));
    let mut net =
        TwoHiddenLayers::<20>::new(&dev, split.train.n_features, 1, Activation::Relu, &mut init);
    let loss = dlp_loss::find_loss("bce_with_logits").expect("a built-in loss");
    let mut adam = dlp_optim::build_optimizer("adam", &toml::toml! { lr = 0.01 }).expect("valid");

    let mut shuffle = rng(derive_seed(0, "train/shuffle"));
    let mut order = BatchOrder::new(split.train.len());
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for epoch in 1..=10 {
        order.shuffle(&mut shuffle);
        for batch in order.batches(10) {
            split.train.gather(batch, &mut x, &mut y);
            let inputs = dev.tensor_from_vec(x.clone(), (batch.len(), split.train.n_features));
            let labels = y.iter().map(|&l| l as f32).collect();
            let targets = dev.tensor_from_vec(labels, (batch.len(), 1));
            let value = (loss.train)(net.forward(inputs.leaky_traced()), targets);
            let mut grads = value.backward();
            apply_optimizer(&mut net, &mut grads, adam.as_mut());
        }
        let test = &split.test;
        let outputs =
            net.forward(dev.tensor_from_vec(test.features.clone(), (test.len(), test.n_features)));
        let correct = outputs
            .as_vec()
            .iter()
            .zip(&test.labels)
            .filter(|(z, label)| loss.head.predict(std::slice::from_ref(z)) == **label)
            .count();
        println!(
            "epoch {epoch}: test accuracy {:.3}",
            correct as f64 / test.len() as f64
        );
    }
}
