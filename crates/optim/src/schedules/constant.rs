use crate::{EpochLosses, OptimError, Params, Schedule, ScheduleEntry};

/// `lr = lr0` at every epoch.
struct Constant;

impl Schedule for Constant {
    fn lr(&mut self, _epoch: usize, base_lr: f64, _previous: Option<&EpochLosses>) -> f64 {
        base_lr
    }
}

fn build(_: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    Ok(Box::new(Constant))
}

crate::register_schedule!(ScheduleEntry {
    name: "constant",
    summary: "the base learning rate at every epoch",
    params: &[],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn constant() {
        assert_lrs(&lrs("constant", "", 0.1, &[1.0, 2.0]), &[0.1, 0.1, 0.1]);
        assert_eq!(
            err("constant", "gamma = 0.5"),
            "constant: unknown key `gamma` (accepted: none)"
        );
    }
}
