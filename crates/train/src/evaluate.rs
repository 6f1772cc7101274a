use dlp_data::Dataset;
use dlp_model::FusedMlp;

use crate::loss::Loss;

/// Rows per forward pass when evaluating: the activations of a chunk stay in the cache.
pub(crate) const CHUNK: usize = 256;

/// A dataset with its targets shaped as the model's outputs, made once per run.
pub(crate) struct Labelled<'a> {
    pub(crate) data: &'a Dataset,
    /// `(rows, outputs)`, row-major.
    pub(crate) targets: Vec<f32>,
    outputs: usize,
}

impl<'a> Labelled<'a> {
    pub(crate) fn new(data: &'a Dataset, outputs: usize) -> Self {
        Self {
            data,
            targets: targets(&data.labels, outputs),
            outputs,
        }
    }

    /// Sets `out` to the targets of `rows`.
    pub(crate) fn gather_targets(&self, rows: &[usize], out: &mut Vec<f32>) {
        out.clear();
        for &row in rows {
            out.extend_from_slice(&self.targets[row * self.outputs..(row + 1) * self.outputs]);
        }
    }
}

/// Mean loss and accuracy of `network` on `set`; `logits` is scratch space.
pub(crate) fn evaluate(
    network: &mut FusedMlp,
    loss: &Loss,
    set: &Labelled<'_>,
    logits: &mut Vec<f32>,
) -> (f64, f64) {
    let data = set.data;
    logits.clear();
    for rows in data.features.chunks(CHUNK * data.n_features) {
        logits.extend_from_slice(network.forward(rows, false));
    }
    let head = loss.head();
    let correct = logits
        .chunks_exact(network.outputs())
        .zip(&data.labels)
        .filter(|(row, label)| head.predict(row) == **label)
        .count();
    (
        loss.value(logits, &set.targets),
        correct as f64 / data.len() as f64,
    )
}

/// Targets shaped as the outputs: the 0/1 label for one output, one-hot rows for k outputs.
fn targets(labels: &[u32], outputs: usize) -> Vec<f32> {
    if outputs == 1 {
        return labels.iter().map(|&l| l as f32).collect();
    }
    let mut out = vec![0.0; labels.len() * outputs];
    for (row, &label) in out.chunks_exact_mut(outputs).zip(labels) {
        row[label as usize] = 1.0;
    }
    out
}
