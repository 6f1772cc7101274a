//! The closed menu of model types, and the run-time dispatch onto them.

use crate::activation::Activation;
use crate::error::ModelError;
use crate::network::{
    FourHiddenLayers, Linear0, Network, OneHiddenLayer, ThreeHiddenLayers, TwoHiddenLayers,
};

/// Deepest network of the menu, in hidden layers.
pub const MAX_DEPTH: usize = 4;

/// Runs generic code on the concrete model type an [`Architecture`] names.
pub trait NetworkVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the model type `N` chosen at run time.
    fn visit<N: Network>(self) -> Self::Output;
}

/// A validated architecture: its hidden layers are all one width of [`WIDTHS`] and there are
/// at most [`MAX_DEPTH`] of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Architecture {
    depth: usize,
    width: usize,
    activation: Activation,
}

impl Architecture {
    /// Checks `hidden` (one width per hidden layer) against the menu.
    pub fn new(hidden: &[usize], activation: Activation) -> Result<Self, ModelError> {
        let refuse = |reason: String| ModelError::NotInMenu {
            hidden: hidden.to_vec(),
            reason,
        };
        if hidden.len() > MAX_DEPTH {
            return Err(refuse(format!(
                "{} hidden layers; the menu has 0 to {MAX_DEPTH}",
                hidden.len()
            )));
        }
        let width = hidden.first().copied().unwrap_or(0);
        if hidden.iter().any(|&w| w != width) {
            return Err(refuse(
                "hidden layers of different widths; the menu has uniform widths".into(),
            ));
        }
        if !hidden.is_empty() && !WIDTHS.contains(&width) {
            return Err(refuse(format!(
                "width {width} is not in the menu; pick a listed width, or add {width} to the \
                 `with_menu_widths!` list in crates/model/src/lib.rs and rebuild dlp"
            )));
        }
        Ok(Self {
            depth: hidden.len(),
            width,
            activation,
        })
    }

    /// Number of hidden layers.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Width of every hidden layer (0 without hidden layers).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The hidden layers' activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// One width per hidden layer.
    pub fn hidden(&self) -> Vec<usize> {
        vec![self.width; self.depth]
    }

    /// Number of parameters for `inputs` features and `outputs` logits.
    pub fn parameter_count(&self, inputs: usize, outputs: usize) -> usize {
        let mut sizes = vec![inputs];
        sizes.extend(self.hidden());
        sizes.push(outputs);
        sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    /// Runs `visitor` on this architecture's concrete model type.
    pub fn dispatch<V: NetworkVisitor>(&self, visitor: V) -> V::Output {
        dispatch_menu(self.depth, self.width, visitor)
    }
}

/// Generates the menu: one arm per (depth, width), so each entry is a concrete type.
macro_rules! menu {
    ($($width:literal),* $(,)?) => {
        /// Hidden-layer widths of the menu, ascending.
        pub const WIDTHS: &[usize] = &[$($width),*];

        fn dispatch_menu<V: NetworkVisitor>(depth: usize, width: usize, visitor: V) -> V::Output {
            match (depth, width) {
                (0, _) => visitor.visit::<Linear0>(),
                $(
                    (1, $width) => visitor.visit::<OneHiddenLayer<$width>>(),
                    (2, $width) => visitor.visit::<TwoHiddenLayers<$width>>(),
                    (3, $width) => visitor.visit::<ThreeHiddenLayers<$width>>(),
                    (4, $width) => visitor.visit::<FourHiddenLayers<$width>>(),
                )*
                _ => unreachable!("Architecture::new admits only menu entries"),
            }
        }
    };
}

with_menu_widths!(menu);

/// A human-readable description of the menu, for `dlp list models` and error messages.
pub fn describe_menu() -> String {
    let widths: Vec<String> = WIDTHS.iter().map(|w| w.to_string()).collect();
    let activations: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
    format!(
        "depth 0 to {MAX_DEPTH} hidden layers of one width in {{{}}}; activations {}; \
         any number of inputs and outputs (1 logit for binary losses, k for k classes)",
        widths.join(", "),
        activations.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_menu_entry_and_refuses_the_rest() {
        for depth in 0..=MAX_DEPTH {
            for &w in WIDTHS {
                assert!(Architecture::new(&vec![w; depth], Activation::Relu).is_ok());
            }
        }
        assert!(Architecture::new(&[7], Activation::Relu).is_err());
        assert!(Architecture::new(&[20, 10], Activation::Relu).is_err());
        assert!(Architecture::new(&[20; 5], Activation::Relu).is_err());
    }

    #[test]
    fn counts_parameters_like_torch() {
        // 2-20-20-1: (2*20+20) + (20*20+20) + (20*1+1) = 60 + 420 + 21
        let arch = Architecture::new(&[20, 20], Activation::Relu).unwrap();
        assert_eq!(arch.parameter_count(2, 1), 501);
    }
}
