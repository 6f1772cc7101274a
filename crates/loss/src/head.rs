/// What a loss expects on top of the model's linear output, which fixes the number of outputs
/// and the decision rule used for accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// One raw logit `z`; class 1 when `z > 0`. Binary data only.
    Logit,
    /// One probability `o = sigmoid(z)` (the model ends in a sigmoid); class 1 when `o > 0.5`.
    /// Binary data only.
    Sigmoid,
    /// k logits, read through a softmax; the class is the arg-max.
    Softmax,
}

impl Head {
    /// Number of model outputs for data with `classes` classes, or `None` when this head
    /// cannot serve them (a binary head on more than two classes).
    pub fn outputs(self, classes: usize) -> Option<usize> {
        match self {
            Head::Logit | Head::Sigmoid => (classes == 2).then_some(1),
            Head::Softmax => Some(classes),
        }
    }

    /// The predicted class of one row of outputs.
    pub fn predict(self, outputs: &[f32]) -> u32 {
        match self {
            Head::Logit => u32::from(outputs[0] > 0.0),
            Head::Sigmoid => u32::from(sigmoid(outputs[0]) > 0.5),
            Head::Softmax => {
                let mut best = 0;
                for (i, &v) in outputs.iter().enumerate() {
                    if v > outputs[best] {
                        best = i;
                    }
                }
                best as u32
            }
        }
    }

    /// The probability of class 1 for a one-output head (for the sigmoid head the model's
    /// output; for the logit head `sigmoid(z)`, a score for plots), or of the predicted class
    /// for the softmax head.
    pub fn confidence(self, outputs: &[f32]) -> f32 {
        match self {
            Head::Logit | Head::Sigmoid => sigmoid(outputs[0]),
            Head::Softmax => {
                let max = outputs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let total: f32 = outputs.iter().map(|v| (v - max).exp()).sum();
                1.0 / total
            }
        }
    }

    /// What a decision-boundary plot shows at a point: the predicted class and, for two
    /// classes, the probability of class 1 (else the probability of the predicted class).
    pub fn class_and_probability(self, outputs: &[f32], classes: usize) -> (u32, f64) {
        let (class, confidence) = (self.predict(outputs), f64::from(self.confidence(outputs)));
        // One-output heads give P(class 1) already; a two-way softmax gives P(its class).
        let p = if outputs.len() == 1 || classes != 2 || class == 1 {
            confidence
        } else {
            1.0 - confidence
        };
        (class, p)
    }

    /// The name shown in listings.
    pub fn name(self) -> &'static str {
        match self {
            Head::Logit => "logit",
            Head::Sigmoid => "sigmoid",
            Head::Softmax => "softmax",
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_rules() {
        assert_eq!(Head::Logit.predict(&[0.1]), 1);
        assert_eq!(Head::Logit.predict(&[0.0]), 0);
        assert_eq!(Head::Sigmoid.predict(&[-0.1]), 0);
        assert_eq!(Head::Softmax.predict(&[0.1, 2.0, -1.0]), 1);
        assert_eq!(Head::Logit.outputs(3), None);
        assert_eq!(Head::Softmax.outputs(3), Some(3));
    }
}
