//! Every registered optimizer (built-ins and linked plugins, so `lion` too) against a scalar
//! `f64` implementation of its published formula, over several steps on two tensors with
//! random parameters, gradients and valid hyperparameters.
//!
//! Each reference below is written from the optimizer's own definition (PyTorch's
//! documentation for the built-ins, the paper for `lion`), in `f64`, one element at a time, and
//! never from the `f32` code it checks: that is what catches a wrong formula, which a test
//! through the registry or the tape cannot.
//!
//! An optimizer linked here with no reference fails `every_optimizer_has_a_reference`: add
//! its formula to [`reference`]. A plugin crate outside dlp checks its own optimizer with
//! `dlp_optim::testing::assert_follows_reference` instead (docs/plugins.md).

use std::collections::HashMap;

use dlp_optim::testing::{Reference, compare_with_reference};
use dlp_plugins as _;
use proptest::prelude::*;
use toml::{Table, Value};

/// Hyperparameters drawn once per case; each reference reads the ones its optimizer takes.
#[derive(Debug, Clone, Default)]
struct Hyper {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    betas: (f64, f64),
    eps: f64,
    amsgrad: bool,
    alpha: f64,
    centered: bool,
    lr_decay: f64,
    initial_accumulator_value: f64,
}

fn hyper() -> impl Strategy<Value = Hyper> {
    (
        (
            1e-4_f64..0.1,
            prop_oneof![Just(0.0), 0.01_f64..0.99],
            prop_oneof![Just(0.0), 0.0_f64..=1.0],
            any::<bool>(),
            prop_oneof![Just(0.0), 0.0_f64..0.1],
            (0.0_f64..0.99, 0.5_f64..0.9999),
        ),
        (
            1e-8_f64..1e-3,
            any::<bool>(),
            0.5_f64..0.999,
            any::<bool>(),
            prop_oneof![Just(0.0), 0.0_f64..0.5],
            prop_oneof![Just(0.0), 0.0_f64..1.0],
        ),
    )
        .prop_map(
            |(
                (lr, momentum, dampening, nesterov, weight_decay, betas),
                (eps, amsgrad, alpha, centered, lr_decay, initial_accumulator_value),
            )| {
                // SGD's Nesterov needs momentum > 0 and no dampening; keep the case valid.
                let nesterov = nesterov && momentum > 0.0;
                let dampening = if nesterov { 0.0 } else { dampening };
                Hyper {
                    lr,
                    momentum,
                    dampening,
                    nesterov,
                    weight_decay,
                    betas,
                    eps,
                    amsgrad,
                    alpha,
                    centered,
                    lr_decay,
                    initial_accumulator_value,
                }
            },
        )
}

/// Zeroed state buffers per tensor index, created on first use.
#[derive(Default)]
struct State(HashMap<(usize, &'static str), Vec<f64>>);

impl State {
    fn buf(&mut self, index: usize, key: &'static str, len: usize, init: f64) -> &mut Vec<f64> {
        self.0
            .entry((index, key))
            .or_insert_with(|| vec![init; len])
    }
}

/// PyTorch SGD: `g += wd*p`; `b = g` at the first step, then `b = mu*b + (1-damp)*g`;
/// `g = g + mu*b` (Nesterov) or `b`; `p -= lr*g`.
struct Sgd(Hyper, State);

impl Reference for Sgd {
    fn update(&mut self, _: u64, index: usize, p: &mut [f64], g: &[f64]) {
        let h = &self.0;
        let first = !self.1.0.contains_key(&(index, "b"));
        let b = self.1.buf(index, "b", p.len(), 0.0);
        for i in 0..p.len() {
            let mut g = g[i] + h.weight_decay * p[i];
            if h.momentum != 0.0 {
                b[i] = if first {
                    g
                } else {
                    h.momentum * b[i] + (1.0 - h.dampening) * g
                };
                g = if h.nesterov {
                    g + h.momentum * b[i]
                } else {
                    b[i]
                };
            }
            p[i] -= h.lr * g;
        }
    }
}

/// PyTorch Adam (`decoupled = false`) and AdamW (`true`, `p *= 1 - lr*wd` first and no wd in
/// `g`): `m = b1*m + (1-b1)*g`, `v = b2*v + (1-b2)*g^2`, AMSGrad `vmax = max(vmax, v)`,
/// `p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)`.
struct Adam(Hyper, bool, State);

impl Reference for Adam {
    fn update(&mut self, t: u64, index: usize, p: &mut [f64], g: &[f64]) {
        let (h, decoupled) = (&self.0, self.1);
        let (b1, b2) = h.betas;
        let t = t as i32;
        let n = p.len();
        let mut m = std::mem::take(self.2.buf(index, "m", n, 0.0));
        let mut v = std::mem::take(self.2.buf(index, "v", n, 0.0));
        let mut vmax = std::mem::take(self.2.buf(index, "vmax", n, 0.0));
        for i in 0..n {
            let mut g = g[i];
            if decoupled {
                p[i] *= 1.0 - h.lr * h.weight_decay;
            } else {
                g += h.weight_decay * p[i];
            }
            m[i] = b1 * m[i] + (1.0 - b1) * g;
            v[i] = b2 * v[i] + (1.0 - b2) * g * g;
            vmax[i] = vmax[i].max(v[i]);
            let second = if h.amsgrad { vmax[i] } else { v[i] };
            let m_hat = m[i] / (1.0 - b1.powi(t));
            let v_hat = second / (1.0 - b2.powi(t));
            p[i] -= h.lr * m_hat / (v_hat.sqrt() + h.eps);
        }
        *self.2.buf(index, "m", n, 0.0) = m;
        *self.2.buf(index, "v", n, 0.0) = v;
        *self.2.buf(index, "vmax", n, 0.0) = vmax;
    }
}

/// PyTorch RMSprop: `g += wd*p`; `v = alpha*v + (1-alpha)*g^2`; centered:
/// `a = alpha*a + (1-alpha)*g`, `d = sqrt(v - a^2) + eps`, else `d = sqrt(v) + eps`;
/// momentum: `buf = mu*buf + g/d`, `p -= lr*buf`, else `p -= lr*g/d`.
struct RmsProp(Hyper, State);

impl Reference for RmsProp {
    fn update(&mut self, _: u64, index: usize, p: &mut [f64], g: &[f64]) {
        let h = &self.0;
        let n = p.len();
        let mut v = std::mem::take(self.1.buf(index, "v", n, 0.0));
        let mut a = std::mem::take(self.1.buf(index, "a", n, 0.0));
        let mut buf = std::mem::take(self.1.buf(index, "buf", n, 0.0));
        for i in 0..n {
            let g = g[i] + h.weight_decay * p[i];
            v[i] = h.alpha * v[i] + (1.0 - h.alpha) * g * g;
            let d = if h.centered {
                a[i] = h.alpha * a[i] + (1.0 - h.alpha) * g;
                (v[i] - a[i] * a[i]).sqrt() + h.eps
            } else {
                v[i].sqrt() + h.eps
            };
            if h.momentum > 0.0 {
                buf[i] = h.momentum * buf[i] + g / d;
                p[i] -= h.lr * buf[i];
            } else {
                p[i] -= h.lr * g / d;
            }
        }
        *self.1.buf(index, "v", n, 0.0) = v;
        *self.1.buf(index, "a", n, 0.0) = a;
        *self.1.buf(index, "buf", n, 0.0) = buf;
    }
}

/// PyTorch Adagrad: `clr = lr / (1 + (t-1)*lr_decay)`; `g += wd*p`; `s += g^2` (from
/// `initial_accumulator_value`); `p -= clr*g/(sqrt(s) + eps)`.
struct Adagrad(Hyper, State);

impl Reference for Adagrad {
    fn update(&mut self, t: u64, index: usize, p: &mut [f64], g: &[f64]) {
        let h = &self.0;
        let clr = h.lr / (1.0 + (t - 1) as f64 * h.lr_decay);
        let s = self.1.buf(index, "s", p.len(), h.initial_accumulator_value);
        for i in 0..p.len() {
            let g = g[i] + h.weight_decay * p[i];
            s[i] += g * g;
            p[i] -= clr * g / (s[i].sqrt() + h.eps);
        }
    }
}

/// Lion (Chen et al. 2023): `c = b1*m + (1-b1)*g`; `p -= lr*(sign(c) + wd*p)`;
/// `m = b2*m + (1-b2)*g`; `sign(0) = 0`.
struct Lion(Hyper, State);

impl Reference for Lion {
    fn update(&mut self, _: u64, index: usize, p: &mut [f64], g: &[f64]) {
        let h = &self.0;
        let (b1, b2) = h.betas;
        let m = self.1.buf(index, "m", p.len(), 0.0);
        for i in 0..p.len() {
            let c = b1 * m[i] + (1.0 - b1) * g[i];
            let sign = if c == 0.0 { 0.0 } else { c.signum() };
            p[i] -= h.lr * (sign + h.weight_decay * p[i]);
            m[i] = b2 * m[i] + (1.0 - b2) * g[i];
        }
    }
}

/// The TOML table for `keys` of `h`, and the reference of optimizer `name`; `None` when
/// `name` has no reference.
fn reference(name: &str, h: &Hyper) -> Option<(Table, Box<dyn Reference>)> {
    let keys: &[&str] = match name {
        "sgd" => &["lr", "momentum", "dampening", "weight_decay", "nesterov"],
        "adam" | "adamw" => &["lr", "betas", "eps", "weight_decay", "amsgrad"],
        "rmsprop" => &["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
        "adagrad" => &[
            "lr",
            "lr_decay",
            "weight_decay",
            "initial_accumulator_value",
            "eps",
        ],
        "lion" => &["lr", "betas", "weight_decay"],
        _ => return None,
    };
    let r: Box<dyn Reference> = match name {
        "sgd" => Box::new(Sgd(h.clone(), State::default())),
        "adam" => Box::new(Adam(h.clone(), false, State::default())),
        "adamw" => Box::new(Adam(h.clone(), true, State::default())),
        "rmsprop" => Box::new(RmsProp(h.clone(), State::default())),
        "adagrad" => Box::new(Adagrad(h.clone(), State::default())),
        _ => Box::new(Lion(h.clone(), State::default())),
    };
    let value = |key: &str| match key {
        "lr" => Value::Float(h.lr),
        "momentum" => Value::Float(h.momentum),
        "dampening" => Value::Float(h.dampening),
        "nesterov" => Value::Boolean(h.nesterov),
        "weight_decay" => Value::Float(h.weight_decay),
        "betas" => Value::Array(vec![Value::Float(h.betas.0), Value::Float(h.betas.1)]),
        "eps" => Value::Float(h.eps),
        "amsgrad" => Value::Boolean(h.amsgrad),
        "alpha" => Value::Float(h.alpha),
        "centered" => Value::Boolean(h.centered),
        "lr_decay" => Value::Float(h.lr_decay),
        "initial_accumulator_value" => Value::Float(h.initial_accumulator_value),
        other => unreachable!("no hyperparameter {other}"),
    };
    let table = keys.iter().map(|&k| (k.to_owned(), value(k))).collect();
    Some((table, r))
}

#[test]
fn every_optimizer_has_a_reference() {
    let missing: Vec<&str> = dlp_optim::optimizers()
        .iter()
        .map(|e| e.name)
        .filter(|name| reference(name, &Hyper::default()).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "no reference formula for optimizer {}: add an independent f64 version of its update \
         rule to `reference` in {} (see its header)",
        missing.join(", "),
        file!()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// 1 to 6 steps on two tensors of different lengths (state must stay per tensor).
    #[test]
    fn every_optimizer_follows_its_reference(
        h in hyper(),
        p0 in prop::collection::vec(-3.0_f32..3.0, 1..6),
        p1 in prop::collection::vec(-3.0_f32..3.0, 6..10),
        grads in prop::collection::vec(prop::collection::vec(-3.0_f32..3.0, 16), 1..=6),
    ) {
        let params = [p0, p1];
        let grads: Vec<Vec<Vec<f32>>> = grads
            .iter()
            .map(|g| (0..2).map(|i| g[i * 6..i * 6 + params[i].len()].to_vec()).collect())
            .collect();
        let entries = dlp_optim::optimizers();
        prop_assert!(!entries.is_empty());
        // An optimizer without a reference fails `every_optimizer_has_a_reference`.
        for (name, (table, mut want)) in entries
            .iter()
            .filter_map(|e| Some((e.name, reference(e.name, &h)?)))
        {
            compare_with_reference(name, &table, want.as_mut(), &params, &grads)
                .map_err(TestCaseError::fail)?;
        }
    }
}
