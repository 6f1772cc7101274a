//! `signsgd` is registered, linked and sound, and follows its formula.

use dlp_optim::testing::{assert_follows_reference, assert_registered};
use dlp_optim::toml::{Table, toml};
use signsgd as _; // a test file is a crate of its own: name the plugin to link it

#[test]
fn is_registered_and_sound() {
    assert_registered("signsgd", &Table::new());
}

#[test]
fn follows_its_formula() {
    // The formula again, in f64, written from the paper rather than from src/lib.rs.
    assert_follows_reference("signsgd", &toml! { lr = 0.05 }, || {
        |_step: u64, _tensor: usize, p: &mut [f64], g: &[f64]| {
            for (p, &g) in p.iter_mut().zip(g) {
                if g != 0.0 {
                    *p -= 0.05 * g.signum();
                }
            }
        }
    });
}
