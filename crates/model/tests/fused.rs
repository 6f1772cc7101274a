//! The training fast path against the dfdx models it stands for: `FusedMlp` must give the
//! logits of `Network::forward` and the gradients of dfdx's backward pass, for networks of the
//! menu with every activation (the dfdx side is itself checked against finite differences in
//! `gradients.rs`), and its optimizer step must be `apply_optimizer`'s.

mod common;

use common::grads_of;
use dfdx::prelude::*;
use dlp_model::{
    Activation, Architecture, Dev, FusedMlp, Network, NetworkVisitor, WIDTHS, Weights,
    apply_optimizer,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Both sides compute in `f32` with different summation orders: a few ulps of each partial
/// sum, relative to the largest term. A wrong sign, index or transposition is far above it.
fn close(a: f32, b: f32, scale: f32) -> bool {
    (a - b).abs() <= 1e-5 * scale.max(1.0) + 1e-5 * a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Logits, parameter gradients of `sum(logits * upstream)` and one Adam step.
    #[test]
    fn fused_matches_dfdx(
        depth in 0_usize..=4,
        width in prop::sample::select(WIDTHS.to_vec()),
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=12, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-3.0_f32..=3.0, 48),
        upstream in prop::collection::vec(-1.0_f32..=1.0, 36),
    ) {
        let arch = Architecture::new(&vec![width; depth], activation).unwrap();
        arch.dispatch(Case {
            activation,
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            upstream: upstream[..rows * outputs].to_vec(),
        })?;
    }
}

struct Case {
    activation: Activation,
    seed: u64,
    rows: usize,
    inputs: usize,
    outputs: usize,
    x: Vec<f32>,
    upstream: Vec<f32>,
}

impl NetworkVisitor for Case {
    type Output = Result<(), TestCaseError>;

    fn visit<N: Network>(self) -> Self::Output {
        let dev = Dev::default();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut net = N::new(&dev, self.inputs, self.outputs, self.activation, &mut rng);
        let mut fused = FusedMlp::new(&Weights::of(&mut net), self.activation);
        let name = std::any::type_name::<N>();

        let x = dev.tensor_from_vec(self.x.clone(), (self.rows, self.inputs));
        let upstream = dev.tensor_from_vec(self.upstream.clone(), (self.rows, self.outputs));
        let logits = net.forward(x.leaky_trace());
        let expected = logits.as_vec();
        let grads = (logits * upstream).sum::<Rank0, _>().backward();

        let got = fused.forward(&self.x, true).to_vec();
        prop_assert_eq!(got.len(), expected.len());
        let scale = expected.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        for (i, (&g, &e)) in got.iter().zip(&expected).enumerate() {
            prop_assert!(
                close(g, e, scale),
                "{} ({}): logit {} is {} fused, {} by dfdx",
                name,
                self.activation.name(),
                i,
                g,
                e
            );
        }

        fused.backward(&self.x, &self.upstream);
        let dfdx_grads = grads_of(&mut net, &grads);
        let fused_grads: Vec<Vec<f32>> = fused.grads().map(<[f32]>::to_vec).collect();
        prop_assert_eq!(fused_grads.len(), dfdx_grads.len());
        for (k, (g, e)) in fused_grads.iter().zip(&dfdx_grads).enumerate() {
            let scale = e.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
            for (i, (&g, &e)) in g.iter().zip(e).enumerate() {
                prop_assert!(
                    close(g, e, scale),
                    "{} ({}): gradient of tensor {}[{}] is {} fused, {} by dfdx",
                    name,
                    self.activation.name(),
                    k,
                    i,
                    g,
                    e
                );
            }
        }

        // One optimizer step on each side, from the same gradients.
        let lr = toml::toml! { lr = 0.01 };
        let mut adam_fused = dlp_optim::build_optimizer("adam", &lr).unwrap();
        let mut adam_dfdx = dlp_optim::build_optimizer("adam", &lr).unwrap();
        fused.step(adam_fused.as_mut());
        let mut grads = grads;
        apply_optimizer(&mut net, &mut grads, adam_dfdx.as_mut());
        let (after_fused, after_dfdx) = (fused.weights(), Weights::of(&mut net));
        for (f, d) in after_fused.tensors.iter().zip(&after_dfdx.tensors) {
            prop_assert_eq!(&f.name, &d.name);
            prop_assert_eq!(&f.shape, &d.shape);
            for (&a, &b) in f.values.iter().zip(&d.values) {
                // Adam moves each parameter by about lr whatever the gradient's size, so a
                // gradient that differs in its last bits moves it the same.
                prop_assert!(
                    (a - b).abs() <= 1e-4,
                    "{}: {} fused, {} by dfdx after a step",
                    f.name,
                    a,
                    b
                );
            }
        }
        Ok(())
    }
}

#[test]
fn weights_round_trip_unchanged() {
    let dev = Dev::default();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut net = dlp_model::Mlp::<5, 1>::new(&dev, 3, 2, Activation::Tanh, &mut rng);
    let weights = Weights::of(&mut net);
    assert_eq!(FusedMlp::new(&weights, Activation::Tanh).weights(), weights);
}
