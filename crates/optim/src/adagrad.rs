//! Adagrad with PyTorch's definition (dfdx 0.13 has none).

use crate::optimizer::tensor_state;
use crate::{OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check};

/// Configuration of [`Adagrad`]; defaults are PyTorch's `torch.optim.Adagrad`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdagradConfig {
    /// Learning rate. Defaults to `1e-2`.
    pub lr: f64,
    /// Learning-rate decay per step: `clr = lr / (1 + (t-1)*lr_decay)`. Defaults to `0`.
    pub lr_decay: f64,
    /// L2 penalty added to the gradient. Defaults to `0`.
    pub weight_decay: f64,
    /// Starting value of the squared-gradient sum. Defaults to `0`.
    pub initial_accumulator_value: f64,
    /// Added to the denominator, outside the square root. Defaults to `1e-10`.
    pub eps: f64,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        Self::read(&Params::new(NAME, &toml::Table::new())).expect("the defaults are valid")
    }
}

impl AdagradConfig {
    /// Reads every parameter of [`PARAMS`] (not validated).
    fn read(p: &Params) -> Result<Self, OptimError> {
        Ok(Self {
            lr: p.f64(&LR)?,
            lr_decay: p.f64(&LR_DECAY)?,
            weight_decay: p.f64(&WEIGHT_DECAY)?,
            initial_accumulator_value: p.f64(&INITIAL_ACCUMULATOR_VALUE)?,
            eps: p.f64(&EPS)?,
        })
    }

    /// Checks `lr > 0` and `lr_decay`, `weight_decay`, `initial_accumulator_value`, `eps >= 0`.
    pub fn validate(&self) -> Result<(), OptimError> {
        check::positive(NAME, "lr", self.lr)?;
        check::non_negative(NAME, "lr_decay", self.lr_decay)?;
        check::non_negative(NAME, "weight_decay", self.weight_decay)?;
        check::non_negative(
            NAME,
            "initial_accumulator_value",
            self.initial_accumulator_value,
        )?;
        check::non_negative(NAME, "eps", self.eps)
    }
}

/// PyTorch's Adagrad (single-tensor path), computed in `f32`, `clr` in `f64`:
///
/// ```text
/// clr = lr / (1 + (t-1)*lr_decay) ; g <- g + wd*p ; s <- s + g^2 ; p <- p - clr*g/(sqrt(s) + eps)
/// ```
///
/// `s` starts at `initial_accumulator_value`; `t` counts [`Optimizer::begin_step`] calls.
#[derive(Debug, Clone)]
pub struct Adagrad {
    cfg: AdagradConfig,
    t: u64,
    sums: Vec<Vec<f32>>,
}

impl Adagrad {
    /// A validated Adagrad optimizer.
    pub fn new(cfg: AdagradConfig) -> Result<Self, OptimError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            t: 0,
            sums: Vec::new(),
        })
    }
}

impl Optimizer for Adagrad {
    fn begin_step(&mut self) {
        self.t += 1;
    }

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "tensor {index}: params and grads differ in length"
        );
        assert!(self.t > 0, "begin_step must be called before update");
        let AdagradConfig {
            lr,
            lr_decay,
            weight_decay,
            initial_accumulator_value,
            eps,
        } = self.cfg;
        let neg_clr = -(lr / (1.0 + (self.t - 1) as f64 * lr_decay)) as f32;
        let (wd, eps) = (weight_decay as f32, eps as f32);
        let s = tensor_state(&mut self.sums, index);
        if s.is_empty() {
            s.resize(params.len(), initial_accumulator_value as f32);
        }
        assert_eq!(s.len(), params.len(), "tensor {index} changed size");
        for ((p, &g), s) in params.iter_mut().zip(grads).zip(s.iter_mut()) {
            let g = if weight_decay != 0.0 { g + wd * *p } else { g };
            *s += g * g;
            *p += neg_clr * (g / (s.sqrt() + eps));
        }
    }

    fn lr(&self) -> f64 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.cfg.lr = lr;
    }
}

const NAME: &str = "adagrad";

const LR: Param = Param {
    name: "lr",
    default: ParamDefault::Float(1e-2),
    doc: "learning rate",
};
const LR_DECAY: Param = Param {
    name: "lr_decay",
    default: ParamDefault::Float(0.0),
    doc: "lr / (1 + (t-1)*lr_decay)",
};
const WEIGHT_DECAY: Param = Param {
    name: "weight_decay",
    default: ParamDefault::Float(0.0),
    doc: "L2 penalty added to the gradient",
};
const INITIAL_ACCUMULATOR_VALUE: Param = Param {
    name: "initial_accumulator_value",
    default: ParamDefault::Float(0.0),
    doc: "start of the squared-gradient sum",
};
const EPS: Param = Param {
    name: "eps",
    default: ParamDefault::Float(1e-10),
    doc: "added to the denominator",
};
/// Every parameter, declared once: read by [`AdagradConfig::read`], listed by `dlp list`.
const PARAMS: &[Param] = &[LR, LR_DECAY, WEIGHT_DECAY, INITIAL_ACCUMULATOR_VALUE, EPS];

fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
    Ok(Box::new(Adagrad::new(AdagradConfig::read(p)?)?))
}

crate::register_optimizer!(OptimizerEntry {
    name: NAME,
    summary: "Adagrad with learning-rate decay (PyTorch Adagrad)",
    params: PARAMS,
    build,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, run};

    fn adagrad(cfg: AdagradConfig) -> Box<dyn Optimizer> {
        Box::new(Adagrad::new(cfg).unwrap())
    }

    // g = p + 1 (see testing::run), p0 = [1, -2], lr 0.1; by hand in f64.

    #[test]
    fn plain() {
        // t1: g = [2, -1], s = [4, 1], p1 = p0 - 0.1*g/sqrt(s) = [0.9, -1.9]
        // t2: g = [1.9, -0.9], s = [7.61, 1.81], p2 = [0.9 - 0.19/2.758622844,
        //     -1.9 + 0.09/1.345362405] = [0.8311250538, -1.833103527]
        // t3: g = [1.831125054, -0.8331035269], s = [10.96301896, 2.504061486],
        //     p3 = [0.775821515, -1.780456181]
        let cfg = AdagradConfig {
            lr: 0.1,
            ..Default::default()
        };
        let traj = run(adagrad(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.9, -1.9],
                [0.8311250538, -1.833103527],
                [0.775821515, -1.780456181],
            ],
        );
    }

    #[test]
    fn lr_decay() {
        // lr_decay 0.5: clr = 0.1/(1 + 0.5(t-1)) = 0.1, 0.0666..., 0.05
        // t1: as plain, p1 = [0.9, -1.9]
        // t2: g = [1.9, -0.9], s = [7.61, 1.81],
        //     p2 = p1 - (0.1/1.5)*g/sqrt(s) = [0.8540833692, -1.855402351]
        // t3: g = [1.854083369, -0.8554023512], s = [11.04762514, 2.541713183],
        //     p3 = p2 - 0.05*g/sqrt(s) = [0.8261923235, -1.828575038]
        let cfg = AdagradConfig {
            lr: 0.1,
            lr_decay: 0.5,
            ..Default::default()
        };
        let traj = run(adagrad(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.9, -1.9],
                [0.8540833692, -1.855402351],
                [0.8261923235, -1.828575038],
            ],
        );
    }

    #[test]
    fn initial_accumulator_and_weight_decay() {
        // s0 = 1, wd 0.5: g' = (p + 1) + 0.5p
        // t1: g' = [2.5, -2], s = 1 + g'^2 = [7.25, 5],
        //     p1 = [1 - 0.25/2.692582404, -2 + 0.2/2.236067977] = [0.9071523309, -1.910557281]
        // t2: g' = [2.360728496, -1.865835921], s = [12.82303903, 8.481343685],
        //     p2 = [0.8412272669, -1.846489288]
        // t3: g' = [2.2618409, -1.769733932], s = [17.93896329, 11.61330188],
        //     p3 = [0.7878245463, -1.794557877]
        let cfg = AdagradConfig {
            lr: 0.1,
            weight_decay: 0.5,
            initial_accumulator_value: 1.0,
            ..Default::default()
        };
        let traj = run(adagrad(cfg), &[1.0, -2.0], 3);
        assert_close(
            &traj,
            &[
                [0.9071523309, -1.910557281],
                [0.8412272669, -1.846489288],
                [0.7878245463, -1.794557877],
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
            err("lr_decay = -0.5"),
            "adagrad: `lr_decay` must be >= 0 (got -0.5)"
        );
        assert_eq!(
            err("initial_accumulator_value = -1"),
            "adagrad: `initial_accumulator_value` must be >= 0 (got -1)"
        );
        assert_eq!(err("lr = inf"), "adagrad: `lr` must be finite (got inf)");
    }
}
