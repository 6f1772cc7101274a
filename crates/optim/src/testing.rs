//! Test helpers shared by the optimizer tests.

use crate::Optimizer;

/// Runs `steps` steps on one tensor starting at `p0`, with the gradient of
/// `f(p) = sum(p^2)/2 + sum(p)`, i.e. `g = p + 1`; returns `p` after each step.
pub(crate) fn run<const N: usize>(
    mut opt: Box<dyn Optimizer>,
    p0: &[f32; N],
    steps: usize,
) -> Vec<[f32; N]> {
    let mut p = *p0;
    (0..steps)
        .map(|_| {
            let g = p.map(|x| x + 1.0);
            opt.begin_step();
            opt.update(0, &mut p, &g);
            p
        })
        .collect()
}

/// Asserts an `f32` trajectory matches `f64` golden values to a relative `1e-5` (`f32`
/// rounding accumulated over a few steps), with an absolute floor of `1e-6`.
#[track_caller]
pub(crate) fn assert_close<const N: usize>(got: &[[f32; N]], want: &[[f64; N]]) {
    assert_eq!(got.len(), want.len());
    for (t, (g, w)) in got.iter().zip(want).enumerate() {
        for (&g, &w) in g.iter().zip(w) {
            let tol = 1e-5 * w.abs() + 1e-6;
            assert!(
                (f64::from(g) - w).abs() <= tol,
                "step {}: got {g:?}, want {w:?} (all: {got:?})",
                t + 1
            );
        }
    }
}

/// One step with gradient 1 on a single parameter, then `steps` with gradient 0, so that the
/// optimizer's state decays (to zero, not into the subnormals: see `subnormal.rs`).
pub(crate) fn decay(opt: &mut dyn Optimizer, steps: usize) {
    let mut p = [1.0_f32];
    for g in std::iter::once(1.0).chain(std::iter::repeat_n(0.0, steps)) {
        opt.begin_step();
        opt.update(0, &mut p, &[g]);
    }
}
