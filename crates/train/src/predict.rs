use dlp_model::{Architecture, Dev, FusedMlp, Network, NetworkVisitor, Weights};
use rand::SeedableRng;

use crate::fit::Snapshot;

/// The raw outputs (`rows x outputs`, row-major) of the model `architecture` with `weights`
/// on `points` (`rows x inputs`, row-major): what decision-boundary plots are drawn from.
/// With no points it only checks that the weights fit the model.
pub fn predict(
    architecture: &Architecture,
    weights: &Weights,
    inputs: usize,
    outputs: usize,
    points: &[f32],
) -> Result<Vec<f32>, String> {
    architecture.dispatch(Predict {
        architecture,
        weights,
        inputs,
        outputs,
        points,
    })
}

struct Predict<'a> {
    architecture: &'a Architecture,
    weights: &'a Weights,
    inputs: usize,
    outputs: usize,
    points: &'a [f32],
}

impl NetworkVisitor for Predict<'_> {
    type Output = Result<Vec<f32>, String>;

    fn visit<N: Network>(self) -> Self::Output {
        let dev = Dev::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let activation = self.architecture.activation();
        let mut network = N::build(&dev, self.architecture, self.inputs, self.outputs, &mut rng);
        self.weights.load_into(&mut network)?;
        // The model's type checked the weights; the fused forward pass computes its outputs.
        let mut fused = FusedMlp::new(self.weights, activation);
        Ok(Snapshot::new(&mut fused).predict(self.points))
    }
}

#[cfg(test)]
mod tests {
    use dfdx::prelude::*;
    use dlp_model::{Activation, TwoHiddenLayers};

    use super::*;

    /// The outputs are the dfdx model's, on more points than one chunk, and weights of another
    /// shape are refused.
    #[test]
    fn predicts_what_the_model_computes() {
        let dev = Dev::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut net = TwoHiddenLayers::<8>::new(&dev, 2, 3, Activation::Tanh, &mut rng);
        let weights = Weights::of(&mut net);
        let points: Vec<f32> = (0..2 * 600)
            .map(|i| (i as f32 * 0.37).sin() * 3.0)
            .collect();
        let arch = Architecture::new(&[8, 8], Activation::Tanh).unwrap();
        let got = predict(&arch, &weights, 2, 3, &points).unwrap();
        let expected = net
            .forward(dev.tensor_from_vec(points.clone(), (600_usize, 2_usize)))
            .as_vec();
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() <= 1e-5 * e.abs().max(1.0), "{g} vs {e}");
        }
        let other = Architecture::new(&[8], Activation::Tanh).unwrap();
        assert!(predict(&other, &weights, 2, 3, &[]).is_err());
    }

    /// The same for an architecture off the menu, whose widths the weights must match.
    #[test]
    fn predicts_off_the_menu() {
        let dev = Dev::default();
        let arch = Architecture::new(&[7, 3, 9], Activation::Relu).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let mut net = dlp_model::AnyWidths::<2>::build(&dev, &arch, 2, 1, &mut rng);
        let weights = Weights::of(&mut net);
        let points: Vec<f32> = (0..2 * 300).map(|i| (i as f32 * 0.7).cos() * 2.0).collect();
        let got = predict(&arch, &weights, 2, 1, &points).unwrap();
        let expected = net
            .forward(dev.tensor_from_vec(points.clone(), (300_usize, 2_usize)))
            .as_vec();
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() <= 1e-5 * e.abs().max(1.0), "{g} vs {e}");
        }
        let other = Architecture::new(&[7, 4, 9], Activation::Relu).unwrap();
        let refused = predict(&other, &weights, 2, 1, &[]).unwrap_err();
        assert!(refused.contains("2.weight"), "{refused}");
    }
}
