use crate::schedule::{MONITOR, Monitor};
use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// PyTorch's ReduceLROnPlateau (mode `min`), stepped with the previous epoch's monitored loss:
///
/// ```text
/// better = loss < best*(1 - threshold)   (threshold_mode "rel")
///          loss < best - threshold       (threshold_mode "abs")     best starts at +inf
/// if better: best = loss, bad = 0  else: bad += 1
/// if cooling down: cooldown_counter -= 1, bad = 0
/// if bad > patience: new = max(lr*factor, min_lr); if lr - new > eps: lr = new
///                    cooldown_counter = cooldown, bad = 0
/// ```
struct Plateau {
    monitor: Monitor,
    factor: f64,
    patience: usize,
    threshold: f64,
    relative: bool,
    cooldown: usize,
    min_lr: f64,
    eps: f64,
    lr: Option<f64>,
    best: f64,
    bad_epochs: usize,
    cooldown_counter: usize,
}

impl Schedule for Plateau {
    fn lr(&mut self, _epoch: usize, base_lr: f64, previous: Option<&EpochLosses>) -> f64 {
        let lr = self.lr.get_or_insert(base_lr);
        let Some(losses) = previous else { return *lr };
        let current = self.monitor.pick(losses);
        let better = if self.relative {
            current < self.best * (1.0 - self.threshold)
        } else {
            current < self.best - self.threshold
        };
        if better {
            self.best = current;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.patience {
            let new = (*lr * self.factor).max(self.min_lr);
            if *lr - new > self.eps {
                *lr = new;
            }
            self.cooldown_counter = self.cooldown;
            self.bad_epochs = 0;
        }
        *lr
    }
}

const FACTOR: Param = Param {
    name: "factor",
    default: ParamDefault::Float(0.1),
    doc: "decay factor, in (0, 1)",
};
const PATIENCE: Param = Param {
    name: "patience",
    default: ParamDefault::Integer(10),
    doc: "bad epochs tolerated before a decay",
};
const THRESHOLD: Param = Param {
    name: "threshold",
    default: ParamDefault::Float(1e-4),
    doc: "minimum improvement on the best",
};
const THRESHOLD_MODE: Param = Param {
    name: "threshold_mode",
    default: ParamDefault::Choice {
        default: "rel",
        allowed: &["rel", "abs"],
    },
    doc: "\"rel\" (best*(1-threshold)) or \"abs\" (best-threshold)",
};
const COOLDOWN: Param = Param {
    name: "cooldown",
    default: ParamDefault::Integer(0),
    doc: "epochs to wait after a decay",
};
const MIN_LR: Param = Param {
    name: "min_lr",
    default: ParamDefault::Float(0.0),
    doc: "lower bound of the learning rate",
};
const EPS: Param = Param {
    name: "eps",
    default: ParamDefault::Float(1e-8),
    doc: "decays smaller than this are skipped",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let name = p.name();
    let monitor = Monitor::read(p)?;
    let factor = p.f64(&FACTOR)?;
    let patience = p.usize(&PATIENCE)?;
    let threshold = p.f64(&THRESHOLD)?;
    let relative = p.choice(&THRESHOLD_MODE)? == "rel";
    let cooldown = p.usize(&COOLDOWN)?;
    let min_lr = p.f64(&MIN_LR)?;
    let eps = p.f64(&EPS)?;
    check::ensure(
        factor > 0.0 && factor < 1.0,
        name,
        "factor",
        "must be in (0, 1)",
        check::num(factor),
    )?;
    check::non_negative(name, "threshold", threshold)?;
    check::non_negative(name, "min_lr", min_lr)?;
    check::non_negative(name, "eps", eps)?;
    Ok(Box::new(Plateau {
        monitor,
        factor,
        patience,
        threshold,
        relative,
        cooldown,
        min_lr,
        eps,
        lr: None,
        best: f64::INFINITY,
        bad_epochs: 0,
        cooldown_counter: 0,
    }))
}

crate::register_schedule!(ScheduleEntry {
    name: "reduce_on_plateau",
    summary: "multiply by factor when the monitored loss stops improving on its best (PyTorch ReduceLROnPlateau)",
    params: &[
        MONITOR,
        FACTOR,
        PATIENCE,
        THRESHOLD,
        THRESHOLD_MODE,
        COOLDOWN,
        MIN_LR,
        EPS
    ],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    const NAME: &str = "reduce_on_plateau";

    #[test]
    fn patience_against_the_best() {
        // patience 2, factor 0.5, rel threshold 1e-4 (better means < best*0.9999):
        // L0 1.0 better (best inf)      -> 1
        // L1 0.99995 not < 0.9999, bad 1 -> 1
        // L2 1.0 bad 2                  -> 1
        // L3 1.0 bad 3 > 2: decay       -> 0.5
        // L4 0.5 better, best 0.5       -> 0.5
        // L5, L6 0.6: bad 1, 2          -> 0.5, 0.5
        // L7 0.6 bad 3: decay           -> 0.25
        let got = lrs(
            NAME,
            "patience = 2\nfactor = 0.5",
            1.0,
            &[1.0, 0.99995, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6],
        );
        assert_lrs(&got, &[1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]);
    }

    #[test]
    fn default_patience_is_ten() {
        // 1 good epoch, then 11 bad ones: the 11th bad epoch decays by 0.1
        let got = lrs(NAME, "", 1.0, &[1.0; 12]);
        assert!(got[..12].iter().all(|&lr| lr == 1.0), "{got:?}");
        assert_lrs(&got[12..], &[0.1]);
    }

    #[test]
    fn cooldown_and_min_lr() {
        // patience 0, cooldown 1, factor 0.5, min_lr 0.3, constant loss:
        // L0 better -> 1; L1 bad 1 > 0: decay -> 0.5, cooldown 1;
        // L2 bad, cooling down: counter 0, bad 0 -> 0.5; L3 bad 1: max(0.25, 0.3) -> 0.3;
        // L4 cooling down -> 0.3; L5 max(0.15, 0.3) = 0.3, no change -> 0.3
        let got = lrs(
            NAME,
            "patience = 0\ncooldown = 1\nfactor = 0.5\nmin_lr = 0.3",
            1.0,
            &[1.0; 6],
        );
        assert_lrs(&got, &[1.0, 1.0, 0.5, 0.5, 0.3, 0.3, 0.3]);
    }

    #[test]
    fn monitor_and_abs_threshold() {
        // abs threshold 0.5, patience 0; train [1.0, 0.5], test = 10*train = [10, 5]
        // train: 0.5 < 1.0 - 0.5 is false -> decay to 0.1; test: 5 < 9.5 -> no decay
        let toml = "patience = 0\nthreshold_mode = \"abs\"\nthreshold = 0.5";
        assert_lrs(&lrs(NAME, toml, 1.0, &[1.0, 0.5]), &[1.0, 1.0, 0.1]);
        let toml = format!("{toml}\nmonitor = \"test_loss\"");
        assert_lrs(&lrs(NAME, &toml, 1.0, &[1.0, 0.5]), &[1.0, 1.0, 1.0]);
    }

    #[test]
    fn validation() {
        assert_eq!(
            err(NAME, "factor = 1.0"),
            "reduce_on_plateau: `factor` must be in (0, 1) (got 1)"
        );
        assert_eq!(
            err(NAME, "patience = -1"),
            "reduce_on_plateau: `patience` must be >= 0 (got -1)"
        );
        assert_eq!(
            err(NAME, "monitor = \"loss\""),
            "reduce_on_plateau: `monitor` must be one of \"train_loss\", \"test_loss\" (got \"loss\")"
        );
        assert_eq!(
            err(NAME, "mode = \"max\""),
            "reduce_on_plateau: unknown key `mode` (accepted: `cooldown`, `eps`, `factor`, `min_lr`, `monitor`, `patience`, `threshold`, `threshold_mode`)"
        );
    }
}
