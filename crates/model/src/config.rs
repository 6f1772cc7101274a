use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::ModelError;
use crate::menu::Architecture;

/// The `[model]` table of an experiment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// One width per hidden layer; `[]` is a linear model. Defaults to `[10]` (the TP1 exercise).
    #[serde(default = "default_hidden")]
    pub hidden: Vec<usize>,
    /// Activation after each hidden layer. Defaults to `"relu"`.
    #[serde(default)]
    pub activation: Activation,
    /// Where the starting weights come from. Defaults to `"torch"`.
    #[serde(default)]
    pub init: Init,
    /// The safetensors file to start from when `init = "file"`, relative to the experiment file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<PathBuf>,
    /// Dropout after each hidden layer's activation: one rate for every hidden layer, or one
    /// per hidden layer; each `0 <= p < 1`. Defaults to `0` (none). Left out of the serialised
    /// configuration when zero, so that runs without dropout keep their ids.
    #[serde(default, skip_serializing_if = "Dropout::is_zero")]
    pub dropout: Dropout,
}

/// The `dropout` key: one rate for every hidden layer, or one per hidden layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Dropout {
    /// The same rate after every hidden layer.
    Rate(f64),
    /// One rate per hidden layer, from the input.
    PerLayer(Vec<f64>),
}

impl Default for Dropout {
    fn default() -> Self {
        Dropout::Rate(0.0)
    }
}

impl Dropout {
    /// Whether no layer drops anything.
    pub fn is_zero(&self) -> bool {
        match self {
            Dropout::Rate(p) => *p == 0.0,
            Dropout::PerLayer(rates) => rates.iter().all(|&p| p == 0.0),
        }
    }

    /// One rate per hidden layer of a network of `depth` hidden layers, checked.
    pub fn per_layer(&self, depth: usize) -> Result<Vec<f32>, ModelError> {
        let refuse = |reason: String| ModelError::BadDropout {
            dropout: self.clone(),
            reason,
        };
        let rates = match self {
            Dropout::Rate(p) => vec![*p; depth],
            Dropout::PerLayer(rates) if rates.len() == depth => rates.clone(),
            Dropout::PerLayer(rates) => {
                return Err(refuse(format!(
                    "{} rates for {depth} hidden layers; give one rate, or one per hidden layer",
                    rates.len()
                )));
            }
        };
        if let Some(p) = rates.iter().find(|p| !(0.0..1.0).contains(*p)) {
            return Err(refuse(format!(
                "rate {p} is out of range; each rate must be 0 <= p < 1"
            )));
        }
        Ok(rates.iter().map(|&p| p as f32).collect())
    }
}

impl<'de> Deserialize<'de> for Dropout {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Dropout;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a dropout rate (0 <= p < 1) or a list of rates, one per hidden layer")
            }
            fn visit_f64<E: serde::de::Error>(self, p: f64) -> Result<Dropout, E> {
                Ok(Dropout::Rate(p))
            }
            fn visit_i64<E: serde::de::Error>(self, p: i64) -> Result<Dropout, E> {
                Ok(Dropout::Rate(p as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, p: u64) -> Result<Dropout, E> {
                Ok(Dropout::Rate(p as f64))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Dropout, A::Error> {
                let mut rates = Vec::new();
                while let Some(p) = seq.next_element::<Rate>()? {
                    rates.push(p.0);
                }
                Ok(Dropout::PerLayer(rates))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `dropout` as written in TOML.
pub(crate) fn dropout_text(dropout: &Dropout) -> String {
    match dropout {
        Dropout::Rate(p) => p.to_string(),
        Dropout::PerLayer(rates) => format!("{rates:?}"),
    }
}

/// One rate of a list, integer or float.
struct Rate(f64);

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Dropout::deserialize(deserializer)? {
            Dropout::Rate(p) => Ok(Rate(p)),
            Dropout::PerLayer(_) => Err(serde::de::Error::custom(
                "a dropout rate (0 <= p < 1), not a list",
            )),
        }
    }
}

/// How a model's parameters start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// `torch.nn.Linear`'s default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), seeded by the run.
    #[default]
    Torch,
    /// Read from the safetensors file named by `weights`.
    File,
}

fn default_hidden() -> Vec<usize> {
    vec![10]
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            hidden: default_hidden(),
            activation: Activation::default(),
            init: Init::default(),
            weights: None,
            dropout: Dropout::default(),
        }
    }
}

impl ModelConfig {
    /// The architecture this configuration names (with its dropout), or why it is refused.
    pub fn architecture(&self) -> Result<Architecture, ModelError> {
        let architecture = Architecture::new(&self.hidden, self.activation)?;
        architecture.with_dropout(&self.dropout.per_layer(self.hidden.len())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Result<ModelConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn dropout_is_one_rate_or_one_per_layer() {
        let config = model("hidden = [4, 3]\ndropout = 0.5").unwrap();
        assert_eq!(config.architecture().unwrap().dropout(), [0.5, 0.5]);
        let config = model("hidden = [4, 3]\ndropout = [0.25, 0]").unwrap();
        assert_eq!(config.architecture().unwrap().dropout(), [0.25, 0.0]);
        let config = model("hidden = [4, 3]").unwrap();
        assert_eq!(config.architecture().unwrap().dropout(), [0.0, 0.0]);
        assert!(model("dropout = \"half\"").is_err());
        assert!(model("dropout = [[0.5]]").is_err());
    }

    #[test]
    fn bad_dropout_says_what_is_allowed() {
        let refused = |text: &str| model(text).unwrap().architecture().unwrap_err().to_string();
        assert!(refused("hidden = [4]\ndropout = 1.0").contains("each rate must be 0 <= p < 1"));
        assert!(refused("hidden = [4]\ndropout = -0.1").contains("each rate must be 0 <= p < 1"));
        assert!(
            refused("hidden = [4, 4]\ndropout = [0.5]")
                .contains("1 rates for 2 hidden layers; give one rate, or one per hidden layer")
        );
    }

    /// Without dropout the serialised configuration is what it was before the key existed, so
    /// that run ids do not change.
    #[test]
    fn zero_dropout_is_not_serialised() {
        let text = toml::to_string(&ModelConfig::default()).unwrap();
        assert!(!text.contains("dropout"), "{text}");
        let config = model("dropout = 0.5").unwrap();
        assert!(toml::to_string(&config).unwrap().contains("dropout = 0.5"));
    }
}
