//! Shuffled mini-batches.

use rand::Rng;
use rand::seq::SliceRandom;

/// A permutation of the row indices `0..n`, reshuffled once per epoch and cut into
/// mini-batches.
///
/// ```
/// let mut order = dlp_data::BatchOrder::new(5);
/// order.shuffle(&mut dlp_data::rng(0));
/// let sizes: Vec<usize> = order.batches(2).map(<[usize]>::len).collect();
/// assert_eq!(sizes, [2, 2, 1]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOrder {
    indices: Vec<usize>,
}

impl BatchOrder {
    /// The identity order `0, 1, ..., n - 1`.
    pub fn new(n: usize) -> BatchOrder {
        BatchOrder {
            indices: (0..n).collect(),
        }
    }

    /// Shuffles the current order in place (Fisher-Yates, rand's `SliceRandom::shuffle`).
    /// The caller owns the generator, usually one [`DataRng`](crate::DataRng) per run
    /// advanced once per epoch, so that a run's batches are reproducible.
    pub fn shuffle<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.indices.shuffle(rng);
    }

    /// Consecutive batches of `batch_size` indices; the last one holds the remainder and is
    /// kept even when it is smaller.
    ///
    /// # Panics
    ///
    /// If `batch_size` is 0.
    pub fn batches(&self, batch_size: usize) -> impl Iterator<Item = &[usize]> + '_ {
        assert!(batch_size > 0, "batch size must be >= 1");
        self.indices.chunks(batch_size)
    }

    /// The current order.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// Number of indices.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether there are no indices.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use proptest::prelude::*;

    #[test]
    fn new_is_identity_and_shuffle_is_seeded() {
        let mut a = BatchOrder::new(50);
        assert_eq!(a.indices(), (0..50).collect::<Vec<_>>().as_slice());
        let mut b = a.clone();
        let mut c = a.clone();
        a.shuffle(&mut rng(3));
        b.shuffle(&mut rng(3));
        c.shuffle(&mut rng(4));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, BatchOrder::new(50));
    }

    #[test]
    fn successive_epochs_differ() {
        let mut r = rng(5);
        let mut order = BatchOrder::new(30);
        order.shuffle(&mut r);
        let first = order.clone();
        order.shuffle(&mut r);
        assert_ne!(order, first);
    }

    #[test]
    #[should_panic(expected = "batch size must be >= 1")]
    fn zero_batch_size_panics() {
        let _ = BatchOrder::new(3).batches(0);
    }

    #[test]
    fn empty_order_has_no_batches() {
        assert_eq!(BatchOrder::new(0).batches(4).count(), 0);
    }

    proptest! {
        #[test]
        fn batches_cover_every_index_once(n in 0usize..300, batch in 1usize..64, seed: u64) {
            let mut order = BatchOrder::new(n);
            order.shuffle(&mut rng(seed));
            let batches: Vec<&[usize]> = order.batches(batch).collect();
            prop_assert_eq!(batches.len(), n.div_ceil(batch));
            for (i, b) in batches.iter().enumerate() {
                let expected = if i + 1 < batches.len() { batch } else { n - i * batch };
                prop_assert_eq!(b.len(), expected);
            }
            let mut seen: Vec<usize> = batches.concat();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }
}
