/// A labelled dataset held in memory: `n` rows of `n_features` `f32` features, row-major,
/// and one class label in `0..n_classes` per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Row-major features, `len() * n_features` values.
    pub features: Vec<f32>,
    /// One label per row, each `< n_classes`.
    pub labels: Vec<u32>,
    /// Number of feature columns.
    pub n_features: usize,
    /// Number of classes (at least 2).
    pub n_classes: usize,
}

impl Dataset {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The features of row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// Copies the rows `indices` into `features` (row-major) and their labels into `labels`,
    /// clearing both first; reusing the buffers avoids an allocation per batch.
    pub fn gather(&self, indices: &[usize], features: &mut Vec<f32>, labels: &mut Vec<u32>) {
        features.clear();
        labels.clear();
        for &i in indices {
            features.extend_from_slice(self.row(i));
            labels.push(self.labels[i]);
        }
    }
}

/// A training set and a test set drawn independently, and a validation set carved from the
/// training rows when `[data] validation_fraction` asks for one.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Data the model is fitted on.
    pub train: Dataset,
    /// Held-out data for evaluation.
    pub test: Dataset,
    /// Rows taken out of the training set before training, measured after every epoch
    /// (validation metrics, early stopping); `None` without `validation_fraction`.
    pub validation: Option<Dataset>,
}

#[cfg(test)]
impl Dataset {
    /// Rows of `n_features` values, every one labelled 0 of two classes: for tests of what
    /// is done to the features.
    pub(crate) fn of_features(features: Vec<f32>, n_features: usize) -> Self {
        let n = features.len() / n_features;
        Dataset {
            features,
            labels: vec![0; n],
            n_features,
            n_classes: 2,
        }
    }
}
