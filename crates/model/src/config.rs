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
        }
    }
}

impl ModelConfig {
    /// The menu entry this configuration names, or why there is none.
    pub fn architecture(&self) -> Result<Architecture, ModelError> {
        Architecture::new(&self.hidden, self.activation)
    }
}
