//! Dropout as `torch.nn.Dropout`: in training each unit is dropped with probability `p` and the
//! kept ones scaled by `1 / (1 - p)`; evaluation is untouched; the masks come from the seed
//! given, and a rate of 0 is no dropout at all, bit for bit. (That the fused pass with its
//! masks is the dfdx model's `forward_masked` is `fused.rs`'s `fused_matches_dfdx_with_dropout`;
//! its gradients against finite differences are `gradients.rs`'s `dropout_with_a_fixed_mask`.)

use dlp_model::{Activation, AnyWidths, Architecture, Dev, FusedMlp, Network, Weights};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn network(hidden: &[usize]) -> FusedMlp {
    let arch = Architecture::new(hidden, Activation::Tanh).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let weights = arch.dispatch(Build(arch, &mut rng));
    FusedMlp::new(&weights, Activation::Tanh)
}

struct Build<'a>(Architecture, &'a mut ChaCha8Rng);

impl dlp_model::NetworkVisitor for Build<'_> {
    type Output = Weights;
    fn visit<N: Network>(self) -> Weights {
        Weights::of(&mut N::build(&Dev::default(), &self.0, 2, 1, self.1))
    }
}

fn points(rows: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    (0..2 * rows).map(|_| rng.gen_range(-2.0..2.0)).collect()
}

/// Over 1000 rows of 50 units, the fraction kept is `1 - p` within 4 standard errors
/// (`sqrt(p (1 - p) / 50 000)`, at most 0.009), every entry is 0 or `1 / (1 - p)`, and so the
/// mask's mean is about 1: the expected activation is unchanged.
#[test]
fn masks_keep_one_minus_p_and_scale_by_its_inverse() {
    let x = points(1000);
    for p in [0.1_f32, 0.5, 0.8] {
        let mut fused = network(&[50, 50]).with_dropout(&[p, p], 11);
        fused.forward(&x, true);
        for mask in fused.dropout_masks() {
            assert_eq!(mask.len(), 50_000);
            let scale = 1.0 / (1.0 - p);
            assert!(mask.iter().all(|&m| m == 0.0 || m == scale), "p = {p}");
            let kept = mask.iter().filter(|&&m| m != 0.0).count() as f64 / mask.len() as f64;
            let se = (f64::from(p) * (1.0 - f64::from(p)) / mask.len() as f64).sqrt();
            let expected = 1.0 - f64::from(p);
            assert!((kept - expected).abs() <= 4.0 * se, "p = {p}: kept {kept}");
            let mean = mask.iter().map(|&m| f64::from(m)).sum::<f64>() / mask.len() as f64;
            assert!(
                (mean - 1.0).abs() <= 4.0 * se * f64::from(scale),
                "p = {p}: mean {mean}"
            );
        }
    }
}

/// Evaluation passes never drop: the same outputs as without dropout, bit for bit, and no mask.
#[test]
fn evaluation_is_unaffected() {
    let x = points(300);
    let plain = network(&[20, 7]).forward(&x, false).to_vec();
    let mut dropped = network(&[20, 7]).with_dropout(&[0.5, 0.3], 1);
    dropped.forward(&x, true);
    dropped.forward(&x, true);
    assert_eq!(dropped.forward(&x, false), &plain[..]);
    assert!(dropped.dropout_masks().iter().all(Vec::is_empty));
}

/// The same seed draws the same masks, another seed others; the first layer's rate of 0 draws
/// no mask.
#[test]
fn masks_follow_the_seed() {
    let x = points(50);
    let masks = |seed: u64| {
        let mut fused = network(&[8, 9]).with_dropout(&[0.0, 0.5], seed);
        fused.forward(&x, true);
        fused.forward(&x, true);
        fused.dropout_masks()
    };
    assert_eq!(masks(4), masks(4));
    assert_ne!(masks(4), masks(5));
    assert!(masks(4)[0].is_empty());
    assert_eq!(masks(4)[1].len(), 50 * 9);
}

/// Rates of 0 are no dropout: logits, gradients and a step are bit-identical.
#[test]
fn zero_rates_are_no_dropout() {
    let x = points(40);
    let grad: Vec<f32> = (0..40).map(|i| (i as f32 * 0.3).sin()).collect();
    let mut results = Vec::new();
    for zero in [false, true] {
        let mut fused = network(&[20, 20, 13]);
        if zero {
            fused = fused.with_dropout(&[0.0; 3], 7);
        }
        let mut sgd = dlp_optim::build_optimizer("sgd", &toml::toml! { lr = 0.1 }).unwrap();
        let logits = fused.forward(&x, true).to_vec();
        fused.backward(&x, &grad);
        let grads: Vec<Vec<f32>> = fused.grads().map(<[f32]>::to_vec).collect();
        fused.step(sgd.as_mut());
        results.push((logits, grads, fused.weights()));
    }
    assert_eq!(results[0], results[1]);
}

/// `AnyWidths` and the menu types take the same masks the same way (the dfdx definition).
#[test]
fn forward_masked_drops_what_the_mask_says() {
    use dfdx::prelude::*;
    let dev = Dev::default();
    let arch = Architecture::new(&[3, 2], Activation::Identity).unwrap();
    let net = AnyWidths::<1>::build(&dev, &arch, 2, 1, &mut ChaCha8Rng::seed_from_u64(0));
    let x = dev.tensor_from_vec(vec![1.0, -2.0], (1_usize, 2_usize));
    // Dropping every unit of the last hidden layer leaves the head's bias.
    let logits = net
        .forward_masked(x.clone(), &[vec![], vec![0.0, 0.0]])
        .as_vec();
    assert_eq!(logits, net.head.bias.as_vec());
    // A mask of ones is no dropout.
    let ones = net
        .forward_masked(x.clone(), &[vec![1.0; 3], vec![1.0; 2]])
        .as_vec();
    assert_eq!(ones, net.forward(x).as_vec());
}
