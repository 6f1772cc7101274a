//! PyTorch parity of the L1/L2 weight penalties on off-menu architectures (issue 16): from the
//! same initial weights and data, full-batch (the batch is the whole training set, so the
//! order of the rows changes only the order of a sum), dlp follows `torch.nn` + `torch.optim`
//! with the penalties written as Keras' kernel regularizers and differentiated by autograd.
//!
//! The reference numbers come from `benches/peers/penalties_reference.py` (PyTorch in float32,
//! and again in float64); data and initial weights come from one integer formula, `unit`,
//! written the same way there.
//!
//! Tolerance: dlp and PyTorch both compute in float32, with sums in different orders (dlp
//! shuffles the rows of the batch, uses its own loops and `gemm` for 64 units, and adds the
//! penalty gradient in one expression where autograd accumulates three terms), so neither is
//! "right": each is the exact trajectory plus float32 rounding, amplified by training. PyTorch's
//! float64 run is the exact trajectory to about 1e-16, so `|torch32 - torch64|` measures how
//! far float32 rounding moves this very trajectory. dlp's distance to PyTorch's float32 numbers
//! is then at most its own rounding drift plus PyTorch's: we allow `SLACK` times the largest
//! gap PyTorch's own float32 run showed up to that epoch (and per weight tensor), plus a floor
//! of a few float32 ulps of the value itself (at epoch 0 the gap can be 0 by luck). A
//! different formula (a penalty gradient off by a factor of 2, applied to the biases, or
//! missing) moves the numbers by orders of magnitude more: checked below by training without
//! penalties.

use dlp_data::{Dataset, Split};
use dlp_model::{Activation, Architecture, NamedTensor, Weights};
use dlp_train::{Penalties, TrainSpec, Trained, train};

/// How many times PyTorch's own float32 drift dlp may be from PyTorch's float32 numbers.
const SLACK: f64 = 8.0;
const N_TRAIN: usize = 256;
const N_TEST: usize = 64;

struct Case {
    name: &'static str,
    hidden: &'static [usize],
    activation: Activation,
    loss: &'static str,
    optimizer: &'static str,
    params: toml::Table,
    l1: f32,
    l2: f32,
    epochs: usize,
}

/// The cases of `penalties_reference.py`'s `CASES`, in its order.
fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "tapered_sgd",
            hidden: &[32, 16],
            activation: Activation::Tanh,
            loss: "bce_with_logits",
            optimizer: "sgd",
            params: toml::toml! { lr = 0.1 momentum = 0.9 },
            l1: 1e-3,
            l2: 1e-2,
            epochs: 30,
        },
        Case {
            name: "deep_adam",
            hidden: &[64, 32, 16],
            activation: Activation::Relu,
            loss: "cross_entropy",
            optimizer: "adam",
            params: toml::toml! { lr = 0.01 },
            l1: 1e-4,
            l2: 1e-3,
            epochs: 30,
        },
    ]
}

/// A number in [0, 1) from the integer `k`, as `unit` in penalties_reference.py.
fn unit(k: u64) -> f64 {
    ((31 * k * k + 7919 * k + 17) % 10007) as f64 / 10007.0
}

/// `n` points in [-2, 2)^2, class 1 when x1 * x2 > 0 (XOR), as `points` in the script.
fn points(n: usize, offset: u64) -> Dataset {
    let mut features = Vec::with_capacity(2 * n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let x1 = (4.0 * unit(offset + 2 * i) - 2.0) as f32;
        let x2 = (4.0 * unit(offset + 2 * i + 1) - 2.0) as f32;
        features.extend([x1, x2]);
        labels.push(u32::from(f64::from(x1) * f64::from(x2) > 0.0));
    }
    Dataset {
        features,
        labels,
        n_features: 2,
        n_classes: 2,
    }
}

/// As `initial_weights` in the script.
fn initial_weights(widths: &[usize]) -> Weights {
    let mut tensors = Vec::new();
    for (layer, pair) in widths.windows(2).enumerate() {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        let scale = (fan_in as f64).sqrt();
        let shapes = [vec![fan_out, fan_in], vec![fan_out]];
        for (kind, shape) in ["weight", "bias"].into_iter().zip(shapes) {
            let t = (2 * layer + usize::from(kind == "bias")) as u64;
            let count: usize = shape.iter().product();
            let values = (0..count as u64)
                .map(|j| ((2.0 * unit(1_000_003 * (t + 1) + j) - 1.0) / scale) as f32)
                .collect();
            tensors.push(NamedTensor {
                name: format!("{}.{kind}", 2 * layer),
                shape,
                values,
            });
        }
    }
    Weights { tensors }
}

/// `quantity`'s values for `case` in the reference file.
fn reference(case: &str, quantity: &str) -> Vec<f64> {
    let text = include_str!("data/penalties_reference.txt");
    let line = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.split(' ').take(2).eq([case, quantity]))
        .unwrap_or_else(|| panic!("no {case} {quantity} in the reference file"));
    line.split(' ')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect()
}

fn run(case: &Case, split: &Split, penalties: Penalties) -> Trained {
    let outputs = if case.loss == "cross_entropy" { 2 } else { 1 };
    let widths: Vec<usize> = [2]
        .iter()
        .chain(case.hidden)
        .chain([&outputs])
        .copied()
        .collect();
    let weights = initial_weights(&widths);
    let spec = TrainSpec {
        architecture: Architecture::new(case.hidden, case.activation).unwrap(),
        loss: dlp_loss::find_loss(case.loss).unwrap(),
        penalties,
        optimizer: dlp_optim::build_optimizer(case.optimizer, &case.params).unwrap(),
        epochs: case.epochs,
        batch_size: N_TRAIN,
        initial_weights: Some(&weights),
        ..TrainSpec::new(split)
    };
    let trained = train(spec, &mut |_| {}).unwrap();
    assert_eq!(trained.epochs.len(), case.epochs + 1);
    trained
}

fn ulps(value: f64) -> f64 {
    4.0 * f64::from(f32::EPSILON) * value.abs()
}

#[test]
fn penalties_follow_pytorch_on_off_menu_architectures() {
    let split = Split {
        train: points(N_TRAIN, 0),
        test: points(N_TEST, 100_000),
        validation: None,
    };
    for case in cases() {
        let (torch32, torch64) = (
            reference(case.name, "train_loss_f32"),
            reference(case.name, "train_loss_f64"),
        );
        assert_eq!(torch32.len(), case.epochs + 1, "{}", case.name);
        let penalties = Penalties {
            l1: case.l1,
            l2: case.l2,
        };
        let trained = run(&case, &split, penalties);

        let mut drift: f64 = 0.0;
        let mut worst: f64 = 0.0; // largest |dlp - torch32| / tolerance
        for (e, metrics) in trained.epochs.iter().enumerate() {
            drift = drift.max((torch32[e] - torch64[e]).abs());
            let tolerance = SLACK * drift + ulps(torch32[e]);
            let off = (metrics.train_loss - torch32[e]).abs();
            worst = worst.max(off / tolerance);
            assert!(
                off <= tolerance,
                "{} epoch {e}: dlp {} vs torch {} (off by {off:.3e}, tolerance {tolerance:.3e})",
                case.name,
                metrics.train_loss,
                torch32[e]
            );
        }
        let gaps = reference(case.name, "weight_gap_f32_f64");
        for (t, tensor) in trained.weights.tensors.iter().enumerate() {
            let torch = reference(case.name, &format!("final_tensor{t}"));
            assert_eq!(
                torch.len(),
                tensor.values.len(),
                "{} {}",
                case.name,
                tensor.name
            );
            let largest = torch.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let tolerance = SLACK * gaps[t] + ulps(largest);
            let off = tensor
                .values
                .iter()
                .zip(&torch)
                .map(|(&a, &b)| (f64::from(a) - b).abs())
                .fold(0.0, f64::max);
            worst = worst.max(off / tolerance);
            assert!(
                off <= tolerance,
                "{} {}: off by {off:.3e} (tolerance {tolerance:.3e})",
                case.name,
                tensor.name
            );
        }
        println!(
            "{}: largest distance to PyTorch = {worst:.3} of the tolerance",
            case.name
        );

        // Without the penalties, or with half the L2 gradient (`l2 * w` instead of
        // `2 * l2 * w`), the numbers are far off PyTorch's.
        let last = case.epochs;
        let tolerance = SLACK * drift + ulps(torch32[last]);
        let wrong = [
            Penalties::default(),
            Penalties {
                l2: case.l2 / 2.0,
                ..penalties
            },
        ];
        for wrong in wrong {
            let off = (run(&case, &split, wrong).epochs[last].train_loss - torch32[last]).abs();
            assert!(
                off > 100.0 * tolerance,
                "{}: {wrong:?} is as close to PyTorch ({off:.3e}) as the right penalties",
                case.name
            );
        }
    }
}

/// `l2 = wd / 2` is SGD's `weight_decay = wd` on the weights, not on the biases
/// (docs/config.md): after one full-batch step from the same weights, the weights agree to
/// float rounding and the biases differ by `lr * wd * b`.
#[test]
fn l2_is_half_of_sgd_weight_decay_on_the_weights_only() {
    let split = Split {
        train: points(N_TRAIN, 0),
        test: points(N_TEST, 100_000),
        validation: None,
    };
    let (lr, wd) = (0.1, 0.2);
    let start = initial_weights(&[2, 32, 16, 1]);
    let step = |params: toml::Table, penalties: Penalties| {
        let spec = TrainSpec {
            architecture: Architecture::new(&[32, 16], Activation::Tanh).unwrap(),
            loss: dlp_loss::find_loss("bce_with_logits").unwrap(),
            penalties,
            optimizer: dlp_optim::build_optimizer("sgd", &params).unwrap(),
            epochs: 1,
            batch_size: N_TRAIN,
            initial_weights: Some(&start),
            ..TrainSpec::new(&split)
        };
        train(spec, &mut |_| {}).unwrap().weights
    };
    let sgd = |weight_decay: f64| {
        let mut params = toml::Table::new();
        params.insert("lr".into(), lr.into());
        params.insert("weight_decay".into(), weight_decay.into());
        params
    };
    let decayed = step(sgd(wd), Penalties::default());
    let penalised = step(
        sgd(0.0),
        Penalties {
            l1: 0.0,
            l2: wd as f32 / 2.0,
        },
    );
    let tensors = decayed
        .tensors
        .iter()
        .zip(&penalised.tensors)
        .zip(&start.tensors);
    for ((decayed, penalised), start) in tensors {
        let bias = start.name.ends_with("bias");
        let values = decayed
            .values
            .iter()
            .zip(&penalised.values)
            .zip(&start.values);
        for ((&d, &p), &s) in values {
            // A bias decays only under `weight_decay`: by lr * wd * b.
            let expected = if bias { lr * wd * f64::from(s) } else { 0.0 };
            let off = (f64::from(p) - f64::from(d) - expected).abs();
            assert!(off < 1e-6, "{}: {d} vs {p} (start {s})", start.name);
        }
    }
}
