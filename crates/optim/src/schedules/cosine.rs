use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// PyTorch's CosineAnnealingLR in closed form:
/// `lr = eta_min + (lr0 - eta_min) * (1 + cos(pi * epoch / t_max)) / 2`.
///
/// Past `t_max` it keeps following the cosine (rising back to `lr0` at `2*t_max`), as
/// PyTorch's does.
struct Cosine {
    t_max: usize,
    eta_min: f64,
}

impl Schedule for Cosine {
    fn lr(&mut self, epoch: usize, base_lr: f64, _previous: Option<&EpochLosses>) -> f64 {
        let phase = std::f64::consts::PI * epoch as f64 / self.t_max as f64;
        self.eta_min + (base_lr - self.eta_min) * (1.0 + phase.cos()) / 2.0
    }
}

const T_MAX: Param = Param {
    name: "t_max",
    default: ParamDefault::Required,
    doc: "half-period in epochs, >= 1",
};
const ETA_MIN: Param = Param {
    name: "eta_min",
    default: ParamDefault::Float(0.0),
    doc: "minimum learning rate",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let t_max = p.usize(&T_MAX)?;
    let eta_min = p.f64(&ETA_MIN)?;
    check::at_least_one(p.name(), "t_max", t_max)?;
    check::non_negative(p.name(), "eta_min", eta_min)?;
    Ok(Box::new(Cosine { t_max, eta_min }))
}

crate::register_schedule!(ScheduleEntry {
    name: "cosine",
    summary: "cosine annealing from the base lr to eta_min over t_max epochs (PyTorch CosineAnnealingLR)",
    params: &[T_MAX, ETA_MIN],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn cosine() {
        // lr0 = 1, t_max 4, eta_min 0: (1 + cos(pi*e/4))/2 for e = 0..=5:
        // 1, (1 + sqrt(2)/2)/2 = 0.8535533906, 0.5, (1 - sqrt(2)/2)/2 = 0.1464466094, 0,
        // then rising again: 0.1464466094
        assert_lrs(
            &lrs("cosine", "t_max = 4", 1.0, &[0.0; 5]),
            &[
                1.0,
                0.8535533905932737,
                0.5,
                0.14644660940672624,
                0.0,
                0.14644660940672624,
            ],
        );
        // eta_min 0.1, lr0 0.5, t_max 2: 0.1 + 0.4*(1 + cos(pi*e/2))/2 = 0.5, 0.3, 0.1
        assert_lrs(
            &lrs("cosine", "t_max = 2\neta_min = 0.1", 0.5, &[0.0; 2]),
            &[0.5, 0.3, 0.1],
        );
    }

    #[test]
    fn validation() {
        assert_eq!(err("cosine", ""), "cosine: `t_max` is required");
        assert_eq!(
            err("cosine", "t_max = 0"),
            "cosine: `t_max` must be >= 1 (got 0)"
        );
        assert_eq!(
            err("cosine", "t_max = 10.5"),
            "cosine: `t_max` must be an integer (got float 10.5)"
        );
        assert_eq!(
            err("cosine", "t_max = 3\neta_min = -1"),
            "cosine: `eta_min` must be >= 0 (got -1)"
        );
    }
}
