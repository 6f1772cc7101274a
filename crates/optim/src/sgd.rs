//! Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay.

use crate::optimizer::tensor_state;
use crate::{
    OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check, flush_subnormal,
};

/// Configuration of [`Sgd`]; defaults are PyTorch's `torch.optim.SGD`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate. Defaults to `1e-3` (PyTorch's default since 2.x).
    pub lr: f64,
    /// Momentum factor. Defaults to `0`.
    pub momentum: f64,
    /// Dampening of the momentum (`b <- momentum*b + (1-dampening)*g`). Defaults to `0`.
    pub dampening: f64,
    /// L2 penalty added to the gradient (`g <- g + wd*p`). Defaults to `0`.
    pub weight_decay: f64,
    /// Nesterov momentum; needs `momentum > 0` and `dampening = 0`. Defaults to `false`.
    pub nesterov: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self::read(&Params::new(NAME, &toml::Table::new())).expect("the defaults are valid")
    }
}

impl SgdConfig {
    /// Reads every parameter of [`PARAMS`] (not validated).
    fn read(p: &Params) -> Result<Self, OptimError> {
        Ok(Self {
            lr: p.f64(&LR)?,
            momentum: p.f64(&MOMENTUM)?,
            dampening: p.f64(&DAMPENING)?,
            weight_decay: p.f64(&WEIGHT_DECAY)?,
            nesterov: p.bool(&NESTEROV)?,
        })
    }

    /// Checks the ranges: `lr > 0`, `momentum >= 0`, `dampening` in `[0, 1]`,
    /// `weight_decay >= 0`, and `nesterov` only with `momentum > 0` and `dampening = 0`.
    pub fn validate(&self) -> Result<(), OptimError> {
        check::positive(NAME, "lr", self.lr)?;
        check::non_negative(NAME, "momentum", self.momentum)?;
        check::unit_interval(NAME, "dampening", self.dampening)?;
        check::non_negative(NAME, "weight_decay", self.weight_decay)?;
        check::ensure(
            !self.nesterov || (self.momentum > 0.0 && self.dampening == 0.0),
            NAME,
            "nesterov",
            "requires `momentum` > 0 and `dampening` = 0",
            format_args!(
                "momentum = {}, dampening = {}",
                self.momentum, self.dampening
            ),
        )
    }
}

/// PyTorch's SGD (single-tensor path), computed in `f32`:
///
/// ```text
/// g <- g + wd*p
/// if momentum != 0: b <- g at the tensor's first step, else b <- momentum*b + (1-dampening)*g
///                   g <- g + momentum*b if nesterov, else g <- b
/// p <- p - lr*g
/// ```
#[derive(Debug, Clone)]
pub struct Sgd {
    cfg: SgdConfig,
    /// Momentum buffers per tensor; `None` until the tensor's first update.
    buffers: Vec<Option<Vec<f32>>>,
}

impl Sgd {
    /// A validated SGD optimizer.
    pub fn new(cfg: SgdConfig) -> Result<Self, OptimError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            buffers: Vec::new(),
        })
    }
}

impl Optimizer for Sgd {
    fn begin_step(&mut self) {}

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "tensor {index}: params and grads differ in length"
        );
        let SgdConfig {
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
        } = self.cfg;
        let neg_lr = -lr as f32;
        let wd = weight_decay as f32;
        let decay = |p: f32, g: f32| if weight_decay != 0.0 { g + wd * p } else { g };
        if momentum == 0.0 {
            for (p, &g) in params.iter_mut().zip(grads) {
                *p += neg_lr * decay(*p, g);
            }
            return;
        }
        let mom = momentum as f32;
        let keep = (1.0 - dampening) as f32;
        match tensor_state(&mut self.buffers, index) {
            slot @ None => {
                // First step of this tensor: b <- g, so nesterov's g + momentum*b = g + momentum*g.
                let mut buf = Vec::with_capacity(params.len());
                for (p, &g) in params.iter_mut().zip(grads) {
                    let g = decay(*p, g);
                    buf.push(g);
                    let step = if nesterov { g + mom * g } else { g };
                    *p += neg_lr * step;
                }
                *slot = Some(buf);
            }
            Some(buf) => {
                for ((p, &g), b) in params.iter_mut().zip(grads).zip(buf.iter_mut()) {
                    let g = decay(*p, g);
                    *b = flush_subnormal(mom * *b + keep * g);
                    let step = if nesterov { g + mom * *b } else { *b };
                    *p += neg_lr * step;
                }
            }
        }
    }

    fn lr(&self) -> f64 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.cfg.lr = lr;
    }
}

const NAME: &str = "sgd";

const LR: Param = Param {
    name: "lr",
    default: ParamDefault::Float(1e-3),
    doc: "learning rate (PyTorch's default since 2.x)",
};
const MOMENTUM: Param = Param {
    name: "momentum",
    default: ParamDefault::Float(0.0),
    doc: "momentum factor, >= 0",
};
const DAMPENING: Param = Param {
    name: "dampening",
    default: ParamDefault::Float(0.0),
    doc: "dampening of the momentum, in [0, 1]",
};
const WEIGHT_DECAY: Param = Param {
    name: "weight_decay",
    default: ParamDefault::Float(0.0),
    doc: "L2 penalty added to the gradient",
};
const NESTEROV: Param = Param {
    name: "nesterov",
    default: ParamDefault::Bool(false),
    doc: "Nesterov momentum (needs momentum > 0, dampening = 0)",
};
/// Every parameter, declared once: read by [`SgdConfig::read`], listed by `dlp list`.
const PARAMS: &[Param] = &[LR, MOMENTUM, DAMPENING, WEIGHT_DECAY, NESTEROV];

fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
    Ok(Box::new(Sgd::new(SgdConfig::read(p)?)?))
}

crate::register_optimizer!(OptimizerEntry {
    name: NAME,
    summary: "stochastic gradient descent with momentum, dampening, Nesterov (PyTorch SGD)",
    params: PARAMS,
    build,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, decay, run};

    fn sgd(cfg: SgdConfig) -> Box<dyn Optimizer> {
        Box::new(Sgd::new(cfg).unwrap())
    }

    // All cases: one tensor p0 = [1.0, -2.0] and the gradient of f(p) = sum(p^2)/2 + sum(p),
    // i.e. g = p + 1, so the gradient depends on the trajectory.

    #[test]
    fn plain() {
        // lr 0.1: p <- p - 0.1*(p + 1) = 0.9p - 0.1
        // p1 = [0.9*1 - 0.1, 0.9*(-2) - 0.1] = [0.8, -1.9]
        // p2 = [0.72 - 0.1, -1.71 - 0.1]     = [0.62, -1.81]
        // p3 = [0.558 - 0.1, -1.629 - 0.1]   = [0.458, -1.729]
        let cfg = SgdConfig {
            lr: 0.1,
            ..Default::default()
        };
        let traj = run(sgd(cfg), &[1.0, -2.0], 3);
        assert_close(&traj, &[[0.8, -1.9], [0.62, -1.81], [0.458, -1.729]]);
    }

    #[test]
    fn momentum_and_weight_decay() {
        // lr 0.1, momentum 0.9, wd 0.5: g' = (p + 1) + 0.5p = 1.5p + 1
        // t1: g' = [2.5, -2], b = g' = [2.5, -2], p1 = p0 - 0.1b = [0.75, -1.8]
        // t2: g' = [2.125, -1.7], b = 0.9*[2.5, -2] + g' = [4.375, -3.5], p2 = [0.3125, -1.45]
        // t3: g' = [1.46875, -1.175], b = 0.9*[4.375, -3.5] + g' = [5.40625, -4.325],
        //     p3 = [0.3125 - 0.540625, -1.45 + 0.4325] = [-0.228125, -1.0175]
        let cfg = SgdConfig {
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 0.5,
            ..Default::default()
        };
        let traj = run(sgd(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[[0.75, -1.8], [0.3125, -1.45], [-0.228125, -1.0175]],
        );
    }

    #[test]
    fn dampening() {
        // lr 0.1, momentum 0.5, dampening 0.5; g = p + 1. The first buffer is g undamped.
        // t1: g = [2, -1], b = [2, -1], p1 = [0.8, -1.9]
        // t2: g = [1.8, -0.9], b = 0.5*[2, -1] + 0.5*[1.8, -0.9] = [1.9, -0.95], p2 = [0.61, -1.805]
        // t3: g = [1.61, -0.805], b = [0.95 + 0.805, -0.475 - 0.4025] = [1.755, -0.8775],
        //     p3 = [0.61 - 0.1755, -1.805 + 0.08775] = [0.4345, -1.71725]
        let cfg = SgdConfig {
            lr: 0.1,
            momentum: 0.5,
            dampening: 0.5,
            ..Default::default()
        };
        let traj = run(sgd(cfg), &[1.0, -2.0], 3);
        assert_close(&traj, &[[0.8, -1.9], [0.61, -1.805], [0.4345, -1.71725]]);
    }

    #[test]
    fn nesterov() {
        // lr 0.1, momentum 0.9, nesterov; g = p + 1; step = g + 0.9b
        // t1: g = [2, -1], b = [2, -1], step = [3.8, -1.9], p1 = [0.62, -1.81]
        // t2: g = [1.62, -0.81], b = [1.8 + 1.62, -0.9 - 0.81] = [3.42, -1.71],
        //     step = [1.62 + 3.078, -0.81 - 1.539] = [4.698, -2.349], p2 = [0.1502, -1.5751]
        // t3: g = [1.1502, -0.5751], b = [3.078 + 1.1502, -1.539 - 0.5751] = [4.2282, -2.1141],
        //     step = [1.1502 + 3.80538, -0.5751 - 1.90269] = [4.95558, -2.47779],
        //     p3 = [0.1502 - 0.495558, -1.5751 + 0.247779] = [-0.345358, -1.327321]
        let cfg = SgdConfig {
            lr: 0.1,
            momentum: 0.9,
            nesterov: true,
            ..Default::default()
        };
        let traj = run(sgd(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[[0.62, -1.81], [0.1502, -1.5751], [-0.345358, -1.327321]],
        );
    }

    #[test]
    fn state_is_per_tensor() {
        // Tensor 1 starts its momentum buffer at its own first update: two tensors updated
        // alternately follow the same trajectory as one tensor alone.
        let cfg = SgdConfig {
            lr: 0.1,
            momentum: 0.9,
            ..Default::default()
        };
        let mut opt = sgd(cfg);
        let (mut a, mut b) = (vec![1.0_f32], vec![1.0_f32]);
        for _ in 0..3 {
            opt.begin_step();
            let ga = [a[0] + 1.0];
            opt.update(0, &mut a, &ga);
            let gb = [b[0] + 1.0];
            opt.update(1, &mut b, &gb);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn validation() {
        let err = |s: &str| {
            let t: toml::Table = toml::from_str(s).unwrap();
            crate::build_optimizer(NAME, &t).err().unwrap().to_string()
        };
        assert_eq!(err("lr = -0.1"), "sgd: `lr` must be > 0 (got -0.1)");
        assert_eq!(err("lr = 0"), "sgd: `lr` must be > 0 (got 0)");
        assert_eq!(
            err("momentum = -0.5"),
            "sgd: `momentum` must be >= 0 (got -0.5)"
        );
        assert_eq!(
            err("dampening = 1.5"),
            "sgd: `dampening` must be in [0, 1] (got 1.5)"
        );
        assert_eq!(
            err("weight_decay = -1"),
            "sgd: `weight_decay` must be >= 0 (got -1)"
        );
        assert_eq!(
            err("nesterov = true"),
            "sgd: `nesterov` requires `momentum` > 0 and `dampening` = 0 (got momentum = 0, dampening = 0)"
        );
        assert_eq!(
            err("nesterov = true\nmomentum = 0.9\ndampening = 0.1"),
            "sgd: `nesterov` requires `momentum` > 0 and `dampening` = 0 (got momentum = 0.9, dampening = 0.1)"
        );
    }

    #[test]
    fn lr_can_be_set() {
        let mut opt = sgd(SgdConfig::default());
        assert_eq!(opt.lr(), 1e-3);
        opt.set_lr(0.5);
        let mut p = [1.0_f32];
        opt.begin_step();
        opt.update(0, &mut p, &[1.0]);
        assert_eq!(p, [0.5]);
    }

    #[test]
    fn a_decaying_buffer_reaches_zero_not_subnormals() {
        let cfg = SgdConfig {
            momentum: 0.9,
            ..Default::default()
        };
        let mut sgd = Sgd::new(cfg).unwrap();
        decay(&mut sgd, 2_000);
        assert_eq!(sgd.buffers, [Some(vec![0.0])]);
    }
}
