use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// PyTorch's StepLR: `lr = lr0 * gamma^floor(epoch / step_size)`.
struct Step {
    step_size: usize,
    gamma: f64,
}

impl Schedule for Step {
    fn lr(&mut self, epoch: usize, base_lr: f64, _previous: Option<&EpochLosses>) -> f64 {
        let k = i32::try_from(epoch / self.step_size).unwrap_or(i32::MAX);
        base_lr * self.gamma.powi(k)
    }
}

const STEP_SIZE: Param = Param {
    name: "step_size",
    default: ParamDefault::Required,
    doc: "epochs between decays, >= 1",
};
const GAMMA: Param = Param {
    name: "gamma",
    default: ParamDefault::Float(0.1),
    doc: "decay factor, > 0",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let step_size = p.usize(&STEP_SIZE)?;
    let gamma = p.f64(&GAMMA)?;
    check::at_least_one(p.name(), "step_size", step_size)?;
    check::positive(p.name(), "gamma", gamma)?;
    Ok(Box::new(Step { step_size, gamma }))
}

crate::register_schedule!(ScheduleEntry {
    name: "step",
    summary: "multiply by gamma every step_size epochs (PyTorch StepLR)",
    params: &[STEP_SIZE, GAMMA],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn step() {
        // lr0 = 1, step_size 2, gamma 0.5: 0.5^floor(e/2) for e = 0..=5
        assert_lrs(
            &lrs("step", "step_size = 2\ngamma = 0.5", 1.0, &[0.0; 5]),
            &[1.0, 1.0, 0.5, 0.5, 0.25, 0.25],
        );
        // default gamma 0.1, step_size 1: 0.1^e
        assert_lrs(
            &lrs("step", "step_size = 1", 2.0, &[0.0; 2]),
            &[2.0, 0.2, 0.02],
        );
    }

    #[test]
    fn validation() {
        assert_eq!(err("step", ""), "step: `step_size` is required");
        assert_eq!(
            err("step", "step_size = 0"),
            "step: `step_size` must be >= 1 (got 0)"
        );
        assert_eq!(
            err("step", "step_size = 1\ngamma = 0"),
            "step: `gamma` must be > 0 (got 0)"
        );
    }
}
