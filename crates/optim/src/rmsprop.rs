//! RMSprop with PyTorch's definition (not dfdx's: see the struct docs).

use crate::adam::lerp;
use crate::optimizer::zeroed_state;
use crate::{
    OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check, flush_subnormal,
};

/// Configuration of [`RmsProp`]; defaults are PyTorch's `torch.optim.RMSprop`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig {
    /// Learning rate. Defaults to `1e-2`.
    pub lr: f64,
    /// Smoothing constant of the squared-gradient average, in `[0, 1]`. Defaults to `0.99`.
    pub alpha: f64,
    /// Added to the denominator, outside the square root. Defaults to `1e-8`.
    pub eps: f64,
    /// L2 penalty added to the gradient. Defaults to `0`.
    pub weight_decay: f64,
    /// Momentum factor, `>= 0`. Defaults to `0`.
    pub momentum: f64,
    /// Normalise by an estimate of the gradient's variance instead. Defaults to `false`.
    pub centered: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self::read(&Params::new(NAME, &toml::Table::new())).expect("the defaults are valid")
    }
}

impl RmsPropConfig {
    /// Reads every parameter of [`PARAMS`] (not validated).
    fn read(p: &Params) -> Result<Self, OptimError> {
        Ok(Self {
            lr: p.f64(&LR)?,
            alpha: p.f64(&ALPHA)?,
            eps: p.f64(&EPS)?,
            weight_decay: p.f64(&WEIGHT_DECAY)?,
            momentum: p.f64(&MOMENTUM)?,
            centered: p.bool(&CENTERED)?,
        })
    }

    /// Checks `lr > 0`, `alpha` in `[0, 1]`, and `eps`, `weight_decay`, `momentum >= 0`.
    pub fn validate(&self) -> Result<(), OptimError> {
        check::positive(NAME, "lr", self.lr)?;
        check::unit_interval(NAME, "alpha", self.alpha)?;
        check::non_negative(NAME, "eps", self.eps)?;
        check::non_negative(NAME, "weight_decay", self.weight_decay)?;
        check::non_negative(NAME, "momentum", self.momentum)
    }
}

/// PyTorch's RMSprop (single-tensor path), computed in `f32`:
///
/// ```text
/// g <- g + wd*p ; v <- alpha*v + (1-alpha)*g^2            (v starts at 0)
/// centered: a <- alpha*a + (1-alpha)*g ; d <- sqrt(v - a^2) + eps
/// else:     d <- sqrt(v) + eps
/// momentum > 0: b <- momentum*b + g/d ; p <- p - lr*b
/// else:         p <- p - lr*g/d
/// ```
///
/// dfdx 0.13's RMSprop differs (alpha 0.9, v starts at 1, eps inside the root). As in PyTorch,
/// `v - a^2` is not clamped, so rounding can make a centered step NaN.
#[derive(Debug, Clone)]
pub struct RmsProp {
    cfg: RmsPropConfig,
    v: Vec<Vec<f32>>,
    a: Vec<Vec<f32>>,
    b: Vec<Vec<f32>>,
}

impl RmsProp {
    /// A validated RMSprop optimizer.
    pub fn new(cfg: RmsPropConfig) -> Result<Self, OptimError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            v: Vec::new(),
            a: Vec::new(),
            b: Vec::new(),
        })
    }
}

impl Optimizer for RmsProp {
    fn begin_step(&mut self) {}

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "tensor {index}: params and grads differ in length"
        );
        let RmsPropConfig {
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
        } = self.cfg;
        let n = params.len();
        let (neg_lr, wd, eps) = (-lr as f32, weight_decay as f32, eps as f32);
        let (alpha_f, w) = (alpha as f32, (1.0 - alpha) as f32);
        let mom = momentum as f32;
        let v = zeroed_state(&mut self.v, index, n);
        let mut a = if centered {
            zeroed_state(&mut self.a, index, n).as_mut_slice()
        } else {
            &mut []
        }
        .iter_mut();
        let mut b = if momentum > 0.0 {
            zeroed_state(&mut self.b, index, n).as_mut_slice()
        } else {
            &mut []
        }
        .iter_mut();
        for ((p, &g), v) in params.iter_mut().zip(grads).zip(v.iter_mut()) {
            let g = if weight_decay != 0.0 { g + wd * *p } else { g };
            *v = flush_subnormal(*v * alpha_f + w * g * g);
            let d = match a.next() {
                Some(a) => {
                    *a = flush_subnormal(lerp(*a, g, w));
                    // a^2 <= v: flushed like v, so a flushed v never goes negative.
                    (*v - flush_subnormal(*a * *a)).sqrt() + eps
                }
                None => v.sqrt() + eps,
            };
            match b.next() {
                Some(b) => {
                    *b = flush_subnormal(*b * mom + g / d);
                    *p += neg_lr * *b;
                }
                None => *p += neg_lr * (g / d),
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

const NAME: &str = "rmsprop";

const LR: Param = Param {
    name: "lr",
    default: ParamDefault::Float(1e-2),
    doc: "learning rate",
};
const ALPHA: Param = Param {
    name: "alpha",
    default: ParamDefault::Float(0.99),
    doc: "squared-gradient smoothing, in [0, 1]",
};
const EPS: Param = Param {
    name: "eps",
    default: ParamDefault::Float(1e-8),
    doc: "added to the denominator",
};
const WEIGHT_DECAY: Param = Param {
    name: "weight_decay",
    default: ParamDefault::Float(0.0),
    doc: "L2 penalty added to the gradient",
};
const MOMENTUM: Param = Param {
    name: "momentum",
    default: ParamDefault::Float(0.0),
    doc: "momentum factor, >= 0",
};
const CENTERED: Param = Param {
    name: "centered",
    default: ParamDefault::Bool(false),
    doc: "divide by the gradient's variance",
};
/// Every parameter, declared once: read by [`RmsPropConfig::read`], listed by `dlp list`.
const PARAMS: &[Param] = &[LR, ALPHA, EPS, WEIGHT_DECAY, MOMENTUM, CENTERED];

fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
    Ok(Box::new(RmsProp::new(RmsPropConfig::read(p)?)?))
}

crate::register_optimizer!(OptimizerEntry {
    name: NAME,
    summary: "RMSprop, optionally centered and with momentum (PyTorch RMSprop)",
    params: PARAMS,
    build,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, decay, run};

    fn rms(cfg: RmsPropConfig) -> Box<dyn Optimizer> {
        Box::new(RmsProp::new(cfg).unwrap())
    }

    // g = p + 1 (see testing::run), p0 = [1, -4], lr 0.01, alpha 0.99; by hand in f64.

    #[test]
    fn plain() {
        // t1: g = [2, -3], v = 0.01*g^2 = [0.04, 0.09], d = sqrt(v) + 1e-8 = [0.2, 0.3],
        //     p1 = p0 - 0.01*g/d = [0.9, -3.9]
        // t2: g = [1.9, -2.9], v = 0.99*v + 0.01*g^2 = [0.0757, 0.1732],
        //     d = [0.2751363402, 0.4161730512], p2 = [0.8309433328, -3.830317452]
        // t3: g = [1.830943333, -2.830317452], v = [0.1084665351, 0.251574969],
        //     d = [0.3293425901, 0.5015725062], p3 = [0.7753494501, -3.773888572]
        let cfg = RmsPropConfig::default();
        let traj = run(rms(cfg), &[1.0, -4.0], 3);
        assert_close(
            &traj,
            &[
                [0.900000005, -3.900000003],
                [0.8309433328, -3.830317452],
                [0.7753494501, -3.773888572],
            ],
        );
    }

    #[test]
    fn centered() {
        // t1: g = [2, -3], v = [0.04, 0.09], a = 0.01*g = [0.02, -0.03],
        //     d = sqrt(v - a^2) = [sqrt(0.0396), sqrt(0.0891)] = [0.1989974974, 0.2984962411],
        //     p1 = p0 - 0.01*g/d = [0.8994962235, -3.899496222]
        // t2: g = [1.899496224, -2.899496222], v = [0.07568085903, 0.1731707834],
        //     a = [0.03879496224, -0.05869496222], d = [0.2723523736, 0.4119777822],
        //     p2 = [0.8297521564, -3.829116305]
        // t3: g = [1.829752156, -2.829116305], v = [0.10840398, 0.2514780662],
        //     a = [0.05670453418, -0.08639917564], d = [0.3243278931, 0.4939769818],
        //     p3 = [0.773335419, -3.771844075]
        let cfg = RmsPropConfig {
            centered: true,
            ..Default::default()
        };
        let traj = run(rms(cfg), &[1.0, -4.0], 3);
        assert_close(
            &traj,
            &[
                [0.8994962235, -3.899496222],
                [0.8297521564, -3.829116305],
                [0.773335419, -3.771844075],
            ],
        );
    }

    #[test]
    fn momentum() {
        // momentum 0.9: b <- 0.9b + g/d ; p <- p - 0.01b
        // t1: g/d = [2/0.2, -3/0.3] = [10, -10] (eps: 9.9999995), b = [10, -10], p1 = [0.9, -3.9]
        // t2: g = [1.9, -2.9], d = [0.2751363402, 0.4161730512],
        //     b = [9 + 6.905666772, -9 - 6.968254839] = [15.90566677, -15.96825484],
        //     p2 = [0.7409433373, -3.740317455]
        // t3: g = [1.740943337, -2.740317455], v = [0.1052518372, 0.2465613977],
        //     d = [0.3244254055, 0.4965495017], b = [19.68133624, -19.89014893],
        //     p3 = [0.5441299749, -3.541415966]
        let cfg = RmsPropConfig {
            momentum: 0.9,
            ..Default::default()
        };
        let traj = run(rms(cfg), &[1.0, -4.0], 3);
        assert_close(
            &traj,
            &[
                [0.900000005, -3.900000003],
                [0.7409433373, -3.740317455],
                [0.5441299749, -3.541415966],
            ],
        );
    }

    #[test]
    fn centered_momentum_weight_decay() {
        // wd 0.5, momentum 0.5, centered: g' = (p + 1) + 0.5p
        // t1: g' = [2.5, -5], v = [0.0625, 0.25], a = [0.025, -0.05],
        //     d = [sqrt(0.061875), sqrt(0.2475)] = [0.2487468693, 0.4974937286],
        //     b = g'/d = [10.05037775, -10.05037795], p1 = [0.8994962225, -3.89949622]
        // t2: g' = [2.349244334, -4.849244331], v = [0.1170644894, 0.4826517058],
        //     a = [0.04824244334, -0.09799244331], d = [0.3387287452, 0.6877857229],
        //     b = [11.96066266, -12.0757051], p2 = [0.7798895959, -3.778739169]
        // t3: g' = [2.169834394, -4.668108754], v = [0.1629756575, 0.6957375821],
        //     a = [0.06945836284, -0.1436936064], d = [0.3976822868, 0.8216384522],
        //     b = [11.43653209, -11.7193159], p3 = [0.665524275, -3.66154601]
        let cfg = RmsPropConfig {
            weight_decay: 0.5,
            momentum: 0.5,
            centered: true,
            ..Default::default()
        };
        let traj = run(rms(cfg), &[1.0, -4.0], 3);
        assert_close(
            &traj,
            &[
                [0.8994962225, -3.89949622],
                [0.7798895959, -3.778739169],
                [0.665524275, -3.66154601],
            ],
        );
    }

    #[test]
    fn validation() {
        let err = |s: &str| {
            let t: toml::Table = toml::from_str(s).unwrap();
            crate::build_optimizer(NAME, &t).err().unwrap().to_string()
        };
        assert_eq!(
            err("alpha = 1.5"),
            "rmsprop: `alpha` must be in [0, 1] (got 1.5)"
        );
        assert_eq!(
            err("momentum = -0.1"),
            "rmsprop: `momentum` must be >= 0 (got -0.1)"
        );
        assert_eq!(err("eps = -1"), "rmsprop: `eps` must be >= 0 (got -1)");
        assert_eq!(err("lr = 0.0"), "rmsprop: `lr` must be > 0 (got 0)");
        assert_eq!(
            err("centered = \"yes\""),
            "rmsprop: `centered` must be a boolean (got string \"yes\")"
        );
    }

    #[test]
    fn decaying_state_reaches_zero_not_subnormals() {
        let cfg = RmsPropConfig {
            momentum: 0.9,
            centered: true,
            ..Default::default()
        };
        let mut rmsprop = RmsProp::new(cfg).unwrap();
        decay(&mut rmsprop, 20_000);
        assert_eq!([rmsprop.v, rmsprop.a, rmsprop.b], [[[0.0]; 1]; 3]);
    }

    #[test]
    fn tiny_gradients_keep_the_centered_variance_non_negative() {
        // g = 1e-19: v = 1e-40 is flushed to 0 while a = 1e-21 is not; a^2 must be too.
        let cfg = RmsPropConfig {
            centered: true,
            ..Default::default()
        };
        let mut rmsprop = RmsProp::new(cfg).unwrap();
        let mut p = [1.0_f32];
        rmsprop.begin_step();
        rmsprop.update(0, &mut p, &[1e-19]);
        assert_eq!(rmsprop.v, [[0.0]]);
        assert!(p[0].is_finite() && p[0] <= 1.0, "{p:?}");
    }
}
