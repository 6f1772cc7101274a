use std::collections::HashMap;
use std::path::Path;

use ::safetensors::tensor::{Dtype as StDtype, SafeTensors, TensorView};
use dfdx::prelude::{Dim, HasShape, Shape, Tensor};

use crate::dense::{Dense, Dev};
use crate::error::ModelError;
use crate::network::{LayerVisitor, Network};

/// One named parameter tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// `torch.nn.Sequential` naming: linear layer `l` is module `2 * l` (activations sit
    /// between), so `"0.weight"`, `"0.bias"`, `"2.weight"`, ...
    pub name: String,
    /// Dimensions, PyTorch's layout (`weight` is `[out, in]`).
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f32>,
}

/// A model's parameters, detached from its type: what is saved, loaded and reported.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Weights {
    /// Tensors in visit order (layer by layer, weight then bias).
    pub tensors: Vec<NamedTensor>,
}

impl Weights {
    /// Copies the parameters out of `network`.
    pub fn of<N: Network>(network: &mut N) -> Self {
        let mut out = Weights::default();
        network.visit_layers(&mut Reader(&mut out));
        out
    }

    /// Copies these parameters into `network`, checking every name and shape.
    pub fn load_into<N: Network>(&self, network: &mut N) -> Result<(), String> {
        let mut writer = Writer {
            weights: self,
            next: 0,
            error: None,
        };
        network.visit_layers(&mut writer);
        if let Some(error) = writer.error {
            return Err(error);
        }
        if writer.next != self.tensors.len() {
            return Err(format!(
                "the file has {} tensors, the model {}",
                self.tensors.len(),
                writer.next
            ));
        }
        Ok(())
    }

    /// Writes the tensors as safetensors (f32, little-endian), with `metadata` (the model
    /// description) in the file's `__metadata__`.
    pub fn save(&self, path: &Path, metadata: HashMap<String, String>) -> Result<(), ModelError> {
        let io = |message: String| ModelError::WeightsIo {
            action: "write",
            path: path.into(),
            message,
        };
        let bytes: Vec<Vec<u8>> = self
            .tensors
            .iter()
            .map(|t| t.values.iter().flat_map(|v| v.to_le_bytes()).collect())
            .collect();
        let views = self
            .tensors
            .iter()
            .zip(&bytes)
            .map(|(t, b)| {
                TensorView::new(StDtype::F32, t.shape.clone(), b)
                    .map(|view| (t.name.clone(), view))
                    .map_err(|e| io(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let data =
            ::safetensors::serialize(views, &Some(metadata)).map_err(|e| io(e.to_string()))?;
        // Through a sibling and a rename, so that a crash never leaves a truncated file.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, data)
            .and_then(|()| std::fs::rename(&partial, path))
            .map_err(|e| io(e.to_string()))
    }

    /// Reads a safetensors file of f32 tensors, in the order `torch.nn.Sequential` names them.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let io = |message: String| ModelError::WeightsIo {
            action: "read",
            path: path.into(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
        let file = SafeTensors::deserialize(&bytes).map_err(|e| io(e.to_string()))?;
        let mut tensors = Vec::new();
        for (name, view) in file.tensors() {
            if view.dtype() != StDtype::F32 {
                return Err(io(format!(
                    "tensor `{name}` is {:?}, expected F32",
                    view.dtype()
                )));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            tensors.push(NamedTensor {
                name,
                shape: view.shape().to_vec(),
                values,
            });
        }
        tensors.sort_by_key(|t| sequential_order(&t.name));
        Ok(Self { tensors })
    }
}

/// Sort key for `"<module>.<weight|bias>"`: module index, then weight before bias.
fn sequential_order(name: &str) -> (usize, u8, String) {
    let (module, field) = name.split_once('.').unwrap_or((name, ""));
    let index = module.parse().unwrap_or(usize::MAX);
    (index, u8::from(field != "weight"), name.to_string())
}

pub(crate) fn tensor_name(layer: usize, field: &str) -> String {
    format!("{}.{field}", 2 * layer)
}

struct Reader<'a>(&'a mut Weights);

impl Reader<'_> {
    fn read<S: Shape>(&mut self, name: String, t: &Tensor<S, f32, Dev>) {
        let shape = t.shape().concrete().into_iter().collect();
        self.0.tensors.push(NamedTensor {
            name,
            shape,
            values: t.as_vec(),
        });
    }
}

impl LayerVisitor for Reader<'_> {
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>) {
        self.read(tensor_name(index, "weight"), &layer.weight);
        self.read(tensor_name(index, "bias"), &layer.bias);
    }
}

struct Writer<'a> {
    weights: &'a Weights,
    next: usize,
    error: Option<String>,
}

impl Writer<'_> {
    fn write<S: Shape>(&mut self, name: String, t: &mut Tensor<S, f32, Dev>) {
        let position = self.next;
        self.next += 1;
        if self.error.is_some() {
            return;
        }
        let expected: Vec<usize> = t.shape().concrete().into_iter().collect();
        self.error = match self.weights.tensors.get(position) {
            None => Some(format!("tensor `{name}` is missing")),
            Some(found) if found.name != name => {
                Some(format!("expected tensor `{name}`, found `{}`", found.name))
            }
            Some(found) if found.shape != expected => Some(format!(
                "tensor `{name}` has shape {:?}, the model needs {expected:?}",
                found.shape
            )),
            Some(found) => {
                t.copy_from(&found.values);
                None
            }
        };
    }
}

impl LayerVisitor for Writer<'_> {
    fn visit<I: Dim, O: Dim>(&mut self, index: usize, layer: &mut Dense<I, O>) {
        self.write(tensor_name(index, "weight"), &mut layer.weight);
        self.write(tensor_name(index, "bias"), &mut layer.bias);
    }
}
