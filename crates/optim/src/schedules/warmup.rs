use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// PyTorch's LinearLR with `end_factor = 1`:
/// `lr = lr0 * (start_factor + (1 - start_factor) * min(epoch, epochs) / epochs)`.
struct Warmup {
    epochs: usize,
    start_factor: f64,
}

impl Schedule for Warmup {
    fn lr(&mut self, epoch: usize, base_lr: f64, _previous: Option<&EpochLosses>) -> f64 {
        let progress = epoch.min(self.epochs) as f64 / self.epochs as f64;
        base_lr * (self.start_factor + (1.0 - self.start_factor) * progress)
    }
}

const EPOCHS: Param = Param {
    name: "epochs",
    default: ParamDefault::Integer(5),
    doc: "warm-up length in epochs, >= 1",
};
const START_FACTOR: Param = Param {
    name: "start_factor",
    default: ParamDefault::Float(1.0 / 3.0),
    doc: "fraction of the lr at epoch 0, in (0, 1]",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let epochs = p.usize(&EPOCHS)?;
    let start_factor = p.f64(&START_FACTOR)?;
    check::at_least_one(p.name(), "epochs", epochs)?;
    check::ensure(
        start_factor > 0.0 && start_factor <= 1.0,
        p.name(),
        "start_factor",
        "must be in (0, 1]",
        check::num(start_factor),
    )?;
    Ok(Box::new(Warmup {
        epochs,
        start_factor,
    }))
}

crate::register_schedule!(ScheduleEntry {
    name: "warmup",
    summary: "linear warm-up from start_factor * lr to lr over `epochs` epochs (PyTorch LinearLR)",
    params: &[EPOCHS, START_FACTOR],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn defaults_are_pytorch_linear_lr() {
        // lr0 = 0.3, start 1/3, 5 epochs: 0.3*(1/3 + (2/3)*e/5) = 0.1, 0.14, 0.18, 0.22, 0.26,
        // then 0.3 from epoch 5 on
        assert_lrs(
            &lrs("warmup", "", 0.3, &[0.0; 6]),
            &[0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3],
        );
    }

    #[test]
    fn custom() {
        // lr0 = 1, start 0.5, 2 epochs: 0.5, 0.75, 1, 1
        assert_lrs(
            &lrs("warmup", "epochs = 2\nstart_factor = 0.5", 1.0, &[0.0; 3]),
            &[0.5, 0.75, 1.0, 1.0],
        );
    }

    #[test]
    fn validation() {
        assert_eq!(
            err("warmup", "epochs = 0"),
            "warmup: `epochs` must be >= 1 (got 0)"
        );
        assert_eq!(
            err("warmup", "start_factor = 0"),
            "warmup: `start_factor` must be in (0, 1] (got 0)"
        );
        assert_eq!(
            err("warmup", "start_factor = 1.5"),
            "warmup: `start_factor` must be in (0, 1] (got 1.5)"
        );
    }
}
