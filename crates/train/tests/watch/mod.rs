//! Adam with a count of the subnormal floats in its inputs, outputs and state: shared by the
//! `subnormals` test and the training benchmark.

use std::sync::{Arc, Mutex};

use dlp_optim::{Adam, AdamConfig, Optimizer};

/// Subnormals seen by [`Watched`], by where they were.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    /// In the gradients passed to `update`.
    pub grads: usize,
    /// In the parameters after each update.
    pub params: usize,
    /// In the moments of the updated tensor after each update.
    pub moments: usize,
}

/// Adam, counting the subnormals in every gradient it receives and, after each update, in
/// the parameters and its moments.
pub struct Watched {
    adam: Adam,
    counts: Arc<Mutex<Counts>>,
}

impl Watched {
    /// Adam with learning rate `lr`, counting into `counts`.
    pub fn new(lr: f64, counts: &Arc<Mutex<Counts>>) -> Self {
        let cfg = AdamConfig {
            lr,
            ..AdamConfig::default()
        };
        Self {
            adam: Adam::new(cfg).expect("a valid Adam"),
            counts: Arc::clone(counts),
        }
    }
}

fn subnormals(xs: &[f32]) -> usize {
    xs.iter().filter(|x| x.is_subnormal()).count()
}

impl Optimizer for Watched {
    fn begin_step(&mut self) {
        self.adam.begin_step();
    }

    fn update(&mut self, index: usize, params: &mut [f32], grads: &[f32]) {
        self.adam.update(index, params, grads);
        let mut counts = self.counts.lock().expect("not poisoned");
        counts.grads += subnormals(grads);
        counts.params += subnormals(params);
        counts.moments += self.adam.state(index).map(subnormals).sum::<usize>();
    }

    fn lr(&self) -> f64 {
        self.adam.lr()
    }

    fn set_lr(&mut self, lr: f64) {
        self.adam.set_lr(lr);
    }
}
