use dfdx::prelude::*;
use dlp_data::Dataset;
use dlp_loss::LossEntry;
use dlp_model::{Dev, Network};

/// Rows per forward pass when evaluating, to bound memory on large datasets.
const CHUNK: usize = 4096;

/// Mean loss and accuracy of `network` on `data`, without a tape.
pub(crate) fn evaluate<N: Network>(
    dev: &Dev,
    network: &N,
    loss: &LossEntry,
    outputs: usize,
    data: &Dataset,
) -> (f64, f64) {
    let mut loss_sum = 0.0;
    let mut correct = 0usize;
    let rows: Vec<usize> = (0..data.len()).collect();
    let (mut features, mut labels) = (Vec::new(), Vec::new());
    for chunk in rows.chunks(CHUNK) {
        data.gather(chunk, &mut features, &mut labels);
        let x = dev.tensor_from_vec(features.clone(), (chunk.len(), data.n_features));
        let y = dev.tensor_from_vec(targets(&labels, outputs), (chunk.len(), outputs));
        let z = network.forward(x);
        let values = z.as_vec();
        loss_sum += f64::from((loss.eval)(z, y).array()) * chunk.len() as f64;
        correct += values
            .chunks_exact(outputs)
            .zip(&labels)
            .filter(|(row, label)| loss.head.predict(row) == **label)
            .count();
    }
    let n = data.len() as f64;
    (loss_sum / n, correct as f64 / n)
}

/// Targets shaped as the outputs: the 0/1 label for one output, one-hot rows for k outputs.
pub(crate) fn targets(labels: &[u32], outputs: usize) -> Vec<f32> {
    if outputs == 1 {
        return labels.iter().map(|&l| l as f32).collect();
    }
    let mut out = vec![0.0; labels.len() * outputs];
    for (row, &label) in out.chunks_exact_mut(outputs).zip(labels) {
        row[label as usize] = 1.0;
    }
    out
}
