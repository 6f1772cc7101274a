//! Adam (with AMSGrad) and AdamW, sharing one core that differs only in where weight decay goes.

use multiversion::multiversion;

use crate::optimizer::zeroed_state;
use crate::{
    OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check, flush_subnormal,
};

/// Configuration of [`Adam`]; [`Default`] is PyTorch's `torch.optim.Adam`, [`AdamConfig::adamw`]
/// is `torch.optim.AdamW`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate. Defaults to `1e-3`.
    pub lr: f64,
    /// Decay rates of the first and second moments, each in `[0, 1)`. Defaults to
    /// `(0.9, 0.999)`.
    pub betas: (f64, f64),
    /// Added to the denominator, outside the square root. Defaults to `1e-8`.
    pub eps: f64,
    /// Weight decay: an L2 term in the gradient for Adam (defaults to `0`), a decoupled
    /// shrink `p <- p*(1 - lr*wd)` for AdamW (defaults to `1e-2`).
    pub weight_decay: f64,
    /// AMSGrad: use the running maximum of the second moment. Defaults to `false`.
    pub amsgrad: bool,
    /// Decoupled weight decay (AdamW). `false` for Adam, `true` for AdamW.
    pub decoupled_weight_decay: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self::defaults(false)
    }
}

impl AdamConfig {
    /// PyTorch's AdamW defaults: Adam's with `weight_decay = 1e-2`, decoupled.
    pub fn adamw() -> Self {
        Self::defaults(true)
    }

    /// What an empty table reads: the declared defaults of Adam, or of AdamW (`decoupled`).
    fn defaults(decoupled: bool) -> Self {
        let name = if decoupled { "adamw" } else { "adam" };
        Self::read(&Params::new(name, &toml::Table::new()), decoupled)
            .expect("the defaults are valid")
    }

    /// Reads every parameter of [`params`]`(decoupled_weight_decay)` (not validated).
    fn read(p: &Params, decoupled_weight_decay: bool) -> Result<Self, OptimError> {
        let [lr, betas, eps, weight_decay, amsgrad] = params(decoupled_weight_decay);
        Ok(Self {
            lr: p.f64(&lr)?,
            betas: p.f64_pair(&betas)?,
            eps: p.f64(&eps)?,
            weight_decay: p.f64(&weight_decay)?,
            amsgrad: p.bool(&amsgrad)?,
            decoupled_weight_decay,
        })
    }

    /// The registered name: `adamw` when decoupled, else `adam`.
    pub fn name(&self) -> &'static str {
        if self.decoupled_weight_decay {
            "adamw"
        } else {
            "adam"
        }
    }

    /// Checks `lr > 0`, both betas in `[0, 1)`, `eps >= 0` and `weight_decay >= 0`.
    pub fn validate(&self) -> Result<(), OptimError> {
        let name = self.name();
        check::positive(name, "lr", self.lr)?;
        check::betas(name, "betas", self.betas)?;
        check::non_negative(name, "eps", self.eps)?;
        check::non_negative(name, "weight_decay", self.weight_decay)
    }
}

/// PyTorch's Adam / AdamW (single-tensor path), computed in `f32` with the bias corrections
/// in `f64` (PyTorch computes them as Python floats):
///
/// ```text
/// adam:  g <- g + wd*p            adamw: p <- p*(1 - lr*wd)
/// m <- b1*m + (1-b1)*g            (as PyTorch's lerp)
/// v <- b2*v + (1-b2)*g^2
/// amsgrad: vmax <- max(vmax, v), used in place of v below
/// p <- p - (lr/(1-b1^t)) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
/// ```
///
/// `m` and `v` are stored with subnormals flushed to zero ([`flush_subnormal`]).
/// `t` counts [`Optimizer::begin_step`] calls, so every tensor must be updated at every step.
#[derive(Debug, Clone)]
pub struct Adam {
    cfg: AdamConfig,
    t: u64,
    /// `1 - beta1^t` and `sqrt(1 - beta2^t)`, computed once per step.
    bias_corrections: (f64, f32),
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    vmax: Vec<Vec<f32>>,
}

impl Adam {
    /// A validated Adam (or AdamW, if `cfg.decoupled_weight_decay`) optimizer.
    pub fn new(cfg: AdamConfig) -> Result<Self, OptimError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            t: 0,
            bias_corrections: (0.0, 0.0),
            m: Vec::new(),
            v: Vec::new(),
            vmax: Vec::new(),
        })
    }

    /// The state of tensor `index`: its first and second moments, and with AMSGrad the
    /// running maximum of the second (empty before its first update).
    pub fn state(&self, index: usize) -> impl Iterator<Item = &[f32]> {
        [&self.m, &self.v, &self.vmax]
            .into_iter()
            .filter_map(move |s| s.get(index).map(Vec::as_slice))
    }
}

/// One step's coefficients, the same for every tensor.
struct Rule {
    l2: f32,
    w1: f32,
    b2: f32,
    w2: f32,
    step_size: f32,
    bc2_sqrt: f32,
    eps: f32,
}

/// PyTorch's update, element by element, as separate branch-free loops (weight decay apart,
/// AMSGrad apart) so that the compiler vectorises the common one. Compiled for AVX2 and for the
/// baseline, picked at run time (`multiversion`): the same operations, so the same numbers.
#[multiversion(targets("x86_64+avx2"))]
fn adam_loop(
    rule: &Rule,
    params: &mut [f32],
    grads: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    vmax: Option<&mut [f32]>,
) {
    let gradient = |g: f32, p: f32| if rule.l2 != 0.0 { g + rule.l2 * p } else { g };
    let moments = |m: &mut f32, v: &mut f32, g: f32| {
        *m = flush_subnormal(lerp(*m, g, rule.w1));
        *v = flush_subnormal(*v * rule.b2 + rule.w2 * g * g);
    };
    let apply = |p: &mut f32, m: f32, second: f32| {
        *p += -rule.step_size * (m / (second.sqrt() / rule.bc2_sqrt + rule.eps));
    };
    let state = m.iter_mut().zip(v.iter_mut());
    match vmax {
        Some(vmax) => {
            for (((p, &g), (m, v)), vm) in params.iter_mut().zip(grads).zip(state).zip(vmax) {
                let g = gradient(g, *p);
                moments(m, v, g);
                *vm = vm.max(*v);
                apply(p, *m, *vm);
            }
        }
        None => {
            for ((p, &g), (m, v)) in params.iter_mut().zip(grads).zip(state) {
                let g = gradient(g, *p);
                moments(m, v, g);
                apply(p, *m, *v);
            }
        }
    }
}

/// PyTorch's `lerp(a, b, w)` for a scalar weight.
#[inline]
pub(crate) fn lerp(a: f32, b: f32, w: f32) -> f32 {
    if w.abs() < 0.5 {
        a + w * (b - a)
    } else {
        b - (b - a) * (1.0 - w)
    }
}

impl Optimizer for Adam {
    fn begin_step(&mut self) {
        self.t += 1;
        let t = i32::try_from(self.t).unwrap_or(i32::MAX);
        let (b1, b2) = self.cfg.betas;
        self.bias_corrections = (1.0 - b1.powi(t), (1.0 - b2.powi(t)).sqrt() as f32);
    }

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "tensor {index}: params and grads differ in length"
        );
        assert!(self.t > 0, "begin_step must be called before update");
        let AdamConfig {
            lr,
            betas: (b1, b2),
            eps,
            weight_decay,
            amsgrad,
            decoupled_weight_decay,
        } = self.cfg;
        let (bc1, bc2_sqrt) = self.bias_corrections;
        let step_size = (lr / bc1) as f32;
        let (w1, b2f, w2, eps) = ((1.0 - b1) as f32, b2 as f32, (1.0 - b2) as f32, eps as f32);
        let l2 = if decoupled_weight_decay {
            0.0
        } else {
            weight_decay as f32
        };
        let decay = (1.0 - lr * weight_decay) as f32;
        let shrink = decoupled_weight_decay && weight_decay != 0.0;

        let n = params.len();
        if shrink {
            params.iter_mut().for_each(|p| *p *= decay);
        }
        let m = zeroed_state(&mut self.m, index, n);
        let v = zeroed_state(&mut self.v, index, n);
        let vmax = amsgrad.then(|| zeroed_state(&mut self.vmax, index, n).as_mut_slice());
        let rule = Rule {
            l2,
            w1,
            b2: b2f,
            w2,
            step_size,
            bc2_sqrt,
            eps,
        };
        adam_loop(&rule, params, grads, m, v, vmax);
    }

    fn lr(&self) -> f64 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.cfg.lr = lr;
    }
}

/// Adam's parameters, or AdamW's (`decoupled`): the same but for weight decay's default and
/// meaning. Declared once: read by [`AdamConfig::read`], listed by `dlp list`.
const fn params(decoupled: bool) -> [Param; 5] {
    let weight_decay = if decoupled {
        Param {
            name: "weight_decay",
            default: ParamDefault::Float(1e-2),
            doc: "decoupled: p <- p*(1 - lr*wd)",
        }
    } else {
        Param {
            name: "weight_decay",
            default: ParamDefault::Float(0.0),
            doc: "L2 penalty added to the gradient",
        }
    };
    [
        Param {
            name: "lr",
            default: ParamDefault::Float(1e-3),
            doc: "learning rate",
        },
        Param {
            name: "betas",
            default: ParamDefault::FloatPair(0.9, 0.999),
            doc: "moment decay rates, in [0, 1)",
        },
        Param {
            name: "eps",
            default: ParamDefault::Float(1e-8),
            doc: "added to the denominator",
        },
        weight_decay,
        Param {
            name: "amsgrad",
            default: ParamDefault::Bool(false),
            doc: "use the maximum second moment",
        },
    ]
}

fn build(p: &Params, decoupled: bool) -> Result<Box<dyn Optimizer>, OptimError> {
    Ok(Box::new(Adam::new(AdamConfig::read(p, decoupled)?)?))
}

crate::register_optimizer!(OptimizerEntry {
    name: "adam",
    summary: "Adam with L2 weight decay and optional AMSGrad (PyTorch Adam)",
    params: &params(false),
    build: |p| build(p, false),
});

crate::register_optimizer!(OptimizerEntry {
    name: "adamw",
    summary: "Adam with decoupled weight decay (PyTorch AdamW)",
    params: &params(true),
    build: |p| build(p, true),
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, decay, run};

    fn adam(cfg: AdamConfig) -> Box<dyn Optimizer> {
        Box::new(Adam::new(cfg).unwrap())
    }

    // g = p + 1 (see testing::run); values by hand in f64 with
    // bc1 = 1 - b1^t, bc2 = 1 - b2^t, p <- p - lr*(m/bc1)/(sqrt(v/bc2) + eps).

    #[test]
    fn plain() {
        // lr 0.1, betas (0.9, 0.999), p0 = [1, -2]
        // t1: g = [2, -1], m = [0.2, -0.1], v = [0.004, 0.001], bc1 = 0.1, bc2 = 0.001,
        //     m/bc1 = [2, -1], sqrt(v/bc2) = [2, 1], p1 = p0 - 0.1*[1, -1] = [0.9, -1.9]
        //     (eps moves it by 5e-10)
        // t2: g = [1.9, -0.9], m = 0.9*m + 0.1*g = [0.37, -0.18],
        //     v = 0.999*v + 0.001*g^2 = [0.007606, 0.001809], bc1 = 0.19, bc2 = 0.001999,
        //     m/bc1 = [1.947368421, -0.947368421], sqrt(v/bc2) = [1.950615913, 0.951290951],
        //     p2 = [0.9 - 0.0998335134, -1.9 + 0.0995877] = [0.8001664866, -1.80041223]
        // t3: g = [1.800166487, -0.8004122297], m = [0.5130166487, -0.2420412231],
        //     v = [0.01083899338, 0.002447850739], bc1 = 0.271, bc2 = 0.002997001,
        //     p3 = [0.7006233928, -1.701586275]
        let cfg = AdamConfig {
            lr: 0.1,
            ..Default::default()
        };
        let traj = run(adam(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.9000000005, -1.900000001],
                [0.8001664866, -1.80041223],
                [0.7006233928, -1.701586275],
            ],
        );
    }

    #[test]
    fn l2_weight_decay() {
        // lr 0.1, wd 0.5: g' = (p + 1) + 0.5p
        // t1: g' = [2.5, -2], m = [0.25, -0.2], v = [0.00625, 0.004], p1 = [0.9, -1.9]
        // t2: g' = [2.35, -1.85], m = [0.46, -0.365], v = [0.01176625, 0.0074185],
        //     p2 = p1 - 0.1*(m/0.19)/sqrt(v/0.001999) = [0.8002089509, -1.800278775]
        // t3: g' = [2.200313426, -1.700418162], m = [0.6340313427, -0.4985418163],
        //     v = [0.01659586293, 0.01030250343], p3 = [0.7007863869, -1.701057601]
        let cfg = AdamConfig {
            lr: 0.1,
            weight_decay: 0.5,
            ..Default::default()
        };
        let traj = run(adam(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.9000000004, -1.9],
                [0.8002089509, -1.800278775],
                [0.7007863869, -1.701057601],
            ],
        );
    }

    #[test]
    fn adamw_decoupled_weight_decay() {
        // lr 0.1, wd 0.5: p <- p*(1 - 0.05) first; the moments see g = p + 1 of the
        // undecayed p.
        // t1: g = [2, -1], p = [0.95, -1.9], m/bc1 = [2, -1], sqrt(v/bc2) = [2, 1],
        //     p1 = [0.85, -1.8]
        // t2: g = [1.85, -0.8], p = 0.95*p1 = [0.8075, -1.71], m = [0.365, -0.17],
        //     v = [0.0074185, 0.001639], p2 = [0.7077787748, -1.611187422]
        // t3: g = [1.707778775, -0.6111874216], m = [0.4992778775, -0.2141187423],
        //     v = [0.01032758985, 0.002010911066], p3 = [0.5731429286, -1.434171351]
        let cfg = AdamConfig {
            lr: 0.1,
            weight_decay: 0.5,
            ..AdamConfig::adamw()
        };
        let traj = run(adam(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.8500000005, -1.800000001],
                [0.7077787748, -1.611187422],
                [0.5731429286, -1.434171351],
            ],
        );
    }

    #[test]
    fn amsgrad_keeps_the_largest_second_moment() {
        // lr 0.9, betas (0.9, 0.5), p0 = [0, 1]: the gradient shrinks, so v falls below vmax.
        // t1: g = [1, 2], m = [0.1, 0.2], v = vmax = [0.5, 2], bc1 = 0.1, bc2 = 0.5,
        //     p1 = p0 - 0.9*[1, 1] = [-0.9, 0.1]
        // t2: g = [0.1, 1.1], m = [0.1, 0.29], v = 0.5*v + 0.5*g^2 = [0.255, 1.605],
        //     vmax = [0.5, 2], bc1 = 0.19, bc2 = 0.75,
        //     amsgrad: p2 = p1 - 0.9*(m/0.19)/sqrt(vmax/0.75) = [-1.480142297, -0.7412063375]
        //     plain:   p2 = p1 - 0.9*(m/0.19)/sqrt(v/0.75)    = [-1.712361702, -0.8390311836]
        // t3 amsgrad: g = [-0.4801422966, 0.2587936625], m = [0.04198577115, 0.2868793667],
        //     v = [0.242768313, 0.8359870823], vmax = [0.5, 2], bc1 = 0.271, bc2 = 0.875,
        //     p3 = [-1.66459897, -1.3713819]
        // t3 plain: g = [-0.712361702, 0.1609688164], m = [0.01876383061, 0.277096882],
        //     v = [0.3812295977, 0.8154554824], p3 = [-1.806768971, -1.792285436]
        let cfg = AdamConfig {
            lr: 0.9,
            betas: (0.9, 0.5),
            amsgrad: true,
            ..Default::default()
        };
        let traj = run(adam(cfg), &[0.0, 1.0], 3);
        assert_close(
            &traj,
            &[
                [-0.899999991, 0.1000000045],
                [-1.480142297, -0.7412063375],
                [-1.66459897, -1.3713819],
            ],
        );
        let cfg = AdamConfig {
            amsgrad: false,
            ..cfg
        };
        let traj = run(adam(cfg), &[0.0, 1.0], 3);
        assert_close(
            &traj,
            &[
                [-0.899999991, 0.1000000045],
                [-1.712361702, -0.8390311836],
                [-1.806768971, -1.792285436],
            ],
        );
    }

    #[test]
    fn defaults_and_validation() {
        let empty = toml::Table::new();
        assert_eq!(crate::build_optimizer("adam", &empty).unwrap().lr(), 1e-3);
        let err = |name: &str, s: &str| {
            let t: toml::Table = toml::from_str(s).unwrap();
            crate::build_optimizer(name, &t).err().unwrap().to_string()
        };
        assert_eq!(
            err("adam", "lr = -0.1"),
            "adam: `lr` must be > 0 (got -0.1)"
        );
        assert_eq!(
            err("adam", "betas = [0.9, 1.0]"),
            "adam: `betas` must both be in [0, 1) (got [0.9, 1])"
        );
        assert_eq!(
            err("adamw", "betas = [-0.1, 0.9]"),
            "adamw: `betas` must both be in [0, 1) (got [-0.1, 0.9])"
        );
        assert_eq!(
            err("adam", "eps = -1e-8"),
            "adam: `eps` must be >= 0 (got -1e-8)"
        );
        assert_eq!(
            err("adamw", "weight_decay = -1"),
            "adamw: `weight_decay` must be >= 0 (got -1)"
        );
    }

    #[test]
    fn decaying_moments_reach_zero_not_subnormals() {
        // m shrinks by 0.9 a step and v by 0.999: unflushed, both would stick at subnormals.
        let mut adam = Adam::new(AdamConfig::default()).unwrap();
        decay(&mut adam, 100_000);
        assert!(adam.state(0).flatten().all(|&x| x == 0.0));
    }
}
