//! Every hand-written loss (`LossEntry::fused`, the training fast path) against the dfdx
//! functions it stands for: the same value as `eval` and the same gradient as `train`'s
//! backward pass, which `gradients.rs` checks against finite differences and an `f64`
//! reference. Iterates the registry, plugins included.

use dfdx::prelude::*;
use dlp_loss::{Head, LossEntry};
use dlp_plugins as _;
use proptest::prelude::*;

/// Logits cover the saturated ranges too (`|z|` up to 30), where `bce`'s clamps and the
/// sigmoid's rounding to 0 or 1 take over: the fast path must follow the tape there as well.
const LOGIT: f32 = 30.0;

/// Both sides compute in `f32` with different operation orders: a few ulps relative to the
/// largest magnitude involved. A wrong sign, factor or branch is far above it.
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-5 * scale.max(1.0)
}

/// Targets for `head`: 0/1 labels for one output, one-hot rows for k.
fn targets(head: Head, picks: &[usize], rows: usize, outputs: usize) -> Vec<f32> {
    let mut y = vec![0.0; rows * outputs];
    for (r, &pick) in picks.iter().take(rows).enumerate() {
        match head {
            Head::Logit | Head::Sigmoid => y[r] = (pick % 2) as f32,
            Head::Softmax => y[r * outputs + pick % outputs] = 1.0,
        }
    }
    y
}

fn check(
    entry: &LossEntry,
    z: &[f32],
    y: &[f32],
    rows: usize,
    outputs: usize,
) -> Result<(), TestCaseError> {
    let Some(fused) = entry.fused else {
        return Ok(());
    };
    let dev = Cpu::default();
    let zt = dev.tensor_from_vec(z.to_vec(), (rows, outputs));
    let yt = dev.tensor_from_vec(y.to_vec(), (rows, outputs));
    let value = f64::from((entry.eval)(zt.clone(), yt.clone()).array());
    let grad = (entry.train)(zt.leaky_trace(), yt)
        .backward()
        .get(&zt)
        .as_vec();

    let mut fused_grad = vec![f32::NAN; z.len()];
    let fused_value = fused(z, y, outputs, Some(&mut fused_grad));
    prop_assert!(
        close(fused_value, value, value.abs()),
        "{}: loss {} fused, {} by dfdx; z = {:?}, y = {:?}",
        entry.name,
        fused_value,
        value,
        z,
        y
    );
    prop_assert_eq!(fused(z, y, outputs, None), fused_value);
    for (i, (&f, &g)) in fused_grad.iter().zip(&grad).enumerate() {
        prop_assert!(
            close(f64::from(f), f64::from(g), 1.0 / rows as f64),
            "{}: d loss / d z[{}] is {} fused, {} by dfdx; z = {:?}, y = {:?}",
            entry.name,
            i,
            f,
            g,
            z,
            y
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fused_losses_match_dfdx(
        rows in 1_usize..=8,
        classes in 2_usize..=4,
        z in prop::collection::vec(-LOGIT..=LOGIT, 32),
        picks in prop::collection::vec(0_usize..12, 8),
    ) {
        for entry in dlp_loss::losses().unwrap() {
            let outputs = entry.head.outputs(classes).unwrap_or(1);
            let z = &z[..rows * outputs];
            check(entry, z, &targets(entry.head, &picks, rows, outputs), rows, outputs)?;
        }
    }
}

/// The built-in losses all have a fast path (a plugin may leave it out).
#[test]
fn built_in_losses_are_fused() {
    for name in ["bce", "bce_with_logits", "cross_entropy", "hinge", "mse"] {
        let entry = dlp_loss::find_loss(name).unwrap();
        assert!(entry.fused.is_some(), "{name} has no fused version");
    }
}
