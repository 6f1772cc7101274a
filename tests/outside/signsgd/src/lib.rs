//! signSGD (Bernstein et al. 2018), registered as `signsgd` in dlp's optimizer registry.

use dlp_optim::{OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, check};

/// `p <- p - lr * sign(g)` for every parameter, in `f32`, with `sign(0) = 0`.
pub struct SignSgd {
    lr: f64,
}

impl Optimizer for SignSgd {
    fn begin_step(&mut self) {}

    fn update(&mut self, _index: usize, params: &mut [f32], grads: &[f32]) {
        let lr = self.lr as f32;
        for (p, &g) in params.iter_mut().zip(grads) {
            if g != 0.0 {
                *p -= lr * g.signum();
            }
        }
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

/// Its one parameter: name, type and default, documentation.
const LR: Param = Param {
    name: "lr",
    default: ParamDefault::Float(0.01),
    doc: "learning rate, > 0",
};

/// Reads every key it accepts (an unread key is reported as unknown), then validates.
fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
    let lr = p.f64(&LR)?;
    check::positive(p.name(), "lr", lr)?;
    Ok(Box::new(SignSgd { lr }))
}

dlp_optim::register_optimizer!(OptimizerEntry {
    name: "signsgd",
    summary: "signSGD: p <- p - lr*sign(g) (Bernstein et al. 2018)",
    params: &[LR],
    build,
});
