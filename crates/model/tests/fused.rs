//! The training fast path against the dfdx models it stands for: `FusedMlp` must give the
//! logits of `Network::forward` and the gradients of dfdx's backward pass, for networks of the
//! menu and for random architectures off it (`AnyWidths`: mixed widths, widths of no fixed
//! loop, up to 8 layers) with every activation (the dfdx side is itself checked against finite differences in
//! `gradients.rs`), and its optimizer steps must be `apply_optimizer`'s.

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

    /// Logits, parameter gradients of `sum(logits * upstream)` and two steps of SGD with momentum.
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
        prop_assert!(arch.menu_width().is_some());
        arch.dispatch(Case {
            architecture: arch,
            dropout: Vec::new(),
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            upstream: upstream[..rows * outputs].to_vec(),
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The same on architectures off the menu: 1 to 8 layers of 1 to 70 units (widths with a
    /// fixed loop, with the blocked loop, and from 64 on gemm's), mostly of mixed widths.
    #[test]
    fn fused_matches_dfdx_off_the_menu(
        hidden in prop::collection::vec(
            prop_oneof![1_usize..=70, prop::sample::select(WIDTHS[..12].to_vec())],
            1..=8,
        ),
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=12, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-3.0_f32..=3.0, 48),
        upstream in prop::collection::vec(-1.0_f32..=1.0, 36),
    ) {
        let arch = Architecture::new(&hidden, activation).unwrap();
        prop_assume!(arch.menu_width().is_none());
        arch.dispatch(Case {
            architecture: arch,
            dropout: Vec::new(),
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            upstream: upstream[..rows * outputs].to_vec(),
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// With dropout: the fused training pass, its gradients and steps are the dfdx model's
    /// `forward_masked` with the masks the fused pass drew, on and off the menu, with rates
    /// of 0 (no mask) mixed in.
    #[test]
    fn fused_matches_dfdx_with_dropout(
        hidden in prop::collection::vec(
            prop_oneof![1_usize..=40, prop::sample::select(WIDTHS[..12].to_vec())],
            1..=5,
        ),
        uniform in any::<bool>(),
        rates in prop::collection::vec(prop_oneof![Just(0.0_f32), 0.05_f32..0.9], 5),
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=12, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-3.0_f32..=3.0, 48),
        upstream in prop::collection::vec(-1.0_f32..=1.0, 36),
    ) {
        let hidden = if uniform { vec![hidden[0]; hidden.len()] } else { hidden };
        let arch = Architecture::new(&hidden, activation).unwrap();
        let dropout = rates[..hidden.len()].to_vec();
        arch.dispatch(Case {
            architecture: arch,
            dropout,
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            upstream: upstream[..rows * outputs].to_vec(),
        })?;
    }
}

/// An architecture off the menu builds to the same weights as the menu entry it equals, from
/// the same draws, and its outputs are the same.
#[test]
fn uniform_widths_as_any_widths_are_the_menu_entry() {
    let dev = Dev::default();
    let arch = Architecture::new(&[20, 20], Activation::Tanh).unwrap();
    let mut menu = dlp_model::TwoHiddenLayers::<20>::build(
        &dev,
        &arch,
        3,
        2,
        &mut ChaCha8Rng::seed_from_u64(5),
    );
    let mut any =
        dlp_model::AnyWidths::<1>::build(&dev, &arch, 3, 2, &mut ChaCha8Rng::seed_from_u64(5));
    assert_eq!(Weights::of(&mut menu), Weights::of(&mut any));
    let x = dev.tensor_from_vec(vec![0.5, -1.0, 2.0, 0.25, 3.0, -0.5], (2_usize, 3_usize));
    assert_eq!(menu.forward(x.clone()).as_vec(), any.forward(x).as_vec());
}

struct Case {
    architecture: Architecture,
    /// Dropout rates, one per hidden layer (empty: none).
    dropout: Vec<f32>,
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
        let mut net = N::build(
            &dev,
            &self.architecture,
            self.inputs,
            self.outputs,
            &mut rng,
        );
        let activation = self.architecture.activation();
        let mut fused = FusedMlp::new(&Weights::of(&mut net), activation);
        let name = format!(
            "{} {:?}",
            std::any::type_name::<N>(),
            self.architecture.widths()
        );

        if !self.dropout.is_empty() {
            fused = fused.with_dropout(&self.dropout, self.seed ^ 1);
        }
        let got = fused.forward(&self.x, true).to_vec();
        // The masks the fused pass drew, for the dfdx definition of the same pass.
        let masks = fused.dropout_masks();
        for (mask, &p) in masks.iter().zip(&self.dropout) {
            prop_assert_eq!(mask.is_empty(), p == 0.0);
        }

        let x = dev.tensor_from_vec(self.x.clone(), (self.rows, self.inputs));
        let upstream = dev.tensor_from_vec(self.upstream.clone(), (self.rows, self.outputs));
        let logits = net.forward_masked(x.leaky_trace(), &masks);
        let expected = logits.as_vec();
        let grads = (logits * upstream).sum::<Rank0, _>().backward();

        prop_assert_eq!(got.len(), expected.len());
        let scale = expected.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        for (i, (&g, &e)) in got.iter().zip(&expected).enumerate() {
            prop_assert!(
                close(g, e, scale),
                "{} ({}): logit {} is {} fused, {} by dfdx",
                name,
                activation.name(),
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
                    activation.name(),
                    k,
                    i,
                    g,
                    e
                );
            }
        }

        // Two steps of SGD with momentum on each side, from the same gradients: the update is
        // linear in the gradient (each parameter moves by 2.9 * lr * g), so the gradients'
        // tolerance bounds the parameters' difference, and the momentum buffers that the second
        // step reads catch a tensor handed to the optimizer under another's index. (Adam would
        // not do: it moves a parameter by about lr * g / (|g| + eps), so a gradient near eps
        // that differs in its last bits moves the parameter by a large fraction of lr.)
        let lr = 0.01_f32;
        let sgd = toml::toml! { lr = 0.01
        momentum = 0.9 };
        let mut sgd_fused = dlp_optim::build_optimizer("sgd", &sgd).unwrap();
        let mut sgd_dfdx = dlp_optim::build_optimizer("sgd", &sgd).unwrap();
        let mut grads = grads;
        for _ in 0..2 {
            fused.step(sgd_fused.as_mut());
            apply_optimizer(&mut net, &mut grads, sgd_dfdx.as_mut());
        }
        let (after_fused, after_dfdx) = (fused.weights(), Weights::of(&mut net));
        for ((f, d), expected_grad) in after_fused
            .tensors
            .iter()
            .zip(&after_dfdx.tensors)
            .zip(&dfdx_grads)
        {
            prop_assert_eq!(&f.name, &d.name);
            prop_assert_eq!(&f.shape, &d.shape);
            let grad_scale = expected_grad.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
            for ((&a, &b), &g) in f.values.iter().zip(&d.values).zip(expected_grad) {
                let moved = 2.9 * lr * g.abs();
                let tolerance = 2.9 * lr * (1e-5 * grad_scale.max(1.0) + 2e-5 * g.abs())
                    + 1e-6 * a.abs().max(b.abs()).max(moved);
                prop_assert!(
                    (a - b).abs() <= tolerance,
                    "{}: {} fused, {} by dfdx after two steps",
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
