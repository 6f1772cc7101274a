//! A hand-fused scalar training loop with no framework: the yardstick for dlp's speed.
//!
//! The TP1 canonical run (2-H-H-1 ReLU MLP, BCE-with-logits, Adam with PyTorch's formula,
//! mini-batches) written as plain loops over fixed-size arrays: forward, backward and the
//! gradient accumulation are fused per sample, the Adam step runs over one flat parameter
//! vector. The data, the batch order and the initialisation scheme (`torch.nn.Linear`'s
//! U(-1/sqrt(in), 1/sqrt(in)), weights then biases, layer by layer, from the same derived
//! seeds) are dlp's, so the only difference from `dlp_train::train` is the machinery.
//! Benchmark-only: nothing in dlp uses it.

use std::time::Instant;

use dlp_data::{BatchOrder, Dataset, Split, derive_seed, rng};
use dlp_optim::flush_subnormal;
use rand::distributions::{Distribution, Uniform};

/// Inputs of the TP1 spirals.
const I: usize = 2;

/// What one run reached.
#[derive(Debug, Clone, Copy)]
pub struct ScalarRun {
    /// Mean BCE-with-logits over the training set after the last epoch.
    pub train_loss: f64,
    /// Accuracy on the test set after the last epoch.
    pub test_acc: f64,
    /// Seconds spent in training steps (evaluation excluded), as `EpochMetrics::wall_s`.
    pub steps_s: f64,
}

/// Offsets of the parameter blocks in the flat vector: w1 (H x I), b1 (H), w2 (H x H),
/// b2 (H), w3 (1 x H), b3 (1). Row-major, `(out, in)` as `torch.nn.Linear`.
struct Layout<const H: usize>;

impl<const H: usize> Layout<H> {
    const W1: usize = 0;
    const B1: usize = Self::W1 + H * I;
    const W2: usize = Self::B1 + H;
    const B2: usize = Self::W2 + H * H;
    const W3: usize = Self::B2 + H;
    const B3: usize = Self::W3 + H;
    const LEN: usize = Self::B3 + 1;
}

/// Adam with PyTorch's formula (no weight decay, no amsgrad), moments flushed to zero below
/// `f32::MIN_POSITIVE` like dlp's:
/// `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
///  p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)`.
struct Adam {
    lr: f32,
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl Adam {
    const BETA1: f32 = 0.9;
    const BETA2: f32 = 0.999;
    const EPS: f32 = 1e-8;

    fn new(lr: f32, n: usize) -> Self {
        Self {
            lr,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        self.t += 1;
        let bc1 = 1.0 - Self::BETA1.powi(self.t);
        let bc2 = 1.0 - Self::BETA2.powi(self.t);
        let step = self.lr / bc1;
        let inv_sqrt_bc2 = 1.0 / bc2.sqrt();
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            // Flushed as dlp flushes them: subnormal moments stall many CPUs.
            *m = flush_subnormal(Self::BETA1 * *m + (1.0 - Self::BETA1) * g);
            *v = flush_subnormal(Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g);
            // sqrt(v / bc2) + eps, as torch computes the denominator.
            *p -= step * *m / (v.sqrt() * inv_sqrt_bc2 + Self::EPS);
        }
    }
}

/// The logit of one row, keeping the hidden activations for the backward pass.
#[inline(always)]
fn forward<const H: usize>(p: &[f32], x: &[f32], h1: &mut [f32; H], h2: &mut [f32; H]) -> f32 {
    let (w1, b1) = (
        &p[Layout::<H>::W1..Layout::<H>::B1],
        &p[Layout::<H>::B1..Layout::<H>::W2],
    );
    let (w2, b2) = (
        &p[Layout::<H>::W2..Layout::<H>::B2],
        &p[Layout::<H>::B2..Layout::<H>::W3],
    );
    let (w3, b3) = (&p[Layout::<H>::W3..Layout::<H>::B3], p[Layout::<H>::B3]);
    for ((h, w), &b) in h1.iter_mut().zip(w1.chunks_exact(I)).zip(b1) {
        *h = (b + w[0] * x[0] + w[1] * x[1]).max(0.0);
    }
    for ((h, w), &b) in h2.iter_mut().zip(w2.chunks_exact(H)).zip(b2) {
        let s: f32 = w.iter().zip(h1.iter()).map(|(w, h)| w * h).sum();
        *h = (b + s).max(0.0);
    }
    b3 + w3.iter().zip(h2.iter()).map(|(w, h)| w * h).sum::<f32>()
}

/// BCE with logits of one row: `max(z, 0) - z y + ln(1 + exp(-|z|))`.
#[inline(always)]
fn bce_with_logits(z: f32, y: f32) -> f32 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// Accumulates into `g` the gradient of `loss / batch` for one row.
#[inline(always)]
fn backward<const H: usize>(
    p: &[f32],
    g: &mut [f32],
    x: &[f32],
    h1: &[f32; H],
    h2: &[f32; H],
    dz: f32,
) {
    let w2 = &p[Layout::<H>::W2..Layout::<H>::B2];
    let w3 = &p[Layout::<H>::W3..Layout::<H>::B3];
    // Head.
    let mut dh2 = [0.0f32; H];
    for k in 0..H {
        g[Layout::<H>::W3 + k] += dz * h2[k];
        dh2[k] = if h2[k] > 0.0 { dz * w3[k] } else { 0.0 };
    }
    g[Layout::<H>::B3] += dz;
    // Second hidden layer.
    let mut dh1 = [0.0f32; H];
    {
        let (gw2, gb2) = g[Layout::<H>::W2..Layout::<H>::W3].split_at_mut(H * H);
        for (((gw, w), &d), gb) in gw2
            .chunks_exact_mut(H)
            .zip(w2.chunks_exact(H))
            .zip(&dh2)
            .zip(gb2)
        {
            *gb += d;
            for (((gw, &w), &h), dh) in gw.iter_mut().zip(w).zip(h1).zip(dh1.iter_mut()) {
                *gw += d * h;
                *dh += d * w;
            }
        }
    }
    // First hidden layer.
    let (gw1, gb1) = g[Layout::<H>::W1..Layout::<H>::W2].split_at_mut(H * I);
    for (((gw, &h), &dh), gb) in gw1.chunks_exact_mut(I).zip(h1).zip(&dh1).zip(gb1) {
        let d = if h > 0.0 { dh } else { 0.0 };
        *gb += d;
        gw[0] += d * x[0];
        gw[1] += d * x[1];
    }
}

/// Mean loss and accuracy (logit > 0 means class 1) of the parameters `p` on `data`.
fn evaluate<const H: usize>(p: &[f32], data: &Dataset) -> (f64, f64) {
    let (mut h1, mut h2) = ([0.0; H], [0.0; H]);
    let (mut loss, mut correct) = (0.0f64, 0usize);
    for (x, &label) in data.features.chunks_exact(I).zip(&data.labels) {
        let z = forward::<H>(p, x, &mut h1, &mut h2);
        loss += f64::from(bce_with_logits(z, label as f32));
        correct += usize::from(u32::from(z > 0.0) == label);
    }
    let n = data.len() as f64;
    (loss / n, correct as f64 / n)
}

/// Trains a 2-H-H-1 ReLU MLP with BCE-with-logits and Adam(`lr`) on `split` for `epochs`
/// epochs of mini-batches of `batch_size` rows (the last partial batch kept). Like
/// `dlp_train::train`, it evaluates the training and test sets before training and after
/// every epoch, so both do the same work. Seeds derive from `seed` exactly as there.
pub fn train<const H: usize>(
    split: &Split,
    seed: u64,
    epochs: usize,
    batch_size: usize,
    lr: f32,
) -> ScalarRun {
    let train = &split.train;
    assert_eq!(
        train.n_features, I,
        "the scalar reference is written for 2 features"
    );
    assert_eq!(
        train.n_classes, 2,
        "the scalar reference is written for 2 classes"
    );

    // Initialisation as torch.nn.Linear, layer by layer, weights then biases.
    let mut init = rng(derive_seed(seed, "model/init"));
    let mut params = Vec::with_capacity(Layout::<H>::LEN);
    for (inputs, outputs) in [(I, H), (H, H), (H, 1)] {
        let bound = 1.0 / (inputs as f32).sqrt();
        let uniform = Uniform::new_inclusive(-bound, bound);
        params.extend((0..inputs * outputs + outputs).map(|_| uniform.sample(&mut init)));
    }
    assert_eq!(params.len(), Layout::<H>::LEN);

    let mut grads = vec![0.0f32; Layout::<H>::LEN];
    let mut adam = Adam::new(lr, Layout::<H>::LEN);
    let mut shuffle = rng(derive_seed(seed, "train/shuffle"));
    let mut order = BatchOrder::new(train.len());
    let (mut h1, mut h2) = ([0.0; H], [0.0; H]);
    let mut steps_s = 0.0;
    let measure = |params: &[f32], steps_s: f64| ScalarRun {
        train_loss: evaluate::<H>(params, train).0,
        test_acc: evaluate::<H>(params, &split.test).1,
        steps_s,
    };
    let mut last = measure(&params, steps_s);
    for _ in 0..epochs {
        let started = Instant::now();
        order.shuffle(&mut shuffle);
        for batch in order.batches(batch_size) {
            grads.fill(0.0);
            let scale = 1.0 / batch.len() as f32;
            for &row in batch {
                let x = train.row(row);
                let y = train.labels[row] as f32;
                let z = forward::<H>(&params, x, &mut h1, &mut h2);
                // d(mean BCE-with-logits)/dz = (sigmoid(z) - y) / batch.
                let dz = (1.0 / (1.0 + (-z).exp()) - y) * scale;
                backward::<H>(&params, &mut grads, x, &h1, &h2, dz);
            }
            adam.step(&mut params, &grads);
        }
        steps_s += started.elapsed().as_secs_f64();
        last = measure(&params, steps_s);
    }
    last
}
