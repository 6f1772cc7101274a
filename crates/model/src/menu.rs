//! The closed menu of model types, and the run-time dispatch onto them.

use crate::activation::Activation;
use crate::error::ModelError;
use crate::network::{
    AnyWidths, FourHiddenLayers, Linear0, Network, OneHiddenLayer, ThreeHiddenLayers,
    TwoHiddenLayers,
};

/// Deepest network accepted, in hidden layers.
pub const MAX_DEPTH: usize = 8;

/// Widest hidden layer accepted, in units.
pub const MAX_WIDTH: usize = 1024;

/// Deepest network of the menu of concrete types ([`Mlp`](crate::Mlp)), in hidden layers;
/// deeper ones are [`AnyWidths`].
pub const MENU_DEPTH: usize = 4;

/// Runs generic code on the concrete model type an [`Architecture`] names.
pub trait NetworkVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the model type `N` chosen at run time; `N::build` makes it.
    fn visit<N: Network>(self) -> Self::Output;
}

/// A validated architecture: 0 to [`MAX_DEPTH`] hidden layers of 1 to [`MAX_WIDTH`] units
/// each, their activation and their dropout rates. It is `Copy` (the widths and rates sit in
/// fixed arrays).
///
/// Uniform widths of [`WIDTHS`], up to [`MENU_DEPTH`] layers, are served by the menu's concrete
/// types ([`Mlp<WIDTH, EXTRA_LAYERS>`](crate::Mlp)); every other list by the type of its depth
/// with run-time widths ([`AnyWidths<EXTRA_LAYERS>`]). Both train through the same
/// [`FusedMlp`](crate::FusedMlp), at the same speed for the same size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Architecture {
    depth: usize,
    widths: [usize; MAX_DEPTH],
    activation: Activation,
    dropout: [f32; MAX_DEPTH],
}

impl Architecture {
    /// Checks `hidden` (one width per hidden layer): at most [`MAX_DEPTH`] of them, each 1 to
    /// [`MAX_WIDTH`].
    pub fn new(hidden: &[usize], activation: Activation) -> Result<Self, ModelError> {
        let refuse = |reason: String| ModelError::BadArchitecture {
            hidden: hidden.to_vec(),
            reason,
        };
        if hidden.len() > MAX_DEPTH {
            return Err(refuse(format!(
                "{} hidden layers; the depth must be 0 to {MAX_DEPTH}",
                hidden.len()
            )));
        }
        if let Some((layer, &width)) = hidden
            .iter()
            .enumerate()
            .find(|&(_, &w)| !(1..=MAX_WIDTH).contains(&w))
        {
            return Err(refuse(format!(
                "hidden layer {} has {width} units; each width must be 1 to {MAX_WIDTH}",
                layer + 1
            )));
        }
        let mut widths = [0; MAX_DEPTH];
        widths[..hidden.len()].copy_from_slice(hidden);
        Ok(Self {
            depth: hidden.len(),
            widths,
            activation,
            dropout: [0.0; MAX_DEPTH],
        })
    }

    /// The same architecture with dropout after the activation of each hidden layer, at
    /// `rates` (one per hidden layer, each `0 <= p < 1`): `torch.nn.Dropout(p)` after each
    /// activation. Training only; evaluation and predictions never drop.
    pub fn with_dropout(self, rates: &[f32]) -> Result<Self, ModelError> {
        let refuse = |reason: String| ModelError::BadDropout {
            dropout: crate::config::Dropout::PerLayer(
                rates.iter().map(|&p| f64::from(p)).collect(),
            ),
            reason,
        };
        if rates.len() != self.depth {
            return Err(refuse(format!(
                "{} rates for {} hidden layers; give one rate per hidden layer",
                rates.len(),
                self.depth
            )));
        }
        if let Some(p) = rates.iter().find(|p| !(0.0..1.0).contains(*p)) {
            return Err(refuse(format!(
                "rate {p} is out of range; each rate must be 0 <= p < 1"
            )));
        }
        let mut dropout = [0.0; MAX_DEPTH];
        dropout[..rates.len()].copy_from_slice(rates);
        Ok(Self { dropout, ..self })
    }

    /// The dropout rate after each hidden layer, from the input (0: none).
    pub fn dropout(&self) -> &[f32] {
        &self.dropout[..self.depth]
    }

    /// Number of hidden layers.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The width of each hidden layer, from the input.
    pub fn widths(&self) -> &[usize] {
        &self.widths[..self.depth]
    }

    /// The hidden layers' activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// One width per hidden layer, from the input.
    pub fn hidden(&self) -> Vec<usize> {
        self.widths().to_vec()
    }

    /// The menu width this architecture uses for all its layers, if it is a menu entry (a
    /// concrete [`Mlp`](crate::Mlp) type, or [`Linear0`]: `Some(0)`).
    pub fn menu_width(&self) -> Option<usize> {
        let widths = self.widths();
        let width = widths.first().copied().unwrap_or(0);
        let on_menu = widths.is_empty()
            || (widths.len() <= MENU_DEPTH
                && widths.iter().all(|&w| w == width)
                && WIDTHS.contains(&width));
        on_menu.then_some(width)
    }

    /// Number of parameters for `inputs` features and `outputs` logits.
    pub fn parameter_count(&self, inputs: usize, outputs: usize) -> usize {
        let mut sizes = vec![inputs];
        sizes.extend(self.widths());
        sizes.push(outputs);
        sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    /// Runs `visitor` on this architecture's concrete model type.
    pub fn dispatch<V: NetworkVisitor>(&self, visitor: V) -> V::Output {
        match self.menu_width() {
            Some(width) => dispatch_menu(self.depth, width, visitor),
            None => dispatch_any_widths(self.depth, visitor),
        }
    }
}

/// The type of each depth with run-time widths.
fn dispatch_any_widths<V: NetworkVisitor>(depth: usize, visitor: V) -> V::Output {
    match depth {
        0 => visitor.visit::<Linear0>(),
        1 => visitor.visit::<AnyWidths<0>>(),
        2 => visitor.visit::<AnyWidths<1>>(),
        3 => visitor.visit::<AnyWidths<2>>(),
        4 => visitor.visit::<AnyWidths<3>>(),
        5 => visitor.visit::<AnyWidths<4>>(),
        6 => visitor.visit::<AnyWidths<5>>(),
        7 => visitor.visit::<AnyWidths<6>>(),
        8 => visitor.visit::<AnyWidths<7>>(),
        _ => unreachable!("Architecture::new admits at most {MAX_DEPTH} hidden layers"),
    }
}

/// Generates the menu: one arm per (depth, width), so each entry is a concrete type.
/// Menu widths of kernels in `RowSums` and types here are one list.
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
                _ => unreachable!("Architecture::menu_width admits only menu entries"),
            }
        }
    };
}

with_menu_widths!(menu);

/// A human-readable description of the architectures accepted, for `dlp list models` and
/// error messages.
pub fn describe_menu() -> String {
    let widths: Vec<String> = WIDTHS.iter().map(|w| w.to_string()).collect();
    let activations: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
    format!(
        "0 to {MAX_DEPTH} hidden layers of 1 to {MAX_WIDTH} units each, any mix of widths; \
         activations {}; any number of inputs and outputs (1 logit for binary losses, k for k \
         classes); uniform widths in {{{}}} up to {MENU_DEPTH} layers are precompiled types",
        activations.join(", "),
        widths.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_widths_in_range_and_names_the_menu_entries() {
        for depth in 0..=MENU_DEPTH {
            for &w in WIDTHS {
                let arch = Architecture::new(&vec![w; depth], Activation::Relu).unwrap();
                assert_eq!(arch.menu_width(), Some(if depth == 0 { 0 } else { w }));
            }
        }
        for hidden in [&[7][..], &[20, 10], &[20; 5], &[1024; 8], &[1, 1024, 3]] {
            let arch = Architecture::new(hidden, Activation::Relu).unwrap();
            assert_eq!(arch.widths(), hidden);
            assert_eq!(arch.menu_width(), None, "{hidden:?}");
        }
    }

    #[test]
    fn refuses_with_the_allowed_range() {
        let message = |hidden: &[usize]| {
            Architecture::new(hidden, Activation::Relu)
                .unwrap_err()
                .to_string()
        };
        assert!(message(&[20; 9]).contains("9 hidden layers; the depth must be 0 to 8"));
        assert!(
            message(&[20, 0]).contains("hidden layer 2 has 0 units; each width must be 1 to 1024")
        );
        assert!(
            message(&[1025])
                .contains("hidden layer 1 has 1025 units; each width must be 1 to 1024")
        );
    }

    #[test]
    fn counts_parameters_like_torch() {
        // 2-20-20-1: (2*20+20) + (20*20+20) + (20*1+1) = 60 + 420 + 21
        let arch = Architecture::new(&[20, 20], Activation::Relu).unwrap();
        assert_eq!(arch.parameter_count(2, 1), 501);
    }
}
