//! Gradient correctness of every registered loss (issue "gradient correctness").
//!
//! Two properties per loss, both iterating `dlp_loss::losses()`:
//!
//! - `backward_matches_finite_differences`: dfdx's backward pass against central finite
//!   differences of the same loss's tape-free forward. It needs nothing per loss, so a newly
//!   registered loss is checked without touching this file; it catches a broken tape (a
//!   detached branch, a wrong backward kernel) but not a wrong formula, since the forward and
//!   the backward then agree on the wrong function.
//! - `value_and_gradient_match_the_reference`: the loss value and its gradient against an
//!   independent scalar `f64` implementation of the published definition (PyTorch's
//!   documentation for the built-ins), written from that definition and never from the dfdx
//!   code it checks, and differentiated by central differences in `f64`. This catches a wrong
//!   formula (a flipped sign, a wrong constant). A loss with no reference here fails
//!   `every_loss_has_a_reference`: add one to [`reference`].
//!
//! dfdx computes in `f32` only (a `LossFn` is `f32`), so the first property differentiates in
//! `f32`; the tolerance comments below say what the error budget is made of.

use dfdx::prelude::*;
use dlp_loss::{Head, LossEntry};
// Plugin crates register losses at link time: naming them here checks theirs too.
use dlp_plugins as _;
use proptest::prelude::*;

/// Logits are drawn from `[-LOGIT, LOGIT]`. The losses are smooth there, and no clamp of
/// `bce` is active (`ln sigmoid(z)` stays above -7). The range stops at 6 rather than 8
/// because `1 - sigmoid(z)` loses bits in `f32` as `z` grows (at `z = 8` a rounding step of
/// `sigmoid(z)` moves `ln(1 - sigmoid(z))` by 2e-4), which would drown the `f32`
/// differences below in rounding noise.
const LOGIT: f32 = 6.0;

/// Step of the `f32` central differences. Its truncation error, `h^2/6 * |L'''|`, is below
/// 1e-5 for these losses (`|L'''| <= 1` per element for sigmoid, softmax and log terms);
/// larger steps lower the rounding noise, which is `~ ulp(L) / h`.
const H32: f32 = 1e-2;

/// Step of the `f64` central differences of the reference: truncation `~ h^2 = 1e-12`,
/// rounding `~ 1e-16 / h = 1e-10`, both far below the `f32` tolerance.
const H64: f64 = 1e-6;

/// Hinge has a kink where `1 - s*z = 0`; elements closer than this to it (in `z`) are not
/// compared, since a difference of step `H32` straddling the kink averages the two slopes.
const KINK_MARGIN: f32 = 5.0 * H32;

/// One generated case: `batch` rows of `outputs` logits, and targets shaped alike (0/1 labels
/// for one-output heads, one-hot rows for the softmax head).
#[derive(Debug, Clone)]
struct Case {
    batch: usize,
    outputs: usize,
    logits: Vec<f32>,
    targets: Vec<f32>,
}

/// Draws a case for `head`: batch 1..8, k in 2..6 outputs for the softmax head.
fn case_for(head: Head, batch: usize, k: usize, values: &[f32], classes: &[usize]) -> Case {
    let outputs = if head == Head::Softmax { k } else { 1 };
    let logits = values[..batch * outputs].to_vec();
    let mut targets = vec![0.0; batch * outputs];
    for (row, &class) in classes[..batch].iter().enumerate() {
        if outputs == 1 {
            targets[row] = (class % 2) as f32;
        } else {
            targets[row * outputs + class % outputs] = 1.0;
        }
    }
    Case {
        batch,
        outputs,
        logits,
        targets,
    }
}

/// A `(batch, outputs)` tensor without a tape.
type Matrix = Tensor<(usize, usize), f32, Cpu>;

/// A scalar `f64` loss on row-major logits and targets with `k` outputs per row.
type ReferenceFn = fn(&[f64], &[f64], usize) -> f64;

/// The case's logits (replaced by `logits`) and targets as tensors.
fn tensors(dev: &Cpu, case: &Case, logits: Vec<f32>) -> (Matrix, Matrix) {
    let shape = (case.batch, case.outputs);
    (
        dev.tensor_from_vec(logits, shape),
        dev.tensor_from_vec(case.targets.clone(), shape),
    )
}

/// The loss without a tape.
fn value(entry: &LossEntry, case: &Case, logits: Vec<f32>) -> f32 {
    let (z, y) = tensors(&Cpu::default(), case, logits);
    (entry.eval)(z, y).array()
}

/// The loss on the tape, and dfdx's gradient with respect to the logits.
fn value_and_grad(entry: &LossEntry, case: &Case) -> (f32, Vec<f32>) {
    let (z, y) = tensors(&Cpu::default(), case, case.logits.clone());
    let loss = (entry.train)(z.leaky_trace(), y);
    let value = loss.array();
    (value, loss.backward().get(&z).as_vec())
}

/// Whether element `i` sits too close to a kink of `entry` for differences to mean anything.
fn near_kink(entry: &LossEntry, case: &Case, i: usize) -> bool {
    // Only hinge has kinks in the logits' interior; the others are smooth (bce's clamps are
    // out of reach in [-LOGIT, LOGIT]). A new piecewise loss needs its kinks listed here, or
    // the first property fails on it when a point lands on a kink.
    entry.name == "hinge" && {
        let s = 2.0 * case.targets[i] - 1.0;
        (1.0 - s * case.logits[i]).abs() < KINK_MARGIN
    }
}

/// Scalar `f64` implementations of each loss's published definition (see the header), on
/// row-major `(batch, k)` logits `z` and targets `y`. `None` for a loss without one.
fn reference(name: &str) -> Option<ReferenceFn> {
    fn sigmoid(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }
    fn mean(v: impl ExactSizeIterator<Item = f64>) -> f64 {
        let n = v.len() as f64;
        v.sum::<f64>() / n
    }
    // BCELoss on o = sigmoid(z): -mean(y*max(ln o, -100) + (1-y)*max(ln(1-o), -100)).
    fn bce(z: &[f64], y: &[f64], _: usize) -> f64 {
        let term = |(&z, &y): (&f64, &f64)| {
            let o = sigmoid(z);
            -(y * o.ln().max(-100.0) + (1.0 - y) * (1.0 - o).ln().max(-100.0))
        };
        mean(z.iter().zip(y).map(term))
    }
    // BCEWithLogitsLoss: mean(max(z,0) - z*y + ln(1 + exp(-|z|))).
    fn bce_with_logits(z: &[f64], y: &[f64], _: usize) -> f64 {
        let term = |(&z, &y): (&f64, &f64)| z.max(0.0) - z * y + (-z.abs()).exp().ln_1p();
        mean(z.iter().zip(y).map(term))
    }
    // CrossEntropyLoss: mean over rows of logsumexp(z) - z[y].
    fn cross_entropy(z: &[f64], y: &[f64], k: usize) -> f64 {
        let row = |(z, y): (&[f64], &[f64])| {
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            let picked: f64 = z.iter().zip(y).map(|(z, y)| z * y).sum();
            lse - picked
        };
        mean(z.chunks(k).zip(y.chunks(k)).map(row))
    }
    // Hinge with s = 2y - 1: mean(max(0, 1 - s*z)).
    fn hinge(z: &[f64], y: &[f64], _: usize) -> f64 {
        let term = |(&z, &y): (&f64, &f64)| (1.0 - (2.0 * y - 1.0) * z).max(0.0);
        mean(z.iter().zip(y).map(term))
    }
    // MSELoss on o = sigmoid(z): mean((o - y)^2).
    fn mse(z: &[f64], y: &[f64], _: usize) -> f64 {
        mean(z.iter().zip(y).map(|(&z, &y)| (sigmoid(z) - y).powi(2)))
    }
    Some(match name {
        "bce" => bce,
        "bce_with_logits" => bce_with_logits,
        "cross_entropy" => cross_entropy,
        "hinge" => hinge,
        "mse" => mse,
        _ => return None,
    })
}

/// The generated inputs shared by both properties: batch, k, logits and class indices.
fn inputs() -> impl Strategy<Value = (usize, usize, Vec<f32>, Vec<usize>)> {
    (
        1_usize..=8,
        2_usize..=6,
        prop::collection::vec(-LOGIT..=LOGIT, 8 * 6),
        prop::collection::vec(0_usize..6, 8),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn backward_matches_finite_differences((batch, k, values, classes) in inputs()) {
        for entry in dlp_loss::losses().unwrap() {
            let case = case_for(entry.head, batch, k, &values, &classes);
            let (loss, grad) = value_and_grad(entry, &case);
            prop_assert_eq!(loss, value(entry, &case, case.logits.clone()), "{}: train and eval forwards differ", entry.name);
            for i in 0..case.logits.len() {
                if near_kink(entry, &case, i) {
                    continue;
                }
                let shifted = |dz: f32| {
                    let mut z = case.logits.clone();
                    z[i] += dz;
                    f64::from(value(entry, &case, z))
                };
                let fd = (shifted(H32) - shifted(-H32)) / (2.0 * f64::from(H32));
                let analytic = f64::from(grad[i]);
                // Rounding: each f32 loss value is off by a few ulps of max(|L|, 1), and the
                // difference divides that by 2h: 64 ulps / 2h is ~3e-4 per unit of loss.
                // Relative 1e-2: the truncation error (< 1e-5, see H32) and f32 rounding inside
                // the backward pass, with room to spare. A sign flip (error 2|g|) or a lost
                // branch stands far above both for |g| >= 1e-2, which every non-flat element
                // of these losses reaches on batches of at most 8.
                let atol = 64.0 * f64::from(f32::EPSILON) * f64::from(loss.abs().max(1.0)) / (2.0 * f64::from(H32));
                let tol = atol + 1e-2 * analytic.abs().max(fd.abs());
                prop_assert!(
                    (analytic - fd).abs() <= tol,
                    "{}: d loss / d z[{}] is {} by backward but {} by central differences (tol {:e}); batch {}, outputs {}, z = {:?}, y = {:?}",
                    entry.name, i, analytic, fd, tol, case.batch, case.outputs, case.logits, case.targets
                );
            }
        }
    }

    #[test]
    fn value_and_gradient_match_the_reference((batch, k, values, classes) in inputs()) {
        // A loss without a reference fails `every_loss_has_a_reference`.
        for (entry, reference) in dlp_loss::losses()
            .unwrap()
            .into_iter()
            .filter_map(|e| Some((e, reference(e.name)?)))
        {
            let case = case_for(entry.head, batch, k, &values, &classes);
            let z: Vec<f64> = case.logits.iter().copied().map(f64::from).collect();
            let y: Vec<f64> = case.targets.iter().copied().map(f64::from).collect();
            let (loss, grad) = value_and_grad(entry, &case);
            let want = reference(&z, &y, case.outputs);
            // f32 forward against f64: relative 1e-4 covers ln(1 - sigmoid(z)) at |z| = 6,
            // whose f32 error is about ulp(1) / (1 - sigmoid(6)) = 5e-5.
            prop_assert!(
                (f64::from(loss) - want).abs() <= 1e-4 * want.abs().max(1.0),
                "{}: loss is {} but the reference gives {}; z = {:?}, y = {:?}",
                entry.name, loss, want, case.logits, case.targets
            );
            for i in 0..z.len() {
                if near_kink(entry, &case, i) {
                    continue;
                }
                let shifted = |dz: f64| {
                    let mut z = z.clone();
                    z[i] += dz;
                    reference(&z, &y, case.outputs)
                };
                let fd = (shifted(H64) - shifted(-H64)) / (2.0 * H64);
                let analytic = f64::from(grad[i]);
                // The reference gradient is exact to ~1e-10 (see H64); the rest is f32
                // rounding in the backward pass, relative 1e-3 at worst (1 - sigmoid(z) at
                // |z| = 6 again), plus an absolute 1e-6 for gradients that vanish.
                let tol = 1e-6 + 1e-3 * fd.abs();
                prop_assert!(
                    (analytic - fd).abs() <= tol,
                    "{}: d loss / d z[{}] is {} by backward but {} by the reference (tol {:e}); batch {}, outputs {}, z = {:?}, y = {:?}",
                    entry.name, i, analytic, fd, tol, case.batch, case.outputs, case.logits, case.targets
                );
            }
        }
    }
}

#[test]
fn every_loss_has_a_reference() {
    let missing: Vec<&str> = dlp_loss::losses()
        .unwrap()
        .iter()
        .map(|e| e.name)
        .filter(|name| reference(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "no reference for loss {}: add one to `reference` in {}",
        missing.join(", "),
        file!()
    );
}

/// The properties above reach every registered loss: they would silently check nothing if
/// the registry came back empty.
#[test]
fn the_registry_is_not_empty() {
    assert!(!dlp_loss::losses().unwrap().is_empty());
}
