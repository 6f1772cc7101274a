//! The training fast path: an MLP's forward and backward passes written by hand over flat
//! buffers, with every buffer allocated once per run.
//!
//! At the sizes of TP1 (a 2-20-20-1 network, batches of 10) a step through dfdx's tape costs
//! about three times a fused loop: the time goes to recording operations, allocating every
//! intermediate and gradient, and broadcasting biases, not to arithmetic. [`FusedMlp`]
//! computes the same functions as the dfdx models of the menu (`crates/model/tests/fused.rs`
//! holds it to their values and gradients), so the dfdx model stays the definition and this
//! is how dlp trains it.

use dlp_optim::Optimizer;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::activation::Activation;
use crate::rows::{RowSums, uses_gemm};
use crate::weights::{NamedTensor, Weights, tensor_name};

/// An MLP's parameters, gradients and activations as flat `f32` buffers, laid out as
/// `torch.nn.Linear` (`weight` is `(out, in)`, row-major).
#[derive(Debug, Clone)]
pub struct FusedMlp {
    activation: Activation,
    layers: Vec<Layer>,
    /// `d loss / d z` of the layer being back-propagated, `(rows, outputs)`.
    delta: Vec<f32>,
    /// The same for the layer below, `(rows, inputs)`.
    delta_below: Vec<f32>,
    /// Dropout in training passes, when a hidden layer has a rate above 0.
    dropout: Option<Dropout>,
    /// Weight penalties added to the gradients in [`FusedMlp::backward`] (none when zero).
    penalties: Penalties,
}

/// L1 and L2 penalties on the weights of every layer (not on the biases), as Keras'
/// `kernel_regularizer`s: the training objective is
/// `data_loss + l1 * sum |w| + l2 * sum w^2`, whose gradient adds
/// `l1 * sign(w) + 2 * l2 * w` to each weight's (`sign(0) = 0`, as `torch.sign`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Penalties {
    /// The L1 coefficient, >= 0.
    pub l1: f32,
    /// The L2 coefficient, >= 0.
    pub l2: f32,
}

impl Penalties {
    /// Whether both coefficients are 0 (training then does no extra arithmetic).
    pub fn is_zero(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    /// Adds the penalties' gradient to `grad`, the gradient of the weights `weight`:
    /// `grad += l1 * sign(w) + 2 * l2 * w`, each term only when its coefficient is not 0.
    pub fn add_gradient(&self, weight: &[f32], grad: &mut [f32]) {
        let (l1, two_l2) = (self.l1, 2.0 * self.l2);
        match (l1 != 0.0, two_l2 != 0.0) {
            (false, false) => {}
            (true, false) => {
                for (g, &w) in grad.iter_mut().zip(weight) {
                    *g += l1 * sign(w);
                }
            }
            (false, true) => {
                for (g, &w) in grad.iter_mut().zip(weight) {
                    *g += two_l2 * w;
                }
            }
            (true, true) => {
                for (g, &w) in grad.iter_mut().zip(weight) {
                    *g += l1 * sign(w) + two_l2 * w;
                }
            }
        }
    }
}

/// `torch.sign`: -1, 0 or 1 (0 for 0 and -0; NaN stays NaN).
fn sign(w: f32) -> f32 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        w
    }
}

/// Each hidden layer's dropout rate and the random stream its masks are drawn from.
#[derive(Debug, Clone)]
struct Dropout {
    rates: Vec<f32>,
    rng: ChaCha8Rng,
}

impl Dropout {
    /// Fills `mask` with `len` entries: `1 / (1 - p)` where a unit is kept, 0 where it is
    /// dropped. Units are drawn in pairs from one 64-bit draw (the first from its low 32 bits,
    /// the second from its high ones; an odd last unit from a 32-bit draw); a unit is kept
    /// when its 32 bits are at least `p * 2^32` (rounded), a probability of `1 - p` to within
    /// `2^-33`.
    fn draw(&mut self, layer: usize, len: usize, mask: &mut Vec<f32>) {
        let p = self.rates[layer];
        let threshold = (f64::from(p) * 2f64.powi(32)).round() as u64;
        let scale = 1.0 / (1.0 - p);
        mask.clear();
        mask.resize(len, 0.0);
        // Two units per 64-bit draw (low half first), without a branch on the draw.
        let keep = |bits: u32| scale * f32::from(u8::from(u64::from(bits) >= threshold));
        let (pairs, rest) = mask.as_chunks_mut::<2>();
        for pair in pairs {
            let draw = self.rng.next_u64();
            *pair = [keep(draw as u32), keep((draw >> 32) as u32)];
        }
        for m in rest {
            *m = keep(self.rng.next_u32());
        }
    }
}

#[derive(Debug, Clone)]
struct Layer {
    inputs: usize,
    outputs: usize,
    weight: Vec<f32>,
    /// `weight` transposed, `(in, out)`: the forward pass adds `x[i] * row i` to the outputs,
    /// a loop over contiguous memory without a reduction, which the compiler vectorises.
    /// Empty for a layer whose outputs go through the matrix product, which reads `weight`
    /// transposed in place.
    weight_t: Vec<f32>,
    bias: Vec<f32>,
    grad_weight: Vec<f32>,
    grad_bias: Vec<f32>,
    /// `(rows, outputs)`: activations of a hidden layer, logits of the head.
    output: Vec<f32>,
    /// `(rows, outputs)`: the activation's derivative at each pre-activation (training only),
    /// times the dropout mask.
    slope: Vec<f32>,
    /// `(rows, outputs)`: the dropout mask of the last training pass (empty: none).
    mask: Vec<f32>,
}

impl Layer {
    fn transpose(&mut self) {
        if uses_gemm(self.outputs) {
            return;
        }
        self.weight_t.resize(self.weight.len(), 0.0);
        for (o, row) in self.weight.chunks_exact(self.inputs).enumerate() {
            for (i, &w) in row.iter().enumerate() {
                self.weight_t[i * self.outputs + o] = w;
            }
        }
    }

    /// `output = input W^T + b` for `rows` rows.
    fn forward(&mut self, input: &[f32], rows: usize) {
        self.output.resize(rows * self.outputs, 0.0);
        RowSums {
            init: Some(&self.bias),
            coefs: input,
            t_stride: self.inputs,
            k_stride: 1,
            rows: if uses_gemm(self.outputs) {
                &self.weight
            } else {
                &self.weight_t
            },
            rows_transposed: uses_gemm(self.outputs),
        }
        .write_to(&mut self.output, self.outputs);
    }

    /// Sets the gradients from `delta` (`d loss / d output`, `(rows, outputs)`) and `input`.
    fn set_grads(&mut self, input: &[f32], delta: &[f32]) {
        RowSums {
            init: None,
            coefs: delta,
            t_stride: 1,
            k_stride: self.outputs,
            rows: input,
            rows_transposed: false,
        }
        .write_to(&mut self.grad_weight, self.inputs);
        self.grad_bias.fill(0.0);
        for d in delta.chunks_exact(self.outputs) {
            for (g, &d) in self.grad_bias.iter_mut().zip(d) {
                *g += d;
            }
        }
    }

    /// `below = (delta W) * slope_below`: `d loss / d z` of the layer below.
    fn propagate(&self, delta: &[f32], slope_below: &[f32], below: &mut Vec<f32>) {
        below.resize(slope_below.len(), 0.0);
        RowSums {
            init: None,
            coefs: delta,
            t_stride: self.outputs,
            k_stride: 1,
            rows: &self.weight,
            rows_transposed: false,
        }
        .write_to(below, self.inputs);
        for (b, &s) in below.iter_mut().zip(slope_below) {
            *b *= s;
        }
    }
}

impl FusedMlp {
    /// Takes the parameters of a network of the menu (as [`Weights::of`] reads them: layer by
    /// layer from the input, weight `(out, in)` then bias) and its hidden activation.
    pub fn new(weights: &Weights, activation: Activation) -> Self {
        let layers = weights
            .tensors
            .chunks_exact(2)
            .map(|pair| {
                let (weight, bias) = (&pair[0], &pair[1]);
                let (outputs, inputs) = (weight.shape[0], weight.shape[1]);
                let mut layer = Layer {
                    inputs,
                    outputs,
                    weight: weight.values.clone(),
                    weight_t: Vec::new(),
                    bias: bias.values.clone(),
                    grad_weight: vec![0.0; weight.values.len()],
                    grad_bias: vec![0.0; outputs],
                    output: Vec::new(),
                    slope: Vec::new(),
                    mask: Vec::new(),
                };
                layer.transpose();
                layer
            })
            .collect();
        Self {
            activation,
            layers,
            delta: Vec::new(),
            delta_below: Vec::new(),
            dropout: None,
            penalties: Penalties::default(),
        }
    }

    /// The same network trained with weight penalties: [`backward`](Self::backward) adds
    /// their gradient to every weight matrix's (never to the biases'). Zero penalties are the
    /// network without them, bit for bit.
    pub fn with_penalties(mut self, penalties: Penalties) -> Self {
        self.penalties = penalties;
        self
    }

    /// The same network with dropout in its training passes (`forward(x, true)`): after the
    /// activation of hidden layer `l`, each unit of each row is dropped with probability
    /// `rates[l]` and the kept ones scaled by `1 / (1 - rates[l])`, as `torch.nn.Dropout`; the
    /// masks are drawn from a ChaCha8 stream seeded with `seed`, layer by layer from the input,
    /// row by row, 32 bits per unit of a layer whose rate is above 0. Rates of 0 draw
    /// nothing: all zero is the network without dropout, bit for bit.
    ///
    /// # Panics
    /// When `rates` does not have one rate per hidden layer.
    pub fn with_dropout(mut self, rates: &[f32], seed: u64) -> Self {
        assert_eq!(
            rates.len(),
            self.layers.len() - 1,
            "one rate per hidden layer"
        );
        self.dropout = rates.iter().any(|&p| p > 0.0).then(|| Dropout {
            rates: rates.to_vec(),
            rng: ChaCha8Rng::seed_from_u64(seed),
        });
        self
    }

    /// The dropout mask of each hidden layer in the last forward pass (`(rows, width)`,
    /// entries 0 or `1 / (1 - p)`; empty for a layer without dropout, and after an evaluation
    /// pass): what
    /// [`Network::forward_masked`](crate::Network::forward_masked) takes to compute the same
    /// pass.
    pub fn dropout_masks(&self) -> Vec<Vec<f32>> {
        let hidden = &self.layers[..self.layers.len() - 1];
        hidden.iter().map(|layer| layer.mask.clone()).collect()
    }

    /// The parameters, named as `torch.nn.Sequential` names them.
    pub fn weights(&self) -> Weights {
        let tensors = self.layers.iter().enumerate().flat_map(|(l, layer)| {
            [
                NamedTensor {
                    name: tensor_name(l, "weight"),
                    shape: vec![layer.outputs, layer.inputs],
                    values: layer.weight.clone(),
                },
                NamedTensor {
                    name: tensor_name(l, "bias"),
                    shape: vec![layer.outputs],
                    values: layer.bias.clone(),
                },
            ]
        });
        Weights {
            tensors: tensors.collect(),
        }
    }

    /// Number of input features.
    pub fn inputs(&self) -> usize {
        self.layers[0].inputs
    }

    /// Number of outputs (logits per row).
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
    }

    /// The logits, `(rows, outputs)`, of `x` (`(rows, inputs)`, row-major). With `train`, keeps
    /// what [`backward`](Self::backward) needs.
    pub fn forward(&mut self, x: &[f32], train: bool) -> &[f32] {
        let rows = x.len() / self.inputs();
        let last = self.layers.len() - 1;
        for l in 0..self.layers.len() {
            let (below, rest) = self.layers.split_at_mut(l);
            let layer = &mut rest[0];
            let input = below.last().map_or(x, |b| &b.output[..]);
            layer.forward(input, rows);
            if l < last {
                let slopes = train.then(|| {
                    layer.slope.resize(layer.output.len(), 0.0);
                    &mut layer.slope[..]
                });
                self.activation.apply_in_place(&mut layer.output, slopes);
                match self.dropout.as_mut() {
                    Some(dropout) if train && dropout.rates[l] > 0.0 => {
                        dropout.draw(l, layer.output.len(), &mut layer.mask);
                        let masked = layer.output.iter_mut().zip(layer.slope.iter_mut());
                        for ((h, s), &m) in masked.zip(&layer.mask) {
                            *h *= m;
                            *s *= m;
                        }
                    }
                    _ => layer.mask.clear(),
                }
            }
        }
        &self.layers[last].output
    }

    /// Sets the gradients of every parameter from `d loss / d logits` (`(rows, outputs)`),
    /// after a training [`forward`](Self::forward) of the same `x`, plus the gradient of the
    /// weight penalties ([`with_penalties`](Self::with_penalties)) on the weights.
    pub fn backward(&mut self, x: &[f32], d_logits: &[f32]) {
        self.delta.clear();
        self.delta.extend_from_slice(d_logits);
        for l in (0..self.layers.len()).rev() {
            let (below, rest) = self.layers.split_at_mut(l);
            let layer = &mut rest[0];
            let input = below.last().map_or(x, |b| &b.output[..]);
            layer.set_grads(input, &self.delta);
            if let Some(below) = below.last() {
                layer.propagate(&self.delta, &below.slope, &mut self.delta_below);
                std::mem::swap(&mut self.delta, &mut self.delta_below);
            }
        }
        if !self.penalties.is_zero() {
            for layer in &mut self.layers {
                self.penalties
                    .add_gradient(&layer.weight, &mut layer.grad_weight);
            }
        }
    }

    /// One optimizer step from the gradients of the last [`backward`](Self::backward).
    /// Tensor `2 * l` is layer `l`'s weight and `2 * l + 1` its bias, as in
    /// [`apply_optimizer`](crate::apply_optimizer).
    pub fn step(&mut self, optimizer: &mut dyn Optimizer) {
        optimizer.begin_step();
        for (l, layer) in self.layers.iter_mut().enumerate() {
            optimizer.update(2 * l, &mut layer.weight, &layer.grad_weight);
            optimizer.update(2 * l + 1, &mut layer.bias, &layer.grad_bias);
            layer.transpose();
        }
    }

    /// The gradients of the last [`backward`](Self::backward), in parameter order.
    pub fn grads(&self) -> impl Iterator<Item = &[f32]> {
        self.layers
            .iter()
            .flat_map(|layer| [&layer.grad_weight[..], &layer.grad_bias[..]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> FusedMlp {
        let tensor = |name: &str, shape: Vec<usize>, values: Vec<f32>| NamedTensor {
            name: name.into(),
            shape,
            values,
        };
        let weights = Weights {
            tensors: vec![
                tensor("0.weight", vec![2, 2], vec![0.5, -0.25, 0.0, 1.0]),
                tensor("0.bias", vec![2], vec![0.1, -0.2]),
                tensor("2.weight", vec![1, 2], vec![-0.75, 0.0]),
                tensor("2.bias", vec![1], vec![0.3]),
            ],
        };
        FusedMlp::new(&weights, Activation::Tanh)
    }

    fn grads(mut net: FusedMlp) -> Vec<Vec<f32>> {
        let x = [1.0, -2.0, 0.5, 0.25];
        let logits = net.forward(&x, true).to_vec();
        net.backward(&x, &logits);
        net.grads().map(<[f32]>::to_vec).collect()
    }

    /// `l1 * sign(w) + 2 * l2 * w` on the weights only, `sign(0) = 0`; zero penalties change
    /// no bit.
    #[test]
    fn penalties_add_their_gradient_to_the_weights_only() {
        let plain = grads(network());
        assert_eq!(grads(network().with_penalties(Penalties::default())), plain);
        let (l1, l2) = (0.01f32, 0.1f32);
        let penalised = grads(network().with_penalties(Penalties { l1, l2 }));
        let weights = network().weights();
        for (t, ((p, g), tensor)) in penalised
            .iter()
            .zip(&plain)
            .zip(&weights.tensors)
            .enumerate()
        {
            for ((&p, &g), &w) in p.iter().zip(g).zip(&tensor.values) {
                let expected = if t % 2 == 1 {
                    g // a bias
                } else {
                    g + (l1 * w.signum() * f32::from(u8::from(w != 0.0)) + 2.0 * l2 * w)
                };
                assert_eq!(p, expected, "{}", tensor.name);
            }
        }
        assert_eq!(sign(0.0), 0.0);
        assert_eq!(sign(-0.0), 0.0);
        assert_eq!((sign(-3.0), sign(2.0)), (-1.0, 1.0));
    }
}
