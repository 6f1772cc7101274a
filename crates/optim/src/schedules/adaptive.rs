use crate::{EpochLosses, OptimError, Param, ParamDefault, Params, Schedule, ScheduleEntry, check};

/// scikit-learn's `learning_rate="adaptive"` (MLPClassifier/MLPRegressor with SGD, no early
/// stopping), driven by the previous epoch's training loss `loss`:
///
/// ```text
/// if loss > best - tol: no_improvement += 1  else: no_improvement = 0
/// if loss < best: best = loss                                 (best starts at +inf)
/// if no_improvement > n_iter_no_change:
///     if lr > 1e-6: lr /= 5
///     no_improvement = 0
/// ```
///
/// So the first decay comes after `n_iter_no_change + 1` consecutive epochs without an
/// absolute improvement of `tol` on the best loss. Where scikit-learn stops training
/// (lr <= 1e-6), this schedule keeps the lr unchanged: stopping is not a schedule's job.
struct Adaptive {
    tol: f64,
    n_iter_no_change: usize,
    lr: Option<f64>,
    best: f64,
    no_improvement: usize,
}

impl Schedule for Adaptive {
    fn lr(&mut self, _epoch: usize, base_lr: f64, previous: Option<&EpochLosses>) -> f64 {
        let lr = self.lr.get_or_insert(base_lr);
        let Some(losses) = previous else { return *lr };
        let loss = losses.train_loss;
        if loss > self.best - self.tol {
            self.no_improvement += 1;
        } else {
            self.no_improvement = 0;
        }
        if loss < self.best {
            self.best = loss;
        }
        if self.no_improvement > self.n_iter_no_change {
            if *lr > 1e-6 {
                *lr /= 5.0;
            }
            self.no_improvement = 0;
        }
        *lr
    }
}

const TOL: Param = Param {
    name: "tol",
    default: ParamDefault::Float(1e-4),
    doc: "absolute improvement on the best loss that counts",
};
const N_ITER_NO_CHANGE: Param = Param {
    name: "n_iter_no_change",
    default: ParamDefault::Integer(10),
    doc: "decay after more than this many epochs without improvement",
};

fn build(p: &Params) -> Result<Box<dyn Schedule>, OptimError> {
    let tol = p.f64(&TOL)?;
    let n_iter_no_change = p.usize(&N_ITER_NO_CHANGE)?;
    check::non_negative(p.name(), "tol", tol)?;
    check::at_least_one(p.name(), "n_iter_no_change", n_iter_no_change)?;
    Ok(Box::new(Adaptive {
        tol,
        n_iter_no_change,
        lr: None,
        best: f64::INFINITY,
        no_improvement: 0,
    }))
}

crate::register_schedule!(ScheduleEntry {
    name: "adaptive",
    summary: "divide by 5 when the training loss stalls (scikit-learn's \"adaptive\")",
    params: &[TOL, N_ITER_NO_CHANGE],
    build,
});

#[cfg(test)]
mod tests {
    use crate::schedule::testing::{assert_lrs, err, lrs};

    #[test]
    fn divides_by_five_after_more_than_n_stalled_epochs() {
        // n_iter_no_change 2, tol 0.1 (a loss counts as improved if <= best - 0.1):
        // L0 1.0 (best inf): count 0, best 1.0 -> 1
        // L1 0.95 > 0.9: count 1, best 0.95   -> 1
        // L2 0.92 > 0.85: count 2, best 0.92  -> 1
        // L3 0.91 > 0.82: count 3 > 2: lr/5, count 0 -> 0.2
        // L4 0.5 <= 0.81: count 0, best 0.5   -> 0.2
        // L5, L6, L7 0.45 > 0.4: count 1, 2, 3 -> 0.2, 0.2, 0.04
        let got = lrs(
            "adaptive",
            "n_iter_no_change = 2\ntol = 0.1",
            1.0,
            &[1.0, 0.95, 0.92, 0.91, 0.5, 0.45, 0.45, 0.45],
        );
        assert_lrs(&got, &[1.0, 1.0, 1.0, 1.0, 0.2, 0.2, 0.2, 0.2, 0.04]);
    }

    #[test]
    fn defaults_and_floor() {
        // defaults n_iter_no_change 10: with a constant loss the 11th epoch after the first
        // one decays (count 11 > 10) -> 0.2 before epoch 12
        let got = lrs("adaptive", "", 1.0, &[1.0; 12]);
        assert!(got[..12].iter().all(|&lr| lr == 1.0), "{got:?}");
        assert_lrs(&got[12..], &[0.2]);
        // below scikit-learn's stopping threshold 1e-6 the lr stays: 4e-6 -> 8e-7 -> 8e-7
        let got = lrs("adaptive", "n_iter_no_change = 1", 4e-6, &[1.0; 5]);
        assert_lrs(&got, &[4e-6, 4e-6, 4e-6, 8e-7, 8e-7, 8e-7]);
    }

    #[test]
    fn validation() {
        assert_eq!(
            err("adaptive", "tol = -1"),
            "adaptive: `tol` must be >= 0 (got -1)"
        );
        assert_eq!(
            err("adaptive", "n_iter_no_change = 0"),
            "adaptive: `n_iter_no_change` must be >= 1 (got 0)"
        );
    }
}
