//! Gradient correctness of the model side (issue "gradient correctness"): dfdx's backward pass
//! against central finite differences of the same forward pass, for every activation, for a
//! `Dense` layer and for whole networks, of the menu and off it.
//!
//! dfdx computes in `f32` only, so the differences are taken in `f32` (with the difference
//! itself formed in `f64`); each tolerance says what its error budget is made of. Nothing is
//! reimplemented: the forward passes are the library's own.

mod common;

use common::grads_of;
use dfdx::prelude::*;
use dlp_model::{
    Activation, Architecture, Batch, Dense, Dev, LayerVisitor, Network, NetworkVisitor, WIDTHS,
    Weights,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Step of the central differences. Truncation is `h^2/6 * |f'''|`, about 2e-5 here (the
/// activations' third derivatives are below 1 in magnitude); rounding is `~ ulp(f) / h`.
const H: f32 = 1e-2;

/// Whether `activation` has a kink at 0 (where central differences average two slopes).
/// A match, not a list: a new activation does not compile here until it is classified.
fn has_kink(activation: Activation) -> bool {
    match activation {
        Activation::Relu | Activation::LeakyRelu => true,
        Activation::Sigmoid | Activation::Tanh | Activation::Gelu | Activation::Identity => false,
    }
}

/// `|analytic - fd| <= tol`, where `tol` is the rounding of `f32` values of magnitude `scale`
/// divided by the step (64 ulps over `2h`: each of the two values is off by a few ulps of
/// every partial sum it went through), plus 1% of the gradient for truncation and for `f32`
/// rounding inside the backward pass. A sign flip (error `2|g|`) stands far above it.
fn close(analytic: f32, fd: f64, scale: f32) -> Result<(), f64> {
    let atol =
        64.0 * f64::from(f32::EPSILON) * f64::from(scale.abs().max(1.0)) / (2.0 * f64::from(H));
    let tol = atol + 1e-2 * f64::from(analytic).abs().max(fd.abs());
    if (f64::from(analytic) - fd).abs() <= tol {
        Ok(())
    } else {
        Err(tol)
    }
}

/// `(f(x + h) - f(x - h)) / 2h` for the `i`-th entry of `x`.
fn central(x: &[f32], i: usize, mut f: impl FnMut(Vec<f32>) -> f32) -> f64 {
    let mut shifted = |dx: f32| {
        let mut x = x.to_vec();
        x[i] += dx;
        f64::from(f(x))
    };
    (shifted(H) - shifted(-H)) / (2.0 * f64::from(H))
}

fn vector(dev: &Dev, values: &[f32]) -> Tensor<(usize,), f32, Dev> {
    dev.tensor_from_vec(values.to_vec(), (values.len(),))
}

fn batch(dev: &Dev, values: &[f32], rows: usize) -> Batch<usize, NoneTape> {
    dev.tensor_from_vec(values.to_vec(), (rows, values.len() / rows))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `d/dx sum(c * act(x))` for every activation, `x` in [-4, 4] (away from 0 for kinked
    /// ones: `|x| >= 5h`, so no difference straddles the kink).
    #[test]
    fn every_activation(
        x in prop::collection::vec(-4.0_f32..=4.0, 1..16),
        c in prop::collection::vec(-1.0_f32..=1.0, 16),
    ) {
        let dev = Dev::default();
        let c = &c[..x.len()];
        for activation in Activation::ALL {
            let f = |x: Vec<f32>| (activation.apply(vector(&dev, &x)) * vector(&dev, c)).sum::<Rank0, _>().array();
            let xt = vector(&dev, &x);
            let out = (activation.apply(xt.leaky_trace()) * vector(&dev, c)).sum::<Rank0, _>();
            let value = out.array();
            let grad = out.backward().get(&xt).as_vec();
            for i in 0..x.len() {
                if has_kink(activation) && x[i].abs() < 5.0 * H {
                    continue;
                }
                let fd = central(&x, i, f);
                let check = close(grad[i], fd, value);
                prop_assert!(
                    check.is_ok(),
                    "{}: d/dx[{}] is {} by backward but {} by central differences (tol {:?}); x = {:?}",
                    activation.name(), i, grad[i], fd, check, x
                );
            }
        }
    }

    /// `sum(c * (x W^T + b))` for a `Dense` layer: gradient with respect to the weight, the
    /// bias and the input. The function is linear in each, so only rounding separates the two.
    #[test]
    fn dense_layer(
        (rows, inputs, outputs) in (1_usize..=6, 1_usize..=6, 1_usize..=6),
        seed in any::<u64>(),
        x in prop::collection::vec(-2.0_f32..=2.0, 36),
        c in prop::collection::vec(-1.0_f32..=1.0, 36),
    ) {
        let dev = Dev::default();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let layer = Dense::new(&dev, inputs, outputs, &mut rng);
        let x = &x[..rows * inputs];
        let c = dev.tensor_from_vec(c[..rows * outputs].to_vec(), (rows, outputs));
        let xt = batch(&dev, x, rows);
        let out = (layer.forward(xt.leaky_trace()) * c.clone()).sum::<Rank0, _>();
        let value = out.array();
        let grads = out.backward();
        let loss = |layer: &Dense<usize, usize>, x: &[f32]| (layer.forward(batch(&dev, x, rows)) * c.clone()).sum::<Rank0, _>().array();

        let weight = layer.weight.as_vec();
        let bias = layer.bias.as_vec();
        let checks = [
            ("weight", grads.get(&layer.weight).as_vec(), weight.clone()),
            ("bias", grads.get(&layer.bias).as_vec(), bias.clone()),
            ("input", grads.get(&xt).as_vec(), x.to_vec()),
        ];
        for (name, grad, at) in checks {
            prop_assert_eq!(grad.len(), at.len(), "{}", name);
            for (i, &g) in grad.iter().enumerate() {
                let fd = central(&at, i, |v| {
                    let mut l = layer.clone();
                    match name {
                        "weight" => l.weight.copy_from(&v),
                        "bias" => l.bias.copy_from(&v),
                        _ => return loss(&l, &v),
                    }
                    loss(&l, x)
                });
                let check = close(g, fd, value);
                prop_assert!(
                    check.is_ok(),
                    "dense {}x{} on {} rows: d/d{}[{}] is {} by backward but {} by central differences (tol {:?})",
                    inputs, outputs, rows, name, i, g, fd, check
                );
            }
        }
    }

    /// `mean((net(x) - t)^2)` for a network of the menu (depth 0..=4, widths up to 16, every
    /// activation): the gradient with respect to every parameter and to the input.
    #[test]
    fn whole_networks(
        depth in 0_usize..=4,
        width in prop::sample::select(WIDTHS.iter().copied().filter(|&w| w <= 16).collect::<Vec<_>>()),
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=8, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-2.0_f32..=2.0, 32),
        t in prop::collection::vec(-1.0_f32..=1.0, 24),
    ) {
        let hidden = vec![width; depth];
        let arch = Architecture::new(&hidden, activation).unwrap();
        let case = ModelCase {
            hidden,
            masks: Vec::new(),
            activation,
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            t: t[..rows * outputs].to_vec(),
        };
        let skipped = arch.dispatch(case)?;
        // Parameters skipped for a kink crossing must stay rare, or the test checks little.
        prop_assert!(skipped <= 0.5, "{:.0}% of the parameters skipped", skipped * 100.0);
    }

    /// The same for architectures off the menu (`AnyWidths`): 1 to 6 layers of mixed widths
    /// up to 12.
    #[test]
    fn whole_networks_off_the_menu(
        hidden in prop::collection::vec(1_usize..=12, 1..=6),
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=8, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-2.0_f32..=2.0, 32),
        t in prop::collection::vec(-1.0_f32..=1.0, 24),
    ) {
        let arch = Architecture::new(&hidden, activation).unwrap();
        prop_assume!(arch.menu_width().is_none());
        let case = ModelCase {
            hidden,
            masks: Vec::new(),
            activation,
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            t: t[..rows * outputs].to_vec(),
        };
        let skipped = arch.dispatch(case)?;
        prop_assert!(skipped <= 0.5, "{:.0}% of the parameters skipped", skipped * 100.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The same with dropout, its mask fixed: `forward_masked` is differentiated through the
    /// mask (each entry 0 or `1 / (1 - p)`), on and off the menu. Rates up to 0.5: a kept
    /// unit's scale multiplies the curvature the central differences' truncation error grows
    /// with (at p = 0.7, 3.3 per layer, a smooth tanh network left the 1% budget).
    #[test]
    fn dropout_with_a_fixed_mask(
        hidden in prop::collection::vec(1_usize..=10, 1..=4),
        uniform in any::<bool>(),
        p in 0.1_f32..=0.5,
        activation in prop::sample::select(Activation::ALL.to_vec()),
        (rows, inputs, outputs) in (1_usize..=8, 1_usize..=4, 1_usize..=3),
        seed in any::<u64>(),
        x in prop::collection::vec(-2.0_f32..=2.0, 32),
        t in prop::collection::vec(-1.0_f32..=1.0, 24),
    ) {
        let hidden = if uniform { vec![hidden[0]; hidden.len()] } else { hidden };
        let arch = Architecture::new(&hidden, activation).unwrap();
        let mut draw = ChaCha8Rng::seed_from_u64(seed ^ 1);
        let masks = hidden
            .iter()
            .map(|&w| {
                (0..rows * w)
                    .map(|_| if rand::Rng::gen_bool(&mut draw, f64::from(p)) { 0.0 } else { 1.0 / (1.0 - p) })
                    .collect()
            })
            .collect();
        let case = ModelCase {
            hidden,
            masks,
            activation,
            seed,
            rows,
            inputs,
            outputs,
            x: x[..rows * inputs].to_vec(),
            t: t[..rows * outputs].to_vec(),
        };
        let skipped = arch.dispatch(case)?;
        prop_assert!(skipped <= 0.5, "{:.0}% of the parameters skipped", skipped * 100.0);
    }
}

/// One network case: built from `seed`, evaluated on `rows` rows `x` against targets `t`.
struct ModelCase {
    hidden: Vec<usize>,
    /// Dropout masks, one per hidden layer (none: an empty list).
    masks: Vec<Vec<f32>>,
    activation: Activation,
    seed: u64,
    rows: usize,
    inputs: usize,
    outputs: usize,
    x: Vec<f32>,
    t: Vec<f32>,
}

impl ModelCase {
    fn loss<N: Network>(&self, net: &N, x: &[f32]) -> f32 {
        let dev = Dev::default();
        let t = dev.tensor_from_vec(self.t.clone(), (self.rows, self.outputs));
        (net.forward_masked(batch(&dev, x, self.rows), &self.masks) - t)
            .square()
            .mean::<Rank0, _>()
            .array()
    }

    /// Signs of every hidden pre-activation: where a difference flips one of them under a
    /// kinked activation, it straddles the kink and is not compared.
    fn pattern<N: Network>(&self, net: &mut N, x: &[f32]) -> Vec<bool> {
        let mut walk = PreActivations {
            h: batch(&Dev::default(), x, self.rows),
            masks: self.masks.clone(),
            activation: self.activation,
            signs: Vec::new(),
            last: 0,
        };
        net.visit_layers(&mut walk);
        // The head's outputs are not followed by the activation.
        walk.signs.truncate(walk.last);
        walk.signs
    }

    /// Returns the fraction of parameters skipped for a kink crossing.
    fn check<N: Network>(self) -> Result<f64, TestCaseError> {
        let dev = Dev::default();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let arch = Architecture::new(&self.hidden, self.activation).unwrap();
        let mut net = N::build(&dev, &arch, self.inputs, self.outputs, &mut rng);
        let t = dev.tensor_from_vec(self.t.clone(), (self.rows, self.outputs));
        let xt = batch(&dev, &self.x, self.rows);
        let out = (net.forward_masked(xt.leaky_trace(), &self.masks) - t)
            .square()
            .mean::<Rank0, _>();
        let value = out.array();
        let grads = out.backward();
        let analytic = grads_of(&mut net, &grads);
        let weights = Weights::of(&mut net);
        let kinked = has_kink(self.activation);
        let base = self.pattern(&mut net, &self.x);
        let (mut total, mut skipped) = (0_usize, 0_usize);

        for (k, tensor) in weights.tensors.iter().enumerate() {
            prop_assert_eq!(analytic[k].len(), tensor.values.len(), "{}", &tensor.name);
            for (i, &g) in analytic[k].iter().enumerate() {
                total += 1;
                let mut at = |dv: f32| {
                    let mut w = weights.clone();
                    w.tensors[k].values[i] += dv;
                    w.load_into(&mut net).unwrap();
                    let crossed = kinked && self.pattern(&mut net, &self.x) != base;
                    (f64::from(self.loss(&net, &self.x)), crossed)
                };
                let ((plus, c1), (minus, c2)) = (at(H), at(-H));
                if c1 || c2 {
                    skipped += 1;
                    continue;
                }
                let fd = (plus - minus) / (2.0 * f64::from(H));
                let check = close(g, fd, value);
                prop_assert!(
                    check.is_ok(),
                    "{} ({}, {} inputs, {} outputs, {} rows): d loss / d {}[{}] is {} by backward but {} by central differences (tol {:?})",
                    std::any::type_name::<N>(),
                    self.activation.name(),
                    self.inputs,
                    self.outputs,
                    self.rows,
                    tensor.name,
                    i,
                    g,
                    fd,
                    check
                );
            }
        }
        weights.load_into(&mut net).unwrap();

        let grad_x = grads.get(&xt).as_vec();
        for i in 0..self.x.len() {
            total += 1;
            let mut at = |dx: f32| {
                let mut x = self.x.clone();
                x[i] += dx;
                let crossed = kinked && self.pattern(&mut net, &x) != base;
                (f64::from(self.loss(&net, &x)), crossed)
            };
            let ((plus, c1), (minus, c2)) = (at(H), at(-H));
            if c1 || c2 {
                skipped += 1;
                continue;
            }
            let fd = (plus - minus) / (2.0 * f64::from(H));
            let check = close(grad_x[i], fd, value);
            prop_assert!(
                check.is_ok(),
                "{} ({}): d loss / d x[{}] is {} by backward but {} by central differences (tol {:?})",
                std::any::type_name::<N>(),
                self.activation.name(),
                i,
                grad_x[i],
                fd,
                check
            );
        }
        Ok(skipped as f64 / total as f64)
    }
}

impl NetworkVisitor for ModelCase {
    type Output = Result<f64, TestCaseError>;

    fn visit<N: Network>(self) -> Self::Output {
        self.check::<N>()
    }
}

/// Runs the layers one by one with the library's `Dense::forward` and `Activation::apply`,
/// recording the sign of every pre-activation.
struct PreActivations {
    h: Batch<usize, NoneTape>,
    masks: Vec<Vec<f32>>,
    activation: Activation,
    signs: Vec<bool>,
    /// Length of `signs` before the last layer visited (the head).
    last: usize,
}

impl LayerVisitor for PreActivations {
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>) {
        let x = self.h.clone().realize::<(usize, I)>();
        let pre = layer.forward(x);
        self.last = self.signs.len();
        self.signs.extend(pre.as_vec().iter().map(|&v| v > 0.0));
        let h = self.activation.apply(pre).realize::<(usize, usize)>();
        self.h = match self.masks.get(index).filter(|m| !m.is_empty()) {
            Some(mask) => {
                let shape = *h.shape();
                h * Dev::default().tensor_from_vec(mask.clone(), shape)
            }
            None => h,
        };
    }
}
