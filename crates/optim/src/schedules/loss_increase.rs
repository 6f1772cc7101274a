use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// The TP1 report's rule: multiply the lr by `factor` whenever an epoch's training loss is
/// strictly greater than the epoch before's (compared with the PREVIOUS epoch, not the best).
struct LossIncrease {
    factor: f64,
    lr: Option<f64>,
    last_loss: Option<f64>,
}

impl Schedule for LossIncrease {
    fn lr(&mut self, _epoch: usize, base_lr: f64, previous: Option<&EpochLosses>) -> f64 {
        let lr = self.lr.get_or_insert(base_lr);
        let Some(losses) = previous else { return *lr };
        if self.last_loss.is_some_and(|last| losses.train_loss > last) {
            *lr *= self.factor;
        }
        self.last_loss = Some(losses.train_loss);
        *lr
    }
}

const FACTOR: Param = Param {
    name: "factor",
    default: ParamDefault::Float(0.5),
    doc: "decay factor, in (0, 1]",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let factor = p.f64(&FACTOR)?;
    check::ensure(
        factor > 0.0 && factor <= 1.0,
        p.name(),
        "factor",
        "must be in (0, 1]",
        check::num(factor),
    )?;
    Ok(Box::new(LossIncrease {
        factor,
        lr: None,
        last_loss: None,
    }))
}

crate::register_schedule!(ScheduleEntry {
    name: "loss_increase",
    summary: "multiply by factor whenever the training loss rises above the previous epoch's (TP1 report)",
    params: &[FACTOR],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn decays_on_each_rise() {
        // train losses 1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.85:
        // before e0: 1; after L0 (nothing to compare): 1; L1 fell: 1; L2 rose: 0.5;
        // L3 rose: 0.25; L4 fell: 0.25; L5 rose: 0.125; L6 equal (not a rise): 0.125
        let got = lrs(
            "loss_increase",
            "",
            1.0,
            &[1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.85],
        );
        assert_lrs(&got, &[1.0, 1.0, 1.0, 0.5, 0.25, 0.25, 0.125, 0.125]);
        // factor 0.1
        let got = lrs("loss_increase", "factor = 0.1", 0.5, &[1.0, 2.0]);
        assert_lrs(&got, &[0.5, 0.5, 0.05]);
    }

    #[test]
    fn validation() {
        assert_eq!(
            err("loss_increase", "factor = 0"),
            "loss_increase: `factor` must be in (0, 1] (got 0)"
        );
        assert_eq!(
            err("loss_increase", "factor = 2"),
            "loss_increase: `factor` must be in (0, 1] (got 2)"
        );
    }
}
