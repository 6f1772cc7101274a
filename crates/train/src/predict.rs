use dfdx::prelude::*;
use dlp_model::{Architecture, Dev, Network, NetworkVisitor, Weights};
use rand::SeedableRng;

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
        let mut network = N::new(&dev, self.inputs, self.outputs, activation, &mut rng);
        self.weights.load_into(&mut network)?;
        let rows = self.points.len() / self.inputs;
        if rows == 0 {
            return Ok(Vec::new());
        }
        let x = dev.tensor_from_vec(self.points.to_vec(), (rows, self.inputs));
        Ok(network.forward(x).as_vec())
    }
}
