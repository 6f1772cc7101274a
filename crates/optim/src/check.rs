//! Range checks shared by the optimizers and schedules (and by plugin crates).
//!
//! Each takes the registered name and the key, so the error reads
//! `"adam: `lr` must be > 0 (got -0.1)"`.

use crate::OptimError;

/// `value > 0`.
pub fn positive(name: &str, key: &str, value: f64) -> Result<(), OptimError> {
    ensure(value > 0.0, name, key, "must be > 0", num(value))
}

/// `value >= 0`.
pub fn non_negative(name: &str, key: &str, value: f64) -> Result<(), OptimError> {
    ensure(value >= 0.0, name, key, "must be >= 0", num(value))
}

/// `0 <= value <= 1`.
pub fn unit_interval(name: &str, key: &str, value: f64) -> Result<(), OptimError> {
    ensure(
        (0.0..=1.0).contains(&value),
        name,
        key,
        "must be in [0, 1]",
        num(value),
    )
}

/// Both betas of a pair in `[0, 1)`, as PyTorch's Adam requires.
pub fn betas(name: &str, key: &str, (b1, b2): (f64, f64)) -> Result<(), OptimError> {
    let ok = |b: f64| (0.0..1.0).contains(&b);
    ensure(
        ok(b1) && ok(b2),
        name,
        key,
        "must both be in [0, 1)",
        format!("[{}, {}]", num(b1), num(b2)),
    )
}

/// `usize >= 1`.
pub fn at_least_one(name: &str, key: &str, value: usize) -> Result<(), OptimError> {
    ensure(value >= 1, name, key, "must be >= 1", value)
}

/// Fails with [`OptimError::Invalid`] unless `ok`.
pub fn ensure(
    ok: bool,
    name: &str,
    key: &str,
    requirement: &str,
    got: impl std::fmt::Display,
) -> Result<(), OptimError> {
    if ok {
        Ok(())
    } else {
        Err(OptimError::invalid(name, key, requirement, got))
    }
}

/// Formats a number for an error message: plain (`-0.1`, `3`) unless tiny or huge (`1e-8`).
pub fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}
