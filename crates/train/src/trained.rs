use dlp_data::Dataset;

use crate::{EpochMetrics, Trained, predict};

impl Trained {
    /// The metrics of the weights kept: the restored epoch's row with early stopping (the
    /// weights give exactly these numbers again), otherwise the last epoch's.
    pub fn final_metrics(&self) -> &EpochMetrics {
        let last = self.epochs.last().expect("epoch 0 is always measured");
        self.restored_epoch
            .and_then(|epoch| self.epochs.iter().find(|m| m.epoch == epoch))
            .unwrap_or(last)
    }

    /// The last epoch trained (0 when none was).
    pub fn stopped_epoch(&self) -> usize {
        self.epochs.last().map_or(0, |m| m.epoch)
    }

    /// The model's raw outputs (`rows x outputs`, row-major) on `points` (`rows x inputs`,
    /// row-major, like [`Dataset::features`]).
    ///
    /// # Panics
    /// When `points` is not a whole number of rows of [`Trained::inputs`] features.
    pub fn predict(&self, points: &[f32]) -> Vec<f32> {
        assert!(
            points.len().is_multiple_of(self.inputs),
            "{} values are not rows of {} features",
            points.len(),
            self.inputs
        );
        predict(
            &self.architecture,
            &self.weights,
            self.inputs,
            self.outputs,
            points,
        )
        .expect("a trained model's weights fit its architecture")
    }

    /// The class of each row of `points`, by the loss's decision rule ([`Trained::head`]).
    pub fn classify(&self, points: &[f32]) -> Vec<u32> {
        self.predict(points)
            .chunks_exact(self.outputs)
            .map(|row| self.head.predict(row))
            .collect()
    }

    /// The fraction of `data`'s rows classified as labelled.
    pub fn accuracy(&self, data: &Dataset) -> f64 {
        let classes = self.classify(&data.features);
        let correct = classes
            .iter()
            .zip(&data.labels)
            .filter(|(c, l)| c == l)
            .count();
        correct as f64 / data.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use dlp_data::{DataConfig, load};

    use crate::{TrainSpec, train};

    /// The trained model scores what training measured after its last epoch, and its classes
    /// are the head's reading of its outputs.
    #[test]
    fn the_trained_model_scores_what_training_measured() {
        let split = load(&DataConfig::default(), 1, ".".as_ref()).unwrap();
        let trained = train(
            TrainSpec {
                epochs: 2,
                ..TrainSpec::new(&split)
            },
            &mut |_| {},
        )
        .unwrap();
        let last = trained.epochs.last().unwrap();
        assert_eq!(trained.accuracy(&split.train), last.train_acc);
        assert_eq!(trained.accuracy(&split.test), last.test_acc);
        let outputs = trained.predict(split.test.row(0));
        assert_eq!(outputs.len(), 1);
        assert_eq!(
            trained.classify(split.test.row(0)),
            [trained.head.predict(&outputs)]
        );
    }
}
