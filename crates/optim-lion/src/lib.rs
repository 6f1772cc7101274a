//! The Lion optimizer (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"),
//! registered as `lion` in the `dlp-optim` registry.
//!
//! This crate is also the worked example of an optimizer plugin (see `docs/plugins.md`): it
//! depends only on `dlp-optim`, registers itself with [`dlp_optim::register_optimizer!`], and
//! is linked into the binary and the tests by a `use dlp_optim_lion as _;` line in
//! `dlp-plugins`. Nothing in `dlp-optim` names it.
//!
//! ```
//! use dlp_optim_lion as _; // links the registration
//!
//! let table = dlp_optim::toml::toml! { lr = 0.1 };
//! let mut lion = dlp_optim::build_optimizer("lion", &table).unwrap();
//! let mut w = vec![1.0_f32, 2.0];
//! lion.begin_step();
//! lion.update(0, &mut w, &[0.5, -3.0]);
//! assert_eq!(w, vec![0.9, 2.1]); // p - lr*sign(g) on the first step
//! ```
#![warn(missing_docs)]

use dlp_optim::{
    OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check, flush_subnormal,
    zeroed_state,
};

/// Configuration of [`Lion`]; defaults are the paper's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LionConfig {
    /// Learning rate. Defaults to `1e-4`.
    pub lr: f64,
    /// Interpolation (`b1`) and momentum (`b2`) rates, each in `[0, 1)`. Defaults to
    /// `(0.9, 0.99)`.
    pub betas: (f64, f64),
    /// Decoupled weight decay. Defaults to `0`.
    pub weight_decay: f64,
}

impl Default for LionConfig {
    fn default() -> Self {
        Self::read(&Params::new(NAME, &dlp_optim::toml::Table::new()))
            .expect("the defaults are valid")
    }
}

impl LionConfig {
    /// Reads every parameter of [`PARAMS`] (not validated).
    fn read(p: &Params) -> Result<Self, OptimError> {
        Ok(Self {
            lr: p.f64(&LR)?,
            betas: p.f64_pair(&BETAS)?,
            weight_decay: p.f64(&WEIGHT_DECAY)?,
        })
    }

    /// Checks `lr > 0`, both betas in `[0, 1)` and `weight_decay >= 0`.
    pub fn validate(&self) -> Result<(), OptimError> {
        check::positive(NAME, "lr", self.lr)?;
        check::betas(NAME, "betas", self.betas)?;
        check::non_negative(NAME, "weight_decay", self.weight_decay)
    }
}

/// Lion, computed in `f32` in the order of the paper's reference implementation:
///
/// ```text
/// c = b1*m + (1-b1)*g ; p <- p - lr*(sign(c) + wd*p) ; m <- b2*m + (1-b2)*g
/// ```
///
/// (the decay is applied as `p <- p*(1 - lr*wd)` before `p <- p - lr*sign(c)`;
/// `sign(0) = 0`).
#[derive(Debug, Clone)]
pub struct Lion {
    cfg: LionConfig,
    m: Vec<Vec<f32>>,
}

impl Lion {
    /// A validated Lion optimizer.
    pub fn new(cfg: LionConfig) -> Result<Self, OptimError> {
        cfg.validate()?;
        Ok(Self { cfg, m: Vec::new() })
    }
}

/// `torch.sign`: -1, 0 or 1 (NaN stays NaN). `f32::signum` maps 0 to 1.
fn sign(x: f32) -> f32 {
    if x == 0.0 { 0.0 } else { x.signum() }
}

impl Optimizer for Lion {
    fn begin_step(&mut self) {}

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "tensor {index}: params and grads differ in length"
        );
        let LionConfig {
            lr,
            betas: (b1, b2),
            weight_decay,
        } = self.cfg;
        let m = zeroed_state(&mut self.m, index, params.len());
        let (neg_lr, decay) = (-lr as f32, (1.0 - lr * weight_decay) as f32);
        let (b1, w1, b2, w2) = (b1 as f32, (1.0 - b1) as f32, b2 as f32, (1.0 - b2) as f32);
        for ((p, &g), m) in params.iter_mut().zip(grads).zip(m.iter_mut()) {
            if weight_decay != 0.0 {
                *p *= decay;
            }
            *p += neg_lr * sign(*m * b1 + g * w1);
            // A decaying momentum is flushed rather than left subnormal (slow on Intel cores):
            // a parameter whose gradient died stops instead of stepping by `lr` on the sign
            // of a number below 1.2e-38 forever.
            *m = flush_subnormal(*m * b2 + w2 * g);
        }
    }

    fn lr(&self) -> f64 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.cfg.lr = lr;
    }
}

const NAME: &str = "lion";

const LR: Param = Param {
    name: "lr",
    default: ParamDefault::Float(1e-4),
    doc: "learning rate",
};
const BETAS: Param = Param {
    name: "betas",
    default: ParamDefault::FloatPair(0.9, 0.99),
    doc: "interpolation and momentum rates, in [0, 1)",
};
const WEIGHT_DECAY: Param = Param {
    name: "weight_decay",
    default: ParamDefault::Float(0.0),
    doc: "decoupled: p <- p*(1 - lr*wd)",
};
/// Every parameter, declared once: read by [`LionConfig::read`], listed by `dlp list`.
const PARAMS: &[Param] = &[LR, BETAS, WEIGHT_DECAY];

fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
    Ok(Box::new(Lion::new(LionConfig::read(p)?)?))
}

dlp_optim::register_optimizer!(OptimizerEntry {
    name: NAME,
    summary: "Lion: sign of an interpolated momentum, decoupled weight decay (Chen et al. 2023)",
    params: PARAMS,
    build,
});

#[cfg(test)]
mod tests {
    use super::*;

    use dlp_optim::testing::{assert_close, assert_registered, run};
    use dlp_optim::toml;

    fn lion(cfg: LionConfig) -> Box<dyn Optimizer> {
        Box::new(Lion::new(cfg).unwrap())
    }

    #[test]
    fn plain() {
        // lr 0.1, betas (0.9, 0.99), p0 = [1, -3]; by hand in f64:
        // t1: g = [2, -2], c = 0.1g = [0.2, -0.2], p1 = p0 - 0.1*sign(c) = [0.9, -2.9],
        //     m = 0.01g = [0.02, -0.02]
        // t2: g = [1.9, -1.9], c = 0.9m + 0.1g = [0.208, -0.208], p2 = [0.8, -2.8],
        //     m = 0.99m + 0.01g = [0.0388, -0.0388]
        // t3: g = [1.8, -1.8], c = [0.21492, -0.21492], p3 = [0.7, -2.7]
        let cfg = LionConfig {
            lr: 0.1,
            ..Default::default()
        };
        assert_close(
            &run(lion(cfg), &[1.0, -3.0], 3),
            &[[0.9, -2.9], [0.8, -2.8], [0.7, -2.7]],
        );
    }

    #[test]
    fn the_momentum_decides_the_sign() {
        // lr 1, betas (0.5, 0.5), p0 = [0.5, -1.5]:
        // t1: g = [1.5, -0.5], c = 0.5g = [0.75, -0.25], p1 = [-0.5, -0.5], m = [0.75, -0.25]
        // t2: g = [0.5, 0.5], c = 0.5m + 0.5g = [0.625, 0.125], p2 = [-1.5, -1.5],
        //     m = [0.625, 0.125]
        // t3: g = [-0.5, -0.5], c = [0.0625, -0.1875]: the first coordinate still steps down
        //     against its gradient, p3 = [-2.5, -0.5]
        let cfg = LionConfig {
            lr: 1.0,
            betas: (0.5, 0.5),
            weight_decay: 0.0,
        };
        assert_close(
            &run(lion(cfg), &[0.5, -1.5], 3),
            &[[-0.5, -0.5], [-1.5, -1.5], [-2.5, -0.5]],
        );
    }

    #[test]
    fn weight_decay() {
        // lr 0.1, wd 0.5: p <- p - 0.1*(sign(c) + 0.5p) = 0.95p - 0.1*sign(c), p0 = [1, -3]
        // t1: g = [2, -2], c = [0.2, -0.2], p1 = [0.95 - 0.1, -2.85 + 0.1] = [0.85, -2.75],
        //     m = [0.02, -0.02]
        // t2: g = [1.85, -1.75], c = [0.203, -0.193], p2 = [0.8075 - 0.1, -2.6125 + 0.1]
        //     = [0.7075, -2.5125], m = [0.0383, -0.0373]
        // t3: g = [1.7075, -1.5125], c = [0.20522, -0.18482],
        //     p3 = [0.672125 - 0.1, -2.386875 + 0.1] = [0.572125, -2.286875]
        let cfg = LionConfig {
            lr: 0.1,
            weight_decay: 0.5,
            ..Default::default()
        };
        assert_close(
            &run(lion(cfg), &[1.0, -3.0], 3),
            &[[0.85, -2.75], [0.7075, -2.5125], [0.572125, -2.286875]],
        );
    }

    #[test]
    fn a_zero_interpolation_does_not_move() {
        // sign(0) = 0, as torch.sign: a zero gradient at zero momentum leaves p unchanged.
        let mut opt = Lion::new(LionConfig::default()).unwrap();
        let mut p = [1.0_f32, -1.0];
        opt.begin_step();
        opt.update(0, &mut p, &[0.0, 0.0]);
        assert_eq!(p, [1.0, -1.0]);
    }

    #[test]
    fn a_dead_momentum_decays_to_zero_and_stops() {
        // m = 0.01 after one unit gradient, then 0.99^k: subnormal after about 8,200 zero
        // gradients, when the flush sets it to zero and sign(0) stops the parameter. Kept
        // subnormal, 0.99 * m rounds back to m at the bottom of the range and p would move by
        // lr on every step.
        let mut opt = Lion::new(LionConfig::default()).unwrap();
        let mut p = [0.0_f32];
        for g in std::iter::once(1.0).chain(std::iter::repeat_n(0.0, 10_000)) {
            opt.begin_step();
            opt.update(0, &mut p, &[g]);
        }
        let before = p;
        opt.begin_step();
        opt.update(0, &mut p, &[0.0]);
        assert_eq!(p, before);
    }

    #[test]
    fn passes_the_plugin_checks() {
        assert_registered(NAME, &toml::Table::new());
    }

    #[test]
    fn registered_with_defaults_and_validation() {
        let build = |s: &str| {
            let t: toml::Table = toml::from_str(s).unwrap();
            dlp_optim::build_optimizer(NAME, &t)
        };
        assert_eq!(build("").unwrap().lr(), 1e-4);
        let err = |s: &str| build(s).err().unwrap().to_string();
        assert_eq!(err("lr = -1"), "lion: `lr` must be > 0 (got -1)");
        assert_eq!(
            err("betas = [0.9, 1.0]"),
            "lion: `betas` must both be in [0, 1) (got [0.9, 1])"
        );
        assert_eq!(
            err("weight_decay = -0.1"),
            "lion: `weight_decay` must be >= 0 (got -0.1)"
        );
        assert_eq!(
            err("eps = 1e-8"),
            "lion: unknown key `eps` (accepted: `betas`, `lr`, `weight_decay`)"
        );
    }
}
