use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// PyTorch's ExponentialLR: `lr = lr0 * gamma^epoch`.
struct Exponential {
    gamma: f64,
}

impl Schedule for Exponential {
    fn lr(&mut self, epoch: usize, base_lr: f64, _previous: Option<&EpochLosses>) -> f64 {
        base_lr * self.gamma.powi(i32::try_from(epoch).unwrap_or(i32::MAX))
    }
}

const GAMMA: Param = Param {
    name: "gamma",
    default: ParamDefault::Required,
    doc: "decay factor per epoch, > 0",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let gamma = p.f64(&GAMMA)?;
    check::positive(p.name(), "gamma", gamma)?;
    Ok(Box::new(Exponential { gamma }))
}

crate::register_schedule!(ScheduleEntry {
    name: "exponential",
    summary: "multiply by gamma every epoch (PyTorch ExponentialLR)",
    params: &[GAMMA],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn exponential() {
        // lr0 = 0.1, gamma 0.5: 0.1 * 0.5^e
        assert_lrs(
            &lrs("exponential", "gamma = 0.5", 0.1, &[0.0; 3]),
            &[0.1, 0.05, 0.025, 0.0125],
        );
        assert_eq!(err("exponential", ""), "exponential: `gamma` is required");
        assert_eq!(
            err("exponential", "gamma = -1"),
            "exponential: `gamma` must be > 0 (got -1)"
        );
    }
}
