//! Checks for an optimizer's own tests, in dlp or in a plugin crate outside it (cargo feature
//! `testing`: `dlp-optim = { ..., features = ["testing"] }` under `[dev-dependencies]`).
//!
//! - [`assert_registered`]: the optimizer is linked and registered once, under a well-formed
//!   name, its documented parameters are the keys its constructor reads, it does not move at a
//!   zero gradient and stays finite.
//! - [`assert_follows_reference`]: its steps match an independent `f64` version of its formula
//!   (a [`Reference`]), the check that catches a wrong formula.
//! - [`run`] and [`assert_close`]: a few steps on `f(p) = sum(p^2)/2 + sum(p)` against golden
//!   values computed by hand.
//!
//! ```
//! use dlp_optim::testing::{assert_follows_reference, assert_registered};
//!
//! let table = dlp_optim::toml::toml! { lr = 0.1 };
//! assert_registered("sgd", &table);
//! // Plain SGD: p <- p - lr*g, one element at a time.
//! assert_follows_reference("sgd", &table, || {
//!     |_step: u64, _tensor: usize, p: &mut [f64], g: &[f64]| {
//!         p.iter_mut().zip(g).for_each(|(p, g)| *p -= 0.1 * g);
//!     }
//! });
//! ```

use toml::{Table, Value};

use crate::Optimizer;

/// An optimizer's formula in scalar `f64`, written from its paper or its PyTorch docs, not from
/// the `f32` code under test: `update(step, tensor, params, grads)` with `step` counting from 1
/// and `tensor` the index [`Optimizer::update`] gets (keep state per tensor). Any
/// `FnMut(u64, usize, &mut [f64], &[f64])` closure is one.
pub trait Reference {
    /// Updates `params` in place for step `step` of tensor `tensor`.
    fn update(&mut self, step: u64, tensor: usize, params: &mut [f64], grads: &[f64]);
}

impl<F: FnMut(u64, usize, &mut [f64], &[f64])> Reference for F {
    fn update(&mut self, step: u64, tensor: usize, params: &mut [f64], grads: &[f64]) {
        self(step, tensor, params, grads);
    }
}

/// Steps the optimizer `name` built from `table` and `reference` side by side: `params` holds
/// the starting tensors, `grads[step][tensor]` their gradients. An error names the first step,
/// tensor and element that differ by more than `f32` rounding (`1e-5 * (|p| + 1)`).
pub fn compare_with_reference(
    name: &str,
    table: &Table,
    reference: &mut dyn Reference,
    params: &[Vec<f32>],
    grads: &[Vec<Vec<f32>>],
) -> Result<(), String> {
    let mut got =
        crate::build_optimizer(name, table).map_err(|e| format!("{e} (table {table})"))?;
    let mut ps = params.to_vec();
    let mut rs: Vec<Vec<f64>> = params.iter().map(|p| to_f64(p)).collect();
    for (t, step_grads) in grads.iter().enumerate() {
        got.begin_step();
        for (index, ((p, r), g)) in ps.iter_mut().zip(&mut rs).zip(step_grads).enumerate() {
            got.update(index, p, g);
            reference.update(t as u64 + 1, index, r, &to_f64(g));
            for (i, (&p, &r)) in p.iter().zip(r.iter()).enumerate() {
                // f32 against f64: each step rounds p (a few ulps of |p|) and the update
                // (relative ~1e-6, or ~1e-7 * lr absolute where a difference cancels); over a
                // few steps 1e-5 * (|p| + 1) bounds both. A wrong sign or constant moves p by a
                // multiple of lr.
                let tol = 1e-5 * (r.abs() + 1.0);
                if (f64::from(p) - r).abs() > tol {
                    return Err(format!(
                        "{name}: step {}, tensor {index}, element {i}: got {p}, reference {r} \
                         (tol {tol:e}); table {table}",
                        t + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

/// [`compare_with_reference`] on 32 cases of two tensors (3 and 7 elements) and 1 to 6 steps,
/// with parameters and gradients drawn from a fixed pseudo-random sequence in `[-3, 3)`;
/// `new_reference` gives a fresh reference (no state) for each case. Panics on a mismatch.
#[track_caller]
pub fn assert_follows_reference<R: Reference>(
    name: &str,
    table: &Table,
    new_reference: impl Fn() -> R,
) {
    let mut draw = uniform_sequence(0x5eed);
    for case in 0..32 {
        let params: Vec<Vec<f32>> = [3, 7].map(|n| (0..n).map(|_| draw()).collect()).into();
        let steps = 1 + case % 6;
        let grads: Vec<Vec<Vec<f32>>> = (0..steps)
            .map(|_| {
                params
                    .iter()
                    .map(|p| p.iter().map(|_| draw()).collect())
                    .collect()
            })
            .collect();
        let mut reference = new_reference();
        if let Err(message) = compare_with_reference(name, table, &mut reference, &params, &grads) {
            panic!("{message}");
        }
    }
}

/// Whether the optimizer `name`, built from `table` (with `weight_decay = 0` when it takes
/// one), leaves `params` unchanged on a zero gradient from a fresh state, then stays finite
/// over the steps `grads` (each as long as `params`).
pub fn still_at_zero_gradient_and_finite(
    name: &str,
    table: &Table,
    params: &[f32],
    grads: &[Vec<f32>],
) -> Result<(), String> {
    let entry = crate::find_optimizer(name).map_err(|e| e.to_string())?;
    let mut table = table.clone();
    if entry.params.iter().any(|p| p.name == "weight_decay") {
        table.insert("weight_decay".into(), Value::Float(0.0));
    }
    let mut optimizer = crate::build_optimizer(name, &table).map_err(|e| e.to_string())?;
    let mut p = params.to_vec();
    optimizer.begin_step();
    let zeros = vec![0.0; p.len()];
    optimizer.update(0, &mut p, &zeros);
    if p != params {
        return Err(format!(
            "{name} moved at a zero gradient: {params:?} -> {p:?}"
        ));
    }
    for g in grads {
        optimizer.begin_step();
        optimizer.update(0, &mut p, g);
    }
    if p.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(format!(
            "{name}: not finite after {} steps: {p:?}",
            grads.len()
        ))
    }
}

/// Asserts that the optimizer `name` is registered exactly once (so its crate is linked: an
/// integration test must name it, `use my_plugin as _;`), under a name matching
/// `^[a-z][a-z0-9_]*$`; that it builds from `table` with a positive learning rate and reads
/// exactly the keys its `params` document; that it trains the same with every documented
/// default written out in the table (what `dlp list` shows and the runner records is what
/// trains); and [`still_at_zero_gradient_and_finite`] on a fixed sample of steps.
#[track_caller]
pub fn assert_registered(name: &str, table: &Table) {
    let entry = crate::find_optimizer(name).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dlp_registry::is_well_formed(name),
        "optimizer name `{name}` does not match ^[a-z][a-z0-9_]*$"
    );
    let params = crate::Params::new(name, table);
    let optimizer = (entry.build)(&params).unwrap_or_else(|e| panic!("{e}"));
    params.finish().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        optimizer.lr() > 0.0,
        "{name}: lr {} is not > 0",
        optimizer.lr()
    );
    let mut read = params.keys_read();
    let mut documented: Vec<&str> = entry.params.iter().map(|p| p.name).collect();
    read.sort_unstable();
    documented.sort_unstable();
    assert_eq!(
        read, documented,
        "{name}: the keys its constructor reads are not the `params` of its entry"
    );
    let mut explicit = table.clone();
    crate::fill_defaults(&mut explicit, entry.params);
    let start = [1.0, -2.0, 0.5];
    let from =
        |table: &Table| crate::build_optimizer(name, table).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        run(from(table), &start, 5),
        run(from(&explicit), &start, 5),
        "{name}: trains differently with its documented defaults written out ({explicit})"
    );
    let mut draw = uniform_sequence(0xf1417e);
    let start: Vec<f32> = (0..8).map(|_| 3.0 * draw()).collect();
    let grads: Vec<Vec<f32>> = (0..50)
        .map(|_| start.iter().map(|_| 3.0 * draw()).collect())
        .collect();
    if let Err(message) = still_at_zero_gradient_and_finite(name, table, &start, &grads) {
        panic!("{message}");
    }
}

/// Runs `steps` steps on one tensor starting at `p0`, with the gradient of
/// `f(p) = sum(p^2)/2 + sum(p)`, i.e. `g = p + 1`; returns `p` after each step.
pub fn run<const N: usize>(
    mut optimizer: Box<dyn Optimizer>,
    p0: &[f32; N],
    steps: usize,
) -> Vec<[f32; N]> {
    let mut p = *p0;
    (0..steps)
        .map(|_| {
            let g = p.map(|x| x + 1.0);
            optimizer.begin_step();
            optimizer.update(0, &mut p, &g);
            p
        })
        .collect()
}

/// Asserts an `f32` trajectory matches `f64` golden values to a relative `1e-5` (`f32`
/// rounding accumulated over a few steps), with an absolute floor of `1e-6`.
#[track_caller]
pub fn assert_close<const N: usize>(got: &[[f32; N]], want: &[[f64; N]]) {
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

fn to_f64(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&x| f64::from(x)).collect()
}

/// A fixed sequence in `[-3, 3)` (xorshift64): the same cases on every run, with no `rand`
/// dependency.
fn uniform_sequence(seed: u64) -> impl FnMut() -> f32 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 * 6.0 - 3.0
    }
}

/// One step with gradient 1 on a single parameter, then `steps` with gradient 0, so that the
/// optimizer's state decays (to zero, not into the subnormals: see `subnormal.rs`).
#[cfg(test)]
pub(crate) fn decay(opt: &mut dyn Optimizer, steps: usize) {
    let mut p = [1.0_f32];
    for g in std::iter::once(1.0).chain(std::iter::repeat_n(0.0, steps)) {
        opt.begin_step();
        opt.update(0, &mut p, &[g]);
    }
}
